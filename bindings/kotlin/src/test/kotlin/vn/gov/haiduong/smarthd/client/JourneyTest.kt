package vn.gov.haiduong.smarthd.client

import java.nio.file.Files
import java.nio.file.Path
import java.text.Normalizer
import java.util.Collections
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import vn.gov.haiduong.smarthd.CancelHandle
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.EventListener
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.LogLevel
import vn.gov.haiduong.smarthd.LogRecord
import vn.gov.haiduong.smarthd.Logger
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.ProcedureStatus
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.SyncOutcome
import vn.gov.haiduong.smarthd.coreVersion

/** A resident's journey through the Kotlin layer against the sandbox over loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JourneyTest {
    private val tmp: Path = Files.createTempDirectory("smarthd-journey")
    private lateinit var sandbox: Sandbox

    @BeforeAll
    fun startSandbox() {
        sandbox = Sandbox(tmp.resolve("sandbox"))
    }

    @AfterAll
    fun stopSandbox() {
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    private fun firstName(client: SmartHdClient, query: String) = runBlocking {
        client.catalog.search(query, page = PageRequest(0u, 10u)).hits.firstOrNull()?.name
    }

    @Test
    fun `a resident finds, reads and keeps a procedure`() = runBlocking {
        val lines = Collections.synchronizedList(mutableListOf<LogRecord>())
        val logger = object : Logger { override fun log(record: LogRecord) { lines.add(record) } }
        val cfg = config(sandbox.url, tmp.resolve("journey")).copy(logLevel = LogLevel.DEBUG)
        SmartHdClient.open(cfg, MemoryStorage(), logger).use { client ->
            assertTrue(lines.any { "core opened" in it.message }, "$lines")
            assertEquals(0u, client.catalog.freshness().procedures)

            // Subscribe before the sync starts: the flow is hot.
            val progress = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                client.events.filterIsInstance<Event.CatalogSyncProgress>().first { it.done == it.total }
            }
            val report = client.sync.catalog()
            assertEquals(SyncOutcome.UPDATED, report.outcome)
            assertEquals(300uL, report.upserted)
            val last = withTimeout(5_000) { progress.await() }
            assertEquals(300uL, last.done)
            assertTrue(client.catalog.freshness().complete)

            val nfd = Normalizer.normalize("Đăng ký khai sinh", Normalizer.Form.NFD)
            for (q in listOf("dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", nfd)) {
                assertEquals("Đăng ký khai sinh", firstName(client, q), q)
            }
            val hit = client.catalog.search("dang ky khai sinh").hits.first()
            assertEquals(0u, hit.highlights.first().start)
            assertTrue("Đăng ký khai sinh" in client.catalog.suggest("dang k"))

            val commune = client.catalog.search("", SearchFilters(level = Level.COMMUNE), PageRequest(limit = 50u)).hits
            assertTrue(commune.isNotEmpty() && commune.all { it.level == Level.COMMUNE })

            val procedure = client.catalog.procedure(hit.code)
            assertEquals("Đăng ký khai sinh", procedure.name)
            assertEquals(ProcedureStatus.IN_FORCE, procedure.status)
            assertTrue(procedure.form.fields.isNotEmpty() && procedure.documents.isNotEmpty())

            assertTrue(client.catalog.fields().isNotEmpty() && client.catalog.agencies().isNotEmpty())
            assertTrue(client.catalog.units().units.isNotEmpty())

            client.catalog.addFavorite(hit.code)
            assertEquals(listOf(hit.code), client.catalog.favorites().map { it.code })
            client.catalog.removeFavorite(hit.code)
            assertTrue(client.catalog.favorites().isEmpty())
            assertEquals(hit.code, client.catalog.recentlyViewed(5u).first().code)

            assertEquals(SyncOutcome.NOT_MODIFIED, client.sync.catalog().outcome)
            assertTrue(lines.any { "catalog synced" in it.message })
        }
    }

    @Test
    fun `errors arrive as typed exceptions`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("errors")), MemoryStorage()).use { client ->
            client.sync.catalog()
            val e = assertThrows<SmartHdException.NotFound> { runBlocking { client.catalog.procedure("9.999999.H99") } }
            assertTrue("9.999999.H99" in e.detail)
        }
        val insecure = assertThrows<SmartHdException.Validation> {
            runBlocking { SmartHdClient.open(config("http://dichvucong.haiduong.gov.vn/", tmp.resolve("x")), MemoryStorage()) }
        }
        assertEquals("portal_url", insecure.field)
        assertTrue("https" in insecure.reason)
    }

    @Test
    fun `offline after the portal stops, cached data still works`() = runBlocking {
        val own = Sandbox(tmp.resolve("sandbox-offline"))
        val client = SmartHdClient.open(config(own.url, tmp.resolve("offline"), 2000u), MemoryStorage())
        client.use {
            try { client.sync.catalog() } finally { own.close() }
            assertThrows<SmartHdException.Offline> { runBlocking { client.sync.catalog() } }
            assertEquals("Đăng ký khai sinh", firstName(client, "dang ky khai sinh"))
        }
    }

    @Test
    fun `a cancel handle and a cancelled coroutine stop a sync`() = runBlocking {
        val big = Sandbox(tmp.resolve("sandbox-cancel"), size = 1200) // 3 pages
        // One Keystore for the data dir, as on a phone: each reopening finds the data key again.
        val storage = MemoryStorage()
        try {
            SmartHd.open(config(big.url, tmp.resolve("cancel")), storage).use { core ->
                val handle = CancelHandle()
                handle.cancel()
                assertThrows<SmartHdException.Cancelled> { runBlocking { core.sync().use { it.catalog(handle) } } }
                assertEquals(0u, core.catalog().use { it.freshness() }.procedures, "nothing was fetched")
                handle.close()
            }
            // Cancelled from the progress callback after the first page: stops before the next.
            val handle = CancelHandle()
            val seen = Collections.synchronizedList(mutableListOf<Event>())
            val listener = object : EventListener {
                override fun onEvent(event: Event) { seen.add(event); handle.cancel() }
            }
            SmartHd.open(config(big.url, tmp.resolve("cancel")), storage, listener).use { core ->
                assertThrows<SmartHdException.Cancelled> { runBlocking { core.sync().use { it.catalog(handle) } } }
                assertEquals(1, seen.size)
                assertFalse(core.catalog().use { it.freshness() }.complete)
            }
            SmartHdClient.open(config(big.url, tmp.resolve("cancel")), storage).use { client ->
                // Cancelling the coroutine that awaits the sync: no crash, no hang.
                val firstEvent = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) { client.events.first() }
                val job = launch(Dispatchers.Default) { client.sync.catalog() }
                withTimeout(30_000) { firstEvent.await() }
                job.cancelAndJoin()
                // Cancelled after the first page: the pages left (an HTTP fetch each) were not copied.
                assertFalse(client.catalog.freshness().complete)
                // A new sync resumes where the copy stopped and completes.
                assertEquals(SyncOutcome.UPDATED, client.sync.catalog().outcome)
                assertTrue(client.catalog.freshness().complete)
            }
        } finally {
            big.close()
        }
    }

    @Test
    fun `version`() {
        assertEquals(2, coreVersion().count { it == '.' })
    }
}
