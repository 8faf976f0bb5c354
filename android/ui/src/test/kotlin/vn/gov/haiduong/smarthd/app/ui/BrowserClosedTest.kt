package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.testing.feeProcedure
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * The resident closes the gateway's page without paying (a Custom Tab's close button): the app
 * comes back with no return link, and the payment screen says the page was closed and offers to
 * open it again, instead of waiting for ever; opened again, the payment goes through.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserClosedTest {
    private val world = UiWorld("browser-closed")
    private val vi = Language.VI
    private val dossier: String = runBlocking {
        logIn(world.client, level = 2)
        submittedDossier(world.client, world.scope, world.connectivity, feeProcedure(world.client))
    }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `closing the gateway's page offers to open it again`() = runComposeUiTest {
        world.platform.closesPages = true
        setContent {
            DesktopHost(world.services) {
                SmartHdAppUi(world.platform.deepLinks, world.platform.browserClosed, startRoute = Routes.payment(dossier))
            }
        }
        val gateway = hasText(Str.PAY_GATEWAY.text(vi)) and hasClickAction()
        waitShown(gateway)
        onNode(gateway).performClick()

        waitShown(hasText(Str.PAYMENT_GATEWAY_CLOSED.text(vi)))
        assertAccessible("gateway closed")

        world.platform.closesPages = false // this time the resident pays
        onNode(hasText(Str.PAYMENT_OPEN_GATEWAY.text(vi)) and hasClickAction()).performClick()
        waitShown(hasText(Str.PAYMENT_PAID.text(vi)))
    }
}
