import Foundation
import SmartHDCore

/// One dossier to its end: the timeline, the officer's request for more documents (attach each,
/// then send), the result (opened once its signature and SHA-256 check), and the rating. Reloads
/// on the core's events for this dossier. Mirrors android/state's DossierViewModel.
@MainActor
final class DossierModel: ObservableObject {
    /// A document the officer asked for in the open supplement round, and whether it is attached.
    struct RequestedDocument: Identifiable {
        let name: String
        let attached: Bool
        var id: String { name }
    }

    /// The officer's request ("Yêu cầu bổ sung"), as the screen shows it.
    struct SupplementRound {
        let round: Int
        let message: String
        /// YYYY-MM-DD.
        let deadline: String
        let documents: [RequestedDocument]
        /// Sent from the phone and waiting in the outbox for the network.
        let queued: Bool
        var canSend: Bool { !queued && documents.allSatisfy(\.attached) }
    }

    @Published private(set) var dossier: Dossier?
    /// The result, verified, and its PDF written where Quick Look and the share sheet read it.
    @Published private(set) var result: ResultPayload?
    @Published private(set) var resultFile: URL?
    @Published private(set) var busy = false
    @Published private(set) var error: String?
    let dossierId: String
    private let app: AppModel
    private var observer: NSObjectProtocol?

    init(app: AppModel, dossierId: String) {
        self.app = app
        self.dossierId = dossierId
        Task { await reload() }
        observer = NotificationCenter.default.addObserver(forName: .dossierChanged, object: nil, queue: .main) { [weak self] note in
            guard note.object as? String == dossierId else { return }
            Task { @MainActor in await self?.reload() }
        }
    }

    deinit {
        if let observer { NotificationCenter.default.removeObserver(observer) }
    }

    func label(_ status: DossierStatus) -> String { pickLanguage(dossierStatusLabel(status: status), english: app.english) }

    var supplement: SupplementRound? {
        guard let d = dossier, let request = d.supplement else { return nil }
        return SupplementRound(
            round: Int(request.round), message: request.message, deadline: request.deadline,
            documents: request.documents.map { name in
                // The core's rule: an earlier round's attachment does not answer this round.
                RequestedDocument(name: name, attached: !d.missingDocuments.contains(name))
            },
            queued: d.queuedAction == .supplement)
    }

    var payable: Bool { dossier?.payable ?? false }
    var ratingQueued: Bool { dossier?.queuedAction == .rating }
    var canRate: Bool { (dossier.map { $0.result != nil && $0.rating == nil } ?? false) && !ratingQueued }

    /// Attaches `file` (a temporary copy, removed after) as the requested `document`; nil when
    /// the picked file could not be read as a picture or a PDF.
    func attach(document: String, file: URL?) {
        guard let file else {
            error = app.language.text("attach_unreadable")
            return
        }
        act {
            defer { AttachmentFiles.remove(file) }
            _ = try await self.app.client.dossiers.attachDocument(dossierId: self.dossierId, path: file.path, document: document)
        }
    }

    /// Sends the supplement: queued first (safe without a network), then a sync delivers it.
    func sendSupplement() {
        act {
            _ = try await self.app.client.dossiers.submit(dossierId: self.dossierId)
            await self.app.refresh()
        }
    }

    /// Asks the portal what changed (the supplement's answer, a result).
    func refresh() { act { await self.app.refresh() } }

    /// Opens the result: the core checks the portal's signature and the PDF's SHA-256 before it
    /// writes the file (a tampered one throws), then Quick Look shows it.
    func openResult() {
        act {
            // Named by the dossier's code, as the resident shares it ("/" would make a folder).
            let name = (self.dossier?.code ?? self.dossierId).replacingOccurrences(of: "/", with: "-")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".pdf")
            self.result = try await self.app.client.dossiers.exportResult(dossierId: self.dossierId, path: file.path)
            self.resultFile = file
        }
    }

    func rate(_ verdict: RatingVerdict) {
        act {
            _ = try await self.app.client.dossiers.rate(dossierId: self.dossierId, rating: Rating(verdict: verdict, scores: [:], comment: nil))
            await self.app.refresh()
        }
    }

    private func act(_ work: @escaping @MainActor () async throws -> Void) {
        Task {
            busy = true
            error = nil
            do { try await work() } catch {
                app.report(error)
                self.error = app.describe(error)
            }
            await reload()
            busy = false
        }
    }

    private func reload() async {
        do { dossier = try await app.client.dossiers.get(dossierId: dossierId) } catch { self.error = app.describe(error) }
    }
}
