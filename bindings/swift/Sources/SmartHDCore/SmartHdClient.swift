// The core as an iOS app uses it: async functions that never block the caller, and the core's
// events as an AsyncStream. Mirrors the Kotlin layer (SmartHdClient.kt).
//
// NOT COMPILED HERE (no Swift toolchain on the project's machines): written against the
// signatures of the generated SmartHDCore.swift; compile it on a Mac with scripts/build-ios.sh.
import Foundation

public final class SmartHdClient: @unchecked Sendable {
    /// The generated object, for calls this layer does not wrap.
    public let core: SmartHd
    /// What the core reports as it happens (sync progress now; session, dossier and payment
    /// events later). Keeps the newest 256 events for a slow reader; never blocks the core.
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    /// Opens the core on `config` (no network call). `storage` is Keychain-backed storage,
    /// `signer` an optional Secure Enclave key for DPoP, `logger` receives the core's log lines.
    public init(config: CoreConfig, storage: SecureStorage, logger: Logger? = nil, signer: Signer? = nil) throws {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        self.events = stream
        self.continuation = continuation
        self.core = try SmartHd.open(
            config: config, storage: storage, events: StreamListener(continuation), logger: logger, signer: signer)
    }

    deinit {
        continuation.finish()
    }

    /// Brings the offline catalog up to date; progress arrives on `events`. Cancelling the
    /// task cancels the sync.
    public func syncCatalog() async throws -> SyncReport {
        let handle = CancelHandle()
        return try await withTaskCancellationHandler {
            try await core.syncCatalog(cancel: handle)
        } onCancel: {
            handle.cancel()
        }
    }

    public func search(_ query: String, filters: SearchFilters = SearchFilters(), page: PageRequest = PageRequest())
        async throws -> SearchPage
    {
        try await offMain { try $0.search(query: query, filters: filters, page: page) }
    }

    public func procedure(code: String) async throws -> Procedure {
        try await offMain { try $0.procedure(code: code) }
    }

    public func fields() async throws -> [FacetCount] { try await offMain { try $0.fields() } }
    public func agencies() async throws -> [FacetCount] { try await offMain { try $0.agencies() } }
    public func units() async throws -> AdminUnits { try await offMain { try $0.units() } }
    public func freshness() async throws -> Freshness { try await offMain { try $0.freshness() } }
    public func addFavorite(code: String) async throws { try await offMain { try $0.addFavorite(code: code) } }
    public func removeFavorite(code: String) async throws { try await offMain { try $0.removeFavorite(code: code) } }
    public func favorites() async throws -> [SearchHit] { try await offMain { try $0.favorites() } }
    public func recentlyViewed(limit: UInt32 = 20) async throws -> [SearchHit] {
        try await offMain { try $0.recentlyViewed(limit: limit) }
    }

    /// Runs a (sub-millisecond, SQLite) read off the caller's actor.
    private func offMain<T: Sendable>(_ body: @escaping @Sendable (SmartHd) throws -> T) async throws -> T {
        let core = self.core
        return try await Task.detached(priority: .userInitiated) { try body(core) }.value
    }
}

private final class StreamListener: EventListener, @unchecked Sendable {
    private let continuation: AsyncStream<Event>.Continuation
    init(_ continuation: AsyncStream<Event>.Continuation) { self.continuation = continuation }
    func onEvent(event: Event) { continuation.yield(event) }
}
