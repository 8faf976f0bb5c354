package vn.gov.haiduong.smarthd.app

import android.content.Intent
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.runtime.CompositionLocalProvider
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow
import vn.gov.haiduong.smarthd.app.platform.AndroidPlatform
import vn.gov.haiduong.smarthd.app.ui.AppServices
import vn.gov.haiduong.smarthd.app.ui.LocalServices
import vn.gov.haiduong.smarthd.app.ui.SmartHdAppUi
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * The one activity. Deep links (the login redirect, the payment return) arrive here and go to the
 * screens through [deepLinks], each delivered once (a login code must never be used twice).
 */
class MainActivity : ComponentActivity() {
    private val links = Channel<String>(Channel.BUFFERED)
    val deepLinks: Flow<String> = links.receiveAsFlow()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        handle(intent)
        val app = application as SmartHdApplication
        val services = AppServices(app.client, app.connectivity, AndroidPlatform(this), app.language)
        setContent {
            CompositionLocalProvider(LocalServices provides services) {
                SmartHdAppUi(deepLinks, intent.getStringExtra(EXTRA_DOSSIER))
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handle(intent)
    }

    private fun handle(intent: Intent?) {
        val url = intent?.data?.toString() ?: return
        if (url.startsWith(SmartHdClient.LOGIN_REDIRECT_URI) || url.startsWith(SmartHdClient.PAYMENT_RETURN_URL)) {
            links.trySend(url)
        }
    }

    companion object {
        const val EXTRA_DOSSIER = "dossier"
    }
}
