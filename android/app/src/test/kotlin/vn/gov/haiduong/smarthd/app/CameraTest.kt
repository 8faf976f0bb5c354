package vn.gov.haiduong.smarthd.app

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.provider.MediaStore
import androidx.core.content.FileProvider
import java.awt.image.BufferedImage
import java.io.File
import javax.imageio.ImageIO
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.ui.AppLinks
import vn.gov.haiduong.smarthd.app.ui.Routes
import vn.gov.haiduong.smarthd.app.ui.Str

/**
 * The camera app takes the photo while the phone turns: the activity made again for the new
 * orientation must attach the file the camera wrote, to the same draft.
 */
@RunWith(AppTestRunner::class)
@Config(
    sdk = [35],
    application = SmartHdApplication::class,
    shadows = [LibraryResources::class, FileProviderWithoutPaths::class],
    qualifiers = "w411dp-h3000dp", // the form's list lays out every field, the camera's button below them
)
class CameraTest : AppTest() {
    @Test
    fun `a photo taken while the phone turned is attached`() {
        val first = launch()
        val client = core.client
        pumpUntil("the catalog synced") { core.connectivity.state.value.syncsFinished > 0 }
        val draft = runBlocking {
            logIn(client)
            client.dossiers.newDraft(BIRTH)
        }
        first.newIntent(Intent(Intent.ACTION_VIEW, Uri.parse(AppLinks.open(Routes.draft(draft.id)))))
        pumpUntil("the form's fields") { texts(first.get()).size > 20 }
        click(first.get(), Str.ATTACH_CAMERA.text(en))
        val camera = checkNotNull(shadowOf(first.get()).nextStartedActivityForResult) { "no camera asked for" }
        assertEquals(MediaStore.ACTION_IMAGE_CAPTURE, camera.intent.action)

        // The camera app writes the photo where it was told; the phone turns meanwhile, and the
        // result comes to the activity made again.
        @Suppress("DEPRECATION")
        val output = File(checkNotNull(camera.intent.getParcelableExtra<Uri>(MediaStore.EXTRA_OUTPUT)).path!!)
        ImageIO.write(BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "jpg", output)
        val again = first.rotate()
        shadowOf(again.get()).receiveResult(camera.intent, Activity.RESULT_OK, null)
        pumpUntil("the photo attached to the draft") {
            runBlocking { client.dossiers.get(draft.id) }.attachments.isNotEmpty()
        }
        pumpUntil("the photo on the form") { texts(again.get()).any { it.startsWith("📎 ${output.name}") } }
    }
}

/**
 * FileProvider maps files to content URIs through its paths resource (res/xml), which these tests
 * cannot build (no aapt2): the file's path under the provider's authority stands for it.
 */
@Implements(FileProvider::class)
class FileProviderWithoutPaths {
    companion object {
        @JvmStatic
        @Implementation
        fun getUriForFile(context: Context, authority: String, file: File): Uri =
            Uri.Builder().scheme("content").authority(authority).path(file.path).build()
    }
}
