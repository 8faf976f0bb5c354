package vn.gov.haiduong.smarthd.client

import java.nio.file.Files
import java.nio.file.Path
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.AppointmentStatus
import vn.gov.haiduong.smarthd.SlotQuery
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.vietqrMatrix

/** Appointments at the one-stop counter through the Kotlin layer against the sandbox over loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppointmentsTest {
    private val tmp: Path = Files.createTempDirectory("smarthd-appointments")
    private lateinit var sandbox: Sandbox

    @BeforeAll
    fun startSandbox() {
        sandbox = Sandbox(tmp.resolve("sandbox"))
    }

    @AfterAll
    fun stopSandbox() {
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    /** A slot the tester adds [days] ahead of now, Vietnam time. */
    private fun slotIn(days: Long, capacity: Int): String {
        val at = OffsetDateTime.now(ZoneOffset.ofHours(7)).plusDays(days)
        return Portal.addSlot(sandbox.url, "MC-10507", at.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:00xxx")), capacity)
    }

    @Test
    fun `book a slot, show the verified ticket, cancel, and a taken place is a conflict`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("appointments")), MemoryStorage()).use { client ->
            val counters = client.appointments.counters("10507")
            assertTrue(counters.single().name.startsWith("Bộ phận một cửa"))
            assertTrue(client.appointments.slots(SlotQuery(unitCode = "10507")).isNotEmpty())

            val url = client.session.beginLogin(2, locale = "vi")
            client.session.completeLogin(Portal.logIn(url, Portal.LEVEL2_CCCD))
            val booked = client.appointments.book(slotIn(1, 3))
            assertEquals(AppointmentStatus.BOOKED, booked.status)
            assertEquals(listOf(booked.bookingId), client.appointments.list().map { it.bookingId })
            val ticket = client.appointments.ticket(booked.bookingId)
            assertTrue(ticket.qrText.startsWith("HDA1~"), ticket.qrText)
            assertTrue(vietqrMatrix(ticket.qrText).width > 20u)
            assertEquals(AppointmentStatus.CANCELLED, client.appointments.cancel(booked.bookingId).status)

            val one = slotIn(2, 1)
            client.appointments.book(one)
            try {
                client.appointments.book(one)
                throw AssertionError("booking a held place again must fail")
            } catch (e: SmartHdException.Conflict) {
                assertTrue(e.message!!.contains("/"), e.message)
            }
        }
    }
}
