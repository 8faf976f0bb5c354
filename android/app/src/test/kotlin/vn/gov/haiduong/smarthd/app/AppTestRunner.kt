package vn.gov.haiduong.smarthd.app

import java.nio.file.Files
import java.security.Security
import org.junit.runner.notification.RunNotifier
import org.robolectric.RobolectricTestRunner
import vn.gov.haiduong.smarthd.app.testing.Sandbox

/**
 * Robolectric, with what the app needs before it starts (Robolectric creates the application
 * before a test's own set-up runs): the in-memory Keystore, and a sandbox portal for the test
 * class, whose address the debug build's `BuildConfig.PORTAL_URL` reads (`-Dsmarthd.portal`).
 */
class AppTestRunner(testClass: Class<*>) : RobolectricTestRunner(testClass) {
    override fun run(notifier: RunNotifier) {
        if (Security.getProvider("AndroidKeyStore") == null) Security.addProvider(FakeAndroidKeyStore())
        val dir = Files.createTempDirectory("smarthd-robolectric")
        Sandbox(dir.resolve("sandbox")).use { sandbox ->
            System.setProperty("smarthd.portal", sandbox.url)
            super.run(notifier)
        }
        dir.toFile().deleteRecursively()
    }
}
