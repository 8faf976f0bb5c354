@file:OptIn(ExperimentalLayoutApi::class)

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
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Tab
import androidx.compose.material3.PrimaryScrollableTabRow
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.ReportVerdict
import vn.gov.haiduong.smarthd.app.state.ReportRow
import vn.gov.haiduong.smarthd.app.state.ReportSubmission
import vn.gov.haiduong.smarthd.app.state.ReportsViewModel

/** Field reports: my reports, a new one, and the city's public feed of handled reports. */
@Composable
fun ReportsScreen() {
    val holder = rememberHolder("reports") { app, scope -> ReportsViewModel(app.client, scope, app.connectivity, app.english) }
    var tab by rememberSaveable { mutableIntStateOf(0) }
    Column(Modifier.fillMaxSize()) {
        PrimaryScrollableTabRow(selectedTabIndex = tab, edgePadding = 0.dp) { // whole labels at any text size
            listOf(Str.REPORTS_MINE, Str.REPORT_NEW, Str.REPORTS_FEED).forEachIndexed { i, label ->
                Tab(selected = tab == i, onClick = { tab = i }, text = { Text(tr(label)) })
            }
        }
        when (tab) {
            0 -> MyReports(holder)
            1 -> NewReport(holder, onSent = { tab = 0 })
            else -> PublicFeed(holder)
        }
    }
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun MyReports(holder: ReportsViewModel) {
    val state by holder.state.collectAsStateWithLifecycle()
    PullToRefreshBox(isRefreshing = state.refreshing, onRefresh = holder::refresh, modifier = Modifier.fillMaxSize()) {
        LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) } }
            if (state.mine.isEmpty()) item { Text(tr(Str.REPORTS_EMPTY), Modifier.padding(16.dp)) }
            items(state.mine, key = { it.id }) { row -> ReportCard(row, onRate = { holder.rate(row.id, it) }) }
        }
    }
}

@Composable
private fun ReportCard(row: ReportRow, onRate: (ReportVerdict) -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        Column(Modifier.padding(16.dp)) {
            Text(row.category, style = MaterialTheme.typography.titleMedium)
            Text(row.stateLabel, style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            row.code?.let { Text(tr(Str.REPORT_CODE, it)) }
            Text(row.text, maxLines = 3)
            row.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            row.rejection?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            row.answer?.let { answer ->
                Text(tr(Str.REPORT_ANSWER, row.agency.orEmpty()), style = MaterialTheme.typography.titleSmall)
                Text(answer)
                Text(tr(Str.REPORT_PROOF, row.proofPhotos.size))
            }
            if (row.canRate) {
                Text(tr(Str.REPORT_RATE), style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(top = 8.dp))
                FlowRow {
                    listOf(
                        ReportVerdict.SATISFIED to Str.VERDICT_SATISFIED,
                        ReportVerdict.ACCEPTABLE to Str.VERDICT_ACCEPTABLE,
                        ReportVerdict.NOT_SATISFIED to Str.VERDICT_NOT_SATISFIED,
                    ).forEach { (verdict, label) ->
                        TextButton(onClick = { onRate(verdict) }, modifier = Modifier.heightIn(min = 48.dp)) { Text(tr(label)) }
                    }
                }
            }
        }
    }
}

