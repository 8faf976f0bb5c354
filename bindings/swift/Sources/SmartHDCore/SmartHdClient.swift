// The core as an iOS app uses it: async functions that never block the caller, and the core's
// events as an AsyncStream. Mirrors the Kotlin layer (SmartHdClient.kt).
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

    // MARK: identity (VNeID)

    /// Starts a VNeID login at `level` (1 or 2): the URL to open in ASWebAuthenticationSession.
    /// Give the callback URL it comes back with to `completeLogin`.
    public func beginLogin(level: UInt8, locale: String? = nil, prompt: String? = nil) async throws -> String {
        try await core.beginLogin(level: level, locale: locale, prompt: prompt)
    }

    public func completeLogin(callbackUrl: String) async throws -> Profile {
        try await core.completeLogin(callbackUrl: callbackUrl)
    }

    /// Forgets the login in progress (the resident closed the browser).
    public func cancelLogin() async throws { try await offMain { try $0.cancelLogin() } }
    public func sessionState() async throws -> SessionState { try await core.sessionState() }
    /// Who is logged in, or nil. Show `maskCccd(cccd:)`, never the whole number.
    public func whoami() async throws -> Profile? { try await core.whoami() }
    /// Logs out; the provider's end-session URL to open, if any.
    public func logout() async throws -> String? { try await core.logout() }

    // MARK: dossiers (hồ sơ)

    public func newDraft(procedureCode: String, applicant: Subject = .citizen) async throws -> Dossier {
        try await offMain { try $0.newDraft(procedureCode: procedureCode, applicant: applicant) }
    }

    /// Stores one field of a draft; what is wrong with the value, or nil.
    public func setField(dossierId: String, key: String, value: String) async throws -> FieldProblem? {
        try await offMain { try $0.setField(dossierId: dossierId, key: key, value: value) }
    }

    public func validateDraft(dossierId: String) async throws -> [FieldError] {
        try await offMain { try $0.validateDraft(dossierId: dossierId) }
    }

    /// Attaches the file at `path` (JPEG, PNG or PDF, at most 10 MiB); the core keeps a sealed copy.
    public func attach(dossierId: String, path: String) async throws -> Attachment {
        try await offMain { try $0.attach(dossierId: dossierId, path: path) }
    }

    /// Validates and queues the dossier (works offline); `sync()` sends it.
    public func submit(dossierId: String) async throws -> Dossier {
        try await offMain { try $0.submit(dossierId: dossierId) }
    }

    public func dossier(dossierId: String) async throws -> Dossier {
        try await offMain { try $0.dossier(dossierId: dossierId) }
    }

    public func dossiers() async throws -> [Dossier] { try await offMain { try $0.dossiers() } }

    public func deleteDraft(dossierId: String) async throws {
        try await offMain { try $0.deleteDraft(dossierId: dossierId) }
    }

    /// Sends the outbox, refreshes dossier statuses and settles payments; changes arrive on `events`.
    public func sync() async throws -> DossierSyncReport { try await core.sync() }
    /// `sync()` when the network comes back: entries waiting out their backoff stay for later.
    public func syncWhenOnline() async throws -> DossierSyncReport { try await core.syncWhenOnline() }
    /// The public status of a dossier code (no login).
    public func lookup(code: String) async throws -> PublicStatus { try await core.lookup(code: code) }

    // MARK: payments

    /// The order paying a received dossier's fees: open `payUrl` (`.gateway`) or draw `vietqr`
    /// with `vietqrMatrix(payload:)` (`.vietqr`).
    public func pay(dossierId: String, method: PaymentMethod, returnUrl: String = SmartHdClient.paymentReturnUrl)
        async throws -> PaymentOrder
    {
        try await core.pay(dossierId: dossierId, method: method, returnUrl: returnUrl)
    }

    /// The browser came back on `paymentReturnUrl`: the order as the portal now sees it.
    public func handlePaymentReturn(returnUrl: String) async throws -> PaymentOrder {
        try await core.handlePaymentReturn(returnUrl: returnUrl)
    }

    public func refreshPayment(orderId: String) async throws -> PaymentOrder {
        try await core.refreshPayment(orderId: orderId)
    }

    public func payments() async throws -> [PaymentOrder] { try await offMain { try $0.payments() } }
    public func payment(orderId: String) async throws -> PaymentOrder {
        try await offMain { try $0.payment(orderId: orderId) }
    }

    /// Every e-receipt kept on the phone, each verified again offline.
    public func receipts() async throws -> [Receipt] { try await offMain { try $0.receipts() } }
    /// Verifies a kept e-receipt offline; a tampered one throws `SmartHdError.Validation`.
    public func verifyReceipt(receiptId: String) async throws -> Receipt {
        try await offMain { try $0.verifyReceipt(receiptId: receiptId) }
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
