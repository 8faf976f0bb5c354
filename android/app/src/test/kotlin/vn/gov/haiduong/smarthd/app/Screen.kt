package vn.gov.haiduong.smarthd.app

import android.app.Activity
import android.content.res.Configuration
import android.os.Bundle
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import androidx.compose.ui.platform.ViewRootForTest
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import java.time.Duration
import org.junit.Before
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.shadows.ShadowChoreographer
import vn.gov.haiduong.smarthd.app.ui.Language

/** What the app's tests share: the app started as from the launcher, its core, its phone's language. */
abstract class AppTest {
    protected val en = Language.EN // Robolectric's phone speaks English

    protected val app: SmartHdApplication get() = RuntimeEnvironment.getApplication() as SmartHdApplication

    /** The core the application opened (off the main thread, at its start). */
    protected val core: OpenedCore get() = checkNotNull(app.openedNow.value) { "the core is not open" }

    @Before
    fun pauseFrames() {
        // Frames are drawn when the test moves the clock (pump), not while the looper idles:
        // the home screen's progress indicator would draw them for ever.
        ShadowChoreographer.setPaused(true)
    }

    /** The activity started from the launcher, once the core is open. */
    protected fun launch(): ActivityController<MainActivity> {
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        pumpUntil("the core is open") { app.openedNow.value != null }
        return controller
    }
}

// The screen as the tests see it: Compose's semantics tree (what a screen reader reads), and
// time moved on the main looper's clock (frames are drawn only then: ShadowChoreographer paused).

private val FRAME: Duration = Duration.ofMillis(16)

internal fun pumpFor(duration: Duration) {
    val frames = duration.toMillis() / FRAME.toMillis()
    repeat(frames.toInt()) { pumpFrame() }
}

internal fun pumpUntil(what: String, done: () -> Boolean) {
    val deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
    while (!done()) {
        check(System.nanoTime() < deadline) { "never: $what" }
        pumpFrame()
    }
}

/** One frame's time on the main looper's clock, and a moment for the core's threads. */
internal fun pumpFrame() {
    shadowOf(Looper.getMainLooper()).idleFor(FRAME)
    Thread.sleep(2)
}

/** The texts on screen, from Compose's semantics tree (what a screen reader reads). */
internal fun texts(activity: Activity): List<String> =
    nodes(activity).flatMap { it.texts() }

/** Taps what shows [text] (the nearest clickable node around it). */
internal fun click(activity: Activity, text: String) {
    pumpUntil("\"$text\" on screen") { nodes(activity).any { text in it.texts() } }
    var node: SemanticsNode? = nodes(activity).first { text in it.texts() }
    while (node != null && node.config.getOrNull(SemanticsActions.OnClick) == null) node = node.parent
    checkNotNull(node?.config?.get(SemanticsActions.OnClick)?.action) { "nothing to tap around \"$text\"" }.invoke()
    pumpFrame()
}

internal fun SemanticsNode.texts(): List<String> = config.getOrNull(SemanticsProperties.Text).orEmpty().map { it.text }

internal fun nodes(activity: Activity): List<SemanticsNode> {
    val root = composeRoot(activity.window.decorView) ?: return emptyList()
    val all = mutableListOf<SemanticsNode>()
    fun walk(node: SemanticsNode) {
        all += node
        node.children.forEach(::walk)
    }
    walk(root.semanticsOwner.unmergedRootSemanticsNode)
    return all
}

internal fun composeRoot(view: View): ViewRootForTest? = when (view) {
    is ViewRootForTest -> view
    is ViewGroup -> (0 until view.childCount).firstNotNullOfOrNull { composeRoot(view.getChildAt(it)) }
    else -> null
}

/**
 * A rotation: the activity made again with its saved state, its ViewModels kept (Robolectric's
 * `recreate()` finds no window root for this activity; a configuration change does the same).
 */
internal fun ActivityController<MainActivity>.rotate(): ActivityController<MainActivity> {
    val config = Configuration(get().resources.configuration)
    config.orientation = if (config.orientation == Configuration.ORIENTATION_LANDSCAPE) Configuration.ORIENTATION_PORTRAIT else Configuration.ORIENTATION_LANDSCAPE
    return configurationChange(config).visible()
}

/**
 * The activity destroyed in the background and made again when the resident comes back: its
 * saved state and its intent, but new ViewModels.
 */
internal fun ActivityController<MainActivity>.remake(): ActivityController<MainActivity> {
    val saved = Bundle()
    val intent = get().intent
    saveInstanceState(saved).pause().stop().destroy()
    return Robolectric.buildActivity(MainActivity::class.java, intent).setup(saved)
}
