package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Commune
import vn.gov.haiduong.smarthd.FeedQuery
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.PublicReport
import vn.gov.haiduong.smarthd.Report
import vn.gov.haiduong.smarthd.ReportCategory
import vn.gov.haiduong.smarthd.ReportDraft
import vn.gov.haiduong.smarthd.ReportSyncReport
import vn.gov.haiduong.smarthd.ReportVerdict
import vn.gov.haiduong.smarthd.ReportsApi

/**
 * `client.reports`: field reports (phản ánh hiện trường) drafted offline with photos and the
 * place, sent by sync, followed to the answer and rated once; the city's public feed.
 */
class ReportsClient internal constructor(internal val api: ReportsApi, private val io: CoroutineDispatcher) {
    /** The published categories, offline (empty before the first [refreshPublished]). */
    suspend fun categories(): List<ReportCategory> = withContext(io) { api.categories() }

    /** The commune or ward a point falls in, offline. */
    suspend fun communeAt(location: GeoPoint): Commune? = withContext(io) { api.communeAt(location) }

    /** Fetches the categories and commune boundaries (no login). */
    suspend fun refreshPublished() = api.refreshPublished()

    suspend fun create(draft: ReportDraft): Report = withContext(io) { api.create(draft) }

    suspend fun update(reportId: String, draft: ReportDraft): Report = withContext(io) { api.update(reportId, draft) }

    /** Adds a photo from a file (the camera's or the picker's copy): normalised, metadata removed. */
    suspend fun addPhoto(reportId: String, path: String): Report = withContext(io) { api.addPhoto(reportId, path) }

    suspend fun removePhoto(reportId: String, sha256: String): Report =
        withContext(io) { api.removePhoto(reportId, sha256) }

    /** A photo of one of the resident's reports, as JPEG bytes without metadata. */
    suspend fun photo(reportId: String, sha256: String): ByteArray = withContext(io) { api.photo(reportId, sha256) }

    /** Queues the report durably; sync sends it. */
    suspend fun submit(reportId: String): Report = withContext(io) { api.submit(reportId) }

    /** The verdict on the answer, once. */
    suspend fun rate(reportId: String, verdict: ReportVerdict): Report = withContext(io) { api.rate(reportId, verdict) }

    suspend fun get(reportId: String): Report = withContext(io) { api.get(reportId) }

    /** The resident's reports, newest first. */
    suspend fun list(): List<Report> = withContext(io) { api.list() }

    suspend fun deleteDraft(reportId: String) = withContext(io) { api.deleteDraft(reportId) }

    /** Sends queued reports and ratings, fetches the reports' progress. */
    suspend fun sync(): ReportSyncReport = api.sync()

    /** Handled reports the city publishes (no login): never who reported. */
    suspend fun feed(query: FeedQuery = FeedQuery(null, null, null, null)): List<PublicReport> = api.feed(query)
}
