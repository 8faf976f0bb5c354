package vn.gov.haiduong.smarthd.app.platform

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.app.MainActivity
import vn.gov.haiduong.smarthd.app.R
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.dossierStatusLabel

/** A local notification for every dossier status change the core reports (not the drafts'). */
class Notifications(private val context: Context, private val english: Boolean) {
    fun start(client: SmartHdClient, scope: CoroutineScope) {
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(CHANNEL, context.getString(R.string.notification_channel), NotificationManager.IMPORTANCE_DEFAULT),
        )
        scope.launch {
            client.events.filterIsInstance<Event.DossierStatusChanged>().collect { event ->
                if (event.status != DossierStatus.DRAFT) show(event)
            }
        }
    }

    private fun show(event: Event.DossierStatusChanged) {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) return
        val open = PendingIntent.getActivity(
            context, 0, Intent(context, MainActivity::class.java).putExtra(MainActivity.EXTRA_DOSSIER, event.dossierId),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(context.getString(R.string.notification_title, event.code ?: ""))
            .setContentText(pickLanguage(dossierStatusLabel(event.status), english))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(event.dossierId.hashCode(), notification)
    }

    private companion object {
        const val CHANNEL = "dossier-status"
    }
}
