package vn.gov.haiduong.smarthd.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** What the screens show of the core's times and texts. */
class CommonTest {
    @Test
    fun `times are shown in Vietnam's time, day first, whatever zone they came in`() {
        assertEquals("02/12/2026 20:02", localTime("2026-12-02T13:02:00Z"))
        assertEquals("02/12/2026 20:02", localTime("2026-12-02T20:02:00+07:00"))
        assertEquals("03/12/2026 06:30", localTime("2026-12-02T23:30:15.250Z")) // past midnight there
        assertEquals("20/04/2021", localTime("2021-04-20")) // a date alone: a paper's issue date
        assertEquals("not a time", localTime("not a time"))
    }

    @Test
    fun `the core's bilingual texts give the app's language`() {
        assertEquals("Đã tiếp nhận", pickLanguage("Đã tiếp nhận / Received", english = false))
        assertEquals("Received", pickLanguage("Đã tiếp nhận / Received", english = true))
    }
}
