package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.client.changedDossierId
import vn.gov.haiduong.smarthd.dossierStatusLabel

/** A step of a dossier's status timeline, ready to show. */
data class TimelineStep(val status: DossierStatus, val label: String, val at: String, val message: String?)

/** A dossier status's name in the app's language. */
fun statusLabel(status: DossierStatus, english: Boolean): String = pickLanguage(dossierStatusLabel(status), english)

/** [Dossier]'s status timeline, newest last, in the app's language (my dossiers, one dossier). */
fun Dossier.timelineSteps(english: Boolean): List<TimelineStep> =
    timeline.map { TimelineStep(it.status, statusLabel(it.status, english), it.at, it.message) }

data class DossierRow(
    val id: String,
    val procedureName: String,
    val status: DossierStatus,
    val statusLabel: String,
    val code: String?,
    val feeVnd: Long?,
    /** The core's word: received, with a fee, neither withdrawn nor rejected ("Thanh toán" is offered). */
    val payable: Boolean,
    val updatedAt: String,
    /** Newest last. */
    val timeline: List<TimelineStep>,
    /** Why a queued dossier has not gone out yet (no network, the portal busy, a login needed). */
    val waitingReason: String? = null,
)

data class DossiersState(
    val dossiers: List<DossierRow> = emptyList(),
    val refreshing: Boolean = false,
    val error: String? = null,
)

/** My dossiers with their status timelines; refreshed by sync and by the core's events. */
class DossiersViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(DossiersState())
    val state: StateFlow<DossiersState> = _state.asStateFlow()

    init {
        scope.launch { reload() }
        scope.launch { client.events.filter { it.changedDossierId != null }.collect { reload() } }
    }

    /** Pull to refresh: sends the outbox and asks the portal what changed. */
    fun refresh() {
        scope.launch {
            _state.update { it.copy(refreshing = true) }
            connectivity.refresh()
            reload()
            _state.update { it.copy(refreshing = false) }
        }
    }

    /** Deletes a draft or a dossier the portal refused; a refusal stays shown after the list reloads. */
    fun deleteDraft(id: String) {
        scope.launch {
            val refused = try {
                client.dossiers.deleteDraft(id)
                null
            } catch (e: SmartHdException) {
                e.userMessage
            }
            reload()
            refused?.let { message -> _state.update { it.copy(error = message) } }
        }
    }

    suspend fun reload() {
        try {
            val rows = client.dossiers.list().map { it.toRow() }
            _state.update { it.copy(dossiers = rows, error = null) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(error = e.userMessage) }
        }
    }

    private fun Dossier.toRow() = DossierRow(
        id = id,
        procedureName = procedureName,
        status = status,
        statusLabel = statusLabel(status, english),
        code = code,
        feeVnd = feeVnd,
        payable = payable,
        updatedAt = updatedAt,
        timeline = timelineSteps(english),
        waitingReason = problem?.takeIf { status == DossierStatus.QUEUED }?.let { pickLanguage(it, english) },
    )
}
