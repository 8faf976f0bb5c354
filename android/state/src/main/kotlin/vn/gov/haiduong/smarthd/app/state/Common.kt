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

/**
 * The text a screen shows for a core error, "Tiếng Việt / English". The core's reasons for bad
 * input and the portal's rules are written for residents already; its other details are
 * technical English (for logs), so those kinds say it here.
 */
val SmartHdException.userMessage: String
    get() = when (this) {
        is SmartHdException.Validation -> reason
        is SmartHdException.Offline -> ResidentMessages.OFFLINE
        is SmartHdException.Network -> ResidentMessages.NETWORK
        is SmartHdException.NeedsLogin -> ResidentMessages.NEEDS_LOGIN
        is SmartHdException.NeedsLevel2 -> ResidentMessages.NEEDS_LEVEL2
        is SmartHdException.Conflict -> detail.takeIf { " / " in it } ?: ResidentMessages.REFUSED
        is SmartHdException.NotFound -> ResidentMessages.NOT_FOUND
        is SmartHdException.Storage -> ResidentMessages.STORAGE
        is SmartHdException.UserDataUnreadable ->
            "Không đọc được dữ liệu trên máy, hãy đăng nhập lại / the data on this phone cannot be read: log in again"
        is SmartHdException.UpdateNeeded ->
            "Hãy cập nhật ứng dụng / please update the app ($detail)"
        is SmartHdException.Cancelled -> "Đã huỷ / cancelled"
        is SmartHdException.Other -> ResidentMessages.UNEXPECTED
    }

/** A failed login's text: why, as the core says it (the provider refused, a forged redirect). */
val SmartHdException.loginMessage: String
    get() = if (this is SmartHdException.NeedsLogin) "Đăng nhập không thành công / the login failed: $detail" else userMessage

/** The resident's words for the errors whose core detail is technical. */
object ResidentMessages {
    const val OFFLINE = "Không kết nối được cổng dịch vụ công; dữ liệu đã lưu vẫn dùng được / " +
        "the portal cannot be reached; what is saved on the phone still works"
    const val NETWORK = "Cổng dịch vụ công chưa trả lời được, hãy thử lại sau / the portal could not answer: try again later"
    const val NEEDS_LOGIN = "Hãy đăng nhập VNeID / log in with VNeID"
    const val NEEDS_LEVEL2 = "Việc này cần đăng nhập VNeID mức 2 / this needs a VNeID level 2 login"
    const val REFUSED = "Cổng dịch vụ công không nhận yêu cầu này / the portal refused this request"
    const val NOT_FOUND = "Không tìm thấy / not found"
    const val STORAGE = "Không đọc hoặc ghi được dữ liệu trên máy / the data on this phone cannot be read or written"
    const val UNEXPECTED = "Lỗi không mong đợi, hãy thử lại / an unexpected error: try again"
}

/** No connection to the portal (or a failure a retry may fix): show the offline banner. */
val SmartHdException.isOffline: Boolean
    get() = this is SmartHdException.Offline || this is SmartHdException.Network
