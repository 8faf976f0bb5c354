package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.AdminUnits
import vn.gov.haiduong.smarthd.CancelHandle
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.EventListener
import vn.gov.haiduong.smarthd.FacetCount
import vn.gov.haiduong.smarthd.Freshness
import vn.gov.haiduong.smarthd.Logger
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.Procedure
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SearchPage
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.Signer
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.SyncReport

/**
 * The core as an Android app (or any Kotlin code) uses it: suspend functions that never block
 * the caller's thread, and the core's events as a [Flow].
 *
 * Reads (search, procedure, ...) run on [io] (SQLite on disk, sub-millisecond but still I/O);
 * [syncCatalog] is a true suspend call into the core's own runtime. Cancelling the coroutine that
 * awaits [syncCatalog] cancels the sync. Errors are [vn.gov.haiduong.smarthd.SmartHdException]
 * subclasses: `Offline`, `Network`, `NeedsLogin`, `NeedsLevel2`, `Validation(field, reason)`,
 * `Conflict`, `NotFound`, `Storage`, `Cancelled`, `Other`.
 *
 * One per process; [close] releases the native object (also done by the GC's cleaner).
 */
class SmartHdClient private constructor(
    /** The generated object, for calls this layer does not wrap. */
    val core: SmartHd,
    private val eventFlow: MutableSharedFlow<Event>,
    private val io: CoroutineDispatcher,
) : AutoCloseable {

    /**
     * What the core reports as it happens (sync progress now; session, dossier and payment
     * events later). Hot: collect it before starting the work whose events you want. A slow
     * collector loses the oldest events, never blocks the core.
     */
    val events: Flow<Event> = eventFlow.asSharedFlow()

    companion object {
        /**
         * Opens the core on [config] (no network call). [storage] is Keystore-backed storage,
         * [signer] an optional StrongBox key for DPoP, [logger] receives the core's log lines.
         */
        fun open(
            config: CoreConfig,
            storage: SecureStorage,
            logger: Logger? = null,
            signer: Signer? = null,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): SmartHdClient {
            val flow = MutableSharedFlow<Event>(extraBufferCapacity = 256, onBufferOverflow = BufferOverflow.DROP_OLDEST)
            val listener = object : EventListener {
                override fun onEvent(event: Event) {
                    flow.tryEmit(event) // never blocks a core thread
                }
            }
            return SmartHdClient(SmartHd.open(config, storage, listener, logger, signer), flow, io)
        }
    }

    /** Brings the offline catalog up to date; progress arrives on [events]. */
    suspend fun syncCatalog(): SyncReport {
        val handle = CancelHandle()
        try {
            return core.syncCatalog(handle)
        } catch (e: CancellationException) {
            handle.cancel() // the coroutine was cancelled: stop the work at its next step
            throw e
        } finally {
            handle.close()
        }
    }

    suspend fun search(
        query: String,
        filters: SearchFilters = SearchFilters(),
        page: PageRequest = PageRequest(),
    ): SearchPage = withContext(io) { core.search(query, filters, page) }

    suspend fun procedure(code: String): Procedure = withContext(io) { core.procedure(code) }

    suspend fun fields(): List<FacetCount> = withContext(io) { core.fields() }

    suspend fun agencies(): List<FacetCount> = withContext(io) { core.agencies() }

    suspend fun units(): AdminUnits = withContext(io) { core.units() }

    suspend fun freshness(): Freshness = withContext(io) { core.freshness() }

    suspend fun addFavorite(code: String) = withContext(io) { core.addFavorite(code) }

    suspend fun removeFavorite(code: String) = withContext(io) { core.removeFavorite(code) }

    suspend fun favorites(): List<SearchHit> = withContext(io) { core.favorites() }

    suspend fun recentlyViewed(limit: UInt = 20u): List<SearchHit> = withContext(io) { core.recentlyViewed(limit) }

    override fun close() = core.close()
}
