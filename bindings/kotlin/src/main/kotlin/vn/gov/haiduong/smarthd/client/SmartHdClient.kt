package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.EventListener
import vn.gov.haiduong.smarthd.Logger
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.Signer
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.SmartHdException

/**
 * The core as an Android app (or any Kotlin code) uses it: one object per capability
 * ([catalog], [session], [dossiers], [payments], [appointments], [documents], [reports], [inbox], [sync]) with suspend functions that never block
 * the caller's thread, and the core's events as a [Flow].
 *
 * Reads and local writes (search, procedure, drafts, payments kept on the phone...) run on the
 * `io` dispatcher (SQLite on disk, sub-millisecond but still I/O); network calls (syncs, the
 * login, lookup, pay...) are true suspend calls into the core's own runtime. Cancelling the
 * coroutine that awaits any of them stops the work in the core at its next step, leaving what it
 * committed (a catalog page, a dossier sent) and nothing half-written. Errors are
 * [vn.gov.haiduong.smarthd.SmartHdException] subclasses: `Offline`, `Network`, `NeedsLogin`,
 * `NeedsLevel2`, `Validation(field, reason)`, `Conflict`, `NotFound`, `Storage`,
 * `UserDataUnreadable`, `UpdateNeeded`, `Cancelled`, `Other`.
 *
 * One per process; [close] releases the native objects (also done by the GC's cleaner).
 */
class SmartHdClient private constructor(
    /** The generated object, for calls this layer does not wrap. */
    val core: SmartHd,
    private val eventFlow: MutableSharedFlow<Event>,
    io: CoroutineDispatcher,
    /**
     * True when this open found data the phone's key can no longer read (the Keystore key was
     * invalidated, or the data was restored onto another phone) and kept it aside, sealed, never
     * dropped: tell the resident to log in again. Their dossiers the portal holds come back with
     * the login; unsent ones are to be filled in again.
     */
    val keptAsideUnreadableData: Boolean,
) : AutoCloseable {
    /** The client's own work (keeping [session]'s state current); ended by [close]. */
    private val scope = CoroutineScope(SupervisorJob() + io)

    /**
     * What the core reports as it happens: catalog sync progress, session changes, dossier status
     * changes ([Event.DossierStatusChanged]: the shells' local notifications) and payment
     * updates. Hot: collect it before starting the work whose events you want. A slow
     * collector loses the oldest events, never blocks the core.
     */
    val events: SharedFlow<Event> = eventFlow.asSharedFlow()

    /** The offline procedures: search, records, facets, favourites. */
    val catalog = CatalogClient(core.catalog(), io)

    /** The VNeID login and who is logged in ([SessionClient.current], a `StateFlow`). */
    val session = SessionClient(core.session(), io, events, scope)

    /** Drafts, submitting, and the public lookup; [DossiersClient.observe] as a `Flow`. */
    val dossiers = DossiersClient(core.dossiers(), io, events)

    /** Fees and e-receipts. */
    val payments = PaymentsClient(core.payments(), io)

    /** A place at the commune's one-stop counter, and its ticket. */
    val appointments = AppointmentsClient(core.appointments(), io)

    /** My documents: results, e-receipts and personal papers, offline. */
    val documents = DocumentsClient(core.documents(), io)

    /** Field reports: drafts with photos and the place, progress, rating, the public feed. */
    val reports = ReportsClient(core.reports(), io)

    /** The inbox: the city's alerts and the app's own notices, and the push token. */
    val inbox = InboxClient(core.inbox(), io)

    /** The catalog feed and the outbox. */
    val sync = SyncClient(core.sync())

    companion object {
        /** The redirect URI the core's login uses (register it as the app's deep link). */
        const val LOGIN_REDIRECT_URI = "vn.gov.haiduong.smarthd:/oauth2redirect"

        /** Where the payment gateway sends the browser back to the app (a deep link). */
        const val PAYMENT_RETURN_URL = "vn.gov.haiduong.smarthd:/payment-return"

        /**
         * Opens the core on [config] (no network call), on [io]: opening reads the databases and
         * the keys, so it never runs on the caller's (main) thread. [storage] is Keystore-backed
         * storage, [signer] an optional StrongBox key for DPoP, [logger] receives the core's log
         * lines. Data the key in [storage] cannot read is kept aside and the client opens logged
         * out: see [keptAsideUnreadableData].
         */
        suspend fun open(
            config: CoreConfig,
            storage: SecureStorage,
            logger: Logger? = null,
            signer: Signer? = null,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): SmartHdClient = withContext(io) {
            val flow = MutableSharedFlow<Event>(extraBufferCapacity = 256, onBufferOverflow = BufferOverflow.DROP_OLDEST)
            val listener = object : EventListener {
                override fun onEvent(event: Event) {
                    flow.tryEmit(event) // never blocks a core thread
                }
            }
            val client = SmartHdClient(SmartHd.open(config, storage, listener, logger, signer), flow, io, false)
            try {
                client.also { it.session.refresh() }
            } catch (unreadable: SmartHdException.UserDataUnreadable) {
                // The only way on, and it loses nothing: reopened to recover, the core keeps
                // aside what the key cannot open (still sealed) and the resident logs in again.
                client.close()
                val recovered = SmartHdClient(SmartHd.openRecovering(config, storage, listener, logger, signer), flow, io, true)
                recovered.closedOnFailure { it.session.refresh() }
            } catch (failure: Throwable) {
                // Not opened: the native core goes now, not at the next collection (a retry
                // would open another).
                client.close()
                throw failure
            }
        }
    }

    /** Runs [block] on this client; closes it if that throws. */
    private suspend fun closedOnFailure(block: suspend (SmartHdClient) -> Unit): SmartHdClient =
        try {
            block(this)
            this
        } catch (failure: Throwable) {
            close()
            throw failure
        }

    override fun close() {
        scope.cancel()
        catalog.close()
        session.api.close()
        dossiers.api.close()
        payments.api.close()
        appointments.api.close()
        documents.api.close()
        inbox.api.close()
        reports.api.close()
        sync.api.close()
        core.close()
    }
}
