package vn.gov.haiduong.smarthd.app.platform

import android.content.Context
import android.net.Uri
import androidx.browser.customtabs.CustomTabsClient
import androidx.browser.customtabs.CustomTabsIntent

/**
 * Opens the VNeID login or the payment gateway in a Custom Tab. Both come back to the app
 * through its deep links (AndroidManifest.xml); closing the tab instead is noticed by
 * BrowserReturns (MainActivity).
 */
object Browser {
    /**
     * Whether the login can open in an ephemeral Custom Tab (no cookies shared with the phone's
     * browser, none kept after), which the phone's Custom Tabs browser may or may not support.
     * The <queries> entry in AndroidManifest.xml lets the app see that browser (Android 11+).
     */
    fun ephemeralLoginSupported(context: Context): Boolean {
        val browser = CustomTabsClient.getPackageName(context, null) ?: return false
        return CustomTabsClient.isEphemeralBrowsingSupported(context, browser)
    }

    /**
     * The login, ephemeral when the browser supports it: a shared phone keeps no one's VNeID
     * session. When it does not, the tab shares the browser's cookies, and what keeps the next
     * resident from being logged in as the last one is the login's `prompt=login` (VNeID asks for
     * the credentials every time: AndroidPlatform.loginBrowserKeepsCookies) and the logout, which
     * opens VNeID's logout page in that same browser. Not a WebView instead: an embedded page
     * lets the app read the resident's VNeID password, which OAuth for apps (RFC 8252) forbids.
     *
     * Throws ActivityNotFoundException when the phone has no browser at all.
     */
    fun openLogin(context: Context, url: String) {
        val browser = CustomTabsClient.getPackageName(context, null)
        val ephemeral = browser != null && CustomTabsClient.isEphemeralBrowsingSupported(context, browser)
        val tab = CustomTabsIntent.Builder()
            .setEphemeralBrowsingEnabled(ephemeral)
            .setShareState(CustomTabsIntent.SHARE_STATE_OFF)
            .build()
        // The browser that was asked about is the one that opens the page.
        if (browser != null) tab.intent.setPackage(browser)
        tab.launchUrl(context, Uri.parse(url))
    }

    fun openGateway(context: Context, url: String) {
        CustomTabsIntent.Builder().setShareState(CustomTabsIntent.SHARE_STATE_OFF).build().launchUrl(context, Uri.parse(url))
    }

    /** VNeID's logout page, in the login's browser (it ends VNeID's session kept there, if any). */
    fun openEndSession(context: Context, url: String) = openLogin(context, url)
}
