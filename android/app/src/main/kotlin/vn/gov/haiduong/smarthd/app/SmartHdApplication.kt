package vn.gov.haiduong.smarthd.app

import android.app.Application
import android.util.Log
import androidx.work.Configuration
import java.util.Locale
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.drop
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.LogLevel
import vn.gov.haiduong.smarthd.LogRecord
import vn.gov.haiduong.smarthd.Logger
import vn.gov.haiduong.smarthd.app.platform.KeystoreSigner
import vn.gov.haiduong.smarthd.app.platform.KeystoreStorage
import vn.gov.haiduong.smarthd.app.platform.NetworkHints
import vn.gov.haiduong.smarthd.app.platform.Notifications
import vn.gov.haiduong.smarthd.app.platform.SyncWorker
import vn.gov.haiduong.smarthd.app.state.BrowserReturns
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.ui.AppSettings
import vn.gov.haiduong.smarthd.app.ui.Language
import vn.gov.haiduong.smarthd.app.ui.TextSize
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** The core and the app-wide sync, once opened. */
class OpenedCore(val client: SmartHdClient, val connectivity: Connectivity)

/**
 * Opens the core once per process with the platform's services (off the main thread: opening
 * reads the databases and the keys), and starts what runs always.
 */
class SmartHdApplication : Application(), Configuration.Provider {
    /** Application-wide work (event collectors, the network hints' syncs). */
    val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)
    private val opened = CompletableDeferred<OpenedCore>()

    /** The core, once opened (the screens show a spinner until then, the sync worker waits). */
    suspend fun core(): OpenedCore = opened.await()

    /** WorkManager's, on demand: it starts when the sync is first scheduled. */
    override val workManagerConfiguration: Configuration
        get() = Configuration.Builder().build()

    /** Which browser page the app waits to come back from (kept across activity recreation). */
    val browserReturns = BrowserReturns()

    /** Null until the core is open: what the activity draws from. */
    val openedNow = MutableStateFlow<OpenedCore?>(null)
    /** The resident's settings: the phone's language at first; kept in SharedPreferences. */
    lateinit var settings: MutableStateFlow<AppSettings>
        private set

    override fun onCreate() {
        super.onCreate()
        settings = MutableStateFlow(loadSettings())
        appScope.launch { settings.drop(1).collect(::saveSettings) }
        appScope.launch {
            val client = SmartHdClient.open(
                CoreConfig(portalUrl = BuildConfig.PORTAL_URL, dataDir = filesDir.path),
                KeystoreStorage(this@SmartHdApplication),
                logger = LogcatLogger,
                signer = KeystoreSigner(packageManager),
            )
            val connectivity = Connectivity(client, appScope)
            NetworkHints(this@SmartHdApplication, connectivity).start()
            Notifications(this@SmartHdApplication, settings).start(client, appScope)
            val core = OpenedCore(client, connectivity)
            opened.complete(core)
            openedNow.value = core
            connectivity.refresh() // catalog and dossiers at start
        }
        SyncWorker.schedule(this)
    }

    private fun loadSettings(): AppSettings {
        val saved = getSharedPreferences(SETTINGS, MODE_PRIVATE)
        val phone = if (Locale.getDefault().language == "en") Language.EN else Language.VI
        return AppSettings(
            language = saved.getString("language", null)?.let { name -> Language.entries.firstOrNull { it.name == name } } ?: phone,
            textSize = saved.getString("text_size", null)?.let { name -> TextSize.entries.firstOrNull { it.name == name } } ?: TextSize.NORMAL,
            simple = saved.getBoolean("simple", false),
        )
    }

    private fun saveSettings(settings: AppSettings) {
        getSharedPreferences(SETTINGS, MODE_PRIVATE).edit()
            .putString("language", settings.language.name)
            .putString("text_size", settings.textSize.name)
            .putBoolean("simple", settings.simple)
            .apply()
    }

    private object LogcatLogger : Logger {
        override fun log(record: LogRecord) {
            val priority = when (record.level) {
                LogLevel.ERROR -> Log.ERROR
                LogLevel.WARN -> Log.WARN
                LogLevel.INFO -> Log.INFO
                else -> Log.DEBUG
            }
            Log.println(priority, "smarthd", record.message)
        }
    }

    private companion object {
        const val SETTINGS = "settings"
    }
}
