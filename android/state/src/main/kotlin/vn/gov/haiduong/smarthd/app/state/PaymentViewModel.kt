package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.PaymentOrder
import vn.gov.haiduong.smarthd.PaymentStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.QrMatrix
import vn.gov.haiduong.smarthd.Receipt
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.paymentStatusLabel
import vn.gov.haiduong.smarthd.vietqrMatrix

sealed interface PaymentState {
    data object Idle : PaymentState
    data object Requesting : PaymentState
    /** Open [url] in a Custom Tab; the gateway comes back to [SmartHdClient.PAYMENT_RETURN_URL]. */
    data class OpenGateway(val order: PaymentOrder, val url: String) : PaymentState
    /**
     * The resident closed the gateway's page before it came back, and the portal still waits for
     * the payment: offer to open [url] again ([PaymentViewModel.reopenGateway]) or to check.
     */
    data class GatewayClosed(val order: PaymentOrder, val url: String) : PaymentState
    /** Draw [matrix] (row by row, true = dark) for a banking app to scan. */
    data class ShowQr(val order: PaymentOrder, val matrix: QrMatrix) : PaymentState
    /** Back from the gateway or waiting for the bank: the portal has not confirmed yet. */
    data class Confirming(val order: PaymentOrder) : PaymentState
    /** [receipt] is null for a moment when the portal confirms before the receipt is fetched. */
    data class Paid(val order: PaymentOrder, val receipt: Receipt?) : PaymentState
    /** Failed, cancelled or expired ([PaymentOrder.failureMessage]), or the request failed. */
    data class Failed(val message: String, val order: PaymentOrder? = null) : PaymentState
}

/**
 * Paying dossier [dossierId]'s fee: the gateway in the browser, or a VietQR drawn from the core's
 * module matrix. Opens on the dossier's latest order, if it has one; shows no other dossier's.
 * Nothing shows as paid until the portal says so.
 */
class PaymentViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    val dossierId: String,
    private val english: Boolean = false,
    /** Where the QR matrix is computed (off the main thread). */
    private val io: CoroutineDispatcher = Dispatchers.Default,
) {
    private val _state = MutableStateFlow<PaymentState>(PaymentState.Idle)
    val state: StateFlow<PaymentState> = _state.asStateFlow()

    init {
        launchCall {
            val latest = client.payments.list().lastOrNull { it.dossierId == dossierId }
            if (latest != null && _state.value == PaymentState.Idle) show(latest)
        }
        scope.launch {
            client.events.filterIsInstance<Event.PaymentUpdated>().collect { event ->
                // An event that brings nothing new (a check that found the order still waiting)
                // must not move the screen: it would reopen a gateway the resident just closed.
                val shown = currentOrder()
                if (shown?.orderId == event.orderId && shown.status != event.status) {
                    runCatching { client.payments.get(event.orderId) }.onSuccess { show(it) }
                }
            }
        }
    }

    /** The status as the resident reads it ("Đã thanh toán"...). */
    fun label(status: PaymentStatus) = pickLanguage(paymentStatusLabel(status), english)

    fun pay(method: PaymentMethod) = launchCall {
        _state.value = PaymentState.Requesting
        show(client.payments.pay(dossierId, method, SmartHdClient.PAYMENT_RETURN_URL))
    }

    /**
     * The deep link [SmartHdClient.PAYMENT_RETURN_URL]?… opened the app: the core asks the portal
     * for the outcome; it is shown here only if it is this dossier's order.
     */
    fun onReturn(url: String) = launchCall {
        val order = client.payments.handleReturn(url)
        if (order.dossierId == dossierId) show(order)
    }

    /**
     * The gateway's page was closed without its return link (the platform saw the app come back
     * with none): the portal may have taken the money just before, so ask it; if the order still
     * waits, say the page was closed instead of waiting for a return that will never come.
     */
    fun onGatewayClosed() {
        val open = _state.value as? PaymentState.OpenGateway ?: return
        launchCall {
            val order = client.payments.refresh(open.order.orderId)
            val stillOpen = order.status == PaymentStatus.AWAITING_PAYMENT && order.vietqr == null
            if (!stillOpen) {
                show(order)
            } else {
                // Only if nothing else (its return, arriving late) moved the screen meanwhile.
                _state.compareAndSet(open, PaymentState.GatewayClosed(order, order.payUrl ?: open.url))
            }
        }
    }

    /** "Mở trang thanh toán" after the page was closed: the same order's gateway, opened again. */
    fun reopenGateway() {
        val closed = _state.value as? PaymentState.GatewayClosed ?: return
        _state.compareAndSet(closed, PaymentState.OpenGateway(closed.order, closed.url))
    }

    /** "Kiểm tra lại": asks the portal now (a VietQR transfer, a lost return). */
    fun refresh() = launchCall {
        val order = currentOrder() ?: return@launchCall
        show(client.payments.refresh(order.orderId))
    }

    private fun currentOrder(): PaymentOrder? = when (val s = _state.value) {
        is PaymentState.OpenGateway -> s.order
        is PaymentState.GatewayClosed -> s.order
        is PaymentState.ShowQr -> s.order
        is PaymentState.Confirming -> s.order
        is PaymentState.Paid -> s.order
        is PaymentState.Failed -> s.order
        else -> null
    }

    private suspend fun show(order: PaymentOrder) {
        val next = when (order.status) {
            PaymentStatus.SUCCEEDED -> PaymentState.Paid(
                order,
                order.receiptId?.let { id -> runCatching { client.payments.verifyReceipt(id) }.getOrNull() },
            )
            PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED ->
                PaymentState.Failed(order.failureMessage ?: label(order.status), order)
            PaymentStatus.CREATED, PaymentStatus.PROCESSING -> PaymentState.Confirming(order)
            PaymentStatus.AWAITING_PAYMENT -> when {
                order.vietqr != null -> PaymentState.ShowQr(order, withContext(io) { vietqrMatrix(order.vietqr!!) })
                order.payUrl != null -> PaymentState.OpenGateway(order, order.payUrl!!)
                else -> PaymentState.Confirming(order)
            }
        }
        // Reads race (a check and an event's fetch): a payment shown as paid stays paid, as in
        // the core, and the "paid" event coming before the receipt never loses a shown receipt.
        _state.update { current ->
            val paidShown = (current as? PaymentState.Paid)?.takeIf { it.order.orderId == order.orderId }
            val keep = paidShown != null && (next !is PaymentState.Paid || (next.receipt == null && paidShown.receipt != null))
            if (keep) current else next
        }
    }

    private fun launchCall(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
                connectivity.reportReached()
            } catch (e: SmartHdException) {
                connectivity.reportFailure(e)
                _state.update { PaymentState.Failed(e.userMessage, currentOrder()) }
            }
        }
    }
}

/** Receipts (biên lai) kept on the phone, each verified offline with the portal's key. */
class ReceiptsViewModel(private val client: SmartHdClient, private val scope: CoroutineScope) {
    private val _state = MutableStateFlow<List<Receipt>>(emptyList())
    val state: StateFlow<List<Receipt>> = _state.asStateFlow()
    private val _error = MutableStateFlow<String?>(null)
    val error: StateFlow<String?> = _error.asStateFlow()

    init {
        reload()
        scope.launch { client.events.filterIsInstance<Event.PaymentUpdated>().collect { reload() } }
    }

    fun reload() {
        scope.launch {
            try {
                _state.value = client.payments.receipts()
                _error.value = null
            } catch (e: SmartHdException) {
                _error.value = e.userMessage // a tampered receipt fails verification
            }
        }
    }
}
