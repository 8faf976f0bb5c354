// The core as an iOS app uses it: one object per capability (`client.catalog`, `.session`,
// `.dossiers`, `.payments`, `.sync`) with async functions that never block the caller, and the
// core's events as a broadcast (`events()`: a new AsyncStream per reader, each seeing every
// event). Mirrors the Kotlin layer (SmartHdClient.kt).
//
// Cancelling the Task that awaits any network call stops the work in the core at its next step
// (what it committed stays; nothing is half-written). Swift cannot drop a Rust future, so each
// such call passes a CancelHandle that the Task's cancellation fires (see `cancellable`).
//
// NOT COMPILED HERE (no Swift toolchain on the project's machines): written against the
// signatures of the generated SmartHDCore.swift; compile it on a Mac with scripts/build-ios.sh.
import Foundation

public final class SmartHdClient: @unchecked Sendable {
    /// The redirect URI the core's login uses (register the scheme for
    /// ASWebAuthenticationSession's callback).
    public static let loginRedirectUri = "vn.gov.haiduong.smarthd:/oauth2redirect"
    /// Where the payment gateway sends the browser back to the app.
    public static let paymentReturnUrl = "vn.gov.haiduong.smarthd:/payment-return"

    /// The generated object, for calls this layer does not wrap.
    public let core: SmartHd
    /// The offline procedures: search, records, facets, favourites.
    public let catalog: CatalogClient
    /// The VNeID login and who is logged in.
    public let session: SessionClient
    /// Drafts, submitting, and the public lookup.
    public let dossiers: DossiersClient
    /// Fees and e-receipts.
    public let payments: PaymentsClient
    /// A place at the commune's one-stop counter, and its ticket.
    public let appointments: AppointmentsClient
    /// My documents: results, e-receipts and personal papers, offline.
    public let documents: DocumentsClient
    /// Field reports: drafts with photos and the place, progress, rating, the public feed.
    public let reports: ReportsClient
    /// The inbox: the city's alerts and the app's own notices, and the push token.
    public let inbox: InboxClient
    /// The catalog feed and the outbox.
    public let sync: SyncClient
    /// What the core reports as it happens: catalog sync progress, session changes, dossier status
    /// changes (`.dossierStatusChanged`: local notifications) and payment updates, to every
    /// subscriber: each `events()` call is a new stream that sees every event from then on.
    public let broadcast: EventBroadcast

    /// A new stream of the core's events for one reader (a screen, the notifier...): any number
    /// may read at once, each sees every event from the call on, in the order the core sent them.
    /// Each keeps the newest 256 for a slow reader and never blocks the core; it ends when the
    /// reading Task is cancelled or the client is released.
    public func events() -> AsyncStream<Event> { broadcast.subscribe() }

    /// True when this open found data the phone's key can no longer read (the Keychain item was
    /// lost, or the data was restored onto another phone) and kept it aside, sealed, never
    /// dropped: tell the resident to log in again. Their dossiers the portal holds come back with
    /// the login; unsent ones are to be filled in again.
    public let keptAsideUnreadableData: Bool

    /// Opens the core on `config` (no network call). `storage` is Keychain-backed storage,
    /// `signer` an optional Secure Enclave key for DPoP, `logger` receives the core's log lines.
    /// Data the key in `storage` cannot read is kept aside and the client opens logged out: see
    /// `keptAsideUnreadableData`.
    public init(config: CoreConfig, storage: SecureStorage, logger: Logger? = nil, signer: Signer? = nil) throws {
        let broadcast = EventBroadcast(bufferingNewest: 256)
        self.broadcast = broadcast
        let listener = BroadcastListener(broadcast)
        var core = try SmartHd.open(config: config, storage: storage, events: listener, logger: logger, signer: signer)
        var keptAside = false
        do {
            // The resident's side opens at its first use: read it here, so that a lost data key
            // is found at once.
            _ = try core.dossiers().unreadable()
        } catch SmartHdError.UserDataUnreadable {
            // The only way on, and it loses nothing: reopened to recover, the core keeps aside
            // what the key cannot open (still sealed) and the resident logs in again.
            core = try SmartHd.openRecovering(config: config, storage: storage, events: listener, logger: logger, signer: signer)
            keptAside = true
        }
        self.core = core
        self.keptAsideUnreadableData = keptAside
        self.catalog = CatalogClient(core.catalog())
        self.session = SessionClient(core.session())
        self.dossiers = DossiersClient(core.dossiers())
        self.payments = PaymentsClient(core.payments())
        self.appointments = AppointmentsClient(core.appointments())
        self.documents = DocumentsClient(core.documents())
        self.reports = ReportsClient(core.reports())
        self.inbox = InboxClient(core.inbox())
        self.sync = SyncClient(core.sync())
    }

    deinit {
        broadcast.finish()
    }
}

/// Runs a network call of the core so that cancelling the calling Task stops it: the call gets
/// a CancelHandle, fired by the Task's cancellation, and then throws `SmartHdError.Cancelled`.
func cancellable<T>(_ call: (CancelHandle) async throws -> T) async throws -> T {
    let handle = CancelHandle()
    return try await withTaskCancellationHandler {
        try await call(handle)
    } onCancel: {
        handle.cancel()
    }
}

/// Runs a (sub-millisecond, SQLite) read or local write of `api` off the caller's actor.
func offMain<Api: Sendable, T: Sendable>(_ api: Api, _ body: @escaping @Sendable (Api) throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated) { try body(api) }.value
}

/// Hands every event of the core to each subscriber's stream. A lock, not an actor: the core calls
/// `onEvent` synchronously on its own thread, and yielding there (no Task hop per event) keeps
/// the events in the order the core sent them; `AsyncStream.Continuation.yield` is thread-safe
/// and never blocks (each stream buffers the newest `bufferingNewest` events).
public final class EventBroadcast: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UInt64: AsyncStream<Event>.Continuation] = [:]
    private var nextId: UInt64 = 0
    private var finished = false
    private let bufferingNewest: Int

    public init(bufferingNewest: Int = 256) {
        self.bufferingNewest = bufferingNewest
    }

    /// A new stream that receives every event sent from now on.
    public func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferingNewest))
        lock.lock()
        if finished {
            lock.unlock()
            continuation.finish()
            return stream
        }
        let id = nextId
        nextId += 1
        subscribers[id] = continuation
        lock.unlock()
        // The reader stopped (its Task was cancelled, or it broke out of the loop): forget it.
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    /// How many streams are being read now.
    public var subscriberCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscribers.count
    }

    /// Sends `event` to every subscriber.
    public func send(_ event: Event) {
        lock.lock()
        let targets = Array(subscribers.values)
        lock.unlock()
        for continuation in targets {
            continuation.yield(event)
        }
    }

    /// Ends every stream; later subscribers get an ended stream.
    public func finish() {
        lock.lock()
        finished = true
        let targets = Array(subscribers.values)
        subscribers.removeAll()
        lock.unlock()
        for continuation in targets {
            continuation.finish()
        }
    }

    private func unsubscribe(_ id: UInt64) {
        lock.lock()
        subscribers[id] = nil
        lock.unlock()
    }
}

private final class BroadcastListener: EventListener, @unchecked Sendable {
    private let broadcast: EventBroadcast
    init(_ broadcast: EventBroadcast) { self.broadcast = broadcast }
    func onEvent(event: Event) { broadcast.send(event) }
}