@Composable
private fun NewReport(holder: ReportsViewModel, onSent: () -> Unit) {
    val draft by holder.draft.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { if (draft.categories.isEmpty()) holder.newReport() }
    LaunchedEffect(draft.submission) { if (draft.submission is ReportSubmission.Sent) onSent() }
    val photos = LocalServices.current.platform.rememberPhotoSources { holder.addPhoto(it) }
    val locate = LocalServices.current.platform.rememberLocate { fix -> fix?.let(holder::onPlace) }

    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        item { Text(tr(Str.REPORT_CATEGORY), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 12.dp)) }
        items(draft.categories, key = { it.code }) { choice ->
            FilterChip(
                selected = draft.category == choice.code,
                onClick = { holder.onCategory(choice.code) },
                label = { Text(choice.name) },
                modifier = Modifier.heightIn(min = 48.dp),
            )
        }
        item {
            // Complaints and denunciations are not field reports: say where they go instead.
            draft.chosen?.goesTo?.let { Text(tr(Str.REPORT_GOES_TO, it), color = MaterialTheme.colorScheme.error) }
            OutlinedTextField(
                value = draft.text,
                onValueChange = holder::onText,
                label = { Text(tr(Str.REPORT_TEXT)) },
                minLines = 3,
                modifier = Modifier.fillMaxWidth().padding(top = 8.dp),
            )
            FlowRow(modifier = Modifier.padding(top = 8.dp)) {
                OutlinedButton(onClick = locate) {
                    Text(tr(Str.REPORT_HERE))
                }
                Text(
                    draft.communeName ?: tr(Str.REPORT_NO_PLACE),
                    modifier = Modifier.padding(start = 12.dp),
                )
            }
            OutlinedTextField(
                value = draft.addressNote,
                onValueChange = holder::onAddressNote,
                label = { Text(tr(Str.REPORT_ADDRESS_NOTE)) },
                modifier = Modifier.fillMaxWidth().padding(top = 8.dp),
            )
            Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.heightIn(min = 48.dp)) {
                Checkbox(checked = draft.urgent, onCheckedChange = holder::onUrgent)
                Text(tr(Str.REPORT_URGENT))
            }
            Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.heightIn(min = 48.dp)) {
                Checkbox(checked = draft.shareIdentity, onCheckedChange = holder::onShareIdentity)
                Text(tr(Str.REPORT_SHARE_IDENTITY))
            }
            Text(tr(Str.REPORT_PHOTOS, draft.photos.size), style = MaterialTheme.typography.titleMedium)
            FlowRow {
                OutlinedButton(onClick = photos.takePhoto, modifier = Modifier.padding(end = 8.dp)) { Text(tr(Str.ATTACH_CAMERA)) }
                OutlinedButton(onClick = photos.pick) { Text(tr(Str.ATTACH_PHOTO)) }
            }
            draft.error?.let {
                Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
            }
            when (val s = draft.submission) {
                ReportSubmission.Editing -> Button(
                    onClick = holder::submit,
                    enabled = draft.canSubmit,
                    modifier = Modifier.fillMaxWidth().padding(vertical = 16.dp),
                ) { Text(tr(Str.REPORT_SEND)) }
                ReportSubmission.Submitting -> Text(tr(Str.SUBMITTING), Modifier.padding(vertical = 16.dp))
                is ReportSubmission.Queued -> Text(tr(Str.REPORT_QUEUED), Modifier.padding(vertical = 16.dp))
                is ReportSubmission.Sent -> Text(tr(Str.REPORT_CODE, s.code), Modifier.padding(vertical = 16.dp))
            }
        }
    }
}

@Composable
private fun PublicFeed(holder: ReportsViewModel) {
    val state by holder.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { holder.loadFeed(near = null) }
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) } }
        if (state.feed.isEmpty()) item { Text(tr(Str.REPORTS_FEED_EMPTY), Modifier.padding(16.dp)) }
        items(state.feed, key = { it.code }) { report ->
            Card(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
                Column(Modifier.padding(16.dp)) {
                    Text(report.categoryName, style = MaterialTheme.typography.titleMedium)
                    report.communeName?.let { Text(it, style = MaterialTheme.typography.labelLarge) }
                    Text(report.text, maxLines = 3)
                    Text(tr(Str.REPORT_ANSWER, report.answer.agency), style = MaterialTheme.typography.titleSmall)
                    Text(report.answer.message)
                    Text(tr(Str.REPORT_PROOF, report.answer.photos.size))
                }
            }
        }
    }
}
