package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf
import kotlinx.coroutines.flow.MutableStateFlow
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * What the screens need from the platform they run on (Android, or the desktop JVM here): the
 * browser for the login and the gateway, the photo sources, one location fix. Kept this small so
 * the screens never import `android.*`.
 */
interface Platform {
    /** The VNeID login, in a browser that shares no cookies (a shared phone keeps no one's session). */
    fun openLogin(url: String)

    /** The provider's logout page. */
    fun openEndSession(url: String)

    /**
     * True when the login's browser keeps its cookies (no ephemeral Custom Tab on this phone):
     * the login then asks VNeID for the credentials every time (SessionViewModel.login).
     */
    val loginBrowserKeepsCookies: Boolean get() = false

    /** The payment gateway; it comes back through the payment-return link. */
    fun openGateway(url: String)

    /** The photo picker and the camera; either way [onFile] gets a file path the core can read. */
    @Composable
    fun rememberPhotoSources(onFile: (String) -> Unit): PhotoSources

    /** The document picker (a PDF or a picture); [onFile] gets a file path the core can read. */
    @Composable
    fun rememberDocumentPicker(onFile: (String) -> Unit): () -> Unit

    /** A function that asks for the location permission when needed, then gives one fix or null. */
    @Composable
    fun rememberLocate(onFix: (GeoPoint?) -> Unit): () -> Unit

    /** Where My documents writes an exported file before [shareFile] hands it on (the app's cache). */
    val exportDir: String

    /** Hands an exported file to the resident: the share sheet (save, send, open) on a phone. */
    fun shareFile(path: String)

    /**
     * Deletes the plain copies the pickers, the camera and the exports left in the app's cache
     * (a CCCD scan, a photo with its place, an exported result): the core keeps its own sealed
     * copy of what was attached. At a fresh start and at logout, so a shared phone keeps none.
     */
    fun discardCopies()
}

/** The photo picker and the camera, as the screens launch them. */
class PhotoSources(val pick: () -> Unit, val takePhoto: () -> Unit)

/** The text sizes the settings offer, on top of the phone's own font scale. */
enum class TextSize(val scale: Float, val label: Str) {
    NORMAL(1f, Str.TEXT_NORMAL),
    LARGE(1.3f, Str.TEXT_LARGE),
    LARGEST(1.6f, Str.TEXT_LARGEST),
}

/**
 * The resident's choices in the settings screen: the language, the text size, and the simple
 * screens for older residents (larger text, a home screen with only the main tasks). The
 * platform keeps them (SharedPreferences on Android).
 */
data class AppSettings(
    val language: Language = Language.VI,
    val textSize: TextSize = TextSize.NORMAL,
    val simple: Boolean = false,
) {
    /** The simple screens have large text at least. */
    val textScale: Float get() = if (simple) maxOf(textSize.scale, TextSize.LARGE.scale) else textSize.scale
}

/** The core, the connectivity holder, the platform and the resident's settings, for every screen. */
class AppServices(
    val client: SmartHdClient,
    val connectivity: Connectivity,
    val platform: Platform,
    /** The phone's language at first, then what the resident chose in the settings. */
    val settings: MutableStateFlow<AppSettings>,
) {
    val english: Boolean get() = settings.value.language == Language.EN
}

val LocalServices = staticCompositionLocalOf<AppServices> { error("no AppServices: wrap the screens in SmartHdAppUi's host") }
