import SmartHDCore
import SwiftUI

/// "Tra cứu hồ sơ": a dossier's status by its code, without logging in; only the status shows,
/// never personal data.
struct LookupView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var model: LookupModel

    init(app: AppModel) { _model = StateObject(wrappedValue: LookupModel(app: app)) }

    var body: some View {
        Form {
            Section {
                TextField("lookup_code", text: $model.code)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                    .submitLabel(.search)
                    .onSubmit { Task { await model.lookup() } }
                if let error = model.error {
                    Text(error).foregroundStyle(.red).accessibilityAddTraits(.updatesFrequently)
                }
                Button("lookup_go") { Task { await model.lookup() } }.disabled(!model.canLook)
            } footer: {
                Text("lookup_private")
            }
            if model.looking { ProgressView() }
            if let found = model.found {
                Section {
                    Text(found.procedureName).font(.headline)
                    Text(model.label(found.status)).foregroundStyle(.tint)
                    Text("dossier_code \(found.code)")
                    Text("lookup_updated \(localTime(found.updatedAt))").font(.caption)
                }
                .accessibilityElement(children: .combine) // read as one answer
            }
        }
        .navigationTitle("lookup")
    }
}
