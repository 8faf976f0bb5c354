package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.Procedure
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

sealed interface ProcedureState {
    data object Loading : ProcedureState
    /** Documents, fees, processing time, level and online level are all in [procedure]. */
    data class Loaded(val procedure: Procedure, val favorite: Boolean) : ProcedureState
    data class Failed(val message: String) : ProcedureState
}

/** A procedure's detail screen (from the offline catalog) and its favourite star. */
class ProcedureViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val code: String,
) {
    private val _state = MutableStateFlow<ProcedureState>(ProcedureState.Loading)
    val state: StateFlow<ProcedureState> = _state.asStateFlow()

    init {
        scope.launch {
            _state.value = try {
                val procedure = client.catalog.procedure(code)
                ProcedureState.Loaded(procedure, client.catalog.favorites().any { it.code == code })
            } catch (e: SmartHdException) {
                ProcedureState.Failed(e.userMessage)
            }
        }
    }

    fun toggleFavorite() {
        val loaded = _state.value as? ProcedureState.Loaded ?: return
        scope.launch {
            if (loaded.favorite) client.catalog.removeFavorite(code) else client.catalog.addFavorite(code)
            _state.value = loaded.copy(favorite = !loaded.favorite)
        }
    }
}
