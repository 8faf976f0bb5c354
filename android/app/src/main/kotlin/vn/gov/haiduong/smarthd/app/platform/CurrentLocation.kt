package vn.gov.haiduong.smarthd.app.platform

import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.location.LocationManager
import android.os.Build
import android.os.CancellationSignal

/**
 * Where the phone is, for a field report's place: one fix from the platform's location service
 * (no Play services needed). The caller has asked for ACCESS_FINE_LOCATION first; without it, or
 * with location off, [onFix] gets nothing and the resident places the pin by hand.
 */
object CurrentLocation {
    @SuppressLint("MissingPermission") // checked by the caller's permission request
    fun fetch(context: Context, onFix: (Location?) -> Unit) {
        val manager = context.getSystemService(LocationManager::class.java)
        val provider = listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER)
            .firstOrNull { runCatching { manager.isProviderEnabled(it) }.getOrDefault(false) }
            ?: return onFix(null)
        try {
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                manager.getCurrentLocation(provider, CancellationSignal(), context.mainExecutor) { onFix(it) }
            } else {
                onFix(manager.getLastKnownLocation(provider))
            }
        } catch (e: SecurityException) {
            onFix(null)
        }
    }
}
