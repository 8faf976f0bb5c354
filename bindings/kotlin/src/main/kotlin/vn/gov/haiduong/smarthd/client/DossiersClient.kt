package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Attachment
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossiersApi
import vn.gov.haiduong.smarthd.FieldError
import vn.gov.haiduong.smarthd.FieldProblem
import vn.gov.haiduong.smarthd.ForPerson
import vn.gov.haiduong.smarthd.PublicStatus
import vn.gov.haiduong.smarthd.Subject

/** `client.dossiers`: drafts (hồ sơ) filled offline, submitting, the lookup; `client.sync` sends. */
class DossiersClient internal constructor(internal val api: DossiersApi, private val io: CoroutineDispatcher) {
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

    /** Validates and queues the dossier for sending (works offline); `client.sync.now()` sends it. */
    suspend fun submit(dossierId: String): Dossier = withContext(io) { api.submit(dossierId) }

    suspend fun get(dossierId: String): Dossier = withContext(io) { api.get(dossierId) }

    /** The logged-in resident's dossiers (and drafts nobody owns yet), newest first. */
    suspend fun list(): List<Dossier> = withContext(io) { api.list() }

    /** How many of them the data key cannot open (left out of [list]). */
    suspend fun unreadable(): UInt = withContext(io) { api.unreadable() }

    suspend fun deleteDraft(dossierId: String) = withContext(io) { api.deleteDraft(dossierId) }

    /** The public status of a dossier code (no login). */
    suspend fun lookup(code: String): PublicStatus = api.lookup(code)
}
