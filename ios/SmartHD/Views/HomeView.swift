import SmartHDCore
import SwiftUI

/// Search as you type over the offline catalog, and browse by field.
struct HomeView: View {
    @StateObject private var search: SearchModel

    init(client: SmartHdClient) { _search = StateObject(wrappedValue: SearchModel(client: client)) }

    var body: some View {
        List {
            Picker("all_fields", selection: $search.field) {
                Text("all_fields").tag(String?.none)
                ForEach(search.fields, id: \.name) { f in Text("\(f.name) (\(f.count))").tag(Optional(f.name)) }
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
        .searchable(text: $search.query, prompt: Text("search_hint"))
        .navigationDestination(for: String.self) { code in ProcedureView(code: code) }
        .navigationTitle("tab_home")
    }
}
