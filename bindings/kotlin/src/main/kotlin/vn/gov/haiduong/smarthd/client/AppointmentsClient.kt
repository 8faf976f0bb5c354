package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Appointment
import vn.gov.haiduong.smarthd.AppointmentsApi
import vn.gov.haiduong.smarthd.Counter
import vn.gov.haiduong.smarthd.Slot
import vn.gov.haiduong.smarthd.SlotQuery
import vn.gov.haiduong.smarthd.VerifiedTicket

/** `client.appointments`: a place at the commune's one-stop counter (Bộ phận một cửa), and its ticket. */
class AppointmentsClient internal constructor(internal val api: AppointmentsApi, private val io: CoroutineDispatcher) {
    /** The one-stop counters of a commune-level unit (all of them without one). */
    suspend fun counters(unitCode: String? = null): List<Counter> = api.counters(unitCode)

    /** The bookable slots (now to 6 days ahead) with the places left. */
    suspend fun slots(query: SlotQuery): List<Slot> = api.slots(query)

    /**
     * Books a slot; booking it again after a lost answer gets the same booking. A full slot throws
     * `SmartHdException.Conflict`; more than 6 days ahead or 2 already that day `Validation`.
     */
    suspend fun book(slotId: String, procedureCode: String? = null): Appointment = api.book(slotId, procedureCode)

    suspend fun cancel(bookingId: String): Appointment = api.cancel(bookingId)

    /** Brings the kept bookings up to date with the portal's. */
    suspend fun refresh(): List<Appointment> = api.refresh()

    /** The resident's bookings, offline, soonest first. */
    suspend fun list(): List<Appointment> = withContext(io) { api.list() }

    suspend fun get(bookingId: String): Appointment = withContext(io) { api.get(bookingId) }

    /** The ticket verified offline: draw `qrText` with `vietqrMatrix`; a tampered one throws `Validation`. */
    suspend fun ticket(bookingId: String): VerifiedTicket = withContext(io) { api.ticket(bookingId) }
}
