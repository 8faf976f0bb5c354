package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.QrMatrix
import vn.gov.haiduong.smarthd.app.R
import vn.gov.haiduong.smarthd.app.platform.Browser
import vn.gov.haiduong.smarthd.app.state.PaymentState
import vn.gov.haiduong.smarthd.app.state.PaymentViewModel

/** Paying a dossier's fee: the gateway in a Custom Tab, or a VietQR to scan. */
@Composable
fun PaymentScreen(dossierId: String, payment: PaymentViewModel, onBack: () -> Unit) {
    val state by payment.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    // Open the gateway once per order; it comes back through the payment-return deep link.
    val gateway = state as? PaymentState.OpenGateway
    LaunchedEffect(gateway?.order?.orderId) { gateway?.let { Browser.openGateway(context, it.url) } }

    Column(Modifier.fillMaxWidth().padding(16.dp)) {
        Text(stringResource(R.string.payment_title), style = MaterialTheme.typography.titleLarge)
        when (val s = state) {
            PaymentState.Idle, PaymentState.Requesting -> {
                Button(onClick = { payment.pay(dossierId, PaymentMethod.GATEWAY) }, enabled = s == PaymentState.Idle, modifier = Modifier.fillMaxWidth().padding(top = 16.dp)) {
                    Text(stringResource(R.string.pay_gateway))
                }
                OutlinedButton(onClick = { payment.pay(dossierId, PaymentMethod.VIETQR) }, enabled = s == PaymentState.Idle, modifier = Modifier.fillMaxWidth().padding(top = 8.dp)) {
                    Text(stringResource(R.string.pay_vietqr))
                }
            }
            is PaymentState.OpenGateway -> {
                Amount(s.order.amountVnd)
                Button(onClick = { Browser.openGateway(context, s.url) }, modifier = Modifier.padding(top = 8.dp)) {
                    Text(stringResource(R.string.payment_open_gateway))
                }
                OutlinedButton(onClick = payment::refresh) { Text(stringResource(R.string.payment_check)) }
            }
            is PaymentState.ShowQr -> {
                Amount(s.order.amountVnd)
                Text(stringResource(R.string.payment_scan))
                QrCode(s.matrix, stringResource(R.string.payment_qr_description, "%,d".format(s.order.amountVnd)))
                OutlinedButton(onClick = payment::refresh) { Text(stringResource(R.string.payment_check)) }
            }
            is PaymentState.Confirming -> {
                Text(stringResource(R.string.payment_confirming))
                OutlinedButton(onClick = payment::refresh) { Text(stringResource(R.string.payment_check)) }
            }
            is PaymentState.Paid -> {
                Text(stringResource(R.string.payment_paid), style = MaterialTheme.typography.headlineSmall, color = MaterialTheme.colorScheme.primary)
                Amount(s.order.amountVnd)
                s.receipt?.let { Text(stringResource(R.string.receipt_verified) + " · " + it.receiptId) }
                Button(onClick = onBack) { Text(stringResource(R.string.back)) }
            }
            is PaymentState.Failed -> {
                Text(stringResource(R.string.payment_failed, s.message), color = MaterialTheme.colorScheme.error)
                Button(onClick = { payment.pay(dossierId, PaymentMethod.GATEWAY) }) { Text(stringResource(R.string.retry)) }
            }
        }
    }
}

@Composable
private fun Amount(vnd: Long) = Text(stringResource(R.string.payment_amount, "%,d".format(vnd)), style = MaterialTheme.typography.titleMedium)

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
