package vn.gov.haiduong.smarthd.client

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.SmartHdException

/**
 * The search page across JNI ([SearchChannel], what `client.catalog.search` uses) answers exactly
 * what the generated JNA call answers: the same hits with their highlights, the same paging, the
 * same typed errors; and a closed channel is refused, not read.
 */
class SearchChannelTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `the channel answers what the generated call answers`() {
        Sandbox(tmp.resolve("sandbox")).use { sandbox ->
            SmartHd.open(config(sandbox.url, tmp.resolve("data")), MemoryStorage()).use { core ->
                runBlocking { core.sync().use { it.catalog() } }
                val catalog = core.catalog()
                val channel = SearchChannel(catalog)
                val field = catalog.fields().first().name
                val searches = listOf(
                    Triple("đăng ký khai sinh", SearchFilters(), PageRequest(0u, 20u)),
                    Triple("dang ky", SearchFilters(), PageRequest(0u, 20u)),
                    Triple("dang ky", SearchFilters(), PageRequest(20u, 7u)),
                    Triple("", SearchFilters(field = field), PageRequest(0u, 50u)),
                    Triple("", SearchFilters(level = Level.COMMUNE), PageRequest(0u, 200u)),
                    Triple("không có thủ tục nào như thế này", SearchFilters(), PageRequest(0u, 20u)),
                )
                for ((query, filters, page) in searches) {
                    assertEquals(catalog.search(query, filters, page), channel.search(query, filters, page), query)
                }
                val page = channel.search("đăng ký khai sinh", SearchFilters(), PageRequest(0u, 20u))
                assertTrue(page.hits.isNotEmpty() && page.hits.all { it.highlights.isNotEmpty() }, "hits with their highlights")
                assertTrue(page.hits.any { "Đăng ký khai sinh" in it.name }, "names keep their diacritics: ${page.hits.map { it.name }}")

                val refused = assertThrows<SmartHdException.Validation> { channel.search("x", SearchFilters(), PageRequest(0u, 0u)) }
                val refusedByJna = assertThrows<SmartHdException.Validation> { catalog.search("x", SearchFilters(), PageRequest(0u, 0u)) }
                assertEquals(refusedByJna.message, refused.message)

                // The channel's handle is its own: it searches after the catalog object is closed,
                // until the channel is closed too (as `SmartHdClient.close` does).
                catalog.close()
                assertEquals(20, channel.search("dang ky", SearchFilters(), PageRequest(0u, 20u)).hits.size)
                channel.close()
                channel.close()
                assertThrows<IllegalStateException> { channel.search("dang ky", SearchFilters(), PageRequest(0u, 20u)) }
            }
        }
    }
}
