package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.ActionKind
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Rating
import vn.gov.haiduong.smarthd.RatingVerdict
import vn.gov.haiduong.smarthd.ResultPayload
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.client.changedDossierId

/** A document the officer asked for in the open supplement round, and whether it is attached. */
data class RequestedDocument(val name: String, val attached: Boolean)

/** The officer's request for more documents ("Yêu cầu bổ sung"), as the screen shows it. */
data class SupplementRound(
    val round: UInt,
    val message: String,
    /** YYYY-MM-DD. */
    val deadline: String,
    val documents: List<RequestedDocument>,
    /** Sent from the phone and waiting in the outbox for the network. */
    val queued: Boolean,
) {
    val canSend: Boolean get() = !queued && documents.all { it.attached }
}

/** One dossier from its submission to its result. */
data class DossierDetail(
    val id: String,
    val procedureName: String,
    val status: DossierStatus,
    val statusLabel: String,
    val code: String?,
    val feeVnd: Long?,
    /** The core's word: received, with a fee, neither withdrawn nor rejected ("Thanh toán" is offered). */
    val payable: Boolean,
    /** Why it waits (queued) or why the portal refused it (failed). */
    val problem: String?,
    /** Newest last. */
    val timeline: List<TimelineStep>,
    val supplement: SupplementRound?,
    /** The result's name once the phone holds it verified. */
    val resultName: String?,
    val rating: RatingVerdict?,
    val ratingQueued: Boolean,
) {
    val canRate: Boolean get() = resultName != null && rating == null && !ratingQueued
}

data class DossierState(
    val detail: DossierDetail? = null,
    /** The result document, opened and checked (its SHA-256 and the portal's signature). */
    val result: ResultPayload? = null,
    val busy: Boolean = false,
    val error: String? = null,
)

/**
 * One dossier: its timeline, the supplement the officer asked for (attach each document, then
 * send), the result once issued (opened verified), and the rating. Reloads on the core's events
 * for this dossier.
 */
class DossierViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val dossierId: String,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(DossierState())
    val state: StateFlow<DossierState> = _state.asStateFlow()

    init {
        scope.launch { reload() }
        scope.launch {
            client.events.filter { it.changedDossierId == dossierId }.collect { reload() }
        }
    }

    /** Attaches the file at [path] as the requested [document]. */
    fun attach(document: String, path: String) = act { client.dossiers.attachDocument(dossierId, path, document) }

    /** Sends the supplement (queued first, so it waits safely for the network). */
    fun sendSupplement() = act {
        client.dossiers.submit(dossierId)
        connectivity.refresh()
    }

    /** Asks the portal what changed (the supplement's answer, a result). */
    fun refresh() = act { connectivity.refresh() }

    /** Opens the result: downloaded once, checked, kept on the phone. */
    fun openResult() = act {
        val result = client.dossiers.result(dossierId)
        _state.update { it.copy(result = result) }
    }

    fun rate(verdict: RatingVerdict) = act {
        client.dossiers.rate(dossierId, Rating(verdict, emptyMap(), null))
        connectivity.refresh()
    }

    private fun act(block: suspend () -> Unit) {
        scope.launch {
            _state.update { it.copy(busy = true, error = null) }
            try {
                block()
            } catch (e: SmartHdException) {
                if (e.isOffline) connectivity.reportFailure(e)
                _state.update { it.copy(error = e.userMessage) }
            }
            reload()
            _state.update { it.copy(busy = false) }
        }
    }

    private suspend fun reload() {
        try {
            val dossier = client.dossiers.get(dossierId)
            _state.update { it.copy(detail = dossier.toDetail()) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(error = e.userMessage) }
        }
    }

    private fun Dossier.toDetail() = DossierDetail(
        id = id,
        procedureName = procedureName,
        status = status,
        statusLabel = statusLabel(status, english),
        code = code,
        feeVnd = feeVnd,
        payable = payable,
        problem = problem?.let { pickLanguage(it, english) },
        timeline = timelineSteps(english),
        supplement = supplement?.let { request ->
            SupplementRound(
                round = request.round,
                message = request.message,
                deadline = request.deadline,
                // The core's rule: an earlier round's attachment does not answer this round.
                documents = request.documents.map { name -> RequestedDocument(name, name !in missingDocuments) },
                queued = queuedAction == ActionKind.SUPPLEMENT,
            )
        },
        resultName = result?.name,
        rating = rating,
        ratingQueued = queuedAction == ActionKind.RATING,
    )
}
