package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.ArrowBack
import androidx.compose.material.icons.filled.Favorite
import androidx.compose.material.icons.filled.FavoriteBorder
import androidx.compose.material3.Button
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.OnlineLevel
import vn.gov.haiduong.smarthd.app.R
import vn.gov.haiduong.smarthd.app.rememberHolder
import vn.gov.haiduong.smarthd.app.smartHdApp
import vn.gov.haiduong.smarthd.app.state.ProcedureState
import vn.gov.haiduong.smarthd.app.state.ProcedureViewModel

/** A procedure: documents, fees, processing time, level, online level; apply online. */
@Composable
fun ProcedureScreen(code: String, onApply: () -> Unit, onBack: () -> Unit) {
    val holder = rememberHolder(key = "procedure-$code") { app, scope -> ProcedureViewModel(app.client, scope, code) }
    val state by holder.state.collectAsStateWithLifecycle()
    val english = smartHdApp().english
    when (val s = state) {
        ProcedureState.Loading -> Unit
        is ProcedureState.Failed -> Text(s.message, Modifier.padding(16.dp))
        is ProcedureState.Loaded -> {
            val p = s.procedure
            LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
                item {
                    Row {
                        IconButton(onClick = onBack) { Icon(Icons.Filled.ArrowBack, stringResource(R.string.back)) }
                        IconButton(onClick = holder::toggleFavorite) {
                            Icon(
                                if (s.favorite) Icons.Filled.Favorite else Icons.Filled.FavoriteBorder,
                                stringResource(if (s.favorite) R.string.favorite_remove else R.string.favorite_add),
                            )
                        }
                    }
                    Text(
                        if (english) p.nameEn ?: p.name else p.name,
                        style = MaterialTheme.typography.headlineSmall,
                        modifier = Modifier.semantics { heading() },
                    )
                    Text("${p.code} · ${if (english) p.fieldEn ?: p.field else p.field}", style = MaterialTheme.typography.bodySmall)
                    Section(R.string.procedure_time, p.processingTime)
                    Section(
                        R.string.procedure_level,
                        stringResource(if (p.level == Level.PROVINCE) R.string.level_province else R.string.level_commune),
                    )
                    Section(
                        R.string.procedure_online,
                        stringResource(if (p.onlineLevel == OnlineLevel.FULL) R.string.online_full else R.string.online_partial),
                    )
                    Section(
                        R.string.procedure_fees,
                        if (p.fees.isEmpty()) stringResource(R.string.fee_free)
                        else p.fees.joinToString("\n") { "%,d đ · %s".format(it.amountVnd, it.description) },
                    )
                    Heading(R.string.procedure_documents)
                }
                items(p.documents) { case ->
                    Text(case.caseName, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                    case.items.forEach { Text("• ${it.name} (${it.originals} + ${it.copies})") }
                }
                item {
                    Button(onClick = onApply, modifier = Modifier.fillMaxWidth().padding(vertical = 16.dp)) {
                        Text(stringResource(R.string.start_dossier))
                    }
                }
            }
        }
    }
}

@Composable
private fun Heading(title: Int) = Text(
    stringResource(title),
    style = MaterialTheme.typography.titleMedium,
    modifier = Modifier.padding(top = 16.dp).semantics { heading() },
)

@Composable
private fun Section(title: Int, body: String) {
    Heading(title)
    Text(body, style = MaterialTheme.typography.bodyLarge)
}
