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
}

/** The photo picker and the camera, as the screens launch them. */
class PhotoSources(val pick: () -> Unit, val takePhoto: () -> Unit)

/** The core, the connectivity holder, the platform and the resident's settings, for every screen. */
class AppServices(
    val client: SmartHdClient,
    val connectivity: Connectivity,
    val platform: Platform,
    /** The app's language: the phone's at first, switched in the profile screen. */
    val language: MutableStateFlow<Language>,
) {
    val english: Boolean get() = language.value == Language.EN
}

val LocalServices = staticCompositionLocalOf<AppServices> { error("no AppServices: wrap the screens in SmartHdAppUi's host") }
