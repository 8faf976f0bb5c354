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
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.Channel
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.OnlineLevel
import vn.gov.haiduong.smarthd.Procedure
import vn.gov.haiduong.smarthd.ProcedureStatus
import vn.gov.haiduong.smarthd.Subject
import vn.gov.haiduong.smarthd.app.state.ProcedureState
import vn.gov.haiduong.smarthd.app.state.ProcedureViewModel
import vn.gov.haiduong.smarthd.app.state.localTime

/**
 * A procedure as the national database publishes it: whether it is in force (or what replaced
 * it), who may apply, the steps, requirements, documents, fees, processing time, the agencies and
 * the legal basis; apply online, or book a visit to the counter. Opening it notes it as
 * recently viewed (the core does, on reading it).
 */
@Composable
fun ProcedureScreen(
    code: String,
    onApply: () -> Unit,
    onBook: () -> Unit,
    onOpenProcedure: (String) -> Unit,
    onBack: () -> Unit,
) {
    val holder = rememberHolder(key = "procedure-$code") { app, scope -> ProcedureViewModel(app.client, scope, code) }
    val state by holder.state.collectAsStateWithLifecycle()
    val english = LocalServices.current.english
    val language = LocalLanguage.current // for the texts joined into one
    when (val s = state) {
        ProcedureState.Loading -> Unit
        is ProcedureState.Failed -> Text(s.message, Modifier.padding(16.dp))
        is ProcedureState.Loaded -> {
            val p = s.procedure
            val inForce = p.status == ProcedureStatus.IN_FORCE
            LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
                item {
                    Row {
                        IconButton(onClick = onBack, modifier = TouchSize) { Icon(Icons.Filled.ArrowBack, tr(Str.BACK)) }
                        IconButton(onClick = holder::toggleFavorite, modifier = TouchSize) {
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
                    Text("${p.code} · ${if (english) p.fieldEn ?: p.field else p.field}", style = MaterialTheme.typography.bodyMedium)
                    Status(p, onOpenProcedure)
                    Section(Str.PROCEDURE_SUBJECTS, p.subjects.joinToString(", ") { subjectLabel(it).text(language) })
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
                        Str.PROCEDURE_AGENCIES,
                        tr(Str.PROCEDURE_PROCESSING_AGENCY, p.processingAgency) + "\n" + tr(Str.PROCEDURE_DECIDING_AGENCY, p.decidingAgency),
                    )
                    Section(
                        Str.PROCEDURE_FEES,
                        if (p.fees.isEmpty()) tr(Str.FEE_FREE)
                        else p.fees.joinToString("\n") {
                            "%,d đ · %s (%s)".format(it.amountVnd, it.description, (if (it.channel == Channel.ONLINE) Str.FEE_ONLINE else Str.FEE_PAPER).text(language))
                        },
                    )
                    Listed(Str.PROCEDURE_STEPS, p.steps, numbered = true)
                    Listed(Str.PROCEDURE_CONDITIONS, p.conditions)
                    Heading(Str.PROCEDURE_DOCUMENTS)
                }
                items(p.documents) { case ->
                    Text(case.caseName, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                    case.items.forEach { item ->
                        Text("• ${item.name}")
                        Text(
                            "   " + tr(Str.DOCUMENT_COPIES, item.originals.toInt(), item.copies.toInt()) +
                                (item.form?.let { "\n   " + tr(Str.DOCUMENT_FORM, "${it.code} ${it.name}") } ?: ""),
                            style = MaterialTheme.typography.bodyMedium,
                        )
                    }
                }
                item {
                    Listed(Str.PROCEDURE_LEGAL_BASIS, p.legalBasis)
                    Text(tr(Str.PROCEDURE_UPDATED, localTime(p.updatedAt)), style = MaterialTheme.typography.bodyMedium, modifier = Modifier.padding(top = 16.dp))
                    // A procedure no longer in force takes no new dossiers; the app applies as a
                    // citizen, so only for a procedure that takes citizens.
                    if (inForce) {
                        if (Subject.CITIZEN in p.subjects) {
                            Button(onClick = onApply, modifier = Modifier.fillMaxWidth().padding(top = 16.dp).then(TouchSize)) { Text(tr(Str.START_DOSSIER)) }
                        }
                        OutlinedButton(onClick = onBook, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp).then(TouchSize)) { Text(tr(Str.BOOK_APPOINTMENT)) }
                    }
                }
            }
        }
    }
}

/** In force, expired, or replaced (with a way to the procedure that replaced it). */
@Composable
private fun Status(p: Procedure, onOpenProcedure: (String) -> Unit) {
    val text = when (p.status) {
        ProcedureStatus.IN_FORCE -> tr(Str.STATUS_IN_FORCE)
        ProcedureStatus.EXPIRED -> tr(Str.STATUS_EXPIRED)
        ProcedureStatus.REPLACED -> p.replacedBy?.let { tr(Str.STATUS_REPLACED, it) } ?: tr(Str.STATUS_REPLACED_UNKNOWN)
    }
    Heading(Str.PROCEDURE_STATUS)
    Text(
        text,
        style = MaterialTheme.typography.bodyLarge,
        color = if (p.status == ProcedureStatus.IN_FORCE) MaterialTheme.colorScheme.onSurface else MaterialTheme.colorScheme.error,
    )
    p.replacedBy?.takeIf { p.status == ProcedureStatus.REPLACED }?.let { replacement ->
        OutlinedButton(onClick = { onOpenProcedure(replacement) }, modifier = Modifier.padding(top = 4.dp).then(TouchSize)) {
            Text(tr(Str.PROCEDURE_OPEN_REPLACEMENT))
        }
    }
}

private fun subjectLabel(subject: Subject) = when (subject) {
    Subject.CITIZEN -> Str.SUBJECT_CITIZEN
    Subject.ORGANIZATION -> Str.SUBJECT_ORGANIZATION
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

/** A heading and its lines, numbered (steps) or bulleted; nothing when the record has none. */
@Composable
private fun Listed(title: Str, lines: List<String>, numbered: Boolean = false) {
    if (lines.isEmpty()) return
    Heading(title)
    lines.forEachIndexed { i, line ->
        Text(if (numbered) "${i + 1}. $line" else "• $line", style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(top = 4.dp))
    }
}
