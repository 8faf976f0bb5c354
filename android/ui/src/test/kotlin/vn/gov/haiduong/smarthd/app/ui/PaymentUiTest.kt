package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithText
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
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.desktop.DesktopPlatform
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.Sandbox
import vn.gov.haiduong.smarthd.app.testing.feeProcedure
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.openClient
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * Paying by VietQR from my dossiers: the code is drawn and given as text to paste into a banking
 * app on the same phone; another dossier's payment screen then offers to pay, never the first
 * dossier's code.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentUiTest {
    private val tmp = Files.createTempDirectory("smarthd-ui-pay")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val client = openClient(sandbox, tmp.resolve("app"))
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val platform = DesktopPlatform()
    private val connectivity = Connectivity(client, scope)
    private val services = AppServices(client, connectivity, platform, MutableStateFlow(Language.VI))
    private val dossiers: List<String> = runBlocking {
        client.sync.catalog()
        logIn(client, level = 2)
        val fee = feeProcedure(client)
        List(2) { submittedDossier(client, scope, connectivity, fee) }
    }
    private val first = dossiers[0]
    private val second = dossiers[1]

    init {
        onTestThread()
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
    fun `VietQR for one dossier, shown as a code and as text, and the other dossier's screen is its own`() = runComposeUiTest {
        setContent { DesktopHost(services) { SmartHdAppUi(platform.deepLinks, null, startRoute = Routes.payment(first)) } }
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
