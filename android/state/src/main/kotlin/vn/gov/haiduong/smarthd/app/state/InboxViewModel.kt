package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.InboxItem
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

data class InboxState(
    /** Emergencies in force first, then newest first. */
    val items: List<InboxItem> = emptyList(),
    val unread: UInt = 0u,
    val refreshing: Boolean = false,
    val error: String? = null,
)

/** The inbox: the city's alerts for the resident's commune and their own notices, offline. */
class InboxViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(InboxState())
    val state: StateFlow<InboxState> = _state.asStateFlow()

    init {
        scope.launch { reload() }
    }

    /** Pull to refresh, or a push woke the app: the whole sync, which fetches the inbox too. */
    fun refresh() {
        scope.launch {
            _state.update { it.copy(refreshing = true) }
            connectivity.refresh()
            reload()
            _state.update { it.copy(refreshing = false) }
        }
    }

    fun markRead(itemId: String) {
        scope.launch {
            try {
                client.inbox.markRead(itemId)
            } catch (e: SmartHdException) {
                _state.update { it.copy(error = pickLanguage(e.userMessage, english)) }
            }
            reload()
        }
    }

    suspend fun reload() {
        try {
            _state.update { it.copy(items = client.inbox.list(), unread = client.inbox.unread(), error = null) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(error = pickLanguage(e.userMessage, english)) }
        }
    }
}
