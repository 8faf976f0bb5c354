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
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.Severity
import vn.gov.haiduong.smarthd.app.MainActivity
import vn.gov.haiduong.smarthd.app.state.pickLanguage
import vn.gov.haiduong.smarthd.app.state.reportStateLabel
import vn.gov.haiduong.smarthd.app.ui.Language
import vn.gov.haiduong.smarthd.app.ui.Str
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.dossierStatusLabel

/**
 * Local notifications: every dossier status change the core reports (not the drafts'), every
 * field report's, and every alert for the resident's commune. Emergencies have their own
 * high-importance channel, which the resident may let through Do Not Disturb; other alerts wait
 * for quiet hours like any notification.
 */
class Notifications(private val context: Context, private val languages: StateFlow<Language>) {
    private val language get() = languages.value
    private val english get() = language == Language.EN

    fun start(client: SmartHdClient, scope: CoroutineScope) {
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(CHANNEL, Str.NOTIFICATION_CHANNEL.text(language), NotificationManager.IMPORTANCE_DEFAULT),
        )
        manager.createNotificationChannel(
            NotificationChannel(ALERTS, Str.TAB_INBOX.text(language), NotificationManager.IMPORTANCE_DEFAULT),
        )
        manager.createNotificationChannel(
            NotificationChannel(EMERGENCY, Str.SEVERITY_EMERGENCY.text(language), NotificationManager.IMPORTANCE_HIGH)
                .apply { setBypassDnd(true) },
        )
        scope.launch {
            client.events.collect { event ->
                when (event) {
                    is Event.DossierStatusChanged -> if (event.status != DossierStatus.DRAFT) show(event)
                    is Event.ReportStatusChanged -> notify(
                        CHANNEL,
                        "report-${event.reportId}",
                        Str.REPORT_CODE.text(language, event.code.orEmpty()),
                        reportStateLabel(event.state, english),
                    )
                    is Event.AlertReceived -> notify(
                        if (event.severity == Severity.EMERGENCY) EMERGENCY else ALERTS,
                        "alert-${event.alertId}",
                        event.title,
                        Str.INBOX_OPEN.text(language),
                    )
                    else -> {}
                }
            }
        }
    }

    private fun notify(channel: String, key: String, title: String, text: String) {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) return
        val open = PendingIntent.getActivity(
            context, key.hashCode(), Intent(context, MainActivity::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, channel)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(title)
            .setContentText(text)
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(key.hashCode(), notification)
    }

    private fun show(event: Event.DossierStatusChanged) {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED) return
        val open = PendingIntent.getActivity(
            context, 0, Intent(context, MainActivity::class.java).putExtra(MainActivity.EXTRA_DOSSIER, event.dossierId),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(Str.NOTIFICATION_TITLE.text(language, event.code ?: ""))
            .setContentText(pickLanguage(dossierStatusLabel(event.status), english))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(event.dossierId.hashCode(), notification)
    }

    private companion object {
        const val CHANNEL = "dossier-status"
        const val ALERTS = "alerts"
        const val EMERGENCY = "emergency-alerts"
    }
}
