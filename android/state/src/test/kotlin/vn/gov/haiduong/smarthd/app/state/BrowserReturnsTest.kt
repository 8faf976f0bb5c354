package vn.gov.haiduong.smarthd.app.state

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** The activity's lifecycle as Android calls it around a Custom Tab, and what the screens are told. */
class BrowserReturnsTest {
    private fun BrowserReturns.nextClosed(): BrowserPage? = runBlocking { withTimeoutOrNull(200) { closed.first() } }

    @Test
    fun `coming back from the login without its redirect says the login page was closed, once`() {
        val returns = BrowserReturns()
        returns.opened(BrowserPage.LOGIN)
        returns.paused()
        returns.resumed()
        assertEquals(BrowserPage.LOGIN, returns.nextClosed())
        returns.paused()
        returns.resumed()
        assertEquals(null, returns.nextClosed(), "a later trip to the background is not another closing")
    }

    @Test
    fun `the redirect or the gateway's return, delivered before the app resumes, is no closing`() {
        val returns = BrowserReturns()
        returns.opened(BrowserPage.LOGIN)
        returns.paused()
        returns.linkArrived("${SmartHdClient.LOGIN_REDIRECT_URI}?code=c&state=s")
        returns.resumed()
        assertEquals(null, returns.nextClosed())

        returns.opened(BrowserPage.GATEWAY)
        returns.paused()
        returns.linkArrived("${SmartHdClient.PAYMENT_RETURN_URL}?order=o")
        returns.resumed()
        assertEquals(null, returns.nextClosed())
    }

    @Test
    fun `another link does not end the wait, and the gateway is told apart from the login`() {
        val returns = BrowserReturns()
        returns.opened(BrowserPage.GATEWAY)
        returns.paused()
        returns.linkArrived("${SmartHdClient.LOGIN_REDIRECT_URI}?code=c&state=s") // not the gateway's
        returns.linkArrived("vn.gov.haiduong.smarthd:/open/dossier/d1") // a notification
        returns.resumed()
        assertEquals(BrowserPage.GATEWAY, returns.nextClosed())
    }

    @Test
    fun `resuming before the browser came on top is not a closing, and no browser at all is`() {
        val returns = BrowserReturns()
        returns.opened(BrowserPage.LOGIN)
        returns.resumed() // the app had not left the foreground yet
        assertEquals(null, returns.nextClosed())
        returns.paused()
        returns.resumed()
        assertEquals(BrowserPage.LOGIN, returns.nextClosed())

        returns.opened(BrowserPage.GATEWAY)
        returns.failedToOpen(BrowserPage.GATEWAY)
        assertEquals(BrowserPage.GATEWAY, returns.nextClosed())
    }
}
