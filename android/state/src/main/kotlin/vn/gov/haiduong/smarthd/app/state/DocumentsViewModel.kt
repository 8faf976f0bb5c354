package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.DocumentKind
import vn.gov.haiduong.smarthd.MyDocument
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

data class DocumentsState(
    val query: String = "",
    val loaded: Boolean = false,
    val documents: List<MyDocument> = emptyList(),
    /** The file the last export wrote, for the platform to hand on (share, open); null once handed. */
    val exported: String? = null,
    val error: String? = null,
)

/**
 * My documents (kho dữ liệu cá nhân): the results, e-receipts and personal papers the resident
 * holds, offline, filtered as they type; one exported to a file in [exportDir].
 */
class DocumentsViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val exportDir: Path,
) {
    private val _state = MutableStateFlow(DocumentsState())
    val state: StateFlow<DocumentsState> = _state.asStateFlow()

    init {
        reload()
    }

    fun onQueryChange(text: String) {
        _state.update { it.copy(query = text) }
        reload()
    }

    /** The list for the query on show (a local read: no debounce needed, the newest query wins). */
    fun reload() {
        scope.launch {
            val query = _state.value.query
            try {
                val documents = client.documents.list(query.trim())
                _state.update { if (it.query == query) it.copy(loaded = true, documents = documents, error = null) else it }
            } catch (e: SmartHdException) {
                _state.update { it.copy(loaded = true, documents = emptyList(), error = e.userMessage) }
            }
        }
    }

    /** Writes [document] to a file named after it; [DocumentsState.exported] then names the file. */
    fun export(document: MyDocument) {
        scope.launch {
            try {
                Files.createDirectories(exportDir)
                val file = exportDir.resolve(exportFileName(document))
                client.documents.export(document.id, file.toString())
                _state.update { it.copy(exported = file.toString(), error = null) }
            } catch (e: SmartHdException) {
                _state.update { it.copy(error = e.userMessage) }
            }
        }
    }

    /** The platform has handed the exported file on. */
    fun onExportHandled() = _state.update { it.copy(exported = null) }
}

/** "result:…" to "result-….pdf": a result is its PDF, a receipt or a card the JSON the core writes. */
fun exportFileName(document: MyDocument): String {
    val extension = if (document.kind == DocumentKind.RESULT) "pdf" else "json"
    return document.id.replace(Regex("[^A-Za-z0-9._-]"), "-") + "." + extension
}
