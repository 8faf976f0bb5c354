package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.material3.lightColorScheme
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.ProcedureStatus
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.Robot

/** Đăng ký lại khai sinh: in every sandbox catalog (sandbox/data/known.json). */
private const val BIRTH_AGAIN = "1.004772.H19"

/**
 * The portal replaces a procedure by another: once the catalog is synced, its screen says by
 * which one, in the error colour, offers no new dossier, and opens the procedure that replaces it.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplacedProcedureTest {
    private val world = UiWorld("replaced")
    private val client = world.client
    private val vi = Language.VI

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `a replaced procedure says by which one, in the error colour, and opens it`() = runComposeUiTest {
        val (replaced, replacement) = runBlocking {
            Robot.replaceProcedure(world.sandbox, BIRTH, replacedBy = BIRTH_AGAIN)
            client.sync.catalog()
            client.catalog.procedure(BIRTH) to client.catalog.procedure(BIRTH_AGAIN)
        }
        assertEquals(ProcedureStatus.REPLACED, replaced.status, "the sync brought the replacement")
        setContent { DesktopHost(world.services) { SmartHdAppUi(emptyFlow(), darkTheme = false, startRoute = Routes.procedure(BIRTH)) } }

        val status = Str.STATUS_REPLACED.text(vi, BIRTH_AGAIN)
        waitShown(hasText(status))
        assertEquals(lightColorScheme().error, inkOf(status), "a warning, not the in-force text")
        assertAccessible("replaced procedure")
        // The end of the record, where an in-force procedure offers a dossier and a visit.
        scrollTo(hasText(Str.PROCEDURE_UPDATED.text(vi, localTime(replaced.updatedAt))))
        onAllNodes(hasText(Str.START_DOSSIER.text(vi))).assertCountEquals(0)
        onAllNodes(hasText(Str.BOOK_APPOINTMENT.text(vi))).assertCountEquals(0)

        val open = hasText(Str.PROCEDURE_OPEN_REPLACEMENT.text(vi)) and hasClickAction()
        scrollTo(open)
        onNode(open).performClick()
        waitShown(hasText(replacement.name))
        waitShown(hasText(Str.STATUS_IN_FORCE.text(vi)))
        onAllNodes(hasText(status)).assertCountEquals(0)
        assertAccessible("the replacing procedure")
    }
}
