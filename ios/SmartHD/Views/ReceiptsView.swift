import SmartHDCore
import SwiftUI

/// E-receipts (biên lai), each verified offline against the portal's key.
struct ReceiptsView: View {
    @StateObject private var model: ReceiptsModel

    init(client: SmartHdClient) { _model = StateObject(wrappedValue: ReceiptsModel(client: client)) }

    var body: some View {
        List {
            if let error = model.error { Text(error).foregroundStyle(.red) }
            if model.receipts.isEmpty { Text("receipts_empty") }
            ForEach(model.receipts, id: \.receiptId) { r in
                VStack(alignment: .leading) {
                    Text(r.dossierCode ?? r.dossierId).font(.headline)
                    Text("\(r.amountVnd.formatted()) đ · \(r.paidAt.prefix(10))")
                    Label("receipt_verified", systemImage: "checkmark.seal").font(.caption)
                }
            }
        }
        .refreshable { await model.reload() }
        .navigationTitle("tab_receipts")
    }
}
