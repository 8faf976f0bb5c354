import Foundation
import SmartHDCore

/// Search as you type (debounced: the newest query wins) and browse by field.
@MainActor
final class SearchModel: ObservableObject {
    @Published var query = "" { didSet { schedule(debounce: !query.isEmpty) } }
    @Published var field: String? { didSet { schedule(debounce: false) } }
    @Published private(set) var hits: [SearchHit] = []
    @Published private(set) var fields: [FacetCount] = []
    private let client: SmartHdClient
    private var pending: Task<Void, Never>?

    init(client: SmartHdClient) {
        self.client = client
        schedule(debounce: false)
        Task { fields = (try? await client.catalog.fields()) ?? [] }
    }

    private func schedule(debounce: Bool) {
        pending?.cancel()
        let (q, f) = (query, field)
        pending = Task {
            if debounce { try? await Task.sleep(nanoseconds: 300_000_000) }
            guard !Task.isCancelled,
                  let page = try? await client.catalog.search(q, filters: SearchFilters(field: f), page: PageRequest(offset: 0, limit: 50)),
                  !Task.isCancelled else { return }
            hits = page.hits
        }
    }
}

/// The dossier form generated from the schema, validated by the core as the resident types.
@MainActor
final class FormModel: ObservableObject {
    enum Submission: Equatable { case editing, submitting, queued, sent(String?), refused(String) }
    struct Input: Identifiable, Equatable {
        let field: FormField
        var value: String
        var error: String?
        var id: String { field.key }
    }

    @Published private(set) var procedureName = ""
    @Published private(set) var inputs: [Input] = []
    @Published private(set) var attachments: [Attachment] = []
    @Published private(set) var submission: Submission = .editing
    @Published private(set) var error: String?
    private(set) var dossierId: String?
    private let app: AppModel
    private var queue: Task<Void, Never>? // edits run one after another, in order

    /// A new draft of `procedureCode`, or the kept draft (or refused dossier) `dossierId`.
    init(app: AppModel, procedureCode: String? = nil, dossierId: String? = nil) {
        self.app = app
        enqueue { [self] in
            let draft: Dossier
            if let dossierId {
                draft = try await app.client.dossiers.get(dossierId: dossierId)
            } else {
                draft = try await app.client.dossiers.newDraft(procedureCode: procedureCode ?? "")
            }
            let form = try await app.client.catalog.procedure(code: draft.procedureCode).form
            self.dossierId = draft.id
            procedureName = draft.procedureName
            inputs = form.fields.map { Input(field: $0, value: draft.fields[$0.key] ?? "") }
            attachments = draft.attachments
            await reload()
        }
        NotificationCenter.default.addObserver(forName: .dossierChanged, object: nil, queue: .main) { [weak self] note in
            Task { @MainActor in if let self, note.object as? String == self.dossierId { await self.reload() } }
        }
    }

    func label(_ field: FormField) -> String { app.english ? field.labelEn ?? field.label : field.label }

    func set(_ key: String, _ value: String) {
        guard let i = inputs.firstIndex(where: { $0.id == key }) else { return }
        inputs[i].value = value
        enqueue { [self] in
            guard let id = dossierId else { return }
            // Each write is synced to the disk: a keystroke a newer one in the field overtook
            // before its turn is not written, the newer one is.
            guard inputs.first(where: { $0.id == key })?.value == value else { return }
            let problem = try await app.client.dossiers.setField(dossierId: id, key: key, value: value)
            if let j = inputs.firstIndex(where: { $0.id == key && $0.value == value }) {
                inputs[j].error = problem.map { pickLanguage(fieldProblemMessage(problem: $0), english: app.english) }
            }
        }
    }

    /// Attaches `file` (a temporary copy, removed after); nil when the picture could not be read.
    func attach(file: URL?) {
        guard let file else {
            error = app.language.text("attach_unreadable")
            return
        }
        enqueue { [self] in
            defer { AttachmentFiles.remove(file) }
            guard let id = dossierId else { return }
            attachments.append(try await app.client.dossiers.attach(dossierId: id, path: file.path))
        }
    }

