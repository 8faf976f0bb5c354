package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.PortalProfile
import vn.gov.haiduong.smarthd.Profile
import vn.gov.haiduong.smarthd.ProfileCard
import vn.gov.haiduong.smarthd.SessionApi
import vn.gov.haiduong.smarthd.SessionState
import vn.gov.haiduong.smarthd.SmartHdException

/** `client.session`: the VNeID login (in a Custom Tab) and who is logged in. */
class SessionClient internal constructor(
    internal val api: SessionApi,
    private val io: CoroutineDispatcher,
    events: Flow<Event>,
    scope: CoroutineScope,
) {
    private val _current = MutableStateFlow<Profile?>(null)

    /**
     * Who is logged in, kept current: a login, a logout, a session the portal ended or that
     * expired. Observe it rather than asking [whoami]. Show `maskCccd(profile.cccd)`, never the
     * whole number.
     */
    val current: StateFlow<Profile?> = _current.asStateFlow()

    init {
        // Subscribed before the constructor returns: no change is missed.
        scope.launch(start = CoroutineStart.UNDISPATCHED) {
            events.filterIsInstance<Event.SessionChanged>().collect {
                // A failed read keeps the last known state: an exception here would end the
                // collection (and, uncaught on Android, the app).
                try {
                    refresh()
                } catch (failure: SmartHdException) {
                    // the next SessionChanged, or a call, reads it again
                }
            }
        }
    }

    internal suspend fun refresh() {
        _current.value = api.whoami()
    }

    /**
     * Starts a VNeID login at [level] (1 or 2): the URL to open in a Custom Tab. The browser comes
     * back to [SmartHdClient.LOGIN_REDIRECT_URI]; give that URL to [completeLogin].
     */
    suspend fun beginLogin(level: UByte, locale: String? = null, prompt: String? = null): String =
        api.beginLogin(level, locale, prompt)

    /**
     * [beginLogin] with an `Int` level (1 or 2). Any other is the core's to refuse, as
     * `SmartHdException.Validation` on `level` (one outside a byte is sent as 255, never wrapped
     * round to a level VNeID has).
     */
    suspend fun beginLogin(level: Int, locale: String? = null, prompt: String? = null): String =
        beginLogin(if (level in 0..255) level.toUByte() else UByte.MAX_VALUE, locale, prompt)

    /** Finishes the login with the URL the browser was redirected to. */
    suspend fun completeLogin(callbackUrl: String): Profile = api.completeLogin(callbackUrl).also { _current.value = it }

    /** Forgets the login in progress (the resident closed the browser). */
    suspend fun cancelLogin() = withContext(io) { api.cancelLogin() }

    suspend fun state(): SessionState = api.state()

    /** Who is logged in, or null. Show `maskCccd(profile.cccd)`, never the whole number. */
    suspend fun whoami(): Profile? = api.whoami()

    /** The resident's profile as the portal knows it now (birth date, address, phone...). */
    suspend fun profile(): PortalProfile = api.profile()

    /**
     * The resident's personal papers as VNeID lists them now (level 2, else
     * `SmartHdException.NeedsLevel2`); `client.documents.list()` is the copy kept offline.
     */
    suspend fun documents(): List<ProfileCard> = api.documents()

    /**
     * Logs out; the provider's end-session URL to open in the browser, if any. The resident's
     * dossiers, payments and receipts stay on the phone, sealed and theirs (back at their next
     * login), unless [wipeLocalData] deletes them. A wipe that would lose what the portal has
     * not received yet ([unsent]) throws `SmartHdException.Conflict`, still logged in, unless
     * [discardUnsent] says to delete that too.
     */
    suspend fun logout(wipeLocalData: Boolean = false, discardUnsent: Boolean = false): String? =
        api.logout(wipeLocalData, discardUnsent).also { _current.value = null }

    /** How many things the resident asked for that the portal has not received yet: what a wipe would lose. */
    suspend fun unsent(): Int = withContext(io) { api.unsent().toInt() }
}
