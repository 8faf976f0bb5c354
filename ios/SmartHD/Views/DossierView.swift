import PhotosUI
import QuickLook
import SmartHDCore
import SwiftUI
import UniformTypeIdentifiers

/// One dossier to its end: status and timeline, the officer's request for more documents (attach
/// each, then send), the result (opened once verified), and the rating.
struct DossierView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var model: DossierModel
    @State private var preview: URL?

    init(app: AppModel, dossierId: String) {
        _model = StateObject(wrappedValue: DossierModel(app: app, dossierId: dossierId))
    }

    var body: some View {
        List {
            if let d = model.dossier {
                Section {
                    Text(d.procedureName).font(.title3).accessibilityAddTraits(.isHeader)
                    Text(model.label(d.status)).font(.headline).foregroundStyle(.tint)
                    if let code = d.code { Text("dossier_code \(code)") }
                    if let problem = d.problem { Text(pickLanguage(problem, english: app.english)).foregroundStyle(.red) }
                }
                if let error = model.error {
                    Text(error).foregroundStyle(.red).accessibilityAddTraits(.updatesFrequently)
                }
                if let round = model.supplement { supplement(round) }
                if let name = d.result?.name { result(name) }
                rating(d)
                Section {
                    if model.payable { NavigationLink("pay", value: DossierRoute.payment(d.id)) }
                    Button("refresh") { model.refresh() }.disabled(model.busy)
                }
                if !d.timeline.isEmpty {
                    Section("timeline") {
                        ForEach(Array(d.timeline.reversed().enumerated()), id: \.offset) { _, step in
                            VStack(alignment: .leading) {
                                Text("\(model.label(step.status)) — \(localTime(step.at))")
                                if let message = step.message { Text(message).font(.caption) }
                            }
                        }
                    }
                }
            } else if let error = model.error {
                Text(error).foregroundStyle(.red)
            } else {
                ProgressView()
            }
        }
        .refreshable { model.refresh() }
        .quickLookPreview($preview)
        .onChange(of: model.resultFile) { file in preview = file }
        .navigationTitle("dossier_title")
    }

    private func supplement(_ round: DossierModel.SupplementRound) -> some View {
        Section {
            Text(round.message)
            Text("supplement_deadline \(round.deadline)").font(.subheadline.bold())
            ForEach(round.documents) { document in
                RequestedDocumentRow(document: document, enabled: !model.busy && !round.queued) { file in
                    model.attach(document: document.name, file: file)
                }
            }
            if round.queued {
                Text("supplement_queued")
            } else {
                Button("supplement_send") { model.sendSupplement() }
                    .buttonStyle(.borderedProminent)
                    .disabled(!round.canSend || model.busy)
            }
        } header: {
            Text("supplement_title \(round.round)")
        }
    }

    private func result(_ name: String) -> some View {
        Section("result_ready \(name)") {
            if let opened = model.result {
                Label("result_verified \(opened.issuer) \(localTime(opened.issuedAt))", systemImage: "checkmark.seal.fill")
                Text(verbatim: "SHA-256 \(opened.sha256.prefix(16))…")
                    .font(.caption.monospaced())
                    .accessibilityLabel(Text(verbatim: "SHA-256 \(opened.sha256)"))
                if let file = model.resultFile {
                    Button("result_view") { preview = file }
                    ShareLink(item: file) { Label("result_share", systemImage: "square.and.arrow.up") }
                }
            } else {
                Button("result_open") { model.openResult() }.disabled(model.busy)
            }
        }
    }

    @ViewBuilder
    private func rating(_ d: Dossier) -> some View {
        if let rated = d.rating, let choice = VerdictChoice.all.first(where: { $0.verdict == rated }) {
            Text("rated \(app.language.text(choice.key))")
        } else if model.ratingQueued {
            Text("rating_queued")
        } else if model.canRate {
            Section("rate_title") {
                ForEach(VerdictChoice.all) { choice in
                    Button(LocalizedStringKey(choice.key)) { model.rate(choice.verdict) }
                }
            }
        }
    }
}

/// The verdicts a resident gives a handled dossier, best first, with their text keys.
private struct VerdictChoice: Identifiable {
    let verdict: RatingVerdict
    let key: String
    var id: String { key }

    static let all = [
        VerdictChoice(verdict: .verySatisfied, key: "verdict_very_satisfied"),
        VerdictChoice(verdict: .satisfied, key: "verdict_satisfied"),
        VerdictChoice(verdict: .notSatisfied, key: "verdict_not_satisfied"),
    ]
}

/// One document the officer asked for: a photo (re-encoded as JPEG) or a file (PDF or picture)
/// from the Files app; a tick once attached.
private struct RequestedDocumentRow: View {
    let document: DossierModel.RequestedDocument
    let enabled: Bool
    /// A file the core can read (removed once attached), or nil if the pick could not be read.
    let onFile: (URL?) -> Void
    @State private var photo: PhotosPickerItem?
    @State private var importing = false

    var body: some View {
        if document.attached {
            Label("supplement_attached \(document.name)", systemImage: "checkmark.circle.fill")
        } else {
            VStack(alignment: .leading, spacing: 8) {
                Text("supplement_attach \(document.name)").font(.subheadline.bold())
                HStack {
                    PhotosPicker("attach_photo", selection: $photo, matching: .images)
                    Button("attach_file") { importing = true }
                }
                .buttonStyle(.bordered) // two buttons in one row: each its own target
                .disabled(!enabled)
            }
            .onChange(of: photo) { item in
                guard let item else { return }
                photo = nil
                Task {
                    let data = try? await item.loadTransferable(type: Data.self)
                    onFile(data.flatMap { AttachmentFiles.jpeg($0, prefix: "supplement") })
                }
            }
            .fileImporter(isPresented: $importing, allowedContentTypes: [.pdf, .image]) { picked in
                guard case .success(let url) = picked else { return }
                onFile(AttachmentFiles.imported(url))
            }
        }
    }
}
