package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

data class SavedProceduresState(
    val loaded: Boolean = false,
    val favorites: List<SearchHit> = emptyList(),
    /** Newest first; the procedure screen notes each opening (the core does, on `procedure`). */
    val recent: List<SearchHit> = emptyList(),
    val error: String? = null,
)

/** The resident's favourite procedures and the ones opened lately, from the offline catalog. */
class SavedProceduresViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val recentLimit: UInt = 10u,
) {
    private val _state = MutableStateFlow(SavedProceduresState())
    val state: StateFlow<SavedProceduresState> = _state.asStateFlow()

    init {
        reload()
    }

    /** Read again (back from a procedure, whose star or opening changed the lists). */
    fun reload() {
        scope.launch {
            _state.value = try {
                SavedProceduresState(true, client.catalog.favorites(), client.catalog.recentlyViewed(recentLimit))
            } catch (e: SmartHdException) {
                SavedProceduresState(true, error = e.userMessage)
            }
        }
    }

    fun removeFavorite(code: String) {
        scope.launch {
            try {
                client.catalog.removeFavorite(code)
            } catch (e: SmartHdException) {
                _state.value = _state.value.copy(error = e.userMessage)
                return@launch
            }
            reload()
        }
    }
}
