package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.app.state.SavedProceduresViewModel

/** The resident's favourite procedures and those opened lately, each a tap from its detail. */
@Composable
fun SavedProceduresScreen(onOpen: (String) -> Unit) {
    val holder = rememberHolder { app, scope -> SavedProceduresViewModel(app.client, scope) }
    val state by holder.state.collectAsStateWithLifecycle()
    // Back from a procedure: its star or its opening changed the lists.
    LaunchedEffect(Unit) { holder.reload() }
    LazyColumn(Modifier.fillMaxSize()) {
        state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(16.dp)) } }
        section(Str.FAVORITES, Str.FAVORITES_EMPTY, state.favorites.takeIf { state.loaded }, "favorite", onOpen)
        section(Str.RECENT, Str.RECENT_EMPTY, state.recent.takeIf { state.loaded }, "recent", onOpen)
    }
}

/** A heading and its procedures (or what to do when there are none); [hits] null while loading. */
private fun LazyListScope.section(title: Str, empty: Str, hits: List<SearchHit>?, keyPrefix: String, onOpen: (String) -> Unit) {
    item(key = "$keyPrefix-title") {
        Text(
            tr(title),
            style = MaterialTheme.typography.titleLarge,
            modifier = Modifier.padding(start = 16.dp, end = 16.dp, top = 16.dp).semantics { heading() },
        )
    }
    if (hits == null) return
    if (hits.isEmpty()) item(key = "$keyPrefix-empty") { Text(tr(empty), Modifier.padding(16.dp)) }
    items(hits, key = { "$keyPrefix-${it.code}" }) { hit ->
        ProcedureRow(AnnotatedString(hit.name), "${hit.field} · ${hit.agency}", onClick = { onOpen(hit.code) })
        HorizontalDivider()
    }
}

/** A procedure in a list (here and on Home): its name, its field and agency below; the whole row opens it. */
@Composable
fun ProcedureRow(name: AnnotatedString, detail: String, onClick: () -> Unit) {
    Column(
        Modifier
            .fillMaxWidth()
            .heightIn(min = 48.dp)
            .clickable(onClick = onClick)
            .padding(horizontal = 16.dp, vertical = 12.dp),
    ) {
        Text(name, style = MaterialTheme.typography.titleMedium)
        Text(detail, style = MaterialTheme.typography.bodySmall)
    }
}
