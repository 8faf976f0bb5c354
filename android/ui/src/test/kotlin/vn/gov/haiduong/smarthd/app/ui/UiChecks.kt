package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.compositeOver
import androidx.compose.ui.graphics.isSpecified
import androidx.compose.ui.graphics.luminance
import androidx.compose.ui.graphics.toPixelMap
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.hasScrollToNodeAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.text.TextLayoutResult
import javax.swing.SwingUtilities
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.MainCoroutineDispatcher
import kotlinx.coroutines.test.setMain
import org.junit.jupiter.api.Assertions.fail

/**
 * What TalkBack and a thumb need from the screen on show: every clickable and every image has a
 * label (its own, or its merged children's text), and every clickable is at least 48 dp square.
 */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.assertAccessible(screen: String) {
    val problems = mutableListOf<String>()
    val root = onRoot().fetchSemanticsNode()
    val density = root.layoutInfo.density.density
    fun visit(node: SemanticsNode) {
        val config = node.config
        val clickable = SemanticsActions.OnClick in config
        val image = config.getOrNull(SemanticsProperties.Role)?.toString() == "Image"
        if (clickable || image) {
            val label = (config.getOrNull(SemanticsProperties.ContentDescription).orEmpty() +
                config.getOrNull(SemanticsProperties.Text).orEmpty().map { it.text } +
                node.children.flatMap { it.config.getOrNull(SemanticsProperties.Text).orEmpty().map { t -> t.text } })
                .joinToString(" ").trim()
            if (label.isEmpty()) problems += "an unlabelled ${if (clickable) "clickable" else "image"} at ${node.boundsInRoot}"
            if (clickable) {
                // The laid-out size (a list may show part of it); a touch area widened past it counts.
                val touch = node.touchBoundsInRoot
                val w = maxOf(node.size.width.toFloat(), touch.width) / density
                val h = maxOf(node.size.height.toFloat(), touch.height) / density
                if (w < 47.5f || h < 47.5f) problems += "\"$label\" is ${"%.0f".format(w)}x${"%.0f".format(h)} dp, under 48 dp"
            }
        }
        node.children.forEach(::visit)
    }
    visit(onRoot(useUnmergedTree = false).fetchSemanticsNode())
    if (problems.isNotEmpty()) fail<Unit>("$screen:\n  " + problems.joinToString("\n  "))
    assertContrast(screen)
}

/**
 * Every enabled text on show stands out from what is behind it by at least 4.5:1 (WCAG 2.2 AA):
 * the ink is the colour the text was laid out with (blended by its alpha), the background the
 * commonest colour of the pixels under the text's box in a capture of the screen. Disabled
 * controls are exempt, as WCAG says.
 */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.assertContrast(screen: String) {
    val problems = mutableListOf<String>()
    val pixels = onRoot().captureToImage().toPixelMap()
    for (node in onAllNodes(SemanticsMatcher.keyIsDefined(SemanticsActions.GetTextLayoutResult), useUnmergedTree = true).fetchSemanticsNodes()) {
        if (generateSequence(node) { it.parent }.any { SemanticsProperties.Disabled in it.config }) continue
        val layouts = mutableListOf<TextLayoutResult>()
        node.config[SemanticsActions.GetTextLayoutResult].action?.invoke(layouts)
        val layout = layouts.firstOrNull() ?: continue
        val text = layout.layoutInput.text.text
        val ink = layout.layoutInput.style.color
        if (text.isBlank()) continue
        if (!ink.isSpecified) {
            problems += "\"$text\" has no colour of its own"
            continue
        }
        val box = node.boundsInRoot
        val xs = maxOf(0, box.left.toInt()) until minOf(pixels.width, box.right.toInt())
        val ys = maxOf(0, box.top.toInt()) until minOf(pixels.height, box.bottom.toInt())
        if (xs.isEmpty() || ys.isEmpty()) continue // scrolled out of sight
        val counts = HashMap<Color, Int>()
        for (y in ys) for (x in xs) counts.merge(pixels[x, y], 1, Int::plus)
        val background = counts.maxBy { it.value }.key
        val shown = ink.compositeOver(background)
        val ratio = contrast(shown, background)
        if (ratio < 4.5) problems += "\"$text\" is ${"%.2f".format(ratio)}:1 ($shown on $background)"
    }
    if (problems.isNotEmpty()) fail<Unit>("$screen, text contrast under 4.5:1:\n  " + problems.joinToString("\n  "))
}

