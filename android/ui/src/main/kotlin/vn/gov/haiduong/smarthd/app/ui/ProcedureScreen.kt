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
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.OnlineLevel
import vn.gov.haiduong.smarthd.app.state.ProcedureState
import vn.gov.haiduong.smarthd.app.state.ProcedureViewModel

/** A procedure: documents, fees, processing time, level, online level; apply online. */
@Composable
fun ProcedureScreen(code: String, onApply: () -> Unit, onBack: () -> Unit) {
    val holder = rememberHolder(key = "procedure-$code") { app, scope -> ProcedureViewModel(app.client, scope, code) }
    val state by holder.state.collectAsStateWithLifecycle()
    val english = LocalServices.current.english
    when (val s = state) {
        ProcedureState.Loading -> Unit
        is ProcedureState.Failed -> Text(s.message, Modifier.padding(16.dp))
        is ProcedureState.Loaded -> {
            val p = s.procedure
            LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
                item {
                    Row {
                        IconButton(onClick = onBack) { Icon(Icons.Filled.ArrowBack, tr(Str.BACK)) }
                        IconButton(onClick = holder::toggleFavorite) {
                            Icon(
                                if (s.favorite) Icons.Filled.Favorite else Icons.Filled.FavoriteBorder,
                                tr(if (s.favorite) Str.FAVORITE_REMOVE else Str.FAVORITE_ADD),
                            )
                        }
                    }
                    Text(
                        if (english) p.nameEn ?: p.name else p.name,
                        style = MaterialTheme.typography.headlineSmall,
                        modifier = Modifier.semantics { heading() },
                    )
                    Text("${p.code} · ${if (english) p.fieldEn ?: p.field else p.field}", style = MaterialTheme.typography.bodySmall)
                    Section(Str.PROCEDURE_TIME, p.processingTime)
                    Section(
                        Str.PROCEDURE_LEVEL,
                        tr(if (p.level == Level.PROVINCE) Str.LEVEL_PROVINCE else Str.LEVEL_COMMUNE),
                    )
                    Section(
                        Str.PROCEDURE_ONLINE,
                        tr(if (p.onlineLevel == OnlineLevel.FULL) Str.ONLINE_FULL else Str.ONLINE_PARTIAL),
                    )
                    Section(
                        Str.PROCEDURE_FEES,
                        if (p.fees.isEmpty()) tr(Str.FEE_FREE)
                        else p.fees.joinToString("\n") { "%,d đ · %s".format(it.amountVnd, it.description) },
                    )
                    Heading(Str.PROCEDURE_DOCUMENTS)
                }
                items(p.documents) { case ->
                    Text(case.caseName, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                    case.items.forEach { Text("• ${it.name} (${it.originals} + ${it.copies})") }
                }
                item {
                    Button(onClick = onApply, modifier = Modifier.fillMaxWidth().padding(vertical = 16.dp)) {
                        Text(tr(Str.START_DOSSIER))
                    }
                }
            }
        }
    }
}

@Composable
private fun Heading(title: Str) = Text(
    tr(title),
    style = MaterialTheme.typography.titleMedium,
    modifier = Modifier.padding(top = 16.dp).semantics { heading() },
)

@Composable
private fun Section(title: Str, body: String) {
    Heading(title)
    Text(body, style = MaterialTheme.typography.bodyLarge)
}
