// The core as an iOS app uses it: one object per capability (`client.catalog`, `.session`,
// `.dossiers`, `.payments`, `.sync`) with async functions that never block the caller, and the
// core's events as an AsyncStream. Mirrors the Kotlin layer (SmartHdClient.kt).
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
    /// The catalog feed and the outbox.
    public let sync: SyncClient
    /// What the core reports as it happens: catalog sync progress, session changes, dossier status
    /// changes (`.dossierStatusChanged`: local notifications) and payment updates. Keeps the newest 256 events for a slow reader; never blocks the core.
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
        self.catalog = CatalogClient(core.catalog())
        self.session = SessionClient(core.session())
        self.dossiers = DossiersClient(core.dossiers())
        self.payments = PaymentsClient(core.payments())
        self.appointments = AppointmentsClient(core.appointments())
        self.documents = DocumentsClient(core.documents())
        self.sync = SyncClient(core.sync())
    }

    deinit {
        continuation.finish()
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

private final class StreamListener: EventListener, @unchecked Sendable {
    private let continuation: AsyncStream<Event>.Continuation
    init(_ continuation: AsyncStream<Event>.Continuation) { self.continuation = continuation }
    func onEvent(event: Event) { continuation.yield(event) }
}
