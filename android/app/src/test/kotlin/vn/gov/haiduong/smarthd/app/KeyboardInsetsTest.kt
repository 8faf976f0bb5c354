package vn.gov.haiduong.smarthd.app

import android.app.Activity
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.core.graphics.Insets
import androidx.core.view.ViewCompat
import androidx.core.view.WindowInsetsCompat
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.annotation.Config

/** Edge to edge, the keyboard covers the window: the screens must end above it. */
@RunWith(AppTestRunner::class)
@Config(sdk = [35], application = SmartHdApplication::class, shadows = [LibraryResources::class])
class KeyboardInsetsTest : AppTest() {
    @Test
    fun `with the keyboard up the screens end above it`() {
        val activity = launch()
        pumpUntil("home's list") { scrollable(activity.get()) != null }
        val window = activity.get().window.decorView
        val listBottom = { scrollable(activity.get())!!.boundsInRoot.bottom }
        val keyboard = window.height / 2
        assertTrue("the list reaches below the keyboard's top: ${listBottom()} of ${window.height}", listBottom() > window.height - keyboard)

        val ime = WindowInsetsCompat.Type.ime()
        val insets = WindowInsetsCompat.Builder().setInsets(ime, Insets.of(0, 0, 0, keyboard)).setVisible(ime, true).build()
        ViewCompat.dispatchApplyWindowInsets(window, insets)
        pumpUntil("the list ends above the keyboard (at ${listBottom()} of ${window.height})") { listBottom() <= window.height - keyboard }
    }

    /** The screen's scrolling list (what fills the space between the top and the bottom bar). */
    private fun scrollable(activity: Activity): SemanticsNode? =
        nodes(activity).firstOrNull { it.config.getOrNull(SemanticsProperties.VerticalScrollAxisRange) != null }

}
