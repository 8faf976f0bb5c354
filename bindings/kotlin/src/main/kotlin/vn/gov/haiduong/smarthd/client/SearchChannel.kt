package vn.gov.haiduong.smarthd.client

import com.sun.jna.NativeLibrary
import java.io.File
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import vn.gov.haiduong.smarthd.CatalogApi
import vn.gov.haiduong.smarthd.FfiConverterString
import vn.gov.haiduong.smarthd.FfiConverterTypePageRequest
import vn.gov.haiduong.smarthd.FfiConverterTypeSearchFilters
import vn.gov.haiduong.smarthd.FfiConverterTypeSmartHdError
import vn.gov.haiduong.smarthd.Level
import vn.gov.haiduong.smarthd.OnlineLevel
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SearchPage
import vn.gov.haiduong.smarthd.Span

/**
 * `catalog.search` across JNI instead of JNA, the call the search screen makes at every
 * keystroke. JNA carries each argument and the result as a by-value `RustBuffer` structure (a
 * native allocation call and a reflective copy each: a third of the page's time); here the three
 * arguments go over as one byte array and the page comes back as one, in UniFFI's own
 * serialization. Same search, same errors (`SmartHdException`), same library
 * (`libsmarthd_ffi`, `bindings/src/jvm.rs`).
 *
 * What is left above the Rust call was measured (docs/performance.md) and cut where it was this
 * side's: the channel holds one handle on the catalog for its life, where a generated call clones
 * one through JNA at every call; and the page is read in place ([readPage]), its texts decoded
 * from the answer without the generated reader's copy of each, a field's or an agency's text
 * shared by the hits that repeat it.
 */
internal class SearchChannel(api: CatalogApi) : AutoCloseable {
    /** A handle of its own on the catalog (UniFFI's protocol: a clone, released by [release]). */
    private val handle: Long = api.callWithHandle { it }

    /** 1 while open, plus one per call in flight: the handle is released when it reaches 0. */
    private val users = AtomicLong(1)
    private val closed = AtomicBoolean(false)

    fun search(query: String, filters: SearchFilters, page: PageRequest): SearchPage {
        val size = FfiConverterString.allocationSize(query) +
            FfiConverterTypeSearchFilters.allocationSize(filters) +
            FfiConverterTypePageRequest.allocationSize(page)
        val request = ByteBuffer.allocate(size.toInt())
        FfiConverterString.write(query, request)
        FfiConverterTypeSearchFilters.write(filters, request)
        FfiConverterTypePageRequest.write(page, request)
        enter()
        val answer = try {
            ByteBuffer.wrap(search(handle, request.array(), request.position()))
        } finally {
            leave()
        }
        if (answer.get() == PAGE) return readPage(answer)
        throw FfiConverterTypeSmartHdError.read(answer)
    }

    /** Calls still running keep the handle; the last one out releases it. */
    override fun close() {
        if (closed.compareAndSet(false, true)) leave()
    }

    private fun enter() {
        do {
            val count = users.get()
            check(count != 0L) { "the catalog is closed" }
        } while (!users.compareAndSet(count, count + 1))
    }

    private fun leave() {
        if (users.decrementAndGet() == 0L) release(handle)
    }

    companion object {
        /** The answer's first byte: a [SearchPage] follows (else a `SmartHdException`). */
        private const val PAGE: Byte = 0

        init {
            // JNI looks native methods up in the libraries this class loader loaded: load the one
            // JNA already loaded (the same file, so handles are shared), or on Android the app's own.
            val name = System.getProperty("uniffi.component.smarthd.libraryOverride") ?: "smarthd_ffi"
            val file: File? = runCatching { NativeLibrary.getInstance(name).file }.getOrNull()
            if (file != null && file.isAbsolute && file.exists()) System.load(file.path) else System.loadLibrary(name)
        }

        /**
         * A [SearchPage] in UniFFI's serialization (as `FfiConverterTypeSearchPage.read` reads it;
         * `SearchChannelTest` holds the two equal): lengths and numbers as big-endian `i32`, an
         * enum as its 1-based index, an optional as a 0/1 byte before its value.
         */
        internal fun readPage(buf: ByteBuffer): SearchPage {
            val field = SharedText()
            val agency = SharedText()
            val hits = List(buf.getInt()) {
                SearchHit(
                    code = readText(buf),
                    name = readText(buf),
                    nameEn = if (buf.get().toInt() == 0) null else readText(buf),
                    field = field.read(buf),
                    agency = agency.read(buf),
                    level = Level.entries[buf.getInt() - 1],
                    online = OnlineLevel.entries[buf.getInt() - 1],
                    highlights = List(buf.getInt()) { Span(buf.getInt().toUInt(), buf.getInt().toUInt()) },
                )
            }
            return SearchPage(hits, buf.get().toInt() != 0)
        }

        /** A text decoded where it lies in the answer's array. */
        private fun readText(buf: ByteBuffer): String {
            val length = buf.getInt()
            val at = buf.arrayOffset() + buf.position()
            buf.position(buf.position() + length)
            return String(buf.array(), at, length, Charsets.UTF_8)
        }

        /** Successive hits mostly repeat a field or an agency: the same bytes, the same String. */
        private class SharedText {
            private var text: String? = null
            private var at = 0
            private var length = 0

            fun read(buf: ByteBuffer): String {
                val length = buf.getInt(buf.position())
                val at = buf.arrayOffset() + buf.position() + 4
                val bytes = buf.array()
                val last = text
                if (last != null && length == this.length &&
                    java.util.Arrays.equals(bytes, at, at + length, bytes, this.at, this.at + length)
                ) {
                    buf.position(buf.position() + 4 + length)
                    return last
                }
                this.at = at
                this.length = length
                return readText(buf).also { text = it }
            }
        }

        @JvmStatic
        private external fun search(handle: Long, request: ByteArray, length: Int): ByteArray

        @JvmStatic
        private external fun release(handle: Long)
    }
}
