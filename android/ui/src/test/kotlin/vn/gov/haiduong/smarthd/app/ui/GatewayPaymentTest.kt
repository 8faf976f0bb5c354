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
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.feeProcedure
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * Paying a fee through the gateway from the dossier's screen: the gateway opens (the robot pays
 * there, as the resident would in the browser), its return comes back as the phone's link, the
 * screen says paid with a verified receipt, the portal took the money once, and the receipt is
 * in the receipts screen with its date in Vietnam's time.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayPaymentTest {
    private val world = UiWorld("gateway")
    private val client = world.client
    private val vi = Language.VI
    private val dossier: String = runBlocking {
        logIn(client, level = 2)
        submittedDossier(client, world.scope, world.connectivity, feeProcedure(client))
    }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `pay at the gateway, then find the verified receipt`() = runComposeUiTest {
        setContent { DesktopHost(world.services) { SmartHdAppUi(world.platform.deepLinks, startRoute = Routes.dossier(dossier)) } }
        val pay = hasText(Str.PAY.text(vi)) and hasClickAction()
        scrollTo(pay)
        onNode(pay).performClick()
        val gateway = hasText(Str.PAY_GATEWAY.text(vi)) and hasClickAction()
        waitShown(gateway)
        onNode(gateway).performClick()

        waitShown(hasText(Str.PAYMENT_PAID.text(vi)))
        waitShown(hasText(Str.RECEIPT_VERIFIED.text(vi), substring = true))
        assertAccessible("paid")
        assertEquals(1, world.platform.opened.count { "gateway" in it || "vpcpay" in it }, "${world.platform.opened}")
        val order = runBlocking { client.payments.list() }.single { it.dossierId == dossier && it.method == PaymentMethod.GATEWAY }
        assertEquals(1, Robot.charges(world.sandbox)[order.orderId], "the money taken once")

        onNode(hasText(Str.TAB_PROFILE.text(vi)) and hasClickAction()).performClick()
        onNode(hasText(Str.TAB_RECEIPTS.text(vi)) and hasClickAction()).performClick()
        val receipt = runBlocking { client.payments.receipts() }.single()
        val code = runBlocking { client.dossiers.get(dossier).code!! }
        waitShown(hasText(code))
        waitShown(hasText(Str.RECEIPT_LINE.text(vi, "%,d".format(receipt.amountVnd), localTime(receipt.paidAt))))
        assertAccessible("receipts")
    }
}
