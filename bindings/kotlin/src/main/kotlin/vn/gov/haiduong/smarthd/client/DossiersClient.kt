package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Attachment
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossiersApi
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.FieldError
import vn.gov.haiduong.smarthd.FieldProblem
import vn.gov.haiduong.smarthd.ForPerson
import vn.gov.haiduong.smarthd.PublicStatus
import vn.gov.haiduong.smarthd.Rating
import vn.gov.haiduong.smarthd.ResultPayload
import vn.gov.haiduong.smarthd.Subject

/** `client.dossiers`: drafts (hồ sơ) filled offline, submitting, the lookup; `client.sync` sends. */
class DossiersClient internal constructor(
    internal val api: DossiersApi,
    private val io: CoroutineDispatcher,
    private val events: Flow<Event>,
) {
    /**
     * My dossiers now, then again after each change the core reports (a submit, a sync that
     * sent one or brought the officer's answer, an action queued or delivered): a cold `Flow`,
     * one subscription per collector, equal lists not repeated.
     */
    fun observe(): Flow<List<Dossier>> = channelFlow {
        // Subscribed before the first read: a change in between is not missed.
        launch(start = CoroutineStart.UNDISPATCHED) {
            events.filter { it.changedDossierId != null }.collect { send(list()) }
        }
        send(list())
    }.distinctUntilChanged()

    /**
     * A new draft of an in-force procedure (offline), about [forPerson] (null: the resident);
     * logged in, the resident's own fields come prefilled (`Dossier.prefilled`).
     */
    suspend fun newDraft(
        procedureCode: String,
        applicant: Subject = Subject.CITIZEN,
        forPerson: ForPerson? = null,
    ): Dossier = withContext(io) { api.newDraft(procedureCode, applicant, forPerson) }

    /** Stores one field of a draft; what is wrong with the value, or null. */
    suspend fun setField(dossierId: String, key: String, value: String): FieldProblem? =
        withContext(io) { api.setField(dossierId, key, value) }

    /** Every problem of the draft's form, checked offline. */
    suspend fun validate(dossierId: String): List<FieldError> = withContext(io) { api.validate(dossierId) }

    /** Attaches the file at [path] (JPEG, PNG or PDF, at most 10 MiB); the core keeps a sealed copy. */
    suspend fun attach(dossierId: String, path: String): Attachment = withContext(io) { api.attach(dossierId, path) }

    /** Attaches the file at [path] as the requested [document] of the open supplement round. */
    suspend fun attachDocument(dossierId: String, path: String, document: String): Attachment =
        withContext(io) { api.attachDocument(dossierId, path, document) }

    /**
     * Validates and queues the dossier for sending (works offline); `client.sync.now()` sends it.
     * For a dossier the officer asked to supplement (`Dossier.supplement`), it queues the supplement.
     */
    suspend fun submit(dossierId: String): Dossier = withContext(io) { api.submit(dossierId) }

    suspend fun get(dossierId: String): Dossier = withContext(io) { api.get(dossierId) }

    /** The logged-in resident's dossiers (and drafts nobody owns yet), newest first. */
    suspend fun list(): List<Dossier> = withContext(io) { api.list() }

    /** How many of them the data key cannot open (left out of [list]). */
    suspend fun unreadable(): UInt = withContext(io) { api.unreadable() }

    suspend fun deleteDraft(dossierId: String) = withContext(io) { api.deleteDraft(dossierId) }

    /** Withdraws a received dossier not yet being processed (queued, offline too). */
    suspend fun withdraw(dossierId: String, reason: String? = null): Dossier =
        withContext(io) { api.withdraw(dossierId, reason) }

    /** Rates the handling once, after the result (queued, offline too; criteria: `ratingCriteria()`). */
    suspend fun rate(dossierId: String, rating: Rating): Dossier = withContext(io) { api.rate(dossierId, rating) }

    /** The result, verified again offline; a tampered one throws `SmartHdException.Validation`. */
    suspend fun result(dossierId: String): ResultPayload = withContext(io) { api.result(dossierId) }

    /** Writes the result's PDF to [path] once it verifies. */
    suspend fun exportResult(dossierId: String, path: String): ResultPayload =
        withContext(io) { api.exportResult(dossierId, path) }

    /** The public status of a dossier code (no login). */
    suspend fun lookup(code: String): PublicStatus = api.lookup(code)
}

/**
 * The dossier an event says changed (its status, or an action queued or delivered), or null: what
 * a screen showing that dossier reads again.
 */
val Event.changedDossierId: String?
    get() = when (this) {
        is Event.DossierStatusChanged -> dossierId
        is Event.DossierUpdated -> dossierId
        else -> null
    }
