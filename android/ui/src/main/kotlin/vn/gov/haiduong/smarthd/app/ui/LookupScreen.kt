package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.app.state.LookupViewModel
import vn.gov.haiduong.smarthd.app.state.localTime

/** "Tra cứu hồ sơ": a dossier's status by its code, without logging in. */
@Composable
fun LookupScreen(onBack: () -> Unit) {
    val holder = rememberHolder { app, scope -> LookupViewModel(app.client, scope, app.english) }
    val state by holder.state.collectAsStateWithLifecycle()
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        TextButton(onClick = onBack) { Text(tr(Str.BACK)) }
        Text(tr(Str.LOOKUP), style = MaterialTheme.typography.headlineSmall)
        Text(tr(Str.LOOKUP_PRIVATE), style = MaterialTheme.typography.bodyMedium)
        val label = tr(Str.LOOKUP_CODE)
        OutlinedTextField(
            value = state.code,
            onValueChange = holder::onCodeChange,
            label = { Text(label) },
            singleLine = true,
            isError = state.error != null,
            supportingText = state.error?.let { { Text(it) } },
            keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, imeAction = ImeAction.Search),
            keyboardActions = KeyboardActions(onSearch = { holder.lookup() }),
            modifier = Modifier.fillMaxWidth().padding(top = 8.dp).semantics { contentDescription = label },
        )
        Button(onClick = holder::lookup, enabled = state.code.isNotBlank() && !state.looking, modifier = Modifier.padding(top = 8.dp)) {
            Text(tr(Str.LOOKUP_GO))
        }
        state.found?.let { found ->
            Card(Modifier.fillMaxWidth().padding(top = 16.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(found.procedureName, style = MaterialTheme.typography.titleMedium)
                    Text(found.statusLabel, style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
                    Text(tr(Str.DOSSIER_CODE, found.code))
                    Text(tr(Str.LOOKUP_UPDATED, localTime(found.updatedAt)), style = MaterialTheme.typography.bodySmall)
                }
            }
        }
    }
}
