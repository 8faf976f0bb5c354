import SmartHDCore
import SwiftUI

/// Paying a fee: the gateway in a web session, or a VietQR drawn from the core's module matrix.
struct PaymentView: View {
    let dossierId: String
    @StateObject private var model: PaymentModel
    @EnvironmentObject private var app: AppModel

    init(app: AppModel, dossierId: String) {
        self.dossierId = dossierId
        _model = StateObject(wrappedValue: PaymentModel(app: app))
    }

    var body: some View {
        VStack(spacing: 16) {
            switch model.state {
            case .idle, .requesting:
                Button("pay_gateway") { Task { await model.pay(dossierId: dossierId, method: .gateway) } }
                    .buttonStyle(.borderedProminent)
                Button("pay_vietqr") { Task { await model.pay(dossierId: dossierId, method: .vietqr) } }
            case .qr(let order, let matrix):
                Text("payment_amount \(order.amountVnd.formatted())")
                Text("payment_scan")
                QrCodeView(matrix: matrix)
                    .accessibilityLabel(Text("payment_qr_description \(order.amountVnd.formatted())"))
                Button("payment_check") { Task { await model.refresh() } }
            case .confirming:
                ProgressView()
                Text("payment_confirming")
                Button("payment_check") { Task { await model.refresh() } }
            case .paid(let order, let receipt):
                Label("payment_paid", systemImage: "checkmark.seal.fill").font(.title2)
                Text("payment_amount \(order.amountVnd.formatted())")
                if let receipt { Text("receipt_verified").font(.caption); Text(receipt.receiptId).font(.caption2) }
            case .failed(let reason):
                Text("payment_failed \(reason)").foregroundStyle(.red)
                Button("retry") { Task { await model.pay(dossierId: dossierId, method: .gateway) } }
            }
        }
        .padding()
        .onChange(of: app.paymentReturn) { url in
            if let url { Task { await model.onReturn(url, dossierId: dossierId) } }
        }
        .navigationTitle("pay")
    }
}

/// Draws the matrix (row by row, true = dark) with a 4-module quiet zone.
struct QrCodeView: View {
    let matrix: QrMatrix

    var body: some View {
        Canvas { context, size in
            let width = Int(matrix.width)
            let module = min(size.width, size.height) / CGFloat(width + 8)
            context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
            for y in 0..<width {
                for x in 0..<width where matrix.modules[y * width + x] {
                    context.fill(Path(CGRect(x: CGFloat(x + 4) * module, y: CGFloat(y + 4) * module, width: module, height: module)),
                                 with: .color(.black))
                }
            }
        }
        .aspectRatio(1, contentMode: .fit)
    }
}
