package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.material3.lightColorScheme
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.app.desktop.DesktopHost
import vn.gov.haiduong.smarthd.app.state.localTime
import vn.gov.haiduong.smarthd.app.testing.Robot

/**
 * The portal goes away in the middle of a catalog sync: Home warns that the catalog is out of
 * date (a copy left half done may hold old fees and documents), with the time of the last whole
 * sync; once the portal is back and a sync finishes, Home says when the catalog was updated.
 */
@OptIn(ExperimentalTestApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaleCatalogTest {
    // 600 procedures: once all change, the sync takes two pages (500 each), so it can stop between them.
    private val world = UiWorld("stale", catalogSize = 600)
    private val client = world.client
    private val vi = Language.VI

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `Home warns of a catalog whose sync was cut off, until a sync finishes`() = runComposeUiTest {
        val syncedAt = runBlocking { client.catalog.freshness() }.lastSuccessAt!!
        setContent { DesktopHost(world.services) { SmartHdAppUi(emptyFlow(), darkTheme = false) } }
        val updated = Str.CATALOG_UPDATED.text(vi, localTime(syncedAt))
        waitShown(hasText(updated))

        // Every procedure changes, and the portal answers slowly: the second page is still on
        // its way when the first is stored, and the portal stops then (the phone loses it).
        Robot.mutateCatalog(world.sandbox, 600)
        Robot.slowPortal(world.sandbox, delayMs = 10_000)
        // Home reads the catalog's age again when it sees a sync end, and it sees that only on a
        // frame: the test waits with waitUntil (frames go on), never blocked in runBlocking.
        val progress = world.scope.async(start = CoroutineStart.UNDISPATCHED) {
            client.events.filterIsInstance<Event.CatalogSyncProgress>().first()
        }
        val cutOff = world.scope.launch { world.connectivity.refresh() } // pull to refresh
        waitUntil(timeoutMillis = 30_000) { progress.isCompleted }
        world.sandbox.stop()
        waitUntil(timeoutMillis = 30_000) { cutOff.isCompleted }
        val firstPage = runBlocking { progress.await() }
        assertTrue(firstPage.done < firstPage.total, "stopped between two pages: $firstPage")
        val halfDone = runBlocking { client.catalog.freshness() }
        assertFalse(halfDone.complete)
        assertEquals(syncedAt, halfDone.lastSuccessAt, "a sync left half done is no success")

        // The warning names the last whole sync, in Vietnam's time.
        val stale = Str.CATALOG_STALE.text(vi, localTime(syncedAt))
        waitShown(hasText(stale))
        assertEquals(lightColorScheme().error, inkOf(stale))
        onAllNodes(hasText(updated)).assertCountEquals(0)
        assertAccessible("home with a stale catalog")

        // The portal is back (the restart ended its fault): a sync resumes and finishes the copy.
        world.sandbox.start()
        val resumed = world.scope.launch { world.connectivity.refresh() }
        waitUntil(timeoutMillis = 30_000) { resumed.isCompleted }
        val freshness = runBlocking { client.catalog.freshness() }
        assertTrue(freshness.complete)
        val updatedAgain = Str.CATALOG_UPDATED.text(vi, localTime(freshness.lastSuccessAt!!))
        waitShown(hasText(updatedAgain))
        assertEquals(lightColorScheme().onSurfaceVariant, inkOf(updatedAgain))
        onAllNodes(hasText(stale)).assertCountEquals(0)
    }
}
