package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.FilledTonalButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.io.File
import java.nio.file.Path
import vn.gov.haiduong.smarthd.DocumentKind
import vn.gov.haiduong.smarthd.MyDocument
import vn.gov.haiduong.smarthd.app.state.DocumentsViewModel
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.state.pickLanguage

/**
 * My documents (kho dữ liệu cá nhân): results, e-receipts and personal papers on the phone,
 * searchable as the resident types; each exported to a file the platform hands on.
 */
@Composable
fun DocumentsScreen() {
    val platform = LocalServices.current.platform
    val holder = rememberHolder { app, scope -> DocumentsViewModel(app.client, scope, Path.of(platform.exportDir)) }
    val state by holder.state.collectAsStateWithLifecycle()
    val english = LocalServices.current.english
    // The name of the last file handed on, kept to tell the resident where it went.
    var lastExported by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(state.exported) {
        state.exported?.let { path ->
            platform.shareFile(path)
            lastExported = File(path).name
            holder.onExportHandled()
        }
    }
    Column(Modifier.fillMaxSize()) {
        OutlinedTextField(
            value = state.query,
            onValueChange = holder::onQueryChange,
            label = { Text(tr(Str.DOCUMENTS_SEARCH)) },
            singleLine = true,
            modifier = Modifier.fillMaxWidth().padding(16.dp),
        )
        LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error) } }
            lastExported?.let { item { Text(tr(Str.DOCUMENT_EXPORTED, it), color = MaterialTheme.colorScheme.primary) } }
            if (state.loaded && state.documents.isEmpty()) {
                item { Text(tr(if (state.query.isBlank()) Str.DOCUMENTS_EMPTY else Str.DOCUMENTS_NO_MATCH), Modifier.padding(16.dp)) }
            }
            items(state.documents, key = { it.id }) { document ->
                DocumentCard(document, english, onExport = { holder.export(document) })
            }
        }
    }
}

@Composable
private fun DocumentCard(document: MyDocument, english: Boolean, onExport: () -> Unit) {
    // The core's own texts read "Tiếng Việt / English".
    val title = pickLanguage(document.title, english)
    Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(tr(kindLabel(document.kind)), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            Text(title, style = MaterialTheme.typography.titleMedium)
            if (document.detail.isNotBlank()) Text(document.detail)
            if (document.issuedAt.isNotBlank()) Text(tr(Str.DOCUMENT_ISSUED, localTime(document.issuedAt)), style = MaterialTheme.typography.bodyMedium)
            // Personal papers carry no portal signature; results and receipts do.
            if (document.kind != DocumentKind.CARD) {
                Text(
                    tr(if (document.verified) Str.DOCUMENT_VERIFIED else Str.DOCUMENT_NOT_VERIFIED),
                    color = if (document.verified) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error,
                )
            }
            // The core hands on only what verifies: a result or receipt whose signature does not
            // check is not exported.
            if (document.kind == DocumentKind.CARD || document.verified) {
                FilledTonalButton(onClick = onExport, modifier = Modifier.padding(top = 4.dp).then(TouchSize)) { Text(tr(Str.DOCUMENT_EXPORT, title)) }
            }
        }
    }
}

private fun kindLabel(kind: DocumentKind) = when (kind) {
    DocumentKind.RESULT -> Str.DOCUMENT_KIND_RESULT
    DocumentKind.RECEIPT -> Str.DOCUMENT_KIND_RECEIPT
    DocumentKind.CARD -> Str.DOCUMENT_KIND_CARD
}
