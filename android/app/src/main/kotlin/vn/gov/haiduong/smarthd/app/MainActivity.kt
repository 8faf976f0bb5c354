package vn.gov.haiduong.smarthd.app

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.CompositionLocalProvider
import androidx.core.content.ContextCompat
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.receiveAsFlow
import vn.gov.haiduong.smarthd.app.platform.AndroidPlatform
import vn.gov.haiduong.smarthd.app.ui.AppLinks
import vn.gov.haiduong.smarthd.app.ui.AppServices
import vn.gov.haiduong.smarthd.app.ui.LocalServices
import vn.gov.haiduong.smarthd.app.ui.SmartHdAppUi
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * The one activity. Links (the login redirect, the payment return, a notification's open link)
 * arrive here and go to the screens, each delivered once: a login code must never be used twice,
 * so an intent is handled when it arrives, not again when the activity is recreated (rotation).
 */
class MainActivity : ComponentActivity() {
    private val links = Channel<String>(Channel.BUFFERED)
    private val askNotifications = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        if (savedInstanceState == null) {
            handle(intent)
            askForNotifications()
        }
        val app = application as SmartHdApplication
        val services = AppServices(app.client, app.connectivity, AndroidPlatform(this), app.settings)
        setContent {
            CompositionLocalProvider(LocalServices provides services) {
                SmartHdAppUi(links.receiveAsFlow())
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        handle(intent)
    }

    private fun handle(intent: Intent?) {
        val link = intent?.data?.toString() ?: return
        if (link.startsWith(SmartHdClient.LOGIN_REDIRECT_URI) || link.startsWith(SmartHdClient.PAYMENT_RETURN_URL) ||
            AppLinks.route(link) != null
        ) {
            links.trySend(link)
        }
    }

    /** Android 13 and later show no notification until the resident allows them: ask once, at start. */
    private fun askForNotifications() {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            ContextCompat.checkSelfPermission(this, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            askNotifications.launch(Manifest.permission.POST_NOTIFICATIONS)
        }
    }
}
