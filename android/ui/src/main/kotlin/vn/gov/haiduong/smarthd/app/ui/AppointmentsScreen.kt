package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.layout.widthIn
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.Appointment
import vn.gov.haiduong.smarthd.AppointmentStatus
import vn.gov.haiduong.smarthd.app.state.AppointmentViewModel
import vn.gov.haiduong.smarthd.app.state.AppointmentsViewModel
import vn.gov.haiduong.smarthd.app.state.BookingViewModel
import vn.gov.haiduong.smarthd.app.state.localTime

/** The resident's appointments at one-stop counters (đặt lịch hẹn), and a way to book one. */
@Composable
fun AppointmentsScreen(onOpen: (String) -> Unit, onBook: () -> Unit) {
    val holder = rememberHolder { app, scope -> AppointmentsViewModel(app.client, scope, app.connectivity) }
    val state by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { holder.showKept() } // back from a booking or its ticket
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        item {
            Button(onClick = onBook, modifier = Modifier.fillMaxWidth().padding(vertical = 16.dp).then(TouchSize)) { Text(tr(Str.APPOINTMENT_BOOK)) }
        }
        state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error) } }
        if (state.loaded && state.appointments.isEmpty()) item { Text(tr(Str.APPOINTMENTS_EMPTY), Modifier.padding(16.dp)) }
        items(state.appointments, key = { it.bookingId }) { appointment ->
            Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
                Column(Modifier.padding(16.dp)) {
                    AppointmentFacts(appointment)
                    FilledTonalButton(onClick = { onOpen(appointment.bookingId) }, modifier = Modifier.padding(top = 4.dp).then(TouchSize)) { Text(tr(Str.APPOINTMENT_OPEN)) }
                }
            }
        }
    }
}

/** Where and when, the queue number and the status: the same on the list and the ticket. */
@Composable
private fun AppointmentFacts(appointment: Appointment) {
    Text(appointment.counterName, style = MaterialTheme.typography.titleMedium)
    val (status, color) = when (appointment.status) {
        AppointmentStatus.BOOKED -> Str.APPOINTMENT_BOOKED to MaterialTheme.colorScheme.primary
        // Cancelled on the phone; the next sync tells the portal.
        AppointmentStatus.CANCELLING -> Str.APPOINTMENT_CANCELLING to MaterialTheme.colorScheme.error
        AppointmentStatus.CANCELLED -> Str.APPOINTMENT_CANCELLED to MaterialTheme.colorScheme.error
    }
    Text(tr(status), style = MaterialTheme.typography.labelLarge, color = color)
    Text(tr(Str.APPOINTMENT_AT, localTime(appointment.startsAt)))
    Text(tr(Str.APPOINTMENT_NUMBER, appointment.number.toInt()))
    appointment.procedureCode?.let { Text(tr(Str.APPOINTMENT_FOR, it), style = MaterialTheme.typography.bodyMedium) }
}

/**
 * Booking a visit: find the commune's counter, choose a free slot (now to 6 days ahead) and book
 * it; [onBooked] then opens its ticket.
 */
@Composable
fun BookingScreen(procedureCode: String?, onBooked: (String) -> Unit) {
    val holder = rememberHolder(key = "booking-$procedureCode") { app, scope ->
        BookingViewModel(app.client, scope, app.connectivity, procedureCode)
    }
    val state by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(state.booked) { state.booked?.let { onBooked(it.bookingId) } }
    val counter = state.counter
    Column(Modifier.fillMaxSize()) {
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(16.dp)) }
        if (counter == null) {
            OutlinedTextField(
                value = state.filter,
                onValueChange = holder::onFilterChange,
                label = { Text(tr(Str.BOOKING_FIND_COUNTER)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().padding(16.dp),
            )
            LazyColumn(Modifier.fillMaxSize()) {
                items(state.shownCounters, key = { it.counterId }) { c ->
                    Column(
                        Modifier.fillMaxWidth().heightIn(min = 48.dp).clickable { holder.chooseCounter(c) }
                            .padding(horizontal = 16.dp, vertical = 12.dp),
                    ) {
                        Text(c.name, style = MaterialTheme.typography.titleMedium)
                        Text(c.address, style = MaterialTheme.typography.bodyMedium)
                    }
                    HorizontalDivider()
                }
            }
        } else {
            LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
                item {
                    Text(
                        tr(Str.BOOKING_CHOOSE_SLOT, counter.name),
                        style = MaterialTheme.typography.titleMedium,
                        modifier = Modifier.padding(top = 16.dp).semantics { heading() },
                    )
                    Text(counter.address, style = MaterialTheme.typography.bodyMedium)
                    Text(counter.hours, style = MaterialTheme.typography.bodyMedium)
                    TextButton(onClick = { holder.chooseCounter(null) }, modifier = TouchSize) { Text(tr(Str.BOOKING_OTHER_COUNTER)) }
                }
                if (!state.busy && state.slots.none { it.available > 0u }) item { Text(tr(Str.BOOKING_NO_SLOTS), Modifier.padding(vertical = 16.dp)) }
                items(state.slots.filter { it.available > 0u }, key = { it.slotId }) { slot ->
                    OutlinedButton(
                        onClick = { holder.book(slot) },
                        enabled = !state.busy,
                        modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp).then(TouchSize),
                    ) { Text(tr(Str.BOOKING_SLOT, localTime(slot.startsAt), slot.available.toInt())) }
                }
            }
        }
    }
}

/** One appointment and its ticket, verified on the phone, as a QR code for the counter to scan. */
@Composable
fun AppointmentScreen(bookingId: String, onBack: () -> Unit) {
    val holder = rememberHolder(key = "appointment-$bookingId") { app, scope ->
        AppointmentViewModel(app.client, scope, app.connectivity, bookingId)
    }
    val state by holder.state.collectAsStateWithLifecycle()
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp), horizontalAlignment = Alignment.Start) {
        item { TextButton(onClick = onBack, modifier = TouchSize) { Text(tr(Str.BACK)) } }
        state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error) } }
        state.appointment?.let { appointment -> item { AppointmentFacts(appointment) } }
        val ticket = state.ticket
        val qr = state.qr
        if (ticket != null && qr != null && ticket.status == AppointmentStatus.BOOKED) {
            item {
                Text(tr(Str.TICKET_SHOW), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
                Column(Modifier.widthIn(max = 360.dp)) { QrCode(qr, tr(Str.TICKET_QR_DESCRIPTION, ticket.number.toInt())) }
                Text("✓ " + tr(Str.TICKET_VERIFIED, ticket.keyId), color = MaterialTheme.colorScheme.primary)
            }
        }
        if (state.cancellable) {
            item {
                OutlinedButton(onClick = holder::cancel, enabled = !state.busy, modifier = Modifier.padding(vertical = 16.dp).then(TouchSize)) {
                    Text(tr(Str.APPOINTMENT_CANCEL))
                }
            }
        }
    }
}
