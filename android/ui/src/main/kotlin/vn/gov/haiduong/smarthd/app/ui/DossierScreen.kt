@file:OptIn(ExperimentalLayoutApi::class)

package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.RatingVerdict
import vn.gov.haiduong.smarthd.ResultPayload
import vn.gov.haiduong.smarthd.app.state.DossierDetail
import vn.gov.haiduong.smarthd.app.state.DossierViewModel
import vn.gov.haiduong.smarthd.app.state.SupplementRound
import vn.gov.haiduong.smarthd.app.state.localTime

/**
 * One dossier to its end: status and timeline, the officer's request for more documents (attach
 * each, then send), the result (opened and checked), and the rating.
 */
@Composable
fun DossierScreen(dossierId: String, onPay: () -> Unit, onBack: () -> Unit) {
    val holder = rememberHolder("dossier-$dossierId") { app, scope ->
        DossierViewModel(app.client, scope, app.connectivity, dossierId, app.english)
    }
    val state by holder.state.collectAsStateWithLifecycle()
    val detail = state.detail
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        item { TextButton(onClick = onBack) { Text(tr(Str.BACK)) } }
        if (detail == null) {
            item { CircularProgressIndicator(Modifier.padding(16.dp)) }
            return@LazyColumn
        }
        item {
            Column {
                Text(detail.procedureName, style = MaterialTheme.typography.titleLarge)
                Text(detail.statusLabel, style = MaterialTheme.typography.titleMedium, color = MaterialTheme.colorScheme.primary)
                detail.code?.let { Text(tr(Str.DOSSIER_CODE, it)) }
                detail.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            }
        }
        detail.supplement?.let { round ->
            item { Supplement(round, busy = state.busy, onAttach = holder::attach, onSend = holder::sendSupplement) }
        }
        detail.resultName?.let { name -> item { Result(name, state.result, busy = state.busy, onOpen = holder::openResult) } }
        item { Rating(detail, onRate = holder::rate) }
        item {
            FlowRow {
                if (detail.payable) Button(onClick = onPay, Modifier.padding(top = 8.dp, end = 8.dp)) { Text(tr(Str.PAY)) }
                OutlinedButton(onClick = holder::refresh, enabled = !state.busy, modifier = Modifier.padding(top = 8.dp)) {
                    Text(tr(Str.REFRESH))
                }
            }
        }
        if (detail.timeline.isNotEmpty()) {
            item { Text(tr(Str.TIMELINE), style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 16.dp)) }
            items(detail.timeline.asReversed()) { step ->
                Text("• ${step.label} — ${localTime(step.at)}" + (step.message?.let { "\n   $it" } ?: ""))
            }
        }
    }
}

@Composable
private fun Supplement(round: SupplementRound, busy: Boolean, onAttach: (String, String) -> Unit, onSend: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(tr(Str.SUPPLEMENT_TITLE, round.round.toInt()), style = MaterialTheme.typography.titleMedium)
            Text(round.message)
            Text(tr(Str.SUPPLEMENT_DEADLINE, round.deadline), style = MaterialTheme.typography.labelLarge)
            round.documents.forEach { document -> key(document.name) {
                if (document.attached) {
                    Text("✓ " + tr(Str.SUPPLEMENT_ATTACHED, document.name), Modifier.padding(vertical = 12.dp))
                } else {
                    val pick = LocalServices.current.platform.rememberDocumentPicker { path -> onAttach(document.name, path) }
                    OutlinedButton(onClick = pick, enabled = !busy && !round.queued, modifier = Modifier.padding(top = 4.dp)) {
                        Text(tr(Str.SUPPLEMENT_ATTACH, document.name))
                    }
                }
            } }
            if (round.queued) {
                Text(tr(Str.SUPPLEMENT_QUEUED), Modifier.padding(top = 8.dp))
            } else {
                Button(onClick = onSend, enabled = round.canSend && !busy, modifier = Modifier.padding(top = 8.dp)) {
                    Text(tr(Str.SUPPLEMENT_SEND))
                }
            }
        }
    }
}

@Composable
private fun Result(name: String, opened: ResultPayload?, busy: Boolean, onOpen: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(tr(Str.RESULT_READY, name), style = MaterialTheme.typography.titleMedium)
            if (opened == null) {
                Button(onClick = onOpen, enabled = !busy, modifier = Modifier.padding(top = 8.dp)) { Text(tr(Str.RESULT_OPEN)) }
            } else {
                Text("✓ " + tr(Str.RESULT_VERIFIED, opened.issuer, localTime(opened.issuedAt)))
                Text("SHA-256 ${opened.sha256.take(16)}…", style = MaterialTheme.typography.bodySmall,
                    modifier = Modifier.semantics { contentDescription = "SHA-256 ${opened.sha256}" })
            }
        }
    }
}

@Composable
private fun Rating(detail: DossierDetail, onRate: (RatingVerdict) -> Unit) {
    val verdicts = listOf(
        RatingVerdict.VERY_SATISFIED to Str.VERDICT_VERY_SATISFIED,
        RatingVerdict.SATISFIED to Str.VERDICT_SATISFIED,
        RatingVerdict.NOT_SATISFIED to Str.VERDICT_NOT_SATISFIED,
    )
    when {
        detail.rating != null -> Text(tr(Str.RATED, tr(verdicts.first { it.first == detail.rating }.second)))
        detail.ratingQueued -> Text(tr(Str.RATING_QUEUED))
        detail.canRate -> {
            Text(tr(Str.RATE_TITLE), style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
            FlowRow {
                verdicts.forEach { (verdict, label) ->
                    OutlinedButton(onClick = { onRate(verdict) }, Modifier.padding(end = 8.dp)) { Text(tr(label)) }
                }
            }
        }
    }
}
