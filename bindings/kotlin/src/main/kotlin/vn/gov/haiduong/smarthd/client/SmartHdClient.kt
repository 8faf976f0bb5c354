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
import vn.gov.haiduong.smarthd.Attachment
import vn.gov.haiduong.smarthd.CancelHandle
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.Dossier
import vn.gov.haiduong.smarthd.DossierSyncReport
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.EventListener
import vn.gov.haiduong.smarthd.FacetCount
import vn.gov.haiduong.smarthd.FieldError
import vn.gov.haiduong.smarthd.FieldProblem
import vn.gov.haiduong.smarthd.Freshness
import vn.gov.haiduong.smarthd.Logger
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.PaymentOrder
import vn.gov.haiduong.smarthd.Procedure
import vn.gov.haiduong.smarthd.Profile
import vn.gov.haiduong.smarthd.PublicStatus
import vn.gov.haiduong.smarthd.Receipt
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SearchPage
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.SessionState
import vn.gov.haiduong.smarthd.Signer
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.Subject
import vn.gov.haiduong.smarthd.SyncReport

/**
 * The core as an Android app (or any Kotlin code) uses it: suspend functions that never block
 * the caller's thread, and the core's events as a [Flow].
 *
 * Reads and local writes (search, procedure, drafts, payments kept on the phone...) run on [io]
 * (SQLite on disk, sub-millisecond but still I/O); network calls ([syncCatalog], the login,
 * [sync], [lookup], [pay]...) are true suspend calls into the core's own runtime. Cancelling the
 * coroutine that awaits [syncCatalog] cancels the sync; cancelling the others stops waiting (the
 * work, durable or idempotent, finishes in the core). Errors are [vn.gov.haiduong.smarthd.SmartHdException]
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
     * What the core reports as it happens: catalog sync progress, session changes, dossier status
     * changes ([Event.DossierStatusChanged]: the shells' local notifications) and payment
     * updates. Hot: collect it before starting the work whose events you want. A slow
     * collector loses the oldest events, never blocks the core.
     */
    val events: Flow<Event> = eventFlow.asSharedFlow()

    companion object {
        /** The redirect URI the core's login uses (register it as the app's deep link). */
        const val LOGIN_REDIRECT_URI = "vn.gov.haiduong.smarthd:/oauth2redirect"

        /** Where the payment gateway sends the browser back to the app (a deep link). */
        const val PAYMENT_RETURN_URL = "vn.gov.haiduong.smarthd:/payment-return"

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

    // --- identity (VNeID) ---

    /**
     * Starts a VNeID login at [level] (1 or 2): the URL to open in a Custom Tab. The browser comes
     * back to [LOGIN_REDIRECT_URI]; give that URL to [completeLogin].
     */
    suspend fun beginLogin(level: UByte, locale: String? = null, prompt: String? = null): String =
        core.beginLogin(level, locale, prompt)

    /** [beginLogin] with an `Int` level (1 or 2). */
    suspend fun beginLogin(level: Int, locale: String? = null, prompt: String? = null): String {
        require(level in 1..2) { "VNeID level is 1 or 2" }
        return beginLogin(level.toUByte(), locale, prompt)
    }

    /** Finishes the login with the URL the browser was redirected to. */
    suspend fun completeLogin(callbackUrl: String): Profile = core.completeLogin(callbackUrl)

    /** Forgets the login in progress (the resident closed the browser). */
    suspend fun cancelLogin() = withContext(io) { core.cancelLogin() }

    suspend fun sessionState(): SessionState = core.sessionState()

    /** Who is logged in, or null. Show `maskCccd(profile.cccd)`, never the whole number. */
    suspend fun whoami(): Profile? = core.whoami()

    /** Logs out; the provider's end-session URL to open in the browser, if any. */
    suspend fun logout(): String? = core.logout()

    // --- dossiers (hồ sơ) ---

    /** A new draft of an in-force procedure (offline). */
    suspend fun newDraft(procedureCode: String, applicant: Subject = Subject.CITIZEN): Dossier =
        withContext(io) { core.newDraft(procedureCode, applicant) }

    /** Stores one field of a draft; what is wrong with the value, or null. */
    suspend fun setField(dossierId: String, key: String, value: String): FieldProblem? =
        withContext(io) { core.setField(dossierId, key, value) }

    suspend fun validateDraft(dossierId: String): List<FieldError> = withContext(io) { core.validateDraft(dossierId) }

    /** Attaches the file at [path] (JPEG, PNG or PDF, at most 10 MiB); the core keeps a sealed copy. */
    suspend fun attach(dossierId: String, path: String): Attachment = withContext(io) { core.attach(dossierId, path) }

    /** Validates and queues the dossier for sending (works offline); [sync] sends it. */
    suspend fun submit(dossierId: String): Dossier = withContext(io) { core.submit(dossierId) }

    suspend fun dossier(dossierId: String): Dossier = withContext(io) { core.dossier(dossierId) }

    suspend fun dossiers(): List<Dossier> = withContext(io) { core.dossiers() }

    suspend fun deleteDraft(dossierId: String) = withContext(io) { core.deleteDraft(dossierId) }

    /** Sends the outbox, refreshes dossier statuses and settles payments; changes arrive on [events]. */
    suspend fun sync(): DossierSyncReport = core.sync()

    /** [sync] when the network comes back: entries waiting out their backoff stay for later. */
    suspend fun syncWhenOnline(): DossierSyncReport = core.syncWhenOnline()

    /** The public status of a dossier code (no login). */
    suspend fun lookup(code: String): PublicStatus = core.lookup(code)

    // --- payments ---

    /**
     * The order paying a received dossier's fees: open `payUrl` in a Custom Tab ([PaymentMethod.GATEWAY])
     * or draw `vietqr` with `vietqrMatrix` ([PaymentMethod.VIETQR]).
     */
    suspend fun pay(dossierId: String, method: PaymentMethod, returnUrl: String = PAYMENT_RETURN_URL): PaymentOrder =
        core.pay(dossierId, method, returnUrl)

    /** The browser came back on [PAYMENT_RETURN_URL]: the order as the portal now sees it. */
    suspend fun handlePaymentReturn(returnUrl: String): PaymentOrder = core.handlePaymentReturn(returnUrl)

    /** Asks the portal for a payment's outcome now. */
    suspend fun refreshPayment(orderId: String): PaymentOrder = core.refreshPayment(orderId)

    suspend fun payments(): List<PaymentOrder> = withContext(io) { core.payments() }

    suspend fun payment(orderId: String): PaymentOrder = withContext(io) { core.payment(orderId) }

    /** Every e-receipt kept on the phone, each verified again offline. */
    suspend fun receipts(): List<Receipt> = withContext(io) { core.receipts() }

    /** Verifies a kept e-receipt offline; a tampered one throws `SmartHdException.Validation`. */
    suspend fun verifyReceipt(receiptId: String): Receipt = withContext(io) { core.verifyReceipt(receiptId) }

    override fun close() = core.close()
}
