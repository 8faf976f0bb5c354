package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.error
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.app.state.DossierFormViewModel
import vn.gov.haiduong.smarthd.app.state.FormInput
import vn.gov.haiduong.smarthd.app.state.LoginState
import vn.gov.haiduong.smarthd.app.state.SessionViewModel
import vn.gov.haiduong.smarthd.app.state.Submission

/**
 * The dossier form generated from the procedure's form schema, checked by the core as the
 * resident types; attachments from the photo picker or the camera; submit (works offline).
 */
@Composable
fun FormScreen(procedureCode: String?, dossierId: String?, session: SessionViewModel, onDone: () -> Unit) {
    val form = rememberHolder(key = "form-$procedureCode-$dossierId") { app, scope ->
        DossierFormViewModel(app.client, scope, app.connectivity, app.english).also {
            if (dossierId != null) it.open(dossierId) else if (procedureCode != null) it.start(procedureCode)
        }
    }
    val state by form.state.collectAsStateWithLifecycle()
    val login by session.state.collectAsStateWithLifecycle()

    val platform = LocalServices.current.platform
    val photos = platform.rememberPhotoSources { form.attach(it) }
    // Scanned papers are often PDFs: the system's document picker, beside the photos.
    val pickDocument = platform.rememberDocumentPicker { form.attach(it) }

    LaunchedEffect(state.submission) { if (state.submission is Submission.Sent) onDone() }

    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        item { Text(state.procedureName, style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(vertical = 12.dp)) }
        items(state.inputs, key = { it.key }) { input -> FieldEditor(input) { form.onValueChange(input.key, it) } }
        item {
            Text(tr(Str.ATTACHMENTS), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
            state.attachments.forEach { Text("📎 ${it.name} (${it.size / 1024u} KB)") }
            FlowRow {
                OutlinedButton(onClick = photos.pick, modifier = Modifier.padding(end = 8.dp)) {
                    Text(tr(Str.ATTACH_PHOTO))
                }
                OutlinedButton(onClick = photos.takePhoto, modifier = Modifier.padding(end = 8.dp)) { Text(tr(Str.ATTACH_CAMERA)) }
                OutlinedButton(onClick = pickDocument) { Text(tr(Str.ATTACH_DOCUMENT)) }
            }
            state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            // A dossier the portal refused is the resident's to correct and send again, like a draft.
            val refused = state.submission as? Submission.Refused
            refused?.let { Text(tr(Str.REFUSED, it.reason), color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(top = 16.dp)) }
            when (val s = state.submission) {
                Submission.Editing, is Submission.Refused -> {
                    // Submitting needs VNeID level 2: a level-1 session is told so and steps up here,
                    // rather than queueing a dossier the portal will not take.
                    val level2 = (login as? LoginState.LoggedIn)?.level?.let { it >= 2 } == true
                    if (login is LoginState.LoggedIn && !level2) Text(tr(Str.NEEDS_LEVEL2), Modifier.padding(top = 16.dp))
                    Button(
                        onClick = { if (level2) form.submit() else session.login(level = 2, sharedBrowser = platform.loginBrowserKeepsCookies) },
                        enabled = state.canSubmit,
                        modifier = Modifier.fillMaxWidth().padding(vertical = 16.dp),
                    ) { Text(tr(if (!level2) Str.LOGIN_LEVEL2 else if (refused != null) Str.SUBMIT_AGAIN else Str.SUBMIT)) }
                }
                Submission.Submitting -> Text(tr(Str.SUBMITTING), Modifier.padding(vertical = 16.dp))
                is Submission.Queued -> Text(tr(Str.QUEUED) + (s.reason?.let { "\n$it" } ?: ""), Modifier.padding(vertical = 16.dp))
                is Submission.Sent -> Text(tr(Str.SENT, s.code.orEmpty()), Modifier.padding(vertical = 16.dp))
            }
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun FieldEditor(input: FormInput, onChange: (String) -> Unit) {
    val label = if (input.required) tr(Str.FORM_REQUIRED, input.label) else input.label
    val errorModifier = Modifier.semantics { input.error?.let { error(it) } } // TalkBack reads the problem
    when (input.kind) {
        FieldKind.CHECKBOX -> Row(verticalAlignment = Alignment.CenterVertically, modifier = errorModifier.heightIn(min = 48.dp)) {
            Checkbox(checked = input.value == "true", onCheckedChange = { onChange(it.toString()) })
            Text(label)
        }
        FieldKind.SELECT -> {
            Text(label, modifier = Modifier.padding(top = 8.dp))
            FlowRow { // the choices wrap to the next line rather than squeeze
                input.options.forEach { option ->
                    FilterChip(
                        selected = input.value == option.value,
                        onClick = { onChange(option.value) },
                        label = { Text(option.label) },
                        modifier = Modifier.padding(end = 4.dp).heightIn(min = 48.dp),
                    )
                }
            }
        }
        // The label above the field, not in its outline: a long label wraps whole at any text
        // size instead of running over the value. The field carries it for screen readers.
        else -> Column(Modifier.padding(vertical = 4.dp)) {
            Text(label, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.clearAndSetSemantics {})
            OutlinedTextField(
                value = input.value,
                onValueChange = onChange,
                isError = input.error != null,
                supportingText = input.error?.let { { Text(it) } },
                singleLine = input.kind != FieldKind.TEXTAREA,
                keyboardOptions = KeyboardOptions(
                    keyboardType = when (input.kind) {
                        FieldKind.CCCD, FieldKind.NUMBER -> KeyboardType.Number
                        FieldKind.PHONE -> KeyboardType.Phone
                        FieldKind.EMAIL -> KeyboardType.Email
                        else -> KeyboardType.Text
                    },
                ),
                modifier = errorModifier.fillMaxWidth().semantics { contentDescription = label },
            )
        }
    }
    if (input.kind == FieldKind.CHECKBOX || input.kind == FieldKind.SELECT) {
        input.error?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall) }
    }
}
