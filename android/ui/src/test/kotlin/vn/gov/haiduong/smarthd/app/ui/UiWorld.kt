package vn.gov.haiduong.smarthd.app.ui

import java.nio.file.Files
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.resetMain
import vn.gov.haiduong.smarthd.app.desktop.DesktopPlatform
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.Sandbox
import vn.gov.haiduong.smarthd.app.testing.openClient

/**
 * What a UI test class runs the app against: a sandbox of its own, the core opened on it with
 * the catalog synced, the desktop platform (the robot plays the browser) and the app's services
 * in [language]. The test thread is the screens' main thread ([onTestThread]); [close] ends it all.
 * The sandbox's catalog holds [catalogSize] procedures (past 100, a sync takes more than one page).
 */
class UiWorld(name: String, language: Language = Language.VI, catalogSize: Int = 300) : AutoCloseable {
    val tmp = Files.createTempDirectory("smarthd-ui-$name")
    val sandbox = Sandbox(tmp.resolve("sandbox"), catalogSize)
    val client = openClient(sandbox, tmp.resolve("app"))
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    val platform = DesktopPlatform()
    val connectivity = Connectivity(client, scope)
    val services = AppServices(client, connectivity, platform, MutableStateFlow(AppSettings(language)))

    init {
        onTestThread()
        runBlocking { client.sync.catalog() }
    }

    @OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
    override fun close() {
        Dispatchers.resetMain()
        scope.cancel()
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }
}
