package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isEnabled
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.RatingVerdict
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.samplePdf
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * After submission, to the result in hand: a notification's link opens the dossier; the officer
 * asked for two documents, the resident attaches each and sends them; the officer issues the
 * result, the resident gets it checked on the phone and rates the service.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultJourneyTest {
    private val world = UiWorld("result")
    private val client = world.client
    private val vi = Language.VI
    private val copy = "Bản sao giấy chứng sinh"
    private val witness = "Giấy xác nhận của người làm chứng"
    private val resultName = "Giấy khai sinh bản chính số 123"
    private val dossier: String = runBlocking {
        logIn(client, level = 2)
        submittedDossier(client, world.scope, world.connectivity, BIRTH)
    }
    private val code = runBlocking { client.dossiers.get(dossier).code!! }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a supplement is attached and sent, then the result is opened verified and rated`() = runComposeUiTest {
        Robot.officerRequestSupplement(world.sandbox, code, "Bổ sung giấy tờ còn thiếu", listOf(copy, witness))
        runBlocking { world.connectivity.refresh() }
        val links = Channel<String>(Channel.BUFFERED)
        setContent { DesktopHost(world.services) { SmartHdAppUi(links.receiveAsFlow()) } }
        // What a tap on the dossier's notification opens.
        val notice = noticeFor(vn.gov.haiduong.smarthd.Event.DossierStatusChanged(dossier, code, DossierStatus.NEED_MORE_DOCUMENTS), vi)!!
        links.trySend(notice.link)

        waitShown(hasText(Str.SUPPLEMENT_TITLE.text(vi, 1)))
        val send = hasText(Str.SUPPLEMENT_SEND.text(vi)) and hasClickAction()
        waitShown(send)
        assertEquals(0, onAllNodes(send and isEnabled()).fetchSemanticsNodes().size, "nothing attached yet")
        assertAccessible("supplement requested")
        for (document in listOf(copy, witness)) {
            world.platform.pickFile = { samplePdf(world.tmp.resolve("files"), "${document.hashCode()}.pdf") }
            val attach = hasText(Str.SUPPLEMENT_ATTACH.text(vi, document)) and hasClickAction()
            scrollTo(attach)
            onNode(attach).performClick()
            scrollTo(hasText(Str.SUPPLEMENT_ATTACHED.text(vi, document), substring = true))
        }
        scrollTo(send and isEnabled())
        onNode(send).performClick()
        waitUntil(timeoutMillis = 30_000) { runBlocking { client.dossiers.get(dossier) }.status == DossierStatus.PROCESSING }
        waitUntil(timeoutMillis = 30_000) { onAllNodes(hasText(Str.SUPPLEMENT_TITLE.text(vi, 1))).fetchSemanticsNodes().isEmpty() }

        Robot.officerIssueResult(world.sandbox, code, resultName)
        onNode(hasText(Str.REFRESH.text(vi)) and hasClickAction()).performClick()
        val open = hasText(Str.RESULT_OPEN.text(vi)) and hasClickAction()
        scrollTo(open)
        assertAccessible("result ready")
        onNode(open).performClick()
        val result = runBlocking { client.dossiers.result(dossier) }
        assertEquals(resultName, result.name)
        scrollTo(hasText(Str.RESULT_VERIFIED.text(vi, result.issuer, vn.gov.haiduong.smarthd.app.state.localTime(result.issuedAt)), substring = true))

        val verySatisfied = hasText(Str.VERDICT_VERY_SATISFIED.text(vi)) and hasClickAction()
        scrollTo(verySatisfied)
        onNode(verySatisfied).performClick()
        scrollTo(hasText(Str.RATED.text(vi, Str.VERDICT_VERY_SATISFIED.text(vi))))
        assertEquals(RatingVerdict.VERY_SATISFIED, runBlocking { client.dossiers.get(dossier) }.rating)
        assertAccessible("rated")
    }
}
