package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/**
 * The settings, from the profile: the language switches every screen at once, the text grows,
 * and the simple screens give a home with large buttons for the main tasks.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SettingsTest {
    private val world = UiWorld("settings")

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `language, text size and the simple home`() = runComposeUiTest {
        setContent { vn.gov.haiduong.smarthd.app.desktop.DesktopHost(world.services) { SmartHdAppUi(world.platform.deepLinks) } }
        val vi = Language.VI
        val en = Language.EN
        onNode(hasText(Str.TAB_PROFILE.text(vi)) and hasClickAction()).performClick()
        onNode(hasText(Str.SETTINGS.text(vi)) and hasClickAction()).performClick()
        waitShown(hasText(Str.SETTINGS_TEXT_SIZE.text(vi)))
        assertAccessible("settings")

        onNode(hasText("English") and hasClickAction()).performClick()
        waitShown(hasText(Str.SETTINGS_TEXT_SIZE.text(en)))
        waitShown(hasText(Str.TAB_HOME.text(en)))
        assertEquals(Language.EN, world.services.settings.value.language)

        val heading = hasText(Str.SETTINGS_TEXT_SIZE.text(en))
        val normal = onNode(heading).fetchSemanticsNode().boundsInRoot.height
        onNode(hasText(Str.TEXT_LARGEST.text(en)) and hasClickAction()).performClick()
        waitUntil(timeoutMillis = 10_000) { onNode(heading).fetchSemanticsNode().boundsInRoot.height > normal * 1.4f }

        onNode(hasText(Str.TEXT_NORMAL.text(en)) and hasClickAction()).performClick()
        onNode(hasText(Str.SIMPLE_MODE.text(en), substring = true) and hasClickAction()).performClick()
        waitUntil(timeoutMillis = 10_000) { world.services.settings.value.simple }
        assertTrue(onNode(heading).fetchSemanticsNode().boundsInRoot.height > normal * 1.2f, "simple screens have large text")
        onNode(hasText(Str.TAB_HOME.text(en)) and hasClickAction()).performClick()
        val dossiers = hasText(Str.TAB_DOSSIERS.text(en)) and hasClickAction()
        waitShown(hasText(Str.SIMPLE_FIND.text(en)))
        assertEquals(0, onAllNodes(hasText(Str.ALL_FIELDS.text(en))).fetchSemanticsNodes().size, "no field chips on the simple home")
        assertAccessible("simple home")
        // The large button, not the bottom bar's tab: the one above the bar.
        val buttons = onAllNodes(dossiers).fetchSemanticsNodes().sortedBy { it.boundsInRoot.top }
        assertEquals(2, buttons.size, "the main task and the tab")
        buttons.first().config[androidx.compose.ui.semantics.SemanticsActions.OnClick].action?.invoke()
        waitShown(hasText(Str.DOSSIERS_EMPTY.text(en)))
    }
}
