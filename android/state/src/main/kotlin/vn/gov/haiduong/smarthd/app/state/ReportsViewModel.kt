package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.FeedQuery
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.PublicReport
import vn.gov.haiduong.smarthd.Report
import vn.gov.haiduong.smarthd.ReportCategory
import vn.gov.haiduong.smarthd.ReportDraft
import vn.gov.haiduong.smarthd.ReportState
import vn.gov.haiduong.smarthd.ReportVerdict
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.Urgency
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.rejectReasonLabel

/** A category as the picker shows it; one that is not a field report says where it goes. */
data class CategoryChoice(val code: String, val name: String, val agency: String, val goesTo: String?)

/** One of my reports, ready to show: its progress, the answer and the proof. */
data class ReportRow(
    val id: String,
    val code: String?,
    val state: ReportState,
    val stateLabel: String,
    val text: String,
    val category: String,
    val createdAt: String,
    /** Why it is not moving or was refused. */
    val problem: String?,
    /** Why the operations centre refused it, with its note (the original of a duplicate...). */
    val rejection: String?,
    val agency: String?,
    val answer: String?,
    /** Paths under the portal of the agency's proof photos. */
    val proofPhotos: List<String>,
    val verdict: ReportVerdict?,
) {
    /** Answered and not rated yet: the screen offers the three verdicts. */
    val canRate: Boolean get() = state == ReportState.HANDLED && verdict == null
}

/** Where a new report stands on the phone. */
sealed interface ReportSubmission {
    data object Editing : ReportSubmission
    data object Submitting : ReportSubmission
    /** In the outbox, sent when the network allows; [reason] says why it waits. */
    data class Queued(val reason: String?) : ReportSubmission
    data class Sent(val code: String) : ReportSubmission
}

data class ReportDraftState(
    val categories: List<CategoryChoice> = emptyList(),
    val category: String? = null,
    val text: String = "",
    val location: GeoPoint? = null,
    /** The commune or ward of [location], found offline. */
    val communeName: String? = null,
    val addressNote: String = "",
    val urgent: Boolean = false,
    val shareIdentity: Boolean = false,
    val reportId: String? = null,
    val photos: List<String> = emptyList(),
    val submission: ReportSubmission = ReportSubmission.Editing,
    val error: String? = null,
) {
    val chosen: CategoryChoice? get() = categories.firstOrNull { it.code == category }

    /** What a field report needs: a category it takes, a place in the city, a text, a photo. */
    val canSubmit: Boolean
        get() = chosen?.goesTo == null && category != null && communeName != null && text.isNotBlank() &&
            photos.isNotEmpty() && submission == ReportSubmission.Editing
}

data class ReportsState(
    val mine: List<ReportRow> = emptyList(),
    val feed: List<PublicReport> = emptyList(),
    val refreshing: Boolean = false,
    val error: String? = null,
)

/**
 * Field reports (phản ánh hiện trường): a new report with photos and the place, my reports with
 * the answer and its proof, the city's public feed. Refreshed by sync and by the core's events.
 */
class ReportsViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(ReportsState())
    val state: StateFlow<ReportsState> = _state.asStateFlow()
    private val _draft = MutableStateFlow(ReportDraftState())
    val draft: StateFlow<ReportDraftState> = _draft.asStateFlow()

    init {
        scope.launch { reload() }
        scope.launch { client.events.filterIsInstance<Event.ReportStatusChanged>().collect { reload() } }
    }

    /** A blank report; the categories come from the phone, fetched once when never fetched. */
    fun newReport() {
        _draft.value = ReportDraftState()
        scope.launch {
            try {
                if (client.reports.categories().isEmpty()) client.reports.refreshPublished()
            } catch (e: SmartHdException) {
                connectivity.reportFailure(e)
            }
            try {
                val choices = client.reports.categories().map { it.toChoice() }
                _draft.update { it.copy(categories = choices) }
            } catch (e: SmartHdException) {
                _draft.update { it.copy(error = e.userMessage.inLanguage()) }
            }
        }
    }

    fun onCategory(code: String) = _draft.update { it.copy(category = code, error = null) }

    fun onText(text: String) = _draft.update { it.copy(text = text, error = null) }

    fun onAddressNote(note: String) = _draft.update { it.copy(addressNote = note) }

    fun onUrgent(urgent: Boolean) = _draft.update { it.copy(urgent = urgent) }

    fun onShareIdentity(share: Boolean) = _draft.update { it.copy(shareIdentity = share) }

    /** The place: the phone's current location, or a point the resident moved the pin to. */
    fun onPlace(location: GeoPoint) {
        scope.launch {
            suspend fun communeAt() = try {
                client.reports.communeAt(location)
            } catch (e: SmartHdException) {
                null
            }
            // In no commune kept: the boundaries may be missing, or older than a new commune.
            val commune = communeAt() ?: run {
                try {
                    client.reports.refreshPublished()
                } catch (e: SmartHdException) {
                    connectivity.reportFailure(e)
                }
                communeAt()
            }
            _draft.update {
                it.copy(
                    location = location,
                    communeName = commune?.name,
                    error = if (commune == null) outsideTheCity.inLanguage() else null,
                )
            }
        }
    }

    /** A photo from the camera or the picker (a file the app copied): normalised by the core. */
    fun addPhoto(path: String) {
        scope.launch {
            try {
                val report = keptDraft()
                val withPhoto = client.reports.addPhoto(report.id, path)
                _draft.update { it.copy(reportId = withPhoto.id, photos = withPhoto.photos.map { p -> p.sha256 }, error = null) }
            } catch (e: SmartHdException) {
                _draft.update { it.copy(error = e.userMessage.inLanguage()) }
            }
        }
    }

    fun removePhoto(sha256: String) {
        scope.launch {
            val id = _draft.value.reportId ?: return@launch
            try {
                val report = client.reports.removePhoto(id, sha256)
                _draft.update { it.copy(photos = report.photos.map { p -> p.sha256 }) }
            } catch (e: SmartHdException) {
                _draft.update { it.copy(error = e.userMessage.inLanguage()) }
            }
        }
    }

    /** Queues the report (durable on the phone), then tries to send it at once. */
    fun submit() {
        scope.launch {
            _draft.update { it.copy(submission = ReportSubmission.Submitting) }
            try {
                val report = client.reports.submit(keptDraft().id)
                connectivity.refresh()
                val now = client.reports.get(report.id)
                val submission = now.code?.let { ReportSubmission.Sent(it) } ?: ReportSubmission.Queued(now.problem?.inLanguage())
                _draft.update { it.copy(submission = submission) }
                reload()
            } catch (e: SmartHdException) {
                _draft.update { it.copy(submission = ReportSubmission.Editing, error = e.userMessage.inLanguage()) }
            }
        }
    }

    /** The report as the form holds it, kept in the core (made, or brought up to date). */
    private suspend fun keptDraft(): Report {
        val form = _draft.value
        val draft = ReportDraft(
            category = form.category ?: "",
            text = form.text,
            location = form.location ?: GeoPoint(Double.NaN, Double.NaN),
            addressNote = form.addressNote.ifBlank { null },
            urgency = if (form.urgent) Urgency.URGENT else Urgency.NORMAL,
            shareIdentity = form.shareIdentity,
        )
        val report = form.reportId?.let { client.reports.update(it, draft) } ?: client.reports.create(draft)
        _draft.update { it.copy(reportId = report.id) }
        return report
    }

    /** The resident's verdict on the answer, once; sent by the next sync. */
    fun rate(id: String, verdict: ReportVerdict) {
        scope.launch {
            try {
                client.reports.rate(id, verdict)
                connectivity.refresh()
            } catch (e: SmartHdException) {
                _state.update { it.copy(error = e.userMessage.inLanguage()) }
            }
            reload()
        }
    }

    /** Pull to refresh: sends what waits and fetches the reports' progress. */
    fun refresh() {
        scope.launch {
            _state.update { it.copy(refreshing = true) }
            connectivity.refresh()
            reload()
            _state.update { it.copy(refreshing = false) }
        }
    }

    /** Handled reports near [near] (the phone's location), or the whole city. */
    fun loadFeed(near: GeoPoint?) {
        scope.launch {
            try {
                val feed = client.reports.feed(FeedQuery(near, null, null, null))
                connectivity.reportReached()
                _state.update { it.copy(feed = feed, error = null) }
            } catch (e: SmartHdException) {
                connectivity.reportFailure(e)
                _state.update { it.copy(error = e.userMessage.inLanguage()) }
            }
        }
    }

    suspend fun reload() {
        try {
            val names = client.reports.categories().associate { it.code to it.name(english) }
            val rows = client.reports.list().map { it.toRow(names) }
            _state.update { it.copy(mine = rows, error = null) }
        } catch (e: SmartHdException) {
            _state.update { it.copy(error = e.userMessage.inLanguage()) }
        }
    }

    private fun String.inLanguage() = pickLanguage(this, english)

    private fun ReportCategory.name(english: Boolean) = if (english) nameEn else name

    private fun ReportCategory.toChoice() =
        CategoryChoice(code, name(english), agency, if (inScope) null else goesTo?.inLanguage() ?: "")

    private fun Report.toRow(names: Map<String, String>) = ReportRow(
        id = id,
        code = code,
        state = state,
        stateLabel = reportStateLabel(state, english),
        text = text,
        category = names[category] ?: category,
        createdAt = createdAt,
        problem = problem?.inLanguage(),
        rejection = rejectReason?.let { reason ->
            listOfNotNull(rejectReasonLabel(reason).inLanguage(), rejectNote).joinToString(": ")
        },
        agency = agency,
        answer = answer?.message,
        proofPhotos = answer?.photos?.map { it.url } ?: emptyList(),
        verdict = verdict ?: ratingQueued,
    )

    private companion object {
        const val outsideTheCity = "Vị trí ngoài địa bàn thành phố / the place is outside the city"
    }
}

/** A report's state as the screens name it. */
fun reportStateLabel(state: ReportState, english: Boolean): String = when (state) {
    ReportState.DRAFT -> if (english) "Draft" else "Bản nháp"
    ReportState.QUEUED -> if (english) "Waiting to be sent" else "Chờ gửi"
    ReportState.FAILED -> if (english) "Refused when sent" else "Bị từ chối khi gửi"
    ReportState.WAITING -> if (english) "Waiting" else "Chờ tiếp nhận"
    ReportState.ACCEPTED -> if (english) "Accepted" else "Đã tiếp nhận"
    ReportState.ASSIGNED -> if (english) "Assigned to an agency" else "Đang xử lý"
    ReportState.HANDLED -> if (english) "Handled" else "Đã xử lý"
    ReportState.REJECTED -> if (english) "Rejected" else "Từ chối"
}
