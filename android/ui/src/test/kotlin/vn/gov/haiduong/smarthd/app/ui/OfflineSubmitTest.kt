package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.logIn

/**
 * No network at the moment of submitting: the dossier is kept and queued, the form and my
 * dossiers say why it waits, the offline banner shows; when the network is back the outbox sends
 * it on its own and my dossiers shows the portal's code.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineSubmitTest {
    private val world = UiWorld("offline")
    private val client = world.client

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `submitted offline, queued with the reason, sent when the network is back`() = runComposeUiTest {
        val draft = runBlocking {
            logIn(client)
            val id = client.dossiers.newDraft(BIRTH).id
            for (field in client.catalog.procedure(BIRTH).form.fields) client.dossiers.setField(id, field.key, Robot.sampleValue(field))
            id
        }
        // The phone loses its network: the portal is gone and the platform says so.
        world.sandbox.stop()
        world.connectivity.onNetworkChanged(false)
        setContent { DesktopHost(world.services) { SmartHdAppUi(world.platform.deepLinks) } }
        waitShown(hasText(Str.OFFLINE_BANNER.text(Language.VI)))

        onNode(hasText(Str.TAB_DOSSIERS.text(Language.VI)) and hasClickAction()).performClick()
        waitShown(hasText(Str.FORM_TITLE.text(Language.VI)) and hasClickAction())
        onNode(hasText(Str.FORM_TITLE.text(Language.VI)) and hasClickAction()).performClick()
        val submit = hasText(Str.SUBMIT.text(Language.VI)) and hasClickAction()
        scrollTo(submit)
        onNode(submit).performClick()

        // Kept, queued, and the form says why it waits (the core's reason, in Vietnamese).
        scrollTo(hasText(Str.QUEUED.text(Language.VI), substring = true))
        val queued = runBlocking { client.dossiers.get(draft) }
        assertEquals(DossierStatus.QUEUED, queued.status)
        val problem = queued.problem
        assertNotNull(problem, "a queued dossier says why it waits")
        val reason = pickLanguage(problem!!, english = false)
        waitShown(hasText(reason, substring = true))
        assertAccessible("form queued offline")

        onNode(hasText(Str.TAB_DOSSIERS.text(Language.VI)) and hasClickAction()).performClick()
        waitShown(hasText(Str.WAITING_BECAUSE.text(Language.VI, reason)))
        assertAccessible("my dossiers with a queued dossier")

        // The network is back: the platform's hint sends what waits, no pull to refresh needed.
        world.sandbox.start()
        world.connectivity.onNetworkChanged(true)
        waitUntil(timeoutMillis = 30_000) { runBlocking { client.dossiers.get(draft) }.status == DossierStatus.RECEIVED }
        val code = runBlocking { client.dossiers.get(draft) }.code!!
        waitShown(hasText(code, substring = true))
        onAllNodes(hasText(Str.WAITING_BECAUSE.text(Language.VI, reason))).assertCountEquals(0)
        // The banner goes when the sync that sent it is over.
        waitUntil(timeoutMillis = 30_000) { onAllNodes(hasText(Str.OFFLINE_BANNER.text(Language.VI))).fetchSemanticsNodes().isEmpty() }
    }
}
