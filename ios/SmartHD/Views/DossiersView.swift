import SmartHDCore
import SwiftUI

/// My dossiers with their status timelines; pull to refresh sends and syncs. Each leads to its
/// screen (`DossierRoute`): the details, paying, or the form of a draft or a refused dossier.
struct DossiersView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var model: DossiersModel
    private let onOpen: (DossierRoute) -> Void

    init(app: AppModel, onOpen: @escaping (DossierRoute) -> Void) {
        _model = StateObject(wrappedValue: DossiersModel(app: app))
        self.onOpen = onOpen
    }

    var body: some View {
        List {
            if let error = model.error { Text(error).foregroundStyle(.red) }
            if model.dossiers.isEmpty { Text("dossiers_empty") }
            ForEach(model.dossiers, id: \.id) { d in
                VStack(alignment: .leading, spacing: 4) {
                    Text(d.procedureName).font(.headline)
                    Text(model.label(d.status)).foregroundStyle(.tint)
                    if let code = d.code { Text("dossier_code \(code)") }
                    if !d.timeline.isEmpty {
                        Text("timeline").font(.subheadline.bold())
                        ForEach(d.timeline.indices, id: \.self) { i in
                            Text("• \(model.label(d.timeline[i].status)) — \(localTime(d.timeline[i].at))")
                            if let m = d.timeline[i].message { Text(m).font(.caption) }
                        }
                    }
                    // Buttons, not NavigationLinks: a List row with links would open one on any tap.
                    HStack {
                        if d.status != .draft { Button("dossier_details") { onOpen(.detail(d.id)) } }
                        if d.payable { Button("pay") { onOpen(.payment(d.id)) } }
                        if d.status == .draft || d.status == .failed { Button("form_title") { onOpen(.draft(d.id)) } }
                    }
                    .buttonStyle(.bordered) // bordered: each its own target, not the whole row
                }
                .swipeActions {
                    if d.status == .draft {
                        Button("delete_draft", role: .destructive) { Task { await model.deleteDraft(d.id) } }
                    }
                }
            }
        }
        .refreshable { await model.refresh() }
        .navigationTitle("tab_dossiers")
    }
}
