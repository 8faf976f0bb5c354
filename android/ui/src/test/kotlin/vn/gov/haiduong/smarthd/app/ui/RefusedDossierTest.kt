package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isEnabled
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.logIn

/**
 * The portal refuses a dossier (its procedure was retired for a while when it arrived): its
 * screen and the form say why, my dossiers offers to correct it, the form sends it again, and the
 * portal takes it once the procedure is back in force.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedDossierTest {
    private val world = UiWorld("refused")
    private val client = world.client

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a refused dossier is corrected and sent again from the form`() = runComposeUiTest {
        val vi = Language.VI
        val dossier = runBlocking {
            logIn(client)
            val id = client.dossiers.newDraft(BIRTH).id
            for (field in client.catalog.procedure(BIRTH).form.fields) client.dossiers.setField(id, field.key, Robot.sampleValue(field))
            client.dossiers.submit(id)
            val record = Robot.procedureRecord(world.sandbox, BIRTH)
            Robot.replaceProcedure(world.sandbox, BIRTH, replacedBy = "1.000894.H19")
            client.sync.now()
            Robot.publishProcedure(world.sandbox, record)
            client.sync.catalog()
            id
        }
        val refused = runBlocking { client.dossiers.get(dossier) }
        assertEquals(DossierStatus.FAILED, refused.status)
        val reason = pickLanguage(refused.problem!!, english = false)

        setContent { DesktopHost(world.services) { SmartHdAppUi(world.platform.deepLinks) } }
        // The dossier's screen says why, in the app's language only.
        onNode(hasText(Str.TAB_DOSSIERS.text(vi)) and hasClickAction()).performClick()
        val details = hasText(Str.DOSSIER_DETAILS.text(vi)) and hasClickAction()
        waitShown(details)
        onNode(details).performClick()
        waitShown(hasText(reason))
        onNode(hasText(Str.TAB_DOSSIERS.text(vi)) and hasClickAction()).performClick()
        val edit = hasText(Str.FORM_TITLE.text(vi)) and hasClickAction()
        waitShown(edit)
        onNode(edit).performClick()

        scrollTo(hasText(Str.REFUSED.text(vi, reason)))
        val again = hasText(Str.SUBMIT_AGAIN.text(vi)) and hasClickAction() and isEnabled()
        scrollTo(again)
        assertAccessible("form of a refused dossier")
        onNode(again).performClick()

        waitUntil(timeoutMillis = 30_000) { runBlocking { client.dossiers.get(dossier) }.status == DossierStatus.RECEIVED }
        waitShown(hasText(runBlocking { client.dossiers.get(dossier) }.code!!, substring = true))
    }
}
