package vn.gov.haiduong.smarthd.app.state

import java.time.LocalDate
import java.time.OffsetDateTime
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.DateTimeParseException
import vn.gov.haiduong.smarthd.SmartHdException

private val VIETNAM = ZoneId.of("Asia/Ho_Chi_Minh")
private val DAY_AND_TIME = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm")
private val DAY = DateTimeFormatter.ofPattern("dd/MM/yyyy")

/**
 * An RFC 3339 time from the core or the portal ("2026-12-02T13:02:00Z") as a resident reads it:
 * Vietnam's time, day first ("02/12/2026 20:02"), whatever the phone's zone. A date alone (a
 * paper's issue date, "2021-04-20") reads day first too; anything else is shown as it came.
 */
fun localTime(at: String): String = try {
    OffsetDateTime.parse(at).atZoneSameInstant(VIETNAM).format(DAY_AND_TIME)
} catch (e: DateTimeParseException) {
    try {
        LocalDate.parse(at).format(DAY)
    } catch (e: DateTimeParseException) {
        at
    }
}

/**
 * The core's resident-facing texts read "Tiếng Việt / English" (field problems, status labels):
 * the half for the app's language.
 */
fun pickLanguage(text: String, english: Boolean): String {
    val at = text.indexOf(" / ")
    if (at < 0) return text
    return if (english) text.substring(at + 3) else text.substring(0, at)
}

/** The text a screen shows for a core error (the detail, not the type's `detail=` prefix). */
val SmartHdException.userMessage: String
    get() = when (this) {
        is SmartHdException.Validation -> reason
        is SmartHdException.Offline -> detail
        is SmartHdException.Network -> detail
        is SmartHdException.NeedsLogin -> detail
        is SmartHdException.NeedsLevel2 -> detail
        is SmartHdException.Conflict -> detail
        is SmartHdException.NotFound -> detail
        is SmartHdException.Storage -> detail
        is SmartHdException.UserDataUnreadable ->
            "Không đọc được dữ liệu trên máy, hãy đăng nhập lại / the data on this phone cannot be read: log in again"
        is SmartHdException.UpdateNeeded ->
            "Hãy cập nhật ứng dụng / please update the app ($detail)"
        is SmartHdException.Cancelled -> detail
        is SmartHdException.Other -> detail
    }

/** No connection to the portal (or a failure a retry may fix): show the offline banner. */
val SmartHdException.isOffline: Boolean
    get() = this is SmartHdException.Offline || this is SmartHdException.Network
