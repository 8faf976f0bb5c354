@file:OptIn(ExperimentalLayoutApi::class)

package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.state.DossierRow
import vn.gov.haiduong.smarthd.app.state.DossiersViewModel

/** My dossiers, each with its status timeline; pull to refresh sends and syncs. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun DossiersScreen(onOpen: (String) -> Unit, onPay: (String) -> Unit, onEdit: (String) -> Unit) {
    val holder = rememberHolder { app, scope -> DossiersViewModel(app.client, scope, app.connectivity, app.english) }
    val state by holder.state.collectAsStateWithLifecycle()
    PullToRefreshBox(isRefreshing = state.refreshing, onRefresh = holder::refresh, modifier = Modifier.fillMaxSize()) {
        LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) } }
            if (state.dossiers.isEmpty()) item { Text(tr(Str.DOSSIERS_EMPTY), Modifier.padding(16.dp)) }
            items(state.dossiers, key = { it.id }) { row ->
                DossierCard(row, onOpen = { onOpen(row.id) }, onPay = { onPay(row.id) }, onEdit = { onEdit(row.id) }, onDelete = { holder.deleteDraft(row.id) })
            }
        }
    }
}

@Composable
private fun DossierCard(row: DossierRow, onOpen: () -> Unit, onPay: () -> Unit, onEdit: () -> Unit, onDelete: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(row.procedureName, style = MaterialTheme.typography.titleMedium)
            Text(row.statusLabel, style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            row.code?.let { Text(tr(Str.DOSSIER_CODE, it)) }
            row.waitingReason?.let { Text(tr(Str.WAITING_BECAUSE, it)) }
            if (row.timeline.isNotEmpty()) {
                Text(tr(Str.TIMELINE), style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                row.timeline.forEach { step ->
                    Text("• ${step.label} — ${localTime(step.at)}" + (step.message?.let { "\n   $it" } ?: ""))
                }
            }
            FlowRow {
                if (row.status != DossierStatus.DRAFT) {
                    TextButton(onClick = onOpen, modifier = Modifier.padding(top = 8.dp, end = 8.dp)) { Text(tr(Str.DOSSIER_DETAILS)) }
                }
                if (row.payable) {
                    Button(onClick = onPay, modifier = Modifier.padding(top = 8.dp, end = 8.dp)) { Text(tr(Str.PAY)) }
                }
                if (row.status == DossierStatus.DRAFT || row.status == DossierStatus.FAILED) {
                    TextButton(onClick = onEdit) { Text(tr(Str.FORM_TITLE)) }
                }
                // The core deletes a draft or a dossier the portal refused, never one it holds.
                if (row.status == DossierStatus.DRAFT || row.status == DossierStatus.FAILED) {
                    TextButton(onClick = onDelete) { Text(tr(if (row.status == DossierStatus.DRAFT) Str.DELETE_DRAFT else Str.DELETE_REFUSED)) }
                }
            }
        }
    }
}
