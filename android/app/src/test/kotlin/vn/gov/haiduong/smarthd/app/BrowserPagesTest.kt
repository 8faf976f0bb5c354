package vn.gov.haiduong.smarthd.app

import android.content.Intent
import android.net.Uri
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.ui.Str

/**
 * The browser pages the app opens (the VNeID login, its logout page) on the Android framework,
 * with the real core and the sandbox: a state that says "open" outlives the activity, the page
 * must open once.
 */
@RunWith(AppTestRunner::class)
@Config(sdk = [35], application = SmartHdApplication::class, shadows = [LibraryResources::class])
class BrowserPagesTest : AppTest() {
    @Test
    fun `the login and logout pages open once, not again when the activity is recreated`() {
        val first = launch()
        click(first.get(), Str.TAB_PROFILE.text(en))
        click(first.get(), Str.LOGIN_LEVEL2.text(en))
        val login = pageOpened()
        assertTrue("$login", login.dataString!!.startsWith(System.getProperty("smarthd.portal")))
        val again = first.rotate()
        pumpFor(Duration.ofSeconds(2))
        assertEquals("the login page opened again", emptyList<Intent>(), pagesOpened())

        // Logged in (the browser's part, then its redirect), then out: VNeID's logout page, once.
        pumpUntil("the login offered again") { Str.LOGIN_LEVEL2.text(en) in texts(again.get()) }
        click(again.get(), Str.LOGIN_LEVEL2.text(en))
        val redirect = runBlocking { Robot.logIn(pageOpened().dataString!!, Robot.LEVEL2_CCCD) }
        again.newIntent(Intent(Intent.ACTION_VIEW, Uri.parse(redirect)))
        click(again.get(), Str.LOGOUT.text(en))
        val logout = pageOpened()
        assertTrue("$logout", "logout" in logout.dataString!!)
        again.rotate()
        pumpFor(Duration.ofSeconds(2))
        assertEquals("the logout page opened again", emptyList<Intent>(), pagesOpened())
    }

    /** The browser page the app opened next (a Custom Tab's view intent; other activities started are passed over). */
    private fun pageOpened(): Intent {
        var opened: Intent? = null
        pumpUntil("a browser page opened") {
            opened = pagesOpened().firstOrNull()
            opened != null
        }
        return opened!!
    }

    private fun pagesOpened(): List<Intent> =
        generateSequence { shadowOf(app).nextStartedActivity }
            .filter { it.action == Intent.ACTION_VIEW }.toList()
}