    func submit() {
        enqueue { [self] in
            guard let id = dossierId else { return }
            let errors = try await app.client.dossiers.validate(dossierId: id)
            if !errors.isEmpty {
                for i in inputs.indices {
                    inputs[i].error = errors.first { $0.field == inputs[i].id }
                        .map { pickLanguage(fieldProblemMessage(problem: $0.problem), english: app.english) }
                }
                return
            }
            submission = .submitting
            _ = try await app.client.dossiers.submit(dossierId: id)
            submission = .queued
            await app.refresh()
            await reload()
        }
    }

    private func reload() async {
        guard let id = dossierId, let d = try? await app.client.dossiers.get(dossierId: id) else { return }
        switch d.status {
        case .draft: submission = .editing
        case .queued: submission = .queued
        case .failed: submission = .refused(d.problem ?? "")
        default: submission = .sent(d.code)
        }
    }

    private func enqueue(_ work: @escaping @MainActor () async throws -> Void) {
        let previous = queue
        queue = Task {
            await previous?.value
            do { try await work() } catch {
                app.report(error)
                if case let .Validation(field, reason)? = error as? SmartHdError, let i = inputs.firstIndex(where: { $0.id == field }) {
                    inputs[i].error = reason
                } else {
                    self.error = message(error)
                    if submission == .submitting { submission = .editing }
                }
            }
        }
    }
}

/// My dossiers with their timelines.
@MainActor
final class DossiersModel: ObservableObject {
    @Published private(set) var dossiers: [Dossier] = []
    @Published private(set) var error: String?
    private let app: AppModel

    init(app: AppModel) {
        self.app = app
        Task { await reload() }
        NotificationCenter.default.addObserver(forName: .dossierChanged, object: nil, queue: .main) { [weak self] _ in
            Task { await self?.reload() }
        }
    }

    func label(_ status: DossierStatus) -> String { pickLanguage(dossierStatusLabel(status: status), english: app.english) }

    func refresh() async {
        await app.refresh()
        await reload()
    }

    func reload() async { dossiers = (try? await app.client.dossiers.list()) ?? dossiers }

    func deleteDraft(_ id: String) async {
        do {
            try await app.client.dossiers.deleteDraft(dossierId: id)
            error = nil
        } catch {
            self.error = app.describe(error)
        }
        await reload()
    }
}

/// Paying a dossier's fee: the gateway (ASWebAuthenticationSession) or a VietQR drawn from the
/// core's matrix. Opens on the dossier's latest order, if it has one, and shows no other
/// dossier's; nothing shows as paid until the portal says so. Mirrors android/state's
/// PaymentViewModel.
@MainActor
final class PaymentModel: ObservableObject {
    enum State {
        case idle, requesting
        /// Open the page (again); it comes back through the payment-return URL.
        case gateway(PaymentOrder, URL)
        case qr(PaymentOrder, QrMatrix)
        case confirming(PaymentOrder)
        /// The receipt is nil for a moment when the portal confirms before it is fetched.
        case paid(PaymentOrder, Receipt?)
        case failed(String)
    }

    @Published private(set) var state: State = .idle
    let dossierId: String
    private var order: PaymentOrder?
    private let app: AppModel
    private var observer: NSObjectProtocol?

    init(app: AppModel, dossierId: String) {
        self.app = app
        self.dossierId = dossierId
        Task {
            let latest = try? await app.client.payments.list().last { $0.dossierId == dossierId }
            if let latest, case .idle = state { await run { try await show(latest) } }
        }
        // The core settled a payment (a sync, the portal's word): this screen's order is reloaded.
        observer = NotificationCenter.default.addObserver(forName: .paymentChanged, object: nil, queue: .main) { [weak self] note in
            guard let orderId = note.object as? String else { return }
            Task { @MainActor in await self?.updated(orderId: orderId) }
        }
    }

    deinit {
        if let observer { NotificationCenter.default.removeObserver(observer) }
    }

    func pay(method: PaymentMethod) async {
        state = .requesting
        await run {
            try await show(try await app.client.payments.pay(dossierId: dossierId, method: method))
            if case .gateway(_, let page) = state { try await openGateway(page) }
        }
    }

