package vn.gov.haiduong.smarthd.client

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.SmartHd
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.coreVersion
import vn.gov.haiduong.smarthd.maskCccd
import vn.gov.haiduong.smarthd.vietqrDecode

/**
 * The generated Kotlin reuses a native call's status from a per-thread pool
 * (bindings/uniffi-bindgen/src/call_status.rs): a failed call must not leak its error into the
 * next call, and a call made from inside another (the core calling Kotlin, which calls the core)
 * must not share the outer call's status.
 */
class CallStatusTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a failed call leaves the next calls as they were`() {
        repeat(200) {
            assertThrows<SmartHdException> { vietqrDecode("not a VietQR payload") }
            assertTrue(coreVersion().isNotEmpty())
            assertEquals("001******012", maskCccd("001234569012"))
        }
    }

    /** A storage that calls the core while the core is calling it, the last call failing. */
    private class StorageCallingTheCore(private val caller: Thread) : SecureStorage {
        private val inner = MemoryStorage()
        var callsInside = 0
        private fun callTheCore() {
            if (Thread.currentThread() == caller) callsInside++
            assertTrue(coreVersion().isNotEmpty())
            assertThrows<SmartHdException> { vietqrDecode("not a VietQR payload") }
        }
        override fun get(key: String): ByteArray? = inner.get(key).also { callTheCore() }
        override fun put(key: String, value: ByteArray) = inner.put(key, value).also { callTheCore() }
        override fun delete(key: String) = inner.delete(key).also { callTheCore() }
    }

    @Test
    fun `a call made inside another keeps its own status`() {
        val storage = StorageCallingTheCore(Thread.currentThread())
        // The first read of the resident's data reads (and on first use writes) the data key
        // through the storage, on this thread.
        SmartHd.open(config("http://127.0.0.1:9/", tmp.resolve("data")), storage).use { core ->
            assertEquals(0, core.dossiers().use { it.list().size })
            assertTrue(storage.callsInside > 0, "the core called the storage on this thread while reading")
            core.ping()
            // Nothing synced: an empty page, not an error left over from the storage's calls.
            assertEquals(0, core.catalog().use { it.search("khai sinh", SearchFilters(), PageRequest(0u, 20u)).hits.size })
        }
    }
}