/** WCAG's contrast ratio of two opaque colours. */
private fun contrast(a: Color, b: Color): Double {
    val (light, dark) = listOf(a.luminance().toDouble(), b.luminance().toDouble()).sortedDescending()
    return (light + 0.05) / (dark + 0.05)
}

/**
 * Every text on show fits: none cut off (a deliberate ellipsis aside) and none broken inside a
 * word ("Hom e"). Text fields scroll their value, so they are left out.
 */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.assertTextFits(screen: String) {
    val problems = mutableListOf<String>()
    val texts = SemanticsMatcher.keyIsDefined(SemanticsActions.GetTextLayoutResult) and
        SemanticsMatcher.keyNotDefined(SemanticsActions.SetText)
    for (node in onAllNodes(texts, useUnmergedTree = true).fetchSemanticsNodes()) {
        val layouts = mutableListOf<TextLayoutResult>()
        node.config[SemanticsActions.GetTextLayoutResult].action?.invoke(layouts)
        for (layout in layouts) {
            val text = layout.layoutInput.text.text
            val last = layout.lineCount - 1
            // A line wider than the text's box, lines taller than it (a paragraph laid out
            // wider than its box but with narrower lines, as centred text is, is not clipped),
            // or more lines than maxLines lets show.
            val widest = (0..last).maxOf { layout.multiParagraph.getLineWidth(it) }
            val clipped = widest > layout.size.width + 1 || layout.multiParagraph.height > layout.size.height + 1 ||
                layout.multiParagraph.didExceedMaxLines
            if (clipped && !layout.isLineEllipsized(last)) problems += "\"$text\" is cut off"
            for (line in 0 until last) {
                val end = layout.getLineEnd(line)
                if (end in 1 until text.length && text[end - 1].isLetterOrDigit() && text[end].isLetterOrDigit()) {
                    problems += "\"$text\" breaks inside a word after \"${text.substring(0, end)}\""
                }
            }
        }
    }
    if (problems.isNotEmpty()) fail<Unit>("$screen:\n  " + problems.joinToString("\n  "))
}

@OptIn(ExperimentalTestApi::class)
private fun ComposeUiTest.onRoot(useUnmergedTree: Boolean = false) =
    onNode(androidx.compose.ui.test.isRoot(), useUnmergedTree)

/**
 * Main for the screens under Compose's desktop test, which composes and measures on the Swing
 * thread but sends clicks and keys from the test's thread: both count as main (lifecycles check
 * they are touched on Main; navigation runs from a click). Work from any other thread (the state
 * holders resuming after the core answers) goes to the Swing thread, so no state the screens
 * read is written while they measure.
 */
private object TestMain : MainCoroutineDispatcher() {
    @Volatile var testThread: Thread? = null
    override val immediate: MainCoroutineDispatcher get() = this
    override fun isDispatchNeeded(context: CoroutineContext) =
        !SwingUtilities.isEventDispatchThread() && Thread.currentThread() !== testThread
    override fun dispatch(context: CoroutineContext, block: Runnable) = SwingUtilities.invokeLater(block)
}

@OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
fun onTestThread() {
    TestMain.testThread = Thread.currentThread()
    Dispatchers.setMain(TestMain)
}

/** The colour [text] (the whole of one text on show) was laid out with. */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.inkOf(text: String): Color {
    val node = onNode(hasText(text), useUnmergedTree = true).fetchSemanticsNode()
    val layouts = mutableListOf<TextLayoutResult>()
    node.config[SemanticsActions.GetTextLayoutResult].action?.invoke(layouts)
    return layouts.single().layoutInput.style.color
}

/** Waits until something matching [matcher] is on show. */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.waitShown(matcher: SemanticsMatcher, timeoutMs: Long = 30_000) =
    waitUntil(timeoutMillis = timeoutMs) { onAllNodes(matcher).fetchSemanticsNodes().isNotEmpty() }

/** Scrolls the screen's list to [matcher], once the list holds it (the holders load from the core). */
@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.scrollTo(matcher: SemanticsMatcher) = waitUntil(timeoutMillis = 30_000) {
    runCatching { onAllNodes(hasScrollToNodeAction()).onFirst().performScrollToNode(matcher) }.isSuccess
}
