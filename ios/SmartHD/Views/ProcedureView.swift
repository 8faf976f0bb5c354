import SmartHDCore
import SwiftUI

/// Documents, fees, processing time, level and online level; apply online.
struct ProcedureView: View {
    let code: String
    @EnvironmentObject private var app: AppModel
    @State private var procedure: Procedure?
    @State private var favorite = false
    @State private var error: String?

    var body: some View {
        List {
            if let p = procedure {
                Section {
                    Text(app.english ? p.nameEn ?? p.name : p.name).font(.title3).accessibilityAddTraits(.isHeader)
                    Text("\(p.code) · \(app.english ? p.fieldEn ?? p.field : p.field)").font(.caption)
                }
                Section("procedure_time") { Text(p.processingTime) }
                Section("procedure_level") { Text(p.level == .province ? "level_province" : "level_commune") }
                Section("procedure_online") { Text(p.onlineLevel == .full ? "online_full" : "online_partial") }
                Section("procedure_fees") {
                    if p.fees.isEmpty { Text("fee_free") }
                    ForEach(p.fees.indices, id: \.self) { i in Text("\(p.fees[i].amountVnd.formatted()) đ · \(p.fees[i].description)") }
                }
                Section("procedure_documents") {
                    ForEach(p.documents.indices, id: \.self) { i in
                        VStack(alignment: .leading) {
                            Text(p.documents[i].caseName).font(.subheadline.bold())
                            ForEach(p.documents[i].items.indices, id: \.self) { j in Text("• \(p.documents[i].items[j].name)") }
                        }
                    }
                }
                // A procedure in force, for citizens: the app applies as a citizen.
                if p.status == .inForce && p.subjects.contains(.citizen) {
                    NavigationLink("start_dossier") { FormView(app: app, procedureCode: p.code) }
                }
            } else if let error {
                Text(error)
            }
        }
        .toolbar {
            Button {
                Task {
                    if favorite { try? await app.client.catalog.removeFavorite(code: code) } else { try? await app.client.catalog.addFavorite(code: code) }
                    favorite.toggle()
                }
            } label: { Image(systemName: favorite ? "heart.fill" : "heart") }
            .accessibilityLabel(Text("favorite"))
            .accessibilityValue(favorite ? "✓" : "")
        }
        .task {
            do {
                procedure = try await app.client.catalog.procedure(code: code)
                favorite = (try await app.client.catalog.favorites()).contains { $0.code == code }
            } catch { self.error = message(error) }
        }
    }
}
