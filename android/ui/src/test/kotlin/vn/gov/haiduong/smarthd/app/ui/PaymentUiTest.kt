package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.testing.feeProcedure
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * Paying by VietQR from my dossiers: the code is drawn and given as text to paste into a banking
 * app on the same phone; another dossier's payment screen then offers to pay, never the first
 * dossier's code.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentUiTest {
    private val world = UiWorld("pay")
    private val client = world.client
    private val platform = world.platform
    private val services = world.services
    private val connectivity = world.connectivity
    private val dossiers: List<String> = runBlocking {
        logIn(client, level = 2)
        val fee = feeProcedure(client)
        List(2) { submittedDossier(client, world.scope, connectivity, fee) }
    }
    private val first = dossiers[0]
    private val second = dossiers[1]

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `VietQR for one dossier, shown as a code and as text, and the other dossier's screen is its own`() = runComposeUiTest {
        setContent { DesktopHost(services) { SmartHdAppUi(platform.deepLinks, startRoute = Routes.payment(first)) } }
        waitShown(hasText(Str.PAY_VIETQR.text(Language.VI)) and hasClickAction())
        onNode(hasText(Str.PAY_VIETQR.text(Language.VI)) and hasClickAction()).performClick()

        waitShown(hasContentDescription("VietQR", substring = true))
        val order = runBlocking { client.payments.list() }.single { it.dossierId == first && it.method == PaymentMethod.VIETQR }
        val payload = order.vietqr ?: error("a VietQR order without its payload: $order")
        waitShown(hasText(payload))
        waitShown(hasText(Str.PAYMENT_COPY.text(Language.VI)) and hasClickAction())
        assertAccessible("VietQR")

        // Back to my dossiers, then the second dossier's payment: it offers to pay.
        onNodeWithText(Str.TAB_DOSSIERS.text(Language.VI)).performClick()
        val code = runBlocking { client.dossiers.get(second).code!! }
        waitShown(hasText(code, substring = true))
        val codeTop = onNode(hasText(code, substring = true)).fetchSemanticsNode().boundsInRoot.top
        scrollTo(hasText(code, substring = true))
        val pay = onAllNodes(hasText(Str.PAY.text(Language.VI)) and hasClickAction()).fetchSemanticsNodes()
            .filter { it.boundsInRoot.top > onNode(hasText(code, substring = true)).fetchSemanticsNode().boundsInRoot.top }
            .minByOrNull { it.boundsInRoot.top } ?: error("no pay button under $code (top $codeTop)")
        pay.config[androidx.compose.ui.semantics.SemanticsActions.OnClick].action?.invoke()
        waitShown(hasText(Str.PAY_VIETQR.text(Language.VI)) and hasClickAction())
        assertEquals(0, onAllNodes(hasText(payload)).fetchSemanticsNodes().size, "the first dossier's code on the second's screen")
    }
}
