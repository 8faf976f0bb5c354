package vn.gov.haiduong.smarthd.app.platform

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.app.MainActivity
import vn.gov.haiduong.smarthd.app.ui.AppSettings
import vn.gov.haiduong.smarthd.app.ui.Notice
import vn.gov.haiduong.smarthd.app.ui.NoticeChannel
import vn.gov.haiduong.smarthd.app.ui.noticeFor
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * Local notifications for the core's events, as [noticeFor] words them (the screens' code,
 * tested on the JVM). Emergencies have their own high-importance channel, which the resident may
 * let through Do Not Disturb; other alerts wait for quiet hours like any notification.
 */
class Notifications(private val context: Context, private val settings: StateFlow<AppSettings>) {
    private val language get() = settings.value.language

    fun start(client: SmartHdClient, scope: CoroutineScope) {
        val manager = context.getSystemService(NotificationManager::class.java)
        for (channel in NoticeChannel.entries) {
            val importance = if (channel == NoticeChannel.EMERGENCY) NotificationManager.IMPORTANCE_HIGH else NotificationManager.IMPORTANCE_DEFAULT
            manager.createNotificationChannel(
                NotificationChannel(channel.id, channel.title.text(language), importance)
                    .apply { if (channel == NoticeChannel.EMERGENCY) setBypassDnd(true) },
            )
        }
        scope.launch { client.events.collect { event -> noticeFor(event, language)?.let(::show) } }
    }

    private fun show(notice: Notice) {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) return
        // Each record its own request code and link: a tap opens that dossier, not the last one's.
        val open = PendingIntent.getActivity(
            context,
            notice.id,
            Intent(Intent.ACTION_VIEW, Uri.parse(notice.link), context, MainActivity::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, notice.channel.id)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(notice.title)
            .setContentText(notice.text)
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(notice.id, notification)
    }
}
