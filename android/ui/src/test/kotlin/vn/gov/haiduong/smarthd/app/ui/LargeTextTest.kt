package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.ui.geometry.Size
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.runSkikoComposeUiTest
import androidx.compose.ui.unit.Density
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.bookedAppointment
import vn.gov.haiduong.smarthd.app.testing.logIn

/**
 * Every screen on a 360 x 800 dp phone with the text at twice its size, in Vietnamese (light
 * theme) and in English (dark theme): every text fits, whole words on each line, and the
 * accessibility checks hold, text contrast among them, in both themes.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeTextTest {
    private val world = UiWorld("large")
    private val client = world.client
    private val services = world.services
    private val draft: String = runBlocking {
        logIn(client, level = 2)
        client.dossiers.newDraft(BIRTH).id
    }
    private val booking: String = runBlocking { bookedAppointment(client).bookingId }

    @AfterAll
    fun stop() = world.close()

    @ParameterizedTest
    @EnumSource(Language::class)
    fun `every screen at font scale 2 on a phone`(language: Language) {
        services.settings.value = AppSettings(language)
        val screens = listOf(
            Routes.HOME, Routes.procedure(BIRTH), Routes.draft(draft), Routes.DOSSIERS, Routes.dossier(draft), Routes.payment(draft),
            Routes.RECEIPTS, Routes.REPORTS, Routes.INBOX, Routes.PROFILE, Routes.SETTINGS, Routes.LOOKUP,
            Routes.SAVED, Routes.DOCUMENTS, Routes.APPOINTMENTS, Routes.booking(BIRTH), Routes.appointment(booking),
        )
        for (route in screens) {
            runSkikoComposeUiTest(size = Size(720f, 1600f), density = Density(2f, fontScale = 2f)) {
                setContent { DesktopHost(services) { SmartHdAppUi(emptyFlow(), darkTheme = language == Language.EN, startRoute = route) } }
                settle()
                assertTextFits("$route ($language)")
                assertAccessible("$route ($language)")
            }
        }
    }

    /** Waits until what the screen shows stops changing (its holders have loaded from the core). */
    private fun ComposeUiTest.settle() {
        var last = ""
        var same = 0
        waitUntil(timeoutMillis = 30_000) {
            val now = onAllNodes(SemanticsMatcher("any") { true }, useUnmergedTree = true).fetchSemanticsNodes()
                .joinToString { node ->
                    listOf(SemanticsProperties.Text, SemanticsProperties.EditableText, SemanticsProperties.ContentDescription)
                        .joinToString { node.config.getOrNull(it).toString() } + node.boundsInRoot
                }
            same = if (now == last) same + 1 else 0
            last = now
            same >= 3
        }
    }
}
