package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** The pages the app opens in the browser and waits to come back from through its links. */
enum class BrowserPage(private val returnLink: String) {
    /** The VNeID login: back through [SmartHdClient.LOGIN_REDIRECT_URI]. */
    LOGIN(SmartHdClient.LOGIN_REDIRECT_URI),

    /** The payment gateway: back through [SmartHdClient.PAYMENT_RETURN_URL]. */
    GATEWAY(SmartHdClient.PAYMENT_RETURN_URL),
    ;

    fun isReturn(link: String) = link.startsWith(returnLink)
}

/**
 * Tells when the resident closed the browser (a Custom Tab's close button, Back) instead of
 * finishing the login or the payment. A Custom Tab says nothing when it is closed: the app only
 * sees its activity come back to the foreground. So: the page was opened, the app left the
 * foreground, and it comes back without that page's return link (which Android delivers before
 * the activity resumes: onNewIntent, then onResume) → the page was closed, and [closed] says which,
 * once. The login is then cancelled and the payment screen offers to reopen the gateway; without
 * this they waited for ever.
 *
 * Plain Kotlin, driven by the activity's lifecycle; kept for the whole process (the activity may be
 * recreated while the browser is on top).
 */
class BrowserReturns {
    private var waitingFor: BrowserPage? = null
    private var leftTheApp = false
    private val closures = Channel<BrowserPage>(Channel.BUFFERED)

    /** Each page closed without its return link, once (buffered until someone collects). */
    val closed: Flow<BrowserPage> = closures.receiveAsFlow()

    /** [page] is being opened in the browser. */
    @Synchronized
    fun opened(page: BrowserPage) {
        waitingFor = page
        leftTheApp = false
    }

    /** The browser could not be opened at all (no browser on the phone): the page is closed. */
    @Synchronized
    fun failedToOpen(page: BrowserPage) {
        if (waitingFor == page) waitingFor = null
        closures.trySend(page)
    }

    /** The app went to the background (the browser came on top). */
    @Synchronized
    fun paused() {
        if (waitingFor != null) leftTheApp = true
    }

    /** A link opened the app: the awaited page's return link ends the wait. */
    @Synchronized
    fun linkArrived(link: String) {
        if (waitingFor?.isReturn(link) == true) waitingFor = null
    }

    /** The app is in the foreground again. */
    @Synchronized
    fun resumed() {
        val page = waitingFor ?: return
        if (!leftTheApp) return // opened a moment ago, the browser not on top yet
        waitingFor = null
        leftTheApp = false
        closures.trySend(page)
    }
}
