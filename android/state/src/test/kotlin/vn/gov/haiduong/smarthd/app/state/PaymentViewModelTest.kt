package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.PaymentStatus
import vn.gov.haiduong.smarthd.app.testing.*

/** Payment states: the gateway round trip to a verified receipt, the VietQR, a refused request. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentViewModelTest {
    private val tmp = Files.createTempDirectory("smarthd-payments")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val client = openClient(sandbox, tmp.resolve("app"))
    private lateinit var feeCode: String

    @BeforeAll
    fun ready() = runBlocking<Unit> {
        client.sync.catalog()
        logIn(client, level = 2)
        feeCode = feeProcedure(client)
    }

    @AfterAll
    fun stop() {
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    /** A fee-paying dossier submitted through the form and received by the portal. */
    private suspend fun receivedDossier(vm: TestViewModelScope, connectivity: Connectivity) =
        submittedDossier(client, vm.scope, connectivity, feeCode)

    @Test
    fun `paying at the gateway ends with a verified receipt`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val dossierId = receivedDossier(vm, connectivity)
            val dossiers = DossiersViewModel(client, vm.scope, connectivity)
            val row = dossiers.state.awaitState { s -> s.dossiers.any { it.id == dossierId } }.dossiers.first { it.id == dossierId }
            assertTrue(row.payable, "$row")

            val payment = PaymentViewModel(client, vm.scope, connectivity, dossierId)
            assertEquals(PaymentState.Idle, payment.state.value)
            payment.pay(PaymentMethod.GATEWAY)
            val gateway = payment.state.awaitState { it is PaymentState.OpenGateway } as PaymentState.OpenGateway
            assertEquals(PaymentStatus.AWAITING_PAYMENT, gateway.order.status)
            assertTrue(gateway.order.amountVnd > 0)

            val back = Robot.payAtGateway(gateway.url)
            assertTrue(back.startsWith(SmartHdClient.PAYMENT_RETURN_URL), back)
            payment.onReturn(back)
            val paid = payment.state.awaitState { it is PaymentState.Paid && it.receipt != null } as PaymentState.Paid
            assertEquals(PaymentStatus.SUCCEEDED, paid.order.status)
            val receipt = paid.receipt ?: error("no receipt on the paid screen")
            assertEquals(gateway.order.amountVnd, receipt.amountVnd)
            assertTrue(" / " !in payment.label(PaymentStatus.SUCCEEDED), "one language on screen")

            val receipts = ReceiptsViewModel(client, vm.scope) // the receipts screen, opened now
            receipts.state.awaitState { kept -> kept.any { it.receiptId == receipt.receiptId } }

            // Paying again answers the paid order, and the money side of the portal agrees:
            // every order it holds is one this phone knows, the paid one charged exactly once,
            // the others (unpaid) never.
            // (A fresh screen, so the answer is told apart from the state already shown.)
            val payAgain = PaymentViewModel(client, vm.scope, connectivity, dossierId)
            payAgain.pay(PaymentMethod.GATEWAY)
            val again = payAgain.state.awaitState { it !is PaymentState.Idle && it !is PaymentState.Requesting }
            assertEquals(paid.order.orderId, (again as PaymentState.Paid).order.orderId)
            val phone = client.payments.list().associate { it.orderId to if (it.status == PaymentStatus.SUCCEEDED) 1 else 0 }
            assertEquals(1, phone[paid.order.orderId])
            assertEquals(phone, Robot.charges(sandbox))
        }
    }

    @Test
    fun `closing the gateway's page offers to open it again, and shows paid if the money went through`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val dossierId = receivedDossier(vm, connectivity)
            val payment = PaymentViewModel(client, vm.scope, connectivity, dossierId)
            payment.pay(PaymentMethod.GATEWAY)
            val gateway = payment.state.awaitState { it is PaymentState.OpenGateway } as PaymentState.OpenGateway

            // Closed without paying: the screen says so (it waited for ever for a return before).
            payment.onGatewayClosed()
            val closed = payment.state.awaitState { it !is PaymentState.OpenGateway } as PaymentState.GatewayClosed
            assertEquals(gateway.order.orderId, closed.order.orderId)
            assertEquals(gateway.url, closed.url)
            // Asked again elsewhere, the portal answers the same waiting order; its event leaves
            // the page closed (it reopened the gateway on its own before).
            val askedAgain = client.payments.pay(dossierId, PaymentMethod.GATEWAY, SmartHdClient.PAYMENT_RETURN_URL)
            assertEquals(gateway.url, askedAgain.payUrl)
            kotlinx.coroutines.delay(500)
            assertEquals(closed, payment.state.value)
            payment.reopenGateway()
            assertEquals(gateway, payment.state.awaitState { it is PaymentState.OpenGateway })

            // Paid, then the page closed before its return reached the app: the portal says paid.
            Robot.payAtGateway(gateway.url) // the return link is lost
            payment.onGatewayClosed()
            val paid = payment.state.awaitState { it !is PaymentState.OpenGateway } as PaymentState.Paid
            assertEquals(gateway.order.orderId, paid.order.orderId)
        }
    }

    @Test
    fun `a VietQR payment shows the code drawn from the core's module matrix`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val dossierId = receivedDossier(vm, connectivity)
            val payment = PaymentViewModel(client, vm.scope, connectivity, dossierId, english = true)
            payment.pay(PaymentMethod.VIETQR)
            val qr = payment.state.awaitState { it is PaymentState.ShowQr } as PaymentState.ShowQr
            val width = qr.matrix.width.toInt()
            assertTrue(width >= 21, "a QR code is at least 21 modules wide")
            assertEquals(width * width, qr.matrix.modules.size)
            assertTrue(qr.matrix.modules[0] && qr.matrix.modules[width - 1], "finder patterns in the corners")

            // Not paid yet: asking again keeps the code on screen.
            payment.refresh()
            kotlinx.coroutines.delay(200)
            assertTrue(payment.state.awaitState { it !is PaymentState.Requesting } is PaymentState.ShowQr)
        }
    }

    @Test
    fun `a payment screen shows its own dossier's order, never another's`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val first = receivedDossier(vm, connectivity)
            val second = receivedDossier(vm, connectivity)
            val paying = PaymentViewModel(client, vm.scope, connectivity, first)
            paying.pay(PaymentMethod.GATEWAY)
            val gateway = paying.state.awaitState { it is PaymentState.OpenGateway } as PaymentState.OpenGateway

            // The second dossier's screen offers to pay: nothing of the first's order.
            val other = PaymentViewModel(client, vm.scope, connectivity, second)
            kotlinx.coroutines.delay(500)
            assertEquals(PaymentState.Idle, other.state.value)
            // The gateway's return for the first dossier is not shown on the second's screen...
            val back = Robot.payAtGateway(gateway.url)
            other.onReturn(back)
            kotlinx.coroutines.delay(500)
            assertEquals(PaymentState.Idle, other.state.value)
            // ...and the first's screen, opened again, opens on its order, now paid.
            val reopened = PaymentViewModel(client, vm.scope, connectivity, first)
            val paid = reopened.state.awaitState { it is PaymentState.Paid } as PaymentState.Paid
            assertEquals(gateway.order.orderId, paid.order.orderId)
        }
    }

    @Test
    fun `paying a dossier the portal has not received says why`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val form = DossierFormViewModel(client, vm.scope, connectivity)
            form.start(feeCode)
            val draft = form.state.awaitState { it.dossierId != null }.dossierId!!
            val payment = PaymentViewModel(client, vm.scope, connectivity, draft)
            payment.pay(PaymentMethod.GATEWAY)
            val failed = payment.state.awaitState { it is PaymentState.Failed } as PaymentState.Failed
            assertTrue("chưa được cổng tiếp nhận" in failed.message, failed.message)
        }
    }
}
