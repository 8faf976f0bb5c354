// `client.sync`: bringing the offline catalog and the outbox up to date. Cancelling the Task
// stops the sync; what it committed stays and the next one carries on.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class SyncClient: Sendable {
    let api: SyncApi
    init(_ api: SyncApi) { self.api = api }

    /// Brings the offline catalog up to date; progress arrives on `client.events()`.
    public func catalog() async throws -> SyncReport { try await cancellable { try await api.catalog(cancel: $0) } }
    /// Sends the outbox, refreshes dossier statuses and settles payments; changes arrive on `client.events()`.
    public func now() async throws -> DossierSyncReport { try await cancellable { try await api.now(cancel: $0) } }
    /// `now()` when the network comes back: entries waiting out their backoff stay for later.
    public func whenOnline() async throws -> DossierSyncReport {
        try await cancellable { try await api.whenOnline(cancel: $0) }
    }
}
