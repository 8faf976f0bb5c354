package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import vn.gov.haiduong.smarthd.DossierSyncReport
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** What the offline banner and the pull-to-refresh indicator show. */
data class ConnectivityState(
    /** The platform says there is a network (ConnectivityManager, NWPathMonitor). */
    val networkAvailable: Boolean = true,
    /** The last call to the portal got through. */
    val portalReachable: Boolean = true,
    val syncing: Boolean = false,
    /**
     * Syncs finished since the start: what a sync may change is read again when it moves (a sync
     * within one frame never shows [syncing]).
     */
    val syncsFinished: Int = 0,
    /** Dossiers still waiting in the outbox after the last sync. */
    val pending: UInt = 0u,
    /** The last sync found the session gone: dossiers wait for a login. */
    val needsLogin: Boolean = false,
) {
    /** Show the banner "Đang ngoại tuyến: hồ sơ sẽ được gửi khi có mạng". */
    val offline: Boolean get() = !networkAvailable || !portalReachable
}

/**
 * The app-wide sync and the offline banner. The platform reports the network with
 * [onNetworkChanged]; [refresh] (start, pull to refresh, after a submit, periodic work) brings the
 * catalog and the dossiers up to date. Other state holders report what they learn about the
 * portal with [reportFailure] and [reportReached].
 */
class Connectivity(private val client: SmartHdClient, private val scope: CoroutineScope) {
    private val _state = MutableStateFlow(ConnectivityState())
    val state: StateFlow<ConnectivityState> = _state.asStateFlow()
    private val syncs = Mutex() // one sync at a time; callers queue behind it

    /** The platform's hint: when the network comes back, send what waits (backoff respected). */
    fun onNetworkChanged(available: Boolean) {
        val wasAvailable = _state.value.networkAvailable
        _state.update { it.copy(networkAvailable = available) }
        if (available && !wasAvailable) scope.launch { sendWhatWaits() }
    }

    /**
     * The core leaves dossiers still waiting out their backoff (a failure moments before the
     * network came back) for later: nothing else would wake the app before the periodic work, so
     * it tries again, less and less often, while some wait and the portal answers.
     */
    private suspend fun sendWhatWaits() {
        var wait = FIRST_RETRY_MS
        while (true) {
            val report = sync(whenOnline = true) ?: return
            if (report.outbox.pending == 0u || !_state.value.networkAvailable) return
            delay(wait)
            wait = (wait * 2).coerceAtMost(LAST_RETRY_MS)
        }
    }

    /**
     * Pull to refresh: the catalog (a 304 when current), then the outbox and statuses, now; null
     * when some of it could not be done (the banner tells why).
     */
    suspend fun refresh(): DossierSyncReport? = sync(whenOnline = false)

    private suspend fun sync(whenOnline: Boolean): DossierSyncReport? = syncs.withLock {
        _state.update { it.copy(syncing = true) }
        try {
            // The catalog failing (no network, its endpoint down) must not keep dossiers waiting:
            // the outbox is tried anyway, and a queued dossier learns why it waits.
            val catalogFailure = try {
                client.sync.catalog()
                null
            } catch (e: SmartHdException) {
                e
            }
            val report = if (whenOnline) client.sync.whenOnline() else client.sync.now()
            _state.update {
                it.copy(portalReachable = true, pending = report.outbox.pending, needsLogin = report.outbox.needsLogin)
            }
            catalogFailure?.let(::reportFailure)
            report.takeIf { catalogFailure == null }
        } catch (e: SmartHdException) {
            reportFailure(e)
            null
        } finally {
            _state.update { it.copy(syncing = false, syncsFinished = it.syncsFinished + 1) }
        }
    }

    fun reportFailure(e: SmartHdException) {
        if (e.isOffline) _state.update { it.copy(portalReachable = false) }
    }

    fun reportReached() = _state.update { it.copy(portalReachable = true) }

    /**
     * Runs [call] to the portal and tells the banner how it went (reached, or offline); answers
     * the error's text for the screen, or null when it succeeded.
     */
    suspend fun attempt(call: suspend () -> Unit): String? = try {
        call()
        reportReached()
        null
    } catch (e: SmartHdException) {
        reportFailure(e)
        e.userMessage
    }

    private companion object {
        const val FIRST_RETRY_MS = 2_000L
        const val LAST_RETRY_MS = 120_000L
    }
}
