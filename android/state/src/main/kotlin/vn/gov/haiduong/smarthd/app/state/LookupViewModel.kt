package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** A dossier's public status, as anyone holding its code may see it (no name, no CCCD). */
data class PublicDossier(val code: String, val procedureName: String, val statusLabel: String, val updatedAt: String)

data class LookupState(
    val code: String = "",
    val looking: Boolean = false,
    val found: PublicDossier? = null,
    val error: String? = null,
)

/**
 * "Tra cứu hồ sơ": the status of a dossier code, without logging in (a relative's dossier, the
 * code on a paper receipt). Asks the portal, so it needs the network.
 */
class LookupViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(LookupState())
    val state: StateFlow<LookupState> = _state.asStateFlow()

    fun onCodeChange(code: String) = _state.update { it.copy(code = code, error = null) }

    fun lookup() {
        val code = _state.value.code
        if (code.isBlank()) return
        scope.launch {
            _state.update { it.copy(looking = true, found = null, error = null) }
            try {
                val status = client.dossiers.lookup(code)
                val found = PublicDossier(status.code, status.procedureName, statusLabel(status.status, english), status.updatedAt)
                _state.update { it.copy(looking = false, found = found) }
            } catch (e: SmartHdException) {
                _state.update { it.copy(looking = false, error = e.userMessage) }
            }
        }
    }
}
