package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.flow.update

/** The language (each named in itself), the text size, and the simple screens for older residents. */
@Composable
fun SettingsScreen(onBack: () -> Unit) {
    val settingsFlow = LocalServices.current.settings
    val settings by settingsFlow.collectAsState()
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        TextButton(onClick = onBack) { Text(tr(Str.BACK)) }
        Text(tr(Str.SETTINGS), style = MaterialTheme.typography.headlineSmall)

        Heading(Str.SETTINGS_LANGUAGE)
        Column(Modifier.selectableGroup()) {
            Choice("Tiếng Việt", settings.language == Language.VI) { settingsFlow.update { it.copy(language = Language.VI) } }
            Choice("English", settings.language == Language.EN) { settingsFlow.update { it.copy(language = Language.EN) } }
        }

        Heading(Str.SETTINGS_TEXT_SIZE)
        Column(Modifier.selectableGroup()) {
            TextSize.entries.forEach { size ->
                Choice(tr(size.label), settings.textSize == size) { settingsFlow.update { it.copy(textSize = size) } }
            }
        }

        Row(
            Modifier.fillMaxWidth().padding(top = 16.dp).heightIn(min = 48.dp)
                .toggleable(value = settings.simple, role = Role.Switch) { on -> settingsFlow.update { it.copy(simple = on) } },
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Column(Modifier.weight(1f)) {
                Text(tr(Str.SIMPLE_MODE), style = MaterialTheme.typography.titleMedium)
                Text(tr(Str.SIMPLE_MODE_HINT), style = MaterialTheme.typography.bodyMedium)
            }
            Switch(checked = settings.simple, onCheckedChange = null) // the row toggles
        }
    }
}

@Composable
private fun Heading(text: Str) {
    Text(tr(text), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp))
}

/** A radio choice whose whole row is the touch target (and TalkBack's one item). */
@Composable
private fun Choice(label: String, selected: Boolean, onSelect: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 48.dp).selectable(selected = selected, role = Role.RadioButton, onClick = onSelect),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        RadioButton(selected = selected, onClick = null)
        Text(label, Modifier.padding(start = 8.dp))
    }
}
