package vn.gov.haiduong.smarthd.client

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.coreVersion

/**
 * Per-call cost through the generated bindings (JNA): an empty call, and a search returning 20
 * results (records, strings, lists crossing back), beside the same search across JNI
 * ([SearchChannel], what `client.catalog.search` uses). A careful manual loop: each call warmed
 * up for a time (`0.1 s x scale`: C2 compiles a method after about 10,000 calls, so a fixed
 * count measured a half-compiled path), then the median of several timed rounds (the two
 * searches' rounds alternated, each after a collection). `-Dsmarthd.bench.scale=40` for the published
 * figures (with the release library: `-Dsmarthd.libdir=.../target/release`); the default scale
 * keeps the test suite fast. Compare with `cargo run --release -p smarthd-ffi --example call_cost`.
 */
class CallCostTest {
    @TempDir
    lateinit var tmp: Path

    private inline fun nsPerCall(rounds: Int, calls: Int, body: () -> Unit): Double {
        val samples = DoubleArray(rounds) {
            val start = System.nanoTime()
            for (i in 0 until calls) body()
            (System.nanoTime() - start).toDouble() / calls
        }
        samples.sort()
        return samples[rounds / 2]
    }

    /**
     * [nsPerCall] of two calls, their rounds alternated, each after a collection: what one
     * leaves for the collector (JNA's by-value structures leave much) is not billed to the other,
     * and a slow moment of the machine falls on both.
     */
    private inline fun nsPerCallAlternating(rounds: Int, calls: Int, first: () -> Unit, second: () -> Unit): Pair<Double, Double> {
        val a = DoubleArray(rounds)
        val b = DoubleArray(rounds)
        for (round in 0 until rounds) {
            System.gc()
            a[round] = nsPerCall(1, calls, first)
            System.gc()
            b[round] = nsPerCall(1, calls, second)
        }
        a.sort()
        b.sort()
        return Pair(a[rounds / 2], b[rounds / 2])
    }

    private inline fun warmUp(seconds: Double, body: () -> Unit) {
        val end = System.nanoTime() + (seconds * 1e9).toLong()
        while (System.nanoTime() < end) for (i in 0 until 100) body()
    }

    @Test
    fun `call cost from Kotlin`() {
        val scale = (System.getProperty("smarthd.bench.scale") ?: "1").toInt()
        Sandbox(tmp.resolve("sandbox")).use { sandbox ->
            SmartHd.open(config(sandbox.url, tmp.resolve("data")), MemoryStorage()).use { core ->
                runBlocking { core.sync().use { it.catalog() } }
                val catalog = core.catalog()
                val channel = SearchChannel(catalog)
                val filters = SearchFilters()
                val page = PageRequest(0u, 20u)
                val query = "dang ky"
                assertEquals(20, catalog.search(query, filters, page).hits.size, "the benchmark query must fill a page")

                // Warm up (JIT, JNA's method lookup, SQLite's page cache).
                val warmUpSeconds = 0.1 * scale
                warmUp(warmUpSeconds) { core.ping() }
                warmUp(warmUpSeconds) { coreVersion() }
                warmUp(warmUpSeconds) { catalog.search(query, filters, page) }
                warmUp(warmUpSeconds) { channel.search(query, filters, page) }

                val empty = nsPerCall(7, 5_000 * scale) { core.ping() }
                // A top-level function: one native call (a method is two: clone the handle, call).
                val function = nsPerCall(7, 5_000 * scale) { coreVersion() }
                val (acrossJni, throughJna) = nsPerCallAlternating(
                    7,
                    100 * scale,
                    { channel.search(query, filters, page) },
                    { catalog.search(query, filters, page) },
                )
                println(
                    "call cost (Kotlin/JVM, JNA, ${System.getProperty("jna.library.path")}): " +
                        ("empty method call %.2f us; function returning a short string %.2f us; " +
                        "search returning 20 results %.1f us (JNI, client.catalog.search) / %.1f us (JNA, generated)")
                        .format(empty / 1000, function / 1000, acrossJni / 1000, throughJna / 1000),
                )
                channel.close()
                catalog.close()
            }
        }
    }
}
