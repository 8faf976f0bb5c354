package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.AppointmentStatus
import vn.gov.haiduong.smarthd.DocumentKind
import vn.gov.haiduong.smarthd.app.testing.*

/** My documents and appointments, for a level-2 resident against a real sandbox. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonalRecordsViewModelsTest {
    private val world = SandboxWorld("records")
    private val sandbox = world.sandbox
    private val client = world.client

    @BeforeAll
    fun ready() = runBlocking<Unit> {
        client.sync.catalog()
        logIn(client, level = 2)
    }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `my documents hold the result and the papers, filter as typed, and export to files`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val dossier = submittedDossier(client, vm.scope, connectivity, BIRTH)
            Robot.officerIssueResult(sandbox, client.dossiers.get(dossier).code!!, "Giấy khai sinh bản chính số 7")
            client.sync.now() // fetches the result and the resident's papers

            val documents = DocumentsViewModel(client, vm.scope, world.tmp.resolve("exports"))
            val all = documents.state.awaitState { s -> s.documents.any { it.kind == DocumentKind.RESULT } }.documents
            val result = all.single { it.kind == DocumentKind.RESULT }
            assertTrue(result.verified, "$result")
            assertTrue(all.any { it.kind == DocumentKind.CARD }, "the papers VNeID lists: $all")

            documents.onQueryChange("can cuoc") // typed without tone marks
            val found = documents.state.awaitState { s -> s.documents.size < all.size }.documents
            assertEquals(listOf("card:cccd"), found.map { it.id })
            documents.onQueryChange("")
            documents.state.awaitState { it.documents.size == all.size }

            documents.export(result)
            val pdf = documents.state.awaitState { it.exported != null }.exported!!
            assertTrue(pdf.endsWith(".pdf"), pdf)
            assertTrue(String(Files.readAllBytes(java.nio.file.Path.of(pdf))).startsWith("%PDF"), "the result's own PDF")
            documents.onExportHandled()
            documents.export(found.single())
            val card = documents.state.awaitState { it.exported != null }.exported!!
            assertTrue(Files.readString(java.nio.file.Path.of(card)).contains(Robot.LEVEL2_CCCD), "the card's JSON")
        }
    }

    @Test
    fun `a slot is booked at the commune's counter, its ticket verifies, it can be cancelled, and the list stays offline`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val booking = BookingViewModel(client, vm.scope, connectivity, BIRTH)
            val counters = booking.state.awaitState { it.counters.isNotEmpty() }.counters
            val wanted = counters.last()
            // The commune's name typed without tone marks finds its counter.
            booking.onFilterChange(fold(wanted.unitName).uppercase())
            assertTrue(wanted in booking.state.value.shownCounters, "${booking.state.value.shownCounters}")
            assertTrue(booking.state.value.shownCounters.size < counters.size)

            booking.chooseCounter(wanted)
            val slot = booking.state.awaitState { s -> s.slots.any { it.available > 0u } }.slots.first { it.available > 0u }
            assertEquals(wanted.counterId, slot.counterId)
            booking.book(slot)
            val booked = booking.state.awaitState { it.booked != null }.booked!!
            assertEquals(slot.slotId, booked.slotId)
            assertEquals(BIRTH, booked.procedureCode)

            val list = AppointmentsViewModel(client, vm.scope, connectivity)
            list.state.awaitState { s -> !s.refreshing && s.appointments.any { it.bookingId == booked.bookingId } }

            val one = AppointmentViewModel(client, vm.scope, connectivity, booked.bookingId)
            val shown = one.state.awaitState { it.ticket != null }
            assertEquals(booked.number, shown.ticket!!.number)
            assertNotNull(shown.qr)
            assertTrue(shown.cancellable)
            one.cancel()
            one.state.awaitState { it.appointment?.status == AppointmentStatus.CANCELLED && !it.busy }
            assertEquals(AppointmentStatus.CANCELLED, client.appointments.get(booked.bookingId).status)
            booking.book(booking.state.value.slots.first { it.available > 0u && it.slotId != slot.slotId })
            val second = booking.state.awaitState { it.booked?.bookingId.let { id -> id != null && id != booked.bookingId } }.booked!!

            // The portal away: the kept bookings stay on show, and the banner says offline.
            sandbox.stop()
            try {
                val offline = AppointmentsViewModel(client, vm.scope, connectivity)
                val shownOffline = offline.state.awaitState { it.loaded && !it.refreshing && it.error != null }
                assertEquals(setOf(booked.bookingId, second.bookingId), shownOffline.appointments.map { it.bookingId }.toSet())
                assertTrue(connectivity.state.value.offline)
                // Cancelled offline: kept to send, shown as cancelling, not offered again.
                val two = AppointmentViewModel(client, vm.scope, connectivity, second.bookingId)
                two.state.awaitState { it.appointment != null }
                two.cancel()
                val pending = two.state.awaitState { it.appointment?.status == AppointmentStatus.CANCELLING && !it.busy }
                assertTrue(!pending.cancellable)
            } finally {
                sandbox.start()
            }
            // Back online: the next sync sends it.
            client.sync.now()
            assertEquals(AppointmentStatus.CANCELLED, client.appointments.get(second.bookingId).status)
        }
    }

    @Test
    fun `typed words match counters with or without tone marks`() {
        assertEquals("ubnd phuong hai duong", fold("UBND Phường Hải Dương"))
    }
}
