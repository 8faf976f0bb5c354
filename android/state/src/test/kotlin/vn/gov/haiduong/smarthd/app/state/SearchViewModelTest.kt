package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestCoroutineScheduler
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeout
import vn.gov.haiduong.smarthd.client.SmartHdClient
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.app.testing.*

/**
 * Search as you type, in virtual time (kotlinx-coroutines-test): the client's reads run on the
 * test dispatcher, so the debounce is measured on the test's clock, not the wall's.
 */
@OptIn(ExperimentalCoroutinesApi::class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchViewModelTest {
    private val tmp = Files.createTempDirectory("smarthd-search")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val scheduler = TestCoroutineScheduler()
    private val dispatcher = StandardTestDispatcher(scheduler)
    private val client = openedOnTestDispatcher()

    /**
     * The client's reads run on the test dispatcher, which runs only when its scheduler is
     * advanced: the open is started on it and the scheduler driven until it is done (its async
     * calls resume from the core's threads), where only waiting would wait for ever.
     */
    private fun openedOnTestDispatcher(): SmartHdClient {
        val opening = CoroutineScope(dispatcher).async { openClientOn(sandbox, tmp.resolve("app"), io = dispatcher) }
        val deadline = System.nanoTime() + 60_000_000_000
        while (!opening.isCompleted && System.nanoTime() < deadline) {
            scheduler.advanceUntilIdle()
            Thread.sleep(5)
        }
        return runBlocking { withTimeout(1_000) { opening.await() } }
    }

    @BeforeAll
    fun syncCatalog() = runBlocking<Unit> {
        client.sync.catalog()
        sandbox.stop() // search is offline: the portal is not needed any more
    }

    @AfterAll
    fun stop() {
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    @Test
    fun `one search per pause in typing, for the newest query`() = runTest(dispatcher) {
        val search = SearchViewModel(client, backgroundScope, debounceMillis = 300)
        val searched = mutableListOf<String?>()
        backgroundScope.launch { search.state.collect { searched += it.searchedQuery } }
        runCurrent()
        assertEquals("", search.state.value.searchedQuery, "an empty query answers at once")

        for (typed in listOf("d", "da", "dang", "dang ky", "dang ky khai", "dang ky khai sinh")) {
            search.onQueryChange(typed)
            advanceTimeBy(120) // faster than the debounce
            assertEquals(typed, search.state.value.query, "the field shows what is typed at once")
        }
        assertEquals("", search.state.value.searchedQuery, "nothing searched while typing")

        advanceTimeBy(200)
        runCurrent()
        val state = search.state.value
        assertEquals("dang ky khai sinh", state.searchedQuery)
        assertTrue(state.hits.first().name.startsWith("Đăng ký khai sinh"), state.hits.first().name)
        assertTrue(state.hits.first().highlights.isNotEmpty())
        assertEquals(listOf(null, "", "dang ky khai sinh"), searched.distinct(), "no search for a half-typed query")

        // Clearing answers at once (no debounce for an empty field).
        search.onQueryChange("")
        runCurrent()
        assertEquals("", search.state.value.searchedQuery)
    }

    @Test
    fun `browse by field, then search within it, and page on`() = runTest(dispatcher) {
        val search = SearchViewModel(client, backgroundScope, debounceMillis = 300, pageSize = 5u)
        runCurrent()
        val fields = search.state.value.fields
        assertTrue(fields.size > 3, "$fields")
        val field = fields.maxBy { it.count }
        search.selectField(field.name)
        runCurrent()
        val browsed = search.state.value
        assertEquals(field.name, browsed.field)
        assertTrue(browsed.hits.isNotEmpty() && browsed.hits.all { it.field == field.name }, "${browsed.hits}")
        assertEquals(5, browsed.hits.size)

        // The largest field holds more than a page, so there is a next page, and paging on
        // reaches every procedure of the field once, in order, then stops.
        val total = field.count.toInt()
        assertTrue(total > 10, "the largest field has more than two pages: $field")
        assertTrue(browsed.hasMore)
        search.loadMore()
        runCurrent()
        assertEquals(10, search.state.value.hits.size)
        assertEquals(browsed.hits, search.state.value.hits.take(5))
        while (search.state.value.hasMore) {
            val before = search.state.value.hits.size
            search.loadMore()
            runCurrent()
            assertTrue(search.state.value.hits.size > before, "a page was added")
        }
        val all = search.state.value.hits
        assertEquals(total, all.size, "every procedure of the field")
        assertEquals(total, all.map { it.code }.toSet().size, "none twice")
        assertTrue(all.all { it.field == field.name })

        search.onQueryChange("zzzz khong co thu tuc nay")
        advanceTimeBy(301)
        runCurrent()
        assertTrue(search.state.value.hits.isEmpty())
        assertFalse(search.state.value.hasMore)
    }
}
