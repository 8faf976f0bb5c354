package vn.gov.haiduong.smarthd.app

import android.Manifest
import android.app.Notification
import android.app.NotificationManager
import android.content.Intent
import androidx.core.app.NotificationCompat
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.dossierStatusLabel
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.ui.Str
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * The core's events as the phone's notifications (Robolectric's notification manager), with the
 * real core and the sandbox: one notification per dossier, each opening its own dossier.
 */
@RunWith(AppTestRunner::class)
@Config(sdk = [35], application = SmartHdApplication::class, shadows = [LibraryResources::class])
class NotificationsTest : AppTest() {
    @Test
    fun `each dossier's notification opens that dossier, and the resident's own submit is not announced without its code`() {
        shadowOf(app).grantPermissions(Manifest.permission.POST_NOTIFICATIONS)
        val activity = launch()
        val client = core.client
        val codes = runBlocking {
            logIn(client)
            List(2) { submitted(client) }
        }

        // The resident's own submits: announced with their codes, never as "Hồ sơ " with none.
        val manager = shadowOf(app.getSystemService(NotificationManager::class.java))
        pumpUntil("the submits' notifications") { manager.allNotifications.size == 2 }
        assertEquals(codes.map { Str.NOTIFICATION_TITLE.text(en, it) }.toSet(), manager.allNotifications.map(::title).toSet())

        // The officer takes both up: each dossier's notice replaces its own, and only its own.
        for (code in codes) Robot.officerSetStatus(System.getProperty("smarthd.portal"), code, "processing")
        runBlocking { client.sync.now() }
        val processing = pickLanguage(dossierStatusLabel(DossierStatus.PROCESSING), english = true)
        pumpUntil("a notice per dossier, processing") {
            manager.allNotifications.size == 2 && manager.allNotifications.all { text(it) == processing }
        }

        // A tap on each opens that dossier, in the activity already on screen.
        for (code in codes.reversed()) {
            val notification = manager.allNotifications.first { title(it) == Str.NOTIFICATION_TITLE.text(en, code) }
            val tapped = shadowOf(notification.contentIntent).savedIntent
            activity.newIntent(Intent(tapped))
            val shown = Str.DOSSIER_CODE.text(en, code)
            pumpUntil("dossier $code on screen") { shown in texts(activity.get()) }
            pumpFor(Duration.ofSeconds(1)) // the screen before it fades out
            val other = Str.DOSSIER_CODE.text(en, codes.first { it != code })
            assertFalse(other in texts(activity.get()))
        }
        assertTrue(manager.allNotifications.map { it.contentIntent }.distinct().size == 2)
    }

    /** A birth registration filled, submitted and received by the portal: its code. */
    private suspend fun submitted(client: SmartHdClient): String {
        val draft = client.dossiers.newDraft(BIRTH)
        for (field in client.catalog.procedure(BIRTH).form.fields) client.dossiers.setField(draft.id, field.key, Robot.sampleValue(field))
        client.dossiers.submit(draft.id)
        client.sync.now()
        return checkNotNull(client.dossiers.get(draft.id).code) { "dossier ${draft.id} not received" }
    }

    private fun title(n: Notification) = n.extras.getCharSequence(NotificationCompat.EXTRA_TITLE).toString()

    private fun text(n: Notification) = n.extras.getCharSequence(NotificationCompat.EXTRA_TEXT).toString()
}
