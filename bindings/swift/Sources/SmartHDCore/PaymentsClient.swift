// `client.payments`: paying a received dossier's fees, and the e-receipts kept on the phone.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class PaymentsClient: Sendable {
    let api: PaymentsApi
    init(_ api: PaymentsApi) { self.api = api }

    /// The order paying a received dossier's fees: open `payUrl` (`.gateway`) or draw `vietqr`
    /// with `vietqrMatrix(payload:)` (`.vietqr`).
    public func pay(dossierId: String, method: PaymentMethod, returnUrl: String = SmartHdClient.paymentReturnUrl)
        async throws -> PaymentOrder
    {
        try await cancellable { try await api.pay(dossierId: dossierId, method: method, returnUrl: returnUrl, cancel: $0) }
    }

    /// The browser came back on `paymentReturnUrl`: the order as the portal now sees it.
    public func handleReturn(returnUrl: String) async throws -> PaymentOrder {
        try await cancellable { try await api.handleReturn(returnUrl: returnUrl, cancel: $0) }
    }

    /// Asks the portal for a payment's outcome now.
    public func refresh(orderId: String) async throws -> PaymentOrder {
        try await cancellable { try await api.refresh(orderId: orderId, cancel: $0) }
    }

    public func list() async throws -> [PaymentOrder] { try await offMain(api) { try $0.list() } }
    public func get(orderId: String) async throws -> PaymentOrder {
        try await offMain(api) { try $0.get(orderId: orderId) }
    }

    /// Every e-receipt kept on the phone, each verified again offline.
    public func receipts() async throws -> [Receipt] { try await offMain(api) { try $0.receipts() } }
    /// Verifies a kept e-receipt offline; a tampered one throws `SmartHdError.Validation`.
    public func verifyReceipt(receiptId: String) async throws -> Receipt {
        try await offMain(api) { try $0.verifyReceipt(receiptId: receiptId) }
    }
}
