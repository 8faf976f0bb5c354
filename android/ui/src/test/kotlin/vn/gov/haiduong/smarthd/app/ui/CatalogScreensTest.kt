package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.testing.BIRTH

/**
 * The catalog's screens against the synced sandbox catalog: Home says when the catalog was
 * updated; a procedure shows its whole record; its star and its opening put it on the saved
 * screen reached from Home.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogScreensTest {
    private val world = UiWorld("catalog")
    private val client = world.client
    private val vi = Language.VI

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a procedure shows its whole record, and its star and opening reach the saved screen from Home`() = runComposeUiTest {
        val procedure = runBlocking { client.catalog.procedure(BIRTH) }
        val syncedAt = runBlocking { client.catalog.freshness() }.lastSuccessAt!!
        setContent { DesktopHost(world.services) { SmartHdAppUi(emptyFlow(), startRoute = Routes.procedure(BIRTH)) } }

        waitShown(hasText(procedure.name))
        // What the record holds, each under its heading (a record may have no conditions).
        val expected = listOf(Str.STATUS_IN_FORCE.text(vi), Str.PROCEDURE_PROCESSING_AGENCY.text(vi, procedure.processingAgency)) +
            procedure.steps.take(1).flatMap { listOf(Str.PROCEDURE_STEPS.text(vi), "1. $it") } +
            procedure.conditions.take(1).flatMap { listOf(Str.PROCEDURE_CONDITIONS.text(vi), "• $it") } +
            procedure.legalBasis.take(1).flatMap { listOf(Str.PROCEDURE_LEGAL_BASIS.text(vi), "• $it") }
        assertTrue(procedure.steps.isNotEmpty() && procedure.legalBasis.isNotEmpty(), "the sandbox's record has steps and a legal basis")
        for (shown in expected) scrollTo(hasText(shown, substring = true))
        assertAccessible("procedure")

        scrollTo(hasContentDescription(Str.FAVORITE_ADD.text(vi)))
        onNode(hasContentDescription(Str.FAVORITE_ADD.text(vi))).performClick()
        waitShown(hasContentDescription(Str.FAVORITE_REMOVE.text(vi)))
        onNode(hasContentDescription(Str.BACK.text(vi)) and hasClickAction()).performClick()

        // Home: when the catalog was brought up to date, in Vietnam's time.
        waitShown(hasText(Str.CATALOG_UPDATED.text(vi, localTime(syncedAt))))
        assertAccessible("home")
        onNode(hasText(Str.SAVED_PROCEDURES.text(vi)) and hasClickAction()).performClick()
        // Once a favourite, once recently viewed.
        waitUntil(timeoutMillis = 30_000) { onAllNodes(hasText(procedure.name) and hasClickAction()).fetchSemanticsNodes().size == 2 }
        assertAccessible("saved procedures")
        onAllNodes(hasText(procedure.name) and hasClickAction())[0].performClick()
        waitShown(hasContentDescription(Str.FAVORITE_REMOVE.text(vi)))
        assertEquals(listOf(BIRTH), runBlocking { client.catalog.favorites() }.map { it.code })
    }
}
