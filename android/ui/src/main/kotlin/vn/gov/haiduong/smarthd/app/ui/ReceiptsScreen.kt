package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.app.state.ReceiptsViewModel
import vn.gov.haiduong.smarthd.app.state.localTime

/** E-receipts (biên lai), each verified offline against the portal's key. */
@Composable
fun ReceiptsScreen() {
    val holder = rememberHolder { app, scope -> ReceiptsViewModel(app.client, scope) }
    val receipts by holder.state.collectAsStateWithLifecycle()
    val error by holder.error.collectAsStateWithLifecycle()
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        error?.let { item { Text(it, color = MaterialTheme.colorScheme.error) } }
        if (receipts.isEmpty()) item { Text(tr(Str.RECEIPTS_EMPTY), Modifier.padding(16.dp)) }
        items(receipts, key = { it.receiptId }) { receipt ->
            Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(receipt.dossierCode ?: receipt.dossierId, style = MaterialTheme.typography.titleMedium)
                    Text(tr(Str.RECEIPT_LINE, "%,d".format(receipt.amountVnd), localTime(receipt.paidAt)))
                    Text("${receipt.issuer} · ${receipt.receiptId}", style = MaterialTheme.typography.bodySmall)
                    Text(tr(Str.RECEIPT_VERIFIED), color = MaterialTheme.colorScheme.primary)
                }
            }
        }
    }
}
