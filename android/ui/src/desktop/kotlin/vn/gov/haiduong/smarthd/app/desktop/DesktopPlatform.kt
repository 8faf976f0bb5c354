package vn.gov.haiduong.smarthd.app.desktop

import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.app.state.BrowserPage
import vn.gov.haiduong.smarthd.app.state.BrowserReturns
import vn.gov.haiduong.smarthd.app.testing.Robot
import vn.gov.haiduong.smarthd.app.ui.PhotoSources
import vn.gov.haiduong.smarthd.app.ui.Platform

/**
 * The platform on the desktop, against the sandbox: the browser's part is the robot over HTTP
 * (it fills the sandbox's VNeID login form as resident [cccd] and pays at its gateway), and what
 * it is sent back to arrives on [deepLinks] as the phone's deep links do. Photos and documents come from
 * [pickFile]; the location is [place] (null: location off).
 */
class DesktopPlatform(
    var cccd: String = Robot.LEVEL2_CCCD,
    var pickFile: () -> String? = { null },
    var place: GeoPoint? = GeoPoint(20.9373, 106.3146), // Hải Dương's centre
) : Platform {
    private val links = Channel<String>(Channel.BUFFERED)
    val deepLinks: Flow<String> = links.receiveAsFlow()
    private val browser = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()

    /** Every page the app opened, in order (what a tester or a test checks). */
    val opened = java.util.concurrent.CopyOnWriteArrayList<String>()

    /** The resident closes the login's or the gateway's page instead of finishing there. */
    @Volatile
    var closesPages = false

    /** As on Android (MainActivity): the pages closed without their return link. */
    private val returns = BrowserReturns()
    val browserClosed: Flow<BrowserPage> = returns.closed

    override fun openLogin(url: String) {
        opened += url
        visit(BrowserPage.LOGIN) { Robot.logIn(url, cccd) }
    }

    /** The browser on top of the app, then back to it with the page's link, or without one. */
    private fun visit(page: BrowserPage, finish: () -> String) {
        returns.opened(page)
        returns.paused()
        browser.launch {
            if (!closesPages) {
                val link = finish()
                returns.linkArrived(link)
                links.send(link)
            }
            returns.resumed()
        }
    }

    override fun openEndSession(url: String) {
        opened += url
        browser.launch { http.send(HttpRequest.newBuilder(URI(url)).GET().build(), HttpResponse.BodyHandlers.discarding()) }
    }

    override fun openGateway(url: String) {
        opened += url
        visit(BrowserPage.GATEWAY) { Robot.payAtGateway(url) }
    }

    @Composable
    override fun rememberPhotoSources(onFile: (String) -> Unit): PhotoSources = remember(onFile) {
        val take = { pickFile()?.let(onFile); Unit }
        PhotoSources(pick = take, takePhoto = take)
    }

    @Composable
    override fun rememberDocumentPicker(onFile: (String) -> Unit): () -> Unit = remember(onFile) { { pickFile()?.let(onFile); Unit } }

    @Composable
    override fun rememberLocate(onFix: (GeoPoint?) -> Unit): () -> Unit = remember(onFix) { { onFix(place) } }

    override val exportDir: String by lazy { java.nio.file.Files.createTempDirectory("smarthd-exports").toString() }

    /** No share sheet here: the file is noted in [opened], as a page is. */
    override fun shareFile(path: String) {
        opened += path
    }

    /** The picked files are the tester's own: only the exports are copies. */
    override fun discardCopies() {
        java.io.File(exportDir).listFiles()?.forEach { it.deleteRecursively() }
    }
}
