package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import java.nio.file.Files
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.resetMain
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.desktop.DesktopPlatform
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Sandbox
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.openClient

/**
 * A resident logged in at VNeID level 1 opens a dossier form: the form says submitting needs
 * level 2 and its button steps up (the browser's part done over HTTP), then offers to submit.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepUpTest {
    private val tmp = Files.createTempDirectory("smarthd-ui-stepup")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val client = openClient(sandbox, tmp.resolve("app"))
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val platform = DesktopPlatform()
    private val services = AppServices(client, Connectivity(client, scope), platform, MutableStateFlow(Language.EN))

    init {
        onTestThread()
        runBlocking {
            client.sync.catalog()
            logIn(client, level = 1)
        }
    }

    @OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
    @AfterAll
    fun stop() {
        Dispatchers.resetMain()
        scope.cancel()
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    @Test
    fun `a level-1 resident is told why and steps up to level 2 from the form`() = runComposeUiTest {
        setContent { DesktopHost(services) { SmartHdAppUi(platform.deepLinks, null, startRoute = Routes.newDossier(BIRTH)) } }
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
