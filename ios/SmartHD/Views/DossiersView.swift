import SmartHDCore
import SwiftUI

/// My dossiers with their status timelines; pull to refresh sends and syncs.
struct DossiersView: View {
    @StateObject private var model: DossiersModel
    private let app: AppModel

    init(app: AppModel) {
        self.app = app
        _model = StateObject(wrappedValue: DossiersModel(app: app))
    }

    var body: some View {
        List {
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
                    if d.code != nil && (d.feeVnd ?? 0) > 0 {
                        NavigationLink("pay") { PaymentView(app: app, dossierId: d.id) }
                    }
                }
            }
        }
        .refreshable { await model.refresh() }
        .navigationTitle("tab_dossiers")
    }
}
