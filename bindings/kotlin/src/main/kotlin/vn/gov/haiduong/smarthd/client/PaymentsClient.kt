package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.PaymentOrder
import vn.gov.haiduong.smarthd.PaymentsApi
import vn.gov.haiduong.smarthd.Receipt

/** `client.payments`: paying a received dossier's fees, and the e-receipts kept on the phone. */
class PaymentsClient internal constructor(internal val api: PaymentsApi, private val io: CoroutineDispatcher) {
    /**
     * The order paying a received dossier's fees: open `payUrl` in a Custom Tab ([PaymentMethod.GATEWAY])
     * or draw `vietqr` with `vietqrMatrix` ([PaymentMethod.VIETQR]).
     */
    suspend fun pay(
        dossierId: String,
        method: PaymentMethod,
        returnUrl: String = SmartHdClient.PAYMENT_RETURN_URL,
    ): PaymentOrder = api.pay(dossierId, method, returnUrl)

    /** The browser came back on [SmartHdClient.PAYMENT_RETURN_URL]: the order as the portal now sees it. */
    suspend fun handleReturn(returnUrl: String): PaymentOrder = api.handleReturn(returnUrl)

    /** Asks the portal for a payment's outcome now. */
    suspend fun refresh(orderId: String): PaymentOrder = api.refresh(orderId)

    suspend fun list(): List<PaymentOrder> = withContext(io) { api.list() }

    suspend fun get(orderId: String): PaymentOrder = withContext(io) { api.get(orderId) }

    /** Every e-receipt kept on the phone, each verified again offline. */
    suspend fun receipts(): List<Receipt> = withContext(io) { api.receipts() }

    /** Verifies a kept e-receipt offline; a tampered one throws `SmartHdException.Validation`. */
    suspend fun verifyReceipt(receiptId: String): Receipt = withContext(io) { api.verifyReceipt(receiptId) }
}
