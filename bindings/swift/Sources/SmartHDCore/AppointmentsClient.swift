// `client.appointments`: a place at the commune's one-stop counter (Bộ phận một cửa), and its ticket.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class AppointmentsClient: Sendable {
    let api: AppointmentsApi
    init(_ api: AppointmentsApi) { self.api = api }

    /// The one-stop counters of a commune-level unit (all of them without one).
    public func counters(unitCode: String? = nil) async throws -> [Counter] {
        try await cancellable { try await api.counters(unitCode: unitCode, cancel: $0) }
    }

    /// The bookable slots (now to 6 days ahead) with the places left.
    public func slots(query: SlotQuery) async throws -> [Slot] {
        try await cancellable { try await api.slots(query: query, cancel: $0) }
    }

    /// Books a slot; booking it again after a lost answer gets the same booking. A full slot
    /// throws `SmartHdError.Conflict`; more than 6 days ahead or 2 already that day `Validation`.
    public func book(slotId: String, procedureCode: String? = nil) async throws -> Appointment {
        try await cancellable { try await api.book(slotId: slotId, procedureCode: procedureCode, cancel: $0) }
    }

    public func cancel(bookingId: String) async throws -> Appointment {
        try await cancellable { try await api.cancel(bookingId: bookingId, cancel: $0) }
    }

    /// Brings the kept bookings up to date with the portal's.
    public func refresh() async throws -> [Appointment] {
        try await cancellable { try await api.refresh(cancel: $0) }
    }

    /// The resident's bookings, offline, soonest first.
    public func list() async throws -> [Appointment] { try await offMain(api) { try $0.list() } }
    public func get(bookingId: String) async throws -> Appointment {
        try await offMain(api) { try $0.get(bookingId: bookingId) }
    }

    /// The ticket verified offline: draw `qrText` with `vietqrMatrix(payload:)`; a tampered one
    /// throws `SmartHdError.Validation`.
    public func ticket(bookingId: String) async throws -> VerifiedTicket {
        try await offMain(api) { try $0.ticket(bookingId: bookingId) }
    }
}
