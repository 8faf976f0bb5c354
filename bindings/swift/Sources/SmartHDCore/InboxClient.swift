// `client.inbox`: the city's alerts and the app's own notices, offline with read state; the push token.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class InboxClient: Sendable {
    let api: InboxApi
    init(_ api: InboxApi) { self.api = api }

    /// Fetches what the portal published since the last sync; how many items are new.
    public func sync() async throws -> UInt32 {
        try await cancellable { try await api.sync(cancel: $0) }
    }

    /// The resident's inbox, offline: emergencies in force first, then newest first.
    public func list() async throws -> [InboxItem] {
        try await offMain(api) { try $0.list() }
    }

    public func unread() async throws -> UInt32 {
        try await offMain(api) { try $0.unread() }
    }

    public func markRead(itemId: String) async throws {
        try await offMain(api) { try $0.markRead(itemId: itemId) }
    }

    /// Registers the APNs token for this resident; logging out removes it.
    public func registerPush(token: String, platform: String = "apns") async throws {
        try await cancellable { try await api.registerPush(token: token, platform: platform, cancel: $0) }
    }
}
