package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.logIn

/**
 * A resident logged in at VNeID level 1 opens a dossier form: the form says submitting needs
 * level 2 and its button steps up (the browser's part done over HTTP), then offers to submit.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepUpTest {
    private val world = UiWorld("stepup", Language.EN)
    private val client = world.client
    private val platform = world.platform
    private val services = world.services

    init {
        runBlocking { logIn(client, level = 1) }
    }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a level-1 resident is told why and steps up to level 2 from the form`() = runComposeUiTest {
        setContent { DesktopHost(services) { SmartHdAppUi(platform.deepLinks, startRoute = Routes.newDossier(BIRTH)) } }
        val explained = hasText(Str.NEEDS_LEVEL2.text(Language.EN))
        val stepUp = hasText(Str.LOGIN_LEVEL2.text(Language.EN)) and hasClickAction()
        scrollTo(explained)
        scrollTo(stepUp)
        assertAccessible("form at level 1")
        onNode(stepUp).performClick()

        val submit = hasText(Str.SUBMIT.text(Language.EN)) and hasClickAction()
        scrollTo(submit)
        assertEquals(2, runBlocking { client.session.whoami() }?.level?.toInt())
        assertEquals(0, onAllNodes(explained).fetchSemanticsNodes().size)
    }
}
