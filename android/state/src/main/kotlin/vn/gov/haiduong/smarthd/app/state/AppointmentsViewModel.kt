package vn.gov.haiduong.smarthd.app.state

import java.text.Normalizer
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Appointment
import vn.gov.haiduong.smarthd.AppointmentStatus
import vn.gov.haiduong.smarthd.Counter
import vn.gov.haiduong.smarthd.QrMatrix
import vn.gov.haiduong.smarthd.Slot
import vn.gov.haiduong.smarthd.SlotQuery
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.VerifiedTicket
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.vietqrMatrix

data class AppointmentsState(
    val loaded: Boolean = false,
    /** Soonest first, as kept on the phone. */
    val appointments: List<Appointment> = emptyList(),
    val refreshing: Boolean = false,
    val error: String? = null,
)

/**
 * The resident's appointments at one-stop counters: the copy kept on the phone at once, then
 * brought up to date with the portal's (offline, the kept copy stays on show).
 */
class AppointmentsViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
) {
    private val _state = MutableStateFlow(AppointmentsState())
    val state: StateFlow<AppointmentsState> = _state.asStateFlow()

    init {
        showKept()
        refresh()
    }

    /** The bookings kept on the phone, read again (back from booking or cancelling one). */
    fun showKept() {
        scope.launch { readKept() }
    }

    fun refresh() {
        scope.launch {
            _state.update { it.copy(refreshing = true) }
            val error = connectivity.attempt { client.appointments.refresh() }
            _state.update { it.copy(error = error) }
            readKept()
            _state.update { it.copy(refreshing = false) }
        }
    }

    private suspend fun readKept() {
        try {
            val kept = client.appointments.list()
            _state.update { it.copy(loaded = true, appointments = kept) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(loaded = true, error = e.userMessage) }
        }
    }
}

data class BookingState(
    /** What the resident typed to find their commune's counter. */
    val filter: String = "",
    val counters: List<Counter> = emptyList(),
    val counter: Counter? = null,
    /** The chosen counter's slots, now to 6 days ahead, with the places left. */
    val slots: List<Slot> = emptyList(),
    val busy: Boolean = false,
    /** The booking just made: the screen moves on to its ticket. */
    val booked: Appointment? = null,
    val error: String? = null,
) {
    /** The counters whose commune or name holds every word typed, with or without tone marks. */
    val shownCounters: List<Counter>
        get() {
            val words = fold(filter).split(' ').filter { it.isNotEmpty() }
            return counters.filter { c -> fold("${c.unitName} ${c.name}").let { text -> words.all { it in text } } }
        }
}

/**
 * Booking a place at a commune's one-stop counter (for [procedureCode], if the resident came from
 * a procedure): find the counter, choose a slot, book it.
 */
class BookingViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val procedureCode: String? = null,
) {
    private val _state = MutableStateFlow(BookingState())
    val state: StateFlow<BookingState> = _state.asStateFlow()

    init {
        call { _state.update { it.copy(counters = client.appointments.counters()) } }
    }

    fun onFilterChange(text: String) = _state.update { it.copy(filter = text) }

    fun chooseCounter(counter: Counter?) {
        _state.update { it.copy(counter = counter, slots = emptyList()) }
        if (counter == null) return
        call {
            val slots = client.appointments.slots(SlotQuery(counterId = counter.counterId, procedureCode = procedureCode))
            _state.update { if (it.counter == counter) it.copy(slots = slots) else it }
        }
    }

    /** Booking again after a lost answer gets the same booking (the core keeps the request). */
    fun book(slot: Slot) = call {
        val appointment = client.appointments.book(slot.slotId, procedureCode)
        _state.update { it.copy(booked = appointment) }
    }

    private fun call(block: suspend () -> Unit) {
        scope.launch {
            _state.update { it.copy(busy = true, error = null) }
            val error = connectivity.attempt(block)
            _state.update { it.copy(busy = false, error = error) }
        }
    }
}

data class AppointmentState(
    val appointment: Appointment? = null,
    /** The ticket as verified on the phone against the portal's key, and its QR code. */
    val ticket: VerifiedTicket? = null,
    val qr: QrMatrix? = null,
    val busy: Boolean = false,
    val error: String? = null,
) {
    val cancellable: Boolean get() = appointment?.status == AppointmentStatus.BOOKED
}

/** One appointment with its ticket, verified offline, for the counter to scan; cancelling it. */
class AppointmentViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    val bookingId: String,
    /** Where the QR matrix is computed (off the main thread). */
    private val io: CoroutineDispatcher = Dispatchers.Default,
) {
    private val _state = MutableStateFlow(AppointmentState())
    val state: StateFlow<AppointmentState> = _state.asStateFlow()

    init {
        scope.launch { reload() }
    }

    fun cancel() {
        scope.launch {
            _state.update { it.copy(busy = true, error = null) }
            val error = connectivity.attempt { client.appointments.cancel(bookingId) }
            reload()
            _state.update { it.copy(busy = false, error = error ?: it.error) }
        }
    }

    private suspend fun reload() {
        try {
            val appointment = client.appointments.get(bookingId)
            _state.update { it.copy(appointment = appointment) }
            // A tampered ticket fails here: the booking shows, its QR code does not.
            val ticket = client.appointments.ticket(bookingId)
            val qr = withContext(io) { vietqrMatrix(ticket.qrText) }
            _state.update { it.copy(ticket = ticket, qr = qr) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(ticket = null, qr = null, error = e.userMessage) }
        }
    }
}

/** Lower case without tone marks ("Đông" → "dong"), for matching what a resident types. */
fun fold(text: String): String =
    Normalizer.normalize(text.lowercase(), Normalizer.Form.NFD).replace(Regex("\\p{M}+"), "").replace('đ', 'd')
