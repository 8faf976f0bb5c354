package vn.gov.haiduong.smarthd.app.desktop

import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import java.awt.FileDialog
import java.awt.Frame
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.MemoryStorage
import vn.gov.haiduong.smarthd.app.testing.Sandbox
import vn.gov.haiduong.smarthd.app.ui.AppServices
import vn.gov.haiduong.smarthd.app.ui.AppSettings
import vn.gov.haiduong.smarthd.app.ui.SmartHdAppUi
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * The app in a phone-sized window, for testers without an emulator: `DesktopAppKt [PORTAL_URL]`
 * talks to that portal, or without one starts a sandbox of its own. Logging in and paying are
 * done by the robot at the sandbox's pages as resident 030095001234 (level 2); photos come from a
 * file dialog. Data lives in a fresh folder for each run.
 */
fun main(args: Array<String>) {
    val data = Files.createTempDirectory("smarthd-desktop")
    val sandbox = if (args.isEmpty()) Sandbox(data.resolve("sandbox")) else null
    val portal = args.firstOrNull() ?: sandbox!!.url
    val client = runBlocking { SmartHdClient.open(CoreConfig(portalUrl = portal, dataDir = data.resolve("app").toString()), MemoryStorage()) }
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    val connectivity = Connectivity(client, scope)
    val platform = DesktopPlatform(pickFile = ::chooseFile)
    val services = AppServices(client, connectivity, platform, MutableStateFlow(AppSettings()))
    scope.launch { connectivity.refresh() }
    println("Smart-Hải Dương on the desktop, against $portal (data in $data)")
    application {
        Window(
            onCloseRequest = {
                client.close()
                sandbox?.close()
                exitApplication()
            },
            title = "Smart Hải Dương",
            state = rememberWindowState(width = 400.dp, height = 840.dp),
        ) {
            DesktopHost(services) { SmartHdAppUi(platform.deepLinks, platform.browserClosed) }
        }
    }
}

/** The tester picks a photo or a PDF. */
private fun chooseFile(): String? {
    val dialog = FileDialog(null as Frame?, "Chọn tệp / Choose a file", FileDialog.LOAD)
    dialog.isVisible = true
    return dialog.file?.let { Path.of(dialog.directory, it).toString() }
}
