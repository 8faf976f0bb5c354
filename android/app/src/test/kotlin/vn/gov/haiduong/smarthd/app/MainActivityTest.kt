package vn.gov.haiduong.smarthd.app

import android.Manifest
import android.content.Intent
import android.net.Uri
import java.io.File
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.ui.Str

/**
 * The activity on the Android framework (Robolectric's, API 35), with the real core and the
 * sandbox portal: what only the activity decides, tried through its life cycle.
 */
@RunWith(AppTestRunner::class)
@Config(sdk = [35], application = SmartHdApplication::class, shadows = [LibraryResources::class])
class MainActivityTest : AppTest() {
    @Test
    fun `notifications are asked for at the first start, not again when the activity is recreated`() {
        val first = launch()
        val asked = shadowOf(first.get()).lastRequestedPermission
        assertEquals(listOf(Manifest.permission.POST_NOTIFICATIONS), asked?.requestedPermissions?.toList())

        val again = first.rotate()
        assertNull(shadowOf(again.get()).lastRequestedPermission)
    }

    @Test
    fun `the plain copies a last run left in the cache are gone at a fresh start, kept across a rotation`() {
        val copies = listOf("attachments/scan-cccd.jpg", "exports/giay-khai-sinh.pdf").map { File(app.cacheDir, it) }
        for (copy in copies) {
            copy.parentFile?.mkdirs()
            copy.writeText("a resident's paper")
        }
        val first = launch()
        assertFalse(copies.any(File::exists))

        val waiting = File(app.cacheDir, "attachments/camera-photo.jpg").apply {
            parentFile?.mkdirs()
            writeText("the camera's photo")
        }
        first.rotate()
        assertTrue("a camera writing for the activity made again keeps its file", waiting.exists())
    }

    @Test
    fun `the login redirect is used once, a recreated activity does not send its code again`() {
        val first = launch()
        click(first.get(), Str.TAB_PROFILE.text(en))
        pumpUntil("the profile offers to log in") { Str.LOGIN_LEVEL2.text(en) in texts(first.get()) }

        // The browser logs in and comes back to the app with the code (the Custom Tab's part).
        val client = core.client
        val redirect = runBlocking { Robot.logIn(client.session.beginLogin(2), Robot.LEVEL2_CCCD) }
        first.newIntent(Intent(Intent.ACTION_VIEW, Uri.parse(redirect)))
        pumpUntil("logged in") { Str.LOGOUT.text(en) in texts(first.get()) }

        // The system making the activity again after reclaiming it in the background, then a
        // rotation: each time it comes back with the same intent, the redirect.
        var again = first
        for (remake in listOf(true, false)) {
            again = if (remake) again.remake() else again.rotate()
            pumpUntil("the profile again") { Str.LOGOUT.text(en) in texts(again.get()) }
            pumpFor(Duration.ofSeconds(3)) // time for a second use of the code to fail, had it been sent
            val shown = texts(again.get())
            assertFalse("$shown", shown.any { it.startsWith(Str.LOGIN_FAILED.text(en, "").trimEnd()) })
            assertFalse("$shown", Str.LOGIN_LEVEL2.text(en) in shown)
        }
    }
}
