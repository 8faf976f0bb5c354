package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.Attachment
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.FieldProblem
import vn.gov.haiduong.smarthd.FormField
import vn.gov.haiduong.smarthd.FormOption
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.Subject
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.fieldProblemMessage

/** One input of the generated form. */
data class FormInput(
    val key: String,
    val label: String,
    val kind: FieldKind,
    val required: Boolean,
    val maxLength: Int?,
    val options: List<FormOption>,
    val value: String = "",
    /** What is wrong with [value], in the app's language; shown under the input. */
    val error: String? = null,
)

sealed interface Submission {
    data object Editing : Submission
    data object Submitting : Submission
    /** In the outbox: "Đang chờ gửi", sent when the network allows. */
    data class Queued(val reason: String?) : Submission
    /** Received by the portal, with the dossier code (mã hồ sơ). */
    data class Sent(val code: String?) : Submission
    data class Refused(val reason: String) : Submission
}

data class DossierFormState(
    val procedureName: String = "",
    val dossierId: String? = null,
    val inputs: List<FormInput> = emptyList(),
    val attachments: List<Attachment> = emptyList(),
    val submission: Submission = Submission.Editing,
    val error: String? = null,
) {
    /** A draft, or a dossier the portal refused (corrected and sent again), with no field in error. */
    val canSubmit: Boolean
        get() = dossierId != null && (submission == Submission.Editing || submission is Submission.Refused) && inputs.none { it.error != null }
}

/**
 * The dossier form generated from the procedure's form schema, validated by the core as the
 * resident types; attachments; submit, which works offline (the dossier waits as "queued") and
 * asks [connectivity] to send it at once.
 *
 * Edits, attachments and the submit run one after another in the order the resident made them.
 */
class DossierFormViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val connectivity: Connectivity,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow(DossierFormState())
    val state: StateFlow<DossierFormState> = _state.asStateFlow()
    private val commands = Channel<suspend () -> Unit>(Channel.UNLIMITED)

    init {
        scope.launch { for (command in commands) command() }
        scope.launch {
            client.events.filterIsInstance<Event.DossierStatusChanged>().collect { event ->
                if (event.dossierId == _state.value.dossierId) reload()
            }
        }
    }

    /** A new draft of procedure [procedureCode]. */
    fun start(procedureCode: String, applicant: Subject = Subject.CITIZEN) = enqueue {
        val draft = client.dossiers.newDraft(procedureCode, applicant)
        val form = client.catalog.procedure(procedureCode).form
        _state.value = DossierFormState(
            procedureName = draft.procedureName,
            dossierId = draft.id,
            inputs = form.fields.map { it.toInput(draft.fields[it.key].orEmpty()) },
        )
    }

    /** Resumes a draft (or a dossier the portal refused). */
    fun open(dossierId: String) = enqueue {
        val dossier = client.dossiers.get(dossierId)
        val form = client.catalog.procedure(dossier.procedureCode).form
        _state.value = DossierFormState(
            procedureName = dossier.procedureName,
            dossierId = dossier.id,
            inputs = form.fields.map { it.toInput(dossier.fields[it.key].orEmpty()) },
            attachments = dossier.attachments,
        ).withSubmission(dossier)
    }

    /**
     * The resident typed: the value shows at once, the core's verdict right after. Each write is
     * synced to the disk, so a keystroke overtaken by a newer one in the same field before its
     * turn is not written: the newer one is.
     */
    fun onValueChange(key: String, value: String) {
        _state.update { s -> s.copy(inputs = s.inputs.map { if (it.key == key) it.copy(value = value) else it }) }
        enqueue {
            val id = _state.value.dossierId ?: return@enqueue
            if (_state.value.inputs.firstOrNull { it.key == key }?.value != value) return@enqueue
            val problem = client.dossiers.setField(id, key, value)
            _state.update { s ->
                s.copy(inputs = s.inputs.map { if (it.key == key && it.value == value) it.copy(error = problem?.text()) else it })
            }
        }
    }

    /** A photo from the picker or the camera, or a PDF, copied to [path] by the shell. */
    fun attach(path: String) = enqueue {
        val id = _state.value.dossierId ?: return@enqueue
        val attachment = client.dossiers.attach(id, path)
        _state.update { it.copy(attachments = it.attachments + attachment, error = null) }
    }

    /** Checks every field; if all are fine, queues the dossier and tries to send it now. */
    fun submit() = enqueue {
        val id = _state.value.dossierId ?: return@enqueue
        val errors = client.dossiers.validate(id).associate { it.field to it.problem.text() }
        if (errors.isNotEmpty()) {
            _state.update { s -> s.copy(inputs = s.inputs.map { it.copy(error = errors[it.key]) }) }
            return@enqueue
        }
        _state.update { it.copy(submission = Submission.Submitting) }
        val queued = client.dossiers.submit(id)
        _state.update { it.withSubmission(queued) }
        connectivity.refresh()
        reload()
    }

    private suspend fun reload() {
        val id = _state.value.dossierId ?: return
        val dossier = runCatching { client.dossiers.get(id) }.getOrNull() ?: return
        _state.update { it.withSubmission(dossier) }
    }

    private fun DossierFormState.withSubmission(dossier: Dossier) = copy(
        submission = when (dossier.status) {
            DossierStatus.DRAFT -> Submission.Editing
            DossierStatus.QUEUED -> Submission.Queued(dossier.problem?.let { pickLanguage(it, english) })
            DossierStatus.FAILED -> Submission.Refused(dossier.problem?.let { pickLanguage(it, english) }.orEmpty())
            else -> Submission.Sent(dossier.code)
        },
    )

    private fun enqueue(command: suspend () -> Unit) {
        commands.trySend {
            try {
                command()
            } catch (e: SmartHdException) {
                connectivity.reportFailure(e)
                _state.update {
                    val field = (e as? SmartHdException.Validation)?.field
                    if (field != null && it.inputs.any { i -> i.key == field }) {
                        it.copy(inputs = it.inputs.map { i -> if (i.key == field) i.copy(error = e.reason) else i })
                    } else {
                        it.copy(error = e.userMessage, submission = if (it.submission == Submission.Submitting) Submission.Editing else it.submission)
                    }
                }
            }
        }
    }

    private fun FieldProblem.text() = pickLanguage(fieldProblemMessage(this), english)

    private fun FormField.toInput(value: String) = FormInput(
        key = key,
        label = if (english) labelEn ?: label else label,
        kind = kind,
        required = required,
        maxLength = maxLength?.toInt(),
        options = if (english) options.map { it.copy(label = it.labelEn ?: it.label) } else options,
        value = value,
    )
}
