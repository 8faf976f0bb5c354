package vn.gov.haiduong.smarthd.app.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.ReportState
import vn.gov.haiduong.smarthd.Severity

/** What the phone's notifications say and open, for each event the core gives. */
class NoticesTest {
    private fun dossier(id: String, code: String?, status: DossierStatus) = Event.DossierStatusChanged(id, code, status)

    @Test
    fun `the resident's own submit notifies nothing, a status from the portal does`() {
        assertNull(noticeFor(dossier("d-1", null, DossierStatus.QUEUED), Language.VI), "queued by the resident's own tap")
        assertNull(noticeFor(dossier("d-1", null, DossierStatus.DRAFT), Language.VI))
        val received = noticeFor(dossier("d-1", "H23.100-261202-0001", DossierStatus.RECEIVED), Language.VI)!!
        assertEquals("Hồ sơ H23.100-261202-0001", received.title)
        assertEquals("Đã tiếp nhận", received.text)
        assertEquals(NoticeChannel.STATUS, received.channel)
        val failed = noticeFor(dossier("d-2", null, DossierStatus.FAILED), Language.EN)!!
        assertEquals("Your dossier", failed.title, "never \"Dossier \" with an empty code")
    }

    @Test
    fun `each dossier has its own notice and opens its own screen`() {
        val first = noticeFor(dossier("d-1", "A", DossierStatus.PROCESSING), Language.VI)!!
        val later = noticeFor(dossier("d-1", "A", DossierStatus.RESULT_READY), Language.VI)!!
        val other = noticeFor(dossier("d-2", "B", DossierStatus.PROCESSING), Language.VI)!!
        assertEquals(first.id, later.id, "a new status replaces the dossier's notice")
        assertNotEquals(first.id, other.id, "two dossiers never share a notice (nor its PendingIntent)")
        assertEquals(Routes.dossier("d-1"), AppLinks.route(first.link))
        assertEquals(Routes.dossier("d-2"), AppLinks.route(other.link))
    }

    @Test
    fun `reports, alerts and appointments, in the app's language`() {
        val report = noticeFor(Event.ReportStatusChanged("r-1", "PA-0001", ReportState.HANDLED), Language.EN)!!
        assertEquals("Report code: PA-0001", report.title)
        assertEquals(Routes.REPORTS, AppLinks.route(report.link))
        val flood = noticeFor(Event.AlertReceived("a-1", "Lũ trên sông Thái Bình", Severity.EMERGENCY), Language.VI)!!
        assertEquals(NoticeChannel.EMERGENCY, flood.channel)
        assertEquals(NoticeChannel.ALERTS, noticeFor(Event.AlertReceived("a-2", "Cắt điện", Severity.INFO), Language.VI)!!.channel)
        val booking = noticeFor(Event.AppointmentReminder("b-1", "Bộ phận một cửa phường Hải Dương", "2026-12-03T01:30:00Z", 12u), Language.VI)!!
        assertEquals("Lịch hẹn lúc 03/12/2026 08:30", booking.title, "Vietnam's time")
        assertEquals("Bộ phận một cửa phường Hải Dương, số thứ tự 12", booking.text)
    }

    @Test
    fun `only the app's own open links are routes`() {
        assertEquals(Routes.INBOX, AppLinks.route(AppLinks.open(Routes.INBOX)))
        assertNull(AppLinks.route("vn.gov.haiduong.smarthd:/oauth2redirect?code=x"))
        assertNull(AppLinks.route("vn.gov.haiduong.smarthd:/open/"))
    }
}
