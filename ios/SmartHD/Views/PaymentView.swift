import Combine
import SmartHDCore
import SwiftUI
import UIKit

/// Paying a fee: the gateway in a web session, or a VietQR drawn from the core's module matrix
/// and its payload as text (a banking app on this phone pastes it).
struct PaymentView: View {
    @StateObject private var model: PaymentModel
    @EnvironmentObject private var app: AppModel

    init(app: AppModel, dossierId: String) {
        _model = StateObject(wrappedValue: PaymentModel(app: app, dossierId: dossierId))
    }

    var body: some View {
        ScrollView {
            VStack(spacing: 16) {
                switch model.state {
                case .idle, .requesting:
                    Button("pay_gateway") { Task { await model.pay(method: .gateway) } }
                        .buttonStyle(.borderedProminent)
                    Button("pay_vietqr") { Task { await model.pay(method: .vietqr) } }
                        .buttonStyle(.bordered)
                case .gateway(let order, let page):
                    amount(order)
                    Button("payment_open_gateway") { Task { await model.reopenGateway(page) } }
                        .buttonStyle(.borderedProminent)
                    checkButton
                case .qr(let order, let matrix):
                    amount(order)
                    Text("payment_scan")
                    QrCodeView(matrix: matrix)
                        .accessibilityLabel(Text("payment_qr_description \(order.amountVnd.formatted())"))
                    if let payload = order.vietqr { payloadText(payload) }
                    checkButton
                case .confirming:
                    ProgressView()
                    Text("payment_confirming")
                    checkButton
                case .paid(let order, let receipt):
                    Label("payment_paid", systemImage: "checkmark.seal.fill").font(.title2)
                    amount(order)
                    if let receipt { Text("receipt_verified").font(.caption); Text(receipt.receiptId).font(.caption2) }
                case .failed(let reason):
                    Text("payment_failed \(reason)").foregroundStyle(.red)
                    Button("retry") { Task { await model.pay(method: .gateway) } }
                }
            }
            .padding()
            .disabled(isRequesting)
        }
        // The gateway's return, already handed to the core (AppModel.paymentReturned): the order
        // shows here when it is this dossier's. onReceive, not onChange: the same order may
        // come back twice (a second "Kiểm tra lại" after a return).
        .onReceive(app.$returnedOrder.compactMap { $0 }) { order in Task { await model.returned(order) } }
        .navigationTitle("payment_title")
    }

    private var isRequesting: Bool {
        if case .requesting = model.state { return true }
        return false
    }

    private var checkButton: some View {
        Button("payment_check") { Task { await model.refresh() } }
    }

    private func amount(_ order: PaymentOrder) -> some View {
        Text("payment_amount \(order.amountVnd.formatted())").font(.headline)
    }

    /// The same code as text, for paying from this phone: selectable, and a copy button.
    private func payloadText(_ payload: String) -> some View {
        VStack(alignment: .leading, spacing: 8) {
            Text("payment_qr_text").font(.subheadline.bold())
            Text(verbatim: payload).font(.caption.monospaced()).textSelection(.enabled)
            Button { UIPasteboard.general.string = payload } label: { Label("payment_copy", systemImage: "doc.on.doc") }
        }
        .frame(maxWidth: .infinity, alignment: .leading)
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
