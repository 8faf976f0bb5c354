import SmartHDCore
import SwiftUI

/// The inbox: alerts for the resident's commune (emergencies first) and their own notices,
/// offline, with read state.
struct InboxView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var model: InboxModel

    init(app: AppModel) { _model = StateObject(wrappedValue: InboxModel(app: app)) }

    var body: some View {
        List(model.items, id: \.itemId) { item in
            Button { Task { await model.markRead(item.itemId) } } label: {
                VStack(alignment: .leading, spacing: 4) {
                    // Severity by colour and by words, so it does not rest on colour alone.
                    Label(severityLabel(item.severity), systemImage: severityIcon(item.severity))
                        .font(.caption.bold())
                        .foregroundStyle(severityColor(item.severity))
                    Text(item.title).font(item.read ? .body : .body.bold())
                    Text(item.body).font(.callout)
                }
            }
            .listRowBackground(severityColor(item.severity).opacity(item.severity == .info ? 0 : 0.12))
            .accessibilityHint(item.read ? "" : app.language.text("inbox_unread"))
        }
        .overlay { if model.items.isEmpty { Text("inbox_empty") } }
        .refreshable { await model.refresh() }
        .navigationTitle("tab_inbox")
        .badge(Int(model.unread))
    }

    private func severityLabel(_ severity: Severity) -> LocalizedStringKey {
        switch severity {
        case .emergency: "severity_emergency"
        case .warning: "severity_warning"
        case .info: "severity_info"
        }
    }

    private func severityIcon(_ severity: Severity) -> String {
        switch severity {
        case .emergency: "exclamationmark.octagon.fill"
        case .warning: "exclamationmark.triangle.fill"
        case .info: "info.circle"
        }
    }

    private func severityColor(_ severity: Severity) -> Color {
        switch severity {
        case .emergency: .red
        case .warning: .orange
        case .info: .secondary
        }
    }
}
