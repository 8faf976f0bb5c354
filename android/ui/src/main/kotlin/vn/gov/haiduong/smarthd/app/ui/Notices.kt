package vn.gov.haiduong.smarthd.app.ui

import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.Severity
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.app.state.reportStateLabel
import vn.gov.haiduong.smarthd.dossierStatusLabel

/**
 * Links into the app. The browser's returns (the login redirect, the gateway's return) and the
 * links a notification opens (`vn.gov.haiduong.smarthd:/open/ROUTE`) reach the screens on one
 * stream, so a cold start and an app already open take the same path.
 */
object AppLinks {
    private const val OPEN = "vn.gov.haiduong.smarthd:/open/"

    /** The link that opens the app at [route]. */
    fun open(route: String) = OPEN + route

    /** The route [link] opens, or null when it is not an open link. */
    fun route(link: String): String? = link.takeIf { it.startsWith(OPEN) }?.removePrefix(OPEN)?.takeIf { it.isNotEmpty() }
}

/** The phone's notification channels: dossiers and reports, the commune's alerts, emergencies. */
enum class NoticeChannel(val id: String, val title: Str) {
    STATUS("dossier-status", Str.NOTIFICATION_CHANNEL),
    ALERTS("alerts", Str.TAB_INBOX),
    EMERGENCY("emergency-alerts", Str.SEVERITY_EMERGENCY),
}

/**
 * A local notification: [id] is the record's own (a new status of the same dossier replaces its
 * notice, two dossiers never share one), [link] what a tap opens.
 */
data class Notice(val channel: NoticeChannel, val id: Int, val title: String, val text: String, val link: String)

/**
 * The notice for a core [event], or null when the resident should not be interrupted: a draft, a
 * dossier queued by their own tap on "submit" (they are looking at it, and it has no code yet),
 * a payment (the payment screen is open).
 */
fun noticeFor(event: Event, language: Language): Notice? {
    val english = language == Language.EN
    return when (event) {
        is Event.DossierStatusChanged -> when (event.status) {
            DossierStatus.DRAFT, DossierStatus.QUEUED -> null
            else -> Notice(
                NoticeChannel.STATUS,
                "dossier:${event.dossierId}".hashCode(),
                event.code?.let { Str.NOTIFICATION_TITLE.text(language, it) } ?: Str.NOTIFICATION_TITLE_NO_CODE.text(language),
                pickLanguage(dossierStatusLabel(event.status), english),
                AppLinks.open(Routes.dossier(event.dossierId)),
            )
        }
        is Event.ReportStatusChanged -> Notice(
            NoticeChannel.STATUS,
            "report:${event.reportId}".hashCode(),
            event.code?.let { Str.REPORT_CODE.text(language, it) } ?: Str.TAB_REPORTS.text(language),
            reportStateLabel(event.state, english),
            AppLinks.open(Routes.REPORTS),
        )
        is Event.AlertReceived -> Notice(
            if (event.severity == Severity.EMERGENCY) NoticeChannel.EMERGENCY else NoticeChannel.ALERTS,
            "alert:${event.alertId}".hashCode(),
            event.title,
            Str.INBOX_OPEN.text(language),
            AppLinks.open(Routes.INBOX),
        )
        is Event.AppointmentReminder -> Notice(
            NoticeChannel.STATUS,
            "booking:${event.bookingId}".hashCode(),
            Str.APPOINTMENT_REMINDER.text(language, localTime(event.startsAt)),
            Str.APPOINTMENT_WHERE.text(language, event.counterName, event.number.toInt()),
            AppLinks.open(Routes.INBOX),
        )
        else -> null
    }
}
