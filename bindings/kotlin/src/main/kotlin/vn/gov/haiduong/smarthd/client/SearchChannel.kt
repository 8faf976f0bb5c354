package vn.gov.haiduong.smarthd.client

import com.sun.jna.NativeLibrary
import java.io.File
import java.nio.ByteBuffer
import vn.gov.haiduong.smarthd.CatalogApi
import vn.gov.haiduong.smarthd.FfiConverterString
import vn.gov.haiduong.smarthd.FfiConverterTypePageRequest
import vn.gov.haiduong.smarthd.FfiConverterTypeSearchFilters
import vn.gov.haiduong.smarthd.FfiConverterTypeSearchPage
import vn.gov.haiduong.smarthd.FfiConverterTypeSmartHdError
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchPage

/**
 * `catalog.search` across JNI instead of JNA, the call the search screen makes at every
 * keystroke. JNA carries each argument and the result as a by-value `RustBuffer` structure (a
 * native allocation call and a reflective copy each: a third of the page's time); here the three
 * arguments go over as one byte array and the page comes back as one, both in UniFFI's own
 * serialization, written and read by the generated converters. Same search, same errors
 * (`SmartHdException`), same handle protocol (a clone per call, consumed by the core), same
 * library (`libsmarthd_ffi`, `bindings/src/jvm.rs`).
 */
internal object SearchChannel {
    /** The answer's first byte: a [SearchPage] follows (else a `SmartHdException`). */
    private const val PAGE: Byte = 0

    init {
        // JNI looks native methods up in the libraries this class loader loaded: load the one JNA
        // already loaded (the same file, so handles are shared), or on Android the app's own.
        val name = System.getProperty("uniffi.component.smarthd.libraryOverride") ?: "smarthd_ffi"
        val file: File? = runCatching { NativeLibrary.getInstance(name).file }.getOrNull()
        if (file != null && file.isAbsolute && file.exists()) System.load(file.path) else System.loadLibrary(name)
    }

    fun search(api: CatalogApi, query: String, filters: SearchFilters, page: PageRequest): SearchPage {
        val size = FfiConverterString.allocationSize(query) +
            FfiConverterTypeSearchFilters.allocationSize(filters) +
            FfiConverterTypePageRequest.allocationSize(page)
        val request = ByteBuffer.allocate(size.toInt())
        FfiConverterString.write(query, request)
        FfiConverterTypeSearchFilters.write(filters, request)
        FfiConverterTypePageRequest.write(page, request)
        val answer = ByteBuffer.wrap(api.callWithHandle { search(it, request.array().copyOf(request.position())) })
        if (answer.get() == PAGE) return FfiConverterTypeSearchPage.read(answer)
        throw FfiConverterTypeSmartHdError.read(answer)
    }

    @JvmStatic
    private external fun search(handle: Long, request: ByteArray): ByteArray
}
