import SmartHDCore
import SwiftUI

/// Search as you type over the offline catalog, and browse by field; in the simple screens, the
/// search and large buttons for the main tasks (`onTask` switches tab) instead of the fields.
struct HomeView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var search: SearchModel
    private let onTask: (ContentView.Tab) -> Void

    init(client: SmartHdClient, onTask: @escaping (ContentView.Tab) -> Void) {
        _search = StateObject(wrappedValue: SearchModel(client: client))
        self.onTask = onTask
    }

    var body: some View {
        List {
            if app.settings.simple && search.query.isEmpty {
                mainTasks
            } else {
                if !app.settings.simple {
                    Picker("all_fields", selection: $search.field) {
                        Text("all_fields").tag(String?.none)
                        ForEach(search.fields, id: \.name) { f in Text("\(f.name) (\(f.count))").tag(Optional(f.name)) }
                    }
                }
                if search.query.isEmpty {
                    NavigationLink { LookupView(app: app) } label: { Label("lookup", systemImage: "magnifyingglass.circle") }
                }
                if search.hits.isEmpty { Text("no_results").foregroundStyle(.secondary) }
                ForEach(search.hits, id: \.code) { hit in
                    NavigationLink(value: hit.code) {
                        VStack(alignment: .leading) {
                            Text(hit.name).font(.headline)
                            Text("\(hit.field) · \(hit.agency)").font(.caption).foregroundStyle(.secondary)
                        }
                        .frame(minHeight: 44)
                    }
                }
            }
        }
        .searchable(text: $search.query, prompt: Text(LocalizedStringKey(app.settings.simple ? "simple_find" : "search_hint")))
        .navigationDestination(for: String.self) { code in ProcedureView(code: code) }
        .navigationTitle("tab_home")
    }

    /// The simple home: one large button for each main task.
    @ViewBuilder private var mainTasks: some View {
        Section {
            taskButton("tab_dossiers", systemImage: "doc.text") { onTask(.dossiers) }
            taskButton("report_new", systemImage: "mappin.and.ellipse") { onTask(.reports) }
            taskButton("tab_inbox", systemImage: "tray") { onTask(.inbox) }
            NavigationLink { LookupView(app: app) } label: { taskLabel("lookup", systemImage: "magnifyingglass.circle") }
        }
    }

    private func taskButton(_ title: LocalizedStringKey, systemImage: String, action: @escaping () -> Void) -> some View {
        Button(action: action) { taskLabel(title, systemImage: systemImage) }
    }

    private func taskLabel(_ title: LocalizedStringKey, systemImage: String) -> some View {
        Label(title, systemImage: systemImage)
            .font(.title2.bold())
            .frame(maxWidth: .infinity, minHeight: 72, alignment: .leading)
    }
}
