package vn.gov.haiduong.smarthd.app.platform

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit
import vn.gov.haiduong.smarthd.app.SmartHdApplication

/**
 * Periodic background sync (WorkManager, with a network): sends the outbox, refreshes dossier
 * statuses (their events become notifications) and settles payments. All of it is the core's
 * `client.sync.now()`; this class only schedules it.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as SmartHdApplication
        return if (app.core().connectivity.refresh() != null) Result.success() else Result.retry()
    }

    companion object {
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(30, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork("smarthd-sync", ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