    /// The gateway in a web session; its return goes to the core through `AppModel`, which
    /// hands the order back here (`returned`).
    func reopenGateway(_ page: URL) async { await run { try await openGateway(page) } }

    private func openGateway(_ page: URL) async throws {
        if let back = await app.openGateway(page) { try await app.paymentReturned(back) }
    }

    /// An order the gateway's return left: shown only when it is this dossier's.
    func returned(_ order: PaymentOrder) async {
        guard order.dossierId == dossierId else { return }
        await run { try await show(order) }
    }

    /// "Kiểm tra lại": asks the portal now (a VietQR transfer, a lost return).
    func refresh() async {
        guard let id = order?.orderId else { return }
        await run { try await show(try await app.client.payments.refresh(orderId: id)) }
    }

    private func updated(orderId: String) async {
        guard order?.orderId == orderId, let now = try? await app.client.payments.get(orderId: orderId) else { return }
        await run { try await show(now) }
    }

    private func show(_ order: PaymentOrder) async throws {
        self.order = order
        switch order.status {
        case .succeeded:
            var receipt: Receipt?
            if let id = order.receiptId { receipt = try? await app.client.payments.verifyReceipt(receiptId: id) }
            // The "paid" event can come before the receipt is fetched: never lose a shown receipt.
            if receipt == nil, case .paid(let shown, let kept?) = state, shown.orderId == order.orderId { receipt = kept }
            state = .paid(order, receipt)
        case .failed, .cancelled, .expired:
            state = .failed(order.failureMessage ?? pickLanguage(paymentStatusLabel(status: order.status), english: app.english))
        case .awaitingPayment:
            if let payload = order.vietqr {
                state = .qr(order, try vietqrMatrix(payload: payload))
            } else if let page = order.payUrl.flatMap(URL.init(string:)) {
                state = .gateway(order, page)
            } else {
                state = .confirming(order)
            }
        case .created, .processing:
            state = .confirming(order)
        }
    }

    private func run(_ work: () async throws -> Void) async {
        do { try await work() } catch {
            app.report(error)
            state = .failed(app.describe(error))
        }
    }
}

/// Receipts kept on the phone, each verified offline.
@MainActor
final class ReceiptsModel: ObservableObject {
    @Published private(set) var receipts: [Receipt] = []
    @Published private(set) var error: String?
    private let client: SmartHdClient

    init(client: SmartHdClient) {
        self.client = client
        Task { await reload() }
    }

    func reload() async {
        do { receipts = try await client.payments.receipts(); error = nil } catch { self.error = message(error) }
    }
}

/// An RFC 3339 time from the core ("2026-12-02T13:02:00Z") as a resident reads it: Vietnam's
/// time, day first ("02/12/2026 20:02"), whatever the phone's zone; anything else as it came.
/// (The Android screens do the same: `localTime` in android/state.)
func localTime(_ at: String) -> String {
    let parser = ISO8601DateFormatter()
    parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    guard let date = parser.date(from: at) ?? ISO8601DateFormatter().date(from: at) else { return at }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "vi_VN")
    formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    formatter.dateFormat = "dd/MM/yyyy HH:mm"
    return formatter.string(from: date)
}

/// "Tra cứu hồ sơ": the public status of a dossier code, without logging in (a relative's
/// dossier, the code on a paper receipt). Asks the portal, so it needs the network.
@MainActor
final class LookupModel: ObservableObject {
    @Published var code = "" { didSet { error = nil } }
    @Published private(set) var looking = false
    @Published private(set) var found: PublicStatus?
    @Published private(set) var error: String?
    private let app: AppModel

    init(app: AppModel) { self.app = app }

    var canLook: Bool { !code.trimmingCharacters(in: .whitespaces).isEmpty && !looking }

    func label(_ status: DossierStatus) -> String { pickLanguage(dossierStatusLabel(status: status), english: app.english) }

    func lookup() async {
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        guard !code.isEmpty else { return }
        looking = true
        found = nil
        error = nil
        defer { looking = false }
        do {
            found = try await app.client.dossiers.lookup(code: code)
        } catch {
            app.report(error)
            self.error = app.describe(error)
        }
    }
}
