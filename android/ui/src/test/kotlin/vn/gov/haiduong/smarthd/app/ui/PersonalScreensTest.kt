package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.AppointmentStatus
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.fold
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.submittedDossier

/**
 * The resident's own records, reached from the profile: My documents (the result the officer
 * issued, the papers VNeID lists, found as typed and exported) and appointments (a visit booked
 * at the commune's counter, its ticket verified, cancelled).
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonalScreensTest {
    private val world = UiWorld("personal")
    private val client = world.client
    private val vi = Language.VI
    private val resultName = "Giấy khai sinh bản chính số 9"

    init {
        runBlocking {
            logIn(client, level = 2)
            val dossier = submittedDossier(client, world.scope, world.connectivity, BIRTH)
            Robot.officerIssueResult(world.sandbox, client.dossiers.get(dossier).code!!, resultName)
            client.sync.now() // the result and the resident's papers
        }
    }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `my documents list the result and papers, find a paper typed without tone marks, and export it`() = runComposeUiTest {
        setContent { DesktopHost(world.services) { SmartHdAppUi(emptyFlow(), startRoute = Routes.PROFILE) } }
        val open = hasText(Str.MY_DOCUMENTS.text(vi)) and hasClickAction()
        waitShown(open)
        onNode(open).performClick()
        waitShown(hasText(resultName))
        scrollTo(hasText(Str.DOCUMENT_VERIFIED.text(vi)))
        assertAccessible("my documents")

        onNode(hasSetTextAction()).performTextInput("can cuoc")
        val identityCard = "Căn cước công dân"
        waitUntil(timeoutMillis = 30_000) { onAllNodes(hasText(resultName)).fetchSemanticsNodes().isEmpty() }
        val export = hasText(Str.DOCUMENT_EXPORT.text(vi, identityCard)) and hasClickAction()
        scrollTo(export)
        onNode(export).performClick()
        waitShown(hasText(Str.DOCUMENT_EXPORTED.text(vi, "card-cccd.json")))
        val shared = world.platform.opened.last()
        assertTrue(shared.endsWith("card-cccd.json"), shared)
        assertTrue(java.io.File(shared).readText().contains(Robot.LEVEL2_CCCD), "the card's JSON was handed on")
        assertAccessible("a document exported")
    }

    @Test
    fun `a visit is booked at the commune's counter, its verified ticket shown, then cancelled`() = runComposeUiTest {
        val counter = runBlocking { client.appointments.counters() }.last()
        setContent { DesktopHost(world.services) { SmartHdAppUi(emptyFlow(), startRoute = Routes.PROFILE) } }
        val open = hasText(Str.APPOINTMENTS.text(vi)) and hasClickAction()
        waitShown(open)
        onNode(open).performClick()
        val book = hasText(Str.APPOINTMENT_BOOK.text(vi)) and hasClickAction()
        waitShown(book)
        assertAccessible("appointments")
        onNode(book).performClick()

        waitShown(hasSetTextAction())
        onNode(hasSetTextAction()).performTextInput(fold(counter.unitName))
        val choose = hasText(counter.name, substring = true) and hasClickAction()
        waitShown(choose)
        assertAccessible("booking: counters")
        onNode(choose).performClick()
        val slot = hasText(" · ", substring = true) and hasClickAction()
        waitShown(slot)
        assertAccessible("booking: slots")
        onAllNodes(slot)[0].performClick()

        // The ticket replaces the booking screen.
        waitShown(hasText(Str.TICKET_SHOW.text(vi)))
        val booked = runBlocking { client.appointments.list() }.single()
        assertEquals(counter.counterId, booked.counterId)
        waitShown(hasContentDescription(Str.TICKET_QR_DESCRIPTION.text(vi, booked.number.toInt())))
        val ticket = runBlocking { client.appointments.ticket(booked.bookingId) }
        scrollTo(hasText(Str.TICKET_VERIFIED.text(vi, ticket.keyId), substring = true))
        assertAccessible("ticket")

        val cancel = hasText(Str.APPOINTMENT_CANCEL.text(vi)) and hasClickAction()
        scrollTo(cancel)
        onNode(cancel).performClick()
        waitShown(hasText(Str.APPOINTMENT_CANCELLED.text(vi)))
        assertEquals(AppointmentStatus.CANCELLED, runBlocking { client.appointments.get(booked.bookingId) }.status)
        // Back on the list (not the booking screen), which reads the kept bookings again.
        onNode(hasText(Str.BACK.text(vi)) and hasClickAction()).performClick()
        waitShown(hasText(Str.APPOINTMENT_OPEN.text(vi)) and hasClickAction())
        waitShown(hasText(Str.APPOINTMENT_CANCELLED.text(vi)))
    }
}
