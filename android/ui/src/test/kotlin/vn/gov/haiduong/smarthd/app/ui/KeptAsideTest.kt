package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.flow.MutableStateFlow
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.loseKeystore
import vn.gov.haiduong.smarthd.app.testing.openClient

/**
 * The phone's Keystore lost the data key (a new screen lock): the app still opens, logged out,
 * and says once what happened and what to do, instead of failing at start.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeptAsideTest {
    private val world = UiWorld("kept-aside")

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a lost data key is told once, and the app opens logged out`() = runComposeUiTest {
        val dataDir = world.tmp.resolve("phone")
        openClient(world.sandbox, dataDir).close()
        loseKeystore(dataDir)
        val client = openClient(world.sandbox, dataDir)
        assertTrue(client.keptAsideUnreadableData)
        val services = AppServices(client, Connectivity(client, world.scope), world.platform, MutableStateFlow(AppSettings(Language.VI)))
        try {
            setContent { vn.gov.haiduong.smarthd.app.desktop.DesktopHost(services) { SmartHdAppUi(world.platform.deepLinks) } }
            val told = hasText(Str.DATA_KEPT_ASIDE.text(Language.VI))
            waitShown(told)
            assertAccessible("data kept aside")
            onNode(hasText(Str.UNDERSTOOD.text(Language.VI)) and hasClickAction()).performClick()
            waitUntil(timeoutMillis = 10_000) { onAllNodes(told).fetchSemanticsNodes().isEmpty() }
            waitShown(hasText(Str.TAB_HOME.text(Language.VI)))
        } finally {
            client.close()
        }
        assertEquals(false, openClient(world.sandbox, dataDir).use { it.keptAsideUnreadableData }, "the new key reads what it sealed")
    }
}
