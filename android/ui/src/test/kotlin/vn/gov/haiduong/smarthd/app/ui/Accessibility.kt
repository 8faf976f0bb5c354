package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import kotlinx.coroutines.Dispatchers
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
}

@OptIn(ExperimentalTestApi::class)
private fun ComposeUiTest.onRoot(useUnmergedTree: Boolean = false) =
    onNode(androidx.compose.ui.test.isRoot(), useUnmergedTree)

/**
 * The screens' "main thread" is the test's: Compose's test runs the composition on it, and
 * lifecycles check they are touched on Main. The state holders' coroutines then run where the
 * core answers them (they only write StateFlows).
 */
@OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
fun onTestThread() = Dispatchers.setMain(Dispatchers.Unconfined)
