package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalClipboardManager
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emptyFlow
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.QrMatrix
import vn.gov.haiduong.smarthd.app.state.PaymentState
import vn.gov.haiduong.smarthd.app.state.PaymentViewModel

/** Paying a dossier's fee: the gateway in a Custom Tab, or a VietQR to scan. */
@Composable
fun PaymentScreen(dossierId: String, returns: Flow<String>, onBack: () -> Unit, gatewayClosures: Flow<Unit> = emptyFlow()) {
    val payment = rememberHolder("payment-$dossierId") { app, scope -> PaymentViewModel(app.client, scope, app.connectivity, dossierId, app.english) }
    LaunchedEffect(payment) { returns.collect(payment::onReturn) }
    // The gateway's page closed without its return (the platform saw the app come back).
    LaunchedEffect(payment) { gatewayClosures.collect { payment.onGatewayClosed() } }
    val state by payment.state.collectAsStateWithLifecycle()
    val platform = LocalServices.current.platform
    // The gateway's page, once; it comes back through the payment-return deep link.
    OpenPageOnce((state as? PaymentState.OpenGateway)?.url, platform::openGateway)

    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(tr(Str.PAYMENT_TITLE), style = MaterialTheme.typography.titleLarge)
        when (val s = state) {
            PaymentState.Idle, PaymentState.Requesting -> {
                Button(onClick = { payment.pay(PaymentMethod.GATEWAY) }, enabled = s == PaymentState.Idle, modifier = Modifier.fillMaxWidth().padding(top = 16.dp)) {
                    Text(tr(Str.PAY_GATEWAY))
                }
                OutlinedButton(onClick = { payment.pay(PaymentMethod.VIETQR) }, enabled = s == PaymentState.Idle, modifier = Modifier.fillMaxWidth().padding(top = 8.dp)) {
                    Text(tr(Str.PAY_VIETQR))
                }
            }
            is PaymentState.OpenGateway -> {
                Amount(s.order.amountVnd)
                Button(onClick = { platform.openGateway(s.url) }, modifier = Modifier.padding(top = 8.dp).heightIn(min = 48.dp)) {
                    Text(tr(Str.PAYMENT_OPEN_GATEWAY))
                }
                OutlinedButton(onClick = payment::refresh, modifier = TouchSize) { Text(tr(Str.PAYMENT_CHECK)) }
            }
            is PaymentState.GatewayClosed -> {
                Amount(s.order.amountVnd)
                Text(tr(Str.PAYMENT_GATEWAY_CLOSED))
                Button(onClick = payment::reopenGateway, modifier = Modifier.padding(top = 8.dp).heightIn(min = 48.dp)) {
                    Text(tr(Str.PAYMENT_OPEN_GATEWAY))
                }
                OutlinedButton(onClick = payment::refresh, modifier = TouchSize) { Text(tr(Str.PAYMENT_CHECK)) }
            }
            is PaymentState.ShowQr -> {
                Amount(s.order.amountVnd)
                Text(tr(Str.PAYMENT_SCAN))
                QrCode(s.matrix, tr(Str.PAYMENT_QR_DESCRIPTION, "%,d".format(s.order.amountVnd)))
                // The same code as text, for paying from this phone: a banking app pastes it.
                s.order.vietqr?.let { payload ->
                    Text(tr(Str.PAYMENT_QR_TEXT), style = MaterialTheme.typography.titleSmall)
                    SelectionContainer { Text(payload, style = MaterialTheme.typography.bodySmall) }
                    val clipboard = LocalClipboardManager.current
                    OutlinedButton(onClick = { clipboard.setText(AnnotatedString(payload)) }, modifier = TouchSize) { Text(tr(Str.PAYMENT_COPY)) }
                }
                OutlinedButton(onClick = payment::refresh, modifier = TouchSize) { Text(tr(Str.PAYMENT_CHECK)) }
            }
            is PaymentState.Confirming -> {
                Text(tr(Str.PAYMENT_CONFIRMING))
                OutlinedButton(onClick = payment::refresh, modifier = TouchSize) { Text(tr(Str.PAYMENT_CHECK)) }
            }
            is PaymentState.Paid -> {
                Text(tr(Str.PAYMENT_PAID), style = MaterialTheme.typography.headlineSmall, color = MaterialTheme.colorScheme.primary)
                Amount(s.order.amountVnd)
                s.receipt?.let { Text(tr(Str.RECEIPT_VERIFIED) + " · " + it.receiptId) }
                Button(onClick = onBack, modifier = TouchSize) { Text(tr(Str.BACK)) }
            }
            is PaymentState.Failed -> {
                Text(tr(Str.PAYMENT_FAILED, s.message), color = MaterialTheme.colorScheme.error)
                Button(onClick = { payment.pay(PaymentMethod.GATEWAY) }, modifier = TouchSize) { Text(tr(Str.RETRY)) }
            }
        }
    }
}

@Composable
private fun Amount(vnd: Long) = Text(tr(Str.PAYMENT_AMOUNT, "%,d".format(vnd)), style = MaterialTheme.typography.titleMedium)

/** Draws the core's module matrix (row by row, true = dark) with a 4-module quiet zone. */
@Composable
fun QrCode(matrix: QrMatrix, description: String) {
    val width = matrix.width.toInt()
    Canvas(
        Modifier
            .fillMaxWidth()
            .aspectRatio(1f)
            .padding(16.dp)
            .background(Color.White)
            .semantics { contentDescription = description },
    ) {
        val module = size.minDimension / (width + 8)
        for (y in 0 until width) for (x in 0 until width) {
            if (matrix.modules[y * width + x]) {
                drawRect(Color.Black, Offset((x + 4) * module, (y + 4) * module), Size(module, module))
            }
        }
    }
}
