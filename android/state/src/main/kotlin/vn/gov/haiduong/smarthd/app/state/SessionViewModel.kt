package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.Profile
import vn.gov.haiduong.smarthd.SessionState
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.maskCccd

/** The login screen and the profile screen. */
sealed interface LoginState {
    /** [endSessionUrl]: after a logout, the provider's end-session page to open once. */
    data class LoggedOut(val endSessionUrl: String? = null, val expired: Boolean = false) : LoginState
    data object Starting : LoginState
    /** Open [url] in an ephemeral browser (Custom Tab / ASWebAuthenticationSession). */
    data class OpenBrowser(val url: String, val level: Int) : LoginState
    data object Completing : LoginState
    data class LoggedIn(val name: String, val maskedCccd: String, val level: Int) : LoginState
    data class Failed(val message: String) : LoginState
}

/**
 * VNeID login through the system browser, the resident's profile and logout. The shell opens
 * [LoginState.OpenBrowser.url] and hands the redirect to [SmartHdClient.LOGIN_REDIRECT_URI] to
 * [onRedirect]
 * (or calls [onBrowserClosed] when the resident closes the browser).
 */
class SessionViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val english: Boolean = false,
) {
    private val _state = MutableStateFlow<LoginState>(LoginState.LoggedOut())
    val state: StateFlow<LoginState> = _state.asStateFlow()

    init {
        scope.launch {
            runCatching { client.session.whoami() }.getOrNull()?.let { _state.value = it.toState() }
        }
        scope.launch {
            client.events.filterIsInstance<Event.SessionChanged>().collect { event ->
                if (event.state is SessionState.Expired && _state.value is LoginState.LoggedIn) {
                    _state.value = LoginState.LoggedOut(expired = true)
                }
            }
        }
    }

    /**
     * Starts a login at VNeID [level] (2 for fees and personal documents). [sharedBrowser]: the
     * login page opens in a browser that keeps its cookies (no ephemeral Custom Tab on this
     * phone); VNeID is then asked to prompt for the credentials every time (OIDC `prompt=login`),
     * so a shared phone never logs the next resident in silently as the last one.
     */
    fun login(level: Int = 2, sharedBrowser: Boolean = false) {
        _state.value = LoginState.Starting
        val cancelled = cancelling
        scope.launch {
            cancelled?.join() // a closed browser's login is cancelled first, never the new one
            _state.value = try {
                val prompt = if (sharedBrowser) "login" else null
                LoginState.OpenBrowser(client.session.beginLogin(level, if (english) "en" else "vi", prompt), level)
            } catch (e: SmartHdException) {
                LoginState.Failed(e.loginMessage)
            }
        }
    }

    /** The browser came back to [SmartHdClient.LOGIN_REDIRECT_URI] with [callbackUrl]. */
    fun onRedirect(callbackUrl: String) {
        _state.value = LoginState.Completing
        scope.launch {
            _state.value = try {
                client.session.completeLogin(callbackUrl).toState()
            } catch (e: SmartHdException) {
                LoginState.Failed(e.loginMessage)
            }
        }
    }

    /** The resident closed the browser without logging in. */
    /** The cancel of the login whose browser was closed, while it runs. */
    private var cancelling: Job? = null

    fun onBrowserClosed() {
        if (_state.value !is LoginState.OpenBrowser) return
        _state.value = LoginState.LoggedOut()
        cancelling = scope.launch { runCatching { client.session.cancelLogin() } }
    }

    fun logout() {
        scope.launch {
            _state.value = try {
                LoginState.LoggedOut(endSessionUrl = client.session.logout())
            } catch (e: SmartHdException) {
                LoginState.Failed(e.userMessage)
            }
        }
    }

    private fun Profile.toState() = LoginState.LoggedIn(name, maskCccd(cccd), level.toInt())
}
