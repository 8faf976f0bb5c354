package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.InboxItem
import vn.gov.haiduong.smarthd.Severity
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.state.InboxViewModel

/** The inbox: alerts for the resident's commune (emergencies first) and their own notices. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun InboxScreen() {
    val holder = rememberHolder("inbox") { app, scope -> InboxViewModel(app.client, scope, app.connectivity, app.english) }
    val state by holder.state.collectAsStateWithLifecycle()
    PullToRefreshBox(isRefreshing = state.refreshing, onRefresh = holder::refresh, modifier = Modifier.fillMaxSize()) {
        LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) } }
            if (state.items.isEmpty()) item { Text(tr(Str.INBOX_EMPTY), Modifier.padding(16.dp)) }
            items(state.items, key = { it.itemId }) { item -> InboxCard(item, onOpen = { holder.markRead(item.itemId) }) }
        }
    }
}

@Composable
private fun InboxCard(item: InboxItem, onOpen: () -> Unit) {
    // Severity by colour and by words, so it does not rest on colour alone.
    val (container, label) = when (item.severity) {
        Severity.EMERGENCY -> MaterialTheme.colorScheme.errorContainer to Str.SEVERITY_EMERGENCY
        Severity.WARNING -> MaterialTheme.colorScheme.tertiaryContainer to Str.SEVERITY_WARNING
        Severity.INFO -> MaterialTheme.colorScheme.surfaceVariant to Str.SEVERITY_INFO
    }
    Card(
        colors = CardDefaults.cardColors(containerColor = container),
        modifier = Modifier.fillMaxWidth().padding(vertical = 6.dp).heightIn(min = 48.dp).clickable(onClick = onOpen),
    ) {
        Column(Modifier.padding(16.dp)) {
            Text(tr(label), style = MaterialTheme.typography.labelLarge)
            Text(
                item.title,
                style = MaterialTheme.typography.titleMedium,
                fontWeight = if (item.read) FontWeight.Normal else FontWeight.Bold,
            )
            Text(item.body)
            Text(localTime(item.at), style = MaterialTheme.typography.bodySmall)
        }
    }
}
