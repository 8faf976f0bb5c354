package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * Logging out on a shared phone: the provider's logout page opens, the resident's dossiers leave
 * the screen; then anyone may look a dossier up by its code, which shows its status and nothing
 * personal.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogoutLookupTest {
    private val world = UiWorld("logout")
    private val client = world.client
    private val vi = Language.VI
    private val dossier: String = runBlocking {
        logIn(client, level = 2)
        submittedDossier(client, world.scope, world.connectivity, BIRTH)
    }
    private val code = runBlocking { client.dossiers.get(dossier).code!! }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `log out, then look a dossier up by its code`() = runComposeUiTest {
        setContent { vn.gov.haiduong.smarthd.app.desktop.DesktopHost(world.services) { SmartHdAppUi(world.platform.deepLinks) } }
        onNode(hasText(Str.TAB_DOSSIERS.text(vi)) and hasClickAction()).performClick()
        waitShown(hasText(code, substring = true))

        onNode(hasText(Str.TAB_PROFILE.text(vi)) and hasClickAction()).performClick()
        val logout = hasText(Str.LOGOUT.text(vi)) and hasClickAction()
        waitShown(logout)
        onNode(logout).performClick()
        waitShown(hasText(Str.LOGIN_LEVEL2.text(vi)) and hasClickAction())
        assertNull(runBlocking { client.session.whoami() })
        waitUntil(timeoutMillis = 10_000) { world.platform.opened.any { "logout" in it || "end_session" in it } }
        onNode(hasText(Str.TAB_DOSSIERS.text(vi)) and hasClickAction()).performClick()
        waitShown(hasText(Str.TAB_DOSSIERS.text(vi)))
        waitForIdle()
        assertEquals(0, onAllNodes(hasText(code, substring = true)).fetchSemanticsNodes().size, "the last resident's dossier on show")

        onNode(hasText(Str.TAB_HOME.text(vi)) and hasClickAction()).performClick()
        onNode(hasText(Str.LOOKUP.text(vi)) and hasClickAction()).performClick()
        val field = hasSetTextAction() and hasContentDescription(Str.LOOKUP_CODE.text(vi))
        waitShown(field)
        assertAccessible("lookup")
        onNode(field).performTextInput("H00.000-000000-9999")
        onNode(hasText(Str.LOOKUP_GO.text(vi)) and hasClickAction()).performClick()
        // The portal's "not found", in the core's words, under the field.
        waitShown(field and SemanticsMatcher.keyIsDefined(SemanticsProperties.Error))

        onNode(field).performTextClearance()
        onNode(field).performTextInput(code.lowercase()) // typed as it comes
        onNode(hasText(Str.LOOKUP_GO.text(vi)) and hasClickAction()).performClick()
        val name = runBlocking { client.catalog.procedure(BIRTH).name }
        waitShown(hasText(name))
        waitShown(hasText("Đã tiếp nhận"))
        assertTrue(onAllNodes(hasText(vn.gov.haiduong.smarthd.app.testing.Robot.LEVEL2_CCCD, substring = true)).fetchSemanticsNodes().isEmpty())
        assertAccessible("lookup found")
    }
}
