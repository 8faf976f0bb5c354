package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasScrollToNodeAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.fieldProblemMessage
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.samplePdf

/**
 * The resident's journey through the real screens, the real core and the sandbox: find a
 * procedure, read it, start a dossier, log in at level 2 from the form (the browser's part done
 * over HTTP), fill it with the validation messages on show, submit, and find it received.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DossierJourneyTest {
    private val world = UiWorld("journey")
    private val client = world.client
    private val platform = world.platform
    private val services = world.services

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `search, read, start, log in, fill, submit, received`() = runComposeUiTest {
        setContent { DesktopHost(services) { SmartHdAppUi(platform.deepLinks) } }

        onNode(hasSetTextAction()).performTextInput("dang ky khai sinh")
        val birthName = runBlocking { client.catalog.procedure(BIRTH).name }
        waitShown(hasText(birthName) and hasClickAction())
        assertAccessible("home with results")
        onNode(hasText(birthName) and hasClickAction()).performClick()

        waitShown(hasText(Str.PROCEDURE_DOCUMENTS.text(Language.VI)))
        assertAccessible("procedure")
        onNode(hasScrollToNodeAction()).performScrollToNode(hasText(Str.START_DOSSIER.text(Language.VI)))
        onNodeWithText(Str.START_DOSSIER.text(Language.VI)).performClick()

        // Not logged in: the form's button logs in at level 2; the robot answers the browser.
        val level2 = hasText(Str.LOGIN_LEVEL2.text(Language.VI)) and hasClickAction()
        scrollTo(level2)
        onNode(level2).performClick()
        waitShown(hasText(Str.SUBMIT.text(Language.VI)) and hasClickAction())
        assertEquals(1, platform.opened.count { it.contains("authorize") }, "${platform.opened}")

        // A wrong CCCD is explained under its field, in the core's words; then every field gets a
        // valid value.
        val fields = runBlocking { client.catalog.procedure(BIRTH).form.fields }
        val cccd = fields.first { it.kind == FieldKind.CCCD }
        val cccdField = hasSetTextAction() and hasContentDescription(cccd.label, substring = true)
        scrollTo(cccdField)
        onNode(cccdField).performTextClearance()
        onNode(cccdField).performTextInput("12345")
        waitShown(hasText(problemWith(cccd.key, "12345")))
        for (field in fields) {
            when (field.kind) {
                FieldKind.CHECKBOX, FieldKind.SELECT -> {
                    val choice = if (field.kind == FieldKind.SELECT) hasText(field.options.first().label) else hasText(field.label, substring = true)
                    scrollTo(choice and hasClickAction())
                    onNode(choice and hasClickAction()).performClick()
                }
                else -> {
                    // Typed over what the form prefilled from the resident's profile.
                    val editor = hasSetTextAction() and hasContentDescription(field.label, substring = true)
                    scrollTo(editor)
                    onNode(editor).performTextClearance()
                    onNode(editor).performTextInput(Robot.sampleValue(field))
                }
            }
        }
        // A PDF from the document picker, beside the photo buttons.
        platform.pickFile = { samplePdf(world.tmp.resolve("files"), "giay-chung-sinh.pdf") }
        val attachPdf = hasText(Str.ATTACH_DOCUMENT.text(Language.VI)) and hasClickAction()
        scrollTo(attachPdf)
        onNode(attachPdf).performClick()
        waitShown(hasText("giay-chung-sinh.pdf", substring = true))
        assertAccessible("form filled")
        val submit = hasText(Str.SUBMIT.text(Language.VI)) and hasClickAction()
        scrollTo(submit)
        onNode(submit).performClick()

        // Sent: the app goes to my dossiers, where the portal's code is shown.
        waitUntil(timeoutMillis = 30_000) { runBlocking { client.dossiers.list() }.any { it.status == DossierStatus.RECEIVED } }
        val dossier = runBlocking { client.dossiers.list() }.first { it.procedureCode == BIRTH }
        waitShown(hasText(dossier.code!!, substring = true))
        assertAccessible("my dossiers")
    }

    /** What the core says of [value] in field [key] of a birth registration (a scratch draft asked). */
    private fun problemWith(key: String, value: String): String = runBlocking {
        val scratch = client.dossiers.newDraft(BIRTH).id
        try {
            pickLanguage(fieldProblemMessage(client.dossiers.setField(scratch, key, value) ?: error("$value is valid")), false)
        } finally {
            client.dossiers.deleteDraft(scratch)
        }
    }
}
