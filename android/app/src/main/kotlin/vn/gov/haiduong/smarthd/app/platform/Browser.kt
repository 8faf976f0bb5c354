package vn.gov.haiduong.smarthd.app.platform

import android.content.Context
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent

/**
 * Opens the VNeID login (ephemeral: no cookies shared with the resident's browser, so a shared
 * phone never keeps someone else's VNeID session) or the payment gateway in a Custom Tab.
 * Both come back to the app through its deep links (AndroidManifest.xml).
 */
object Browser {
    fun openLogin(context: Context, url: String) {
        CustomTabsIntent.Builder()
            .setEphemeralBrowsingEnabled(true)
            .setShareState(CustomTabsIntent.SHARE_STATE_OFF)
            .build()
            .launchUrl(context, Uri.parse(url))
    }

    fun openGateway(context: Context, url: String) {
        CustomTabsIntent.Builder().setShareState(CustomTabsIntent.SHARE_STATE_OFF).build().launchUrl(context, Uri.parse(url))
    }

    fun openEndSession(context: Context, url: String) = openLogin(context, url)
}
