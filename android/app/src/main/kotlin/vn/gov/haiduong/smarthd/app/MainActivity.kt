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
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
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
    private val linkFlow = links.receiveAsFlow()
    private val askNotifications = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        val app = application as SmartHdApplication
        val platform = AndroidPlatform(this, app.browserReturns)
        if (savedInstanceState == null) {
            // A fresh start: no camera or picker is waiting for a file of the last run.
            platform.discardCopies()
            handle(intent)
            askForNotifications()
        }
        setContent {
            // The core opens off the main thread, usually before the first frame.
            val core = app.openedNow.collectAsState().value
            if (core == null) {
                Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
            } else {
                val services = remember(core) { AppServices(core.client, core.connectivity, platform, app.settings) }
                CompositionLocalProvider(LocalServices provides services) {
                    SmartHdAppUi(linkFlow, app.browserReturns.closed)
                }
            }
        }
    }

    // A Custom Tab says nothing when it is closed: the activity coming back without the page's
    // link is how the app knows (a link arrives in onNewIntent, before onResume).
    override fun onPause() {
        super.onPause()
        (application as SmartHdApplication).browserReturns.paused()
    }

    override fun onResume() {
        super.onResume()
        (application as SmartHdApplication).browserReturns.resumed()
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        setIntent(intent)
        handle(intent)
    }

    private fun handle(intent: Intent?) {
        val link = intent?.data?.toString() ?: return
        (application as SmartHdApplication).browserReturns.linkArrived(link)
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
