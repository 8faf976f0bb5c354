@file:OptIn(ExperimentalLayoutApi::class)

package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Clear
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.app.state.CatalogAge
import vn.gov.haiduong.smarthd.app.state.SearchViewModel
import vn.gov.haiduong.smarthd.app.state.localTime

/**
 * Search as you type over the offline catalog, and browse by field; in the simple screens, the
 * search and large buttons for the main tasks ([onTask] opens a route) instead of the fields.
 */
@Composable
fun HomeScreen(onOpen: (String) -> Unit, onTask: (String) -> Unit) {
    val search = rememberHolder { app, scope -> SearchViewModel(app.client, scope) }
    val state by search.state.collectAsStateWithLifecycle()
    val connectivity = LocalServices.current.connectivity
    val network by connectivity.state.collectAsStateWithLifecycle()
    LaunchedEffect(network.syncsFinished) { search.onCatalogSynced() } // fields and age after a sync

    val simple = LocalServices.current.settings.collectAsStateWithLifecycle().value.simple

    Column(Modifier.fillMaxSize()) {
        OutlinedTextField(
            value = state.query,
            onValueChange = search::onQueryChange,
            label = { Text(tr(if (simple) Str.SIMPLE_FIND else Str.SEARCH_HINT)) },
            singleLine = true,
            trailingIcon = {
                if (state.query.isNotEmpty()) {
                    IconButton(onClick = { search.onQueryChange("") }) {
                        Icon(Icons.Filled.Clear, contentDescription = tr(Str.SEARCH_CLEAR))
                    }
                }
            },
            modifier = Modifier.fillMaxWidth().padding(16.dp),
        )
        state.catalogAge?.let { CatalogAgeLine(it) }
        if (simple && state.query.isEmpty()) {
            MainTasks(onTask)
            return@Column
        }
        if (!simple) LazyRow(Modifier.padding(horizontal = 8.dp)) {
            item {
                FilterChip(
                    selected = state.field == null,
                    onClick = { search.selectField(null) },
                    label = { Text(tr(Str.ALL_FIELDS)) },
                    modifier = Modifier.padding(4.dp).heightIn(min = 48.dp),
                )
            }
            items(state.fields, key = { it.name }) { field ->
                FilterChip(
                    selected = state.field == field.name,
                    onClick = { search.selectField(field.name) },
                    label = { Text("${field.name} (${field.count})") },
                    modifier = Modifier.padding(4.dp).heightIn(min = 48.dp),
                )
            }
        }
        if (state.query.isEmpty()) {
            FlowRow(Modifier.padding(horizontal = 8.dp)) {
                TextButton(onClick = { onTask(Routes.LOOKUP) }, modifier = TouchSize) { Text(tr(Str.LOOKUP)) }
                TextButton(onClick = { onTask(Routes.SAVED) }, modifier = TouchSize) { Text(tr(Str.SAVED_PROCEDURES)) }
            }
        }
        if (state.searchedQuery != null && state.hits.isEmpty()) {
            Text(state.error ?: tr(Str.NO_RESULTS), Modifier.padding(16.dp))
        }
        LazyColumn(Modifier.fillMaxSize()) {
            items(state.hits, key = { it.code }) { hit ->
                ProcedureRow(highlighted(hit), "${hit.field} · ${hit.agency}", onClick = { onOpen(hit.code) })
                HorizontalDivider()
            }
            if (state.hasMore) item { LaunchedEffect(state.hits.size) { search.loadMore() } }
        }
    }
}

/**
 * How old the offline catalog is, under the search box: the time of the last sync in Vietnam's
 * time, or a warning when it is out of date or was never downloaded (what the search finds may
 * then be missing or old).
 */
@Composable
private fun CatalogAgeLine(age: CatalogAge) {
    val (text, warn) = when (age) {
        CatalogAge.NeverSynced -> tr(Str.CATALOG_NEVER) to true
        is CatalogAge.Synced -> tr(if (age.stale) Str.CATALOG_STALE else Str.CATALOG_UPDATED, localTime(age.at)) to age.stale
    }
    Text(
        text,
        style = MaterialTheme.typography.bodyMedium,
        color = if (warn) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurfaceVariant,
        modifier = Modifier.padding(horizontal = 16.dp),
    )
}

/** The simple home: one large button for each main task. */
@Composable
private fun MainTasks(onTask: (String) -> Unit) {
    Column(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        listOf(
            Routes.DOSSIERS to Str.TAB_DOSSIERS,
            Routes.REPORTS to Str.REPORT_NEW,
            Routes.INBOX to Str.TAB_INBOX,
            Routes.LOOKUP to Str.LOOKUP,
            Routes.SAVED to Str.SAVED_PROCEDURES,
        ).forEach { (route, label) ->
            Button(onClick = { onTask(route) }, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp).heightIn(min = 72.dp)) {
                Text(tr(label), style = MaterialTheme.typography.titleLarge)
            }
        }
    }
}

/** The core's highlight spans count Unicode scalar values, not UTF-16 units. */
private fun highlighted(hit: SearchHit): AnnotatedString = buildAnnotatedString {
    append(hit.name)
    for (span in hit.highlights) {
        val start = hit.name.offsetByCodePoints(0, span.start.toInt())
        val end = hit.name.offsetByCodePoints(0, span.end.toInt())
        addStyle(SpanStyle(fontWeight = FontWeight.Bold), start, end)
    }
}
