package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.DocumentsApi
import vn.gov.haiduong.smarthd.MyDocument

/** `client.documents`: My documents (results, e-receipts, personal papers), offline. */
class DocumentsClient internal constructor(internal val api: DocumentsApi, private val io: CoroutineDispatcher) {
    /** Everything the resident holds, newest first, filtered by [query] (with or without tone marks). */
    suspend fun list(query: String = ""): List<MyDocument> = withContext(io) { api.list(query) }

    /** Writes document [id] to [path]. */
    suspend fun export(id: String, path: String): MyDocument = withContext(io) { api.export(id, path) }
}
