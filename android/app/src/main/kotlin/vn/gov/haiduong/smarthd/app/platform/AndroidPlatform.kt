package vn.gov.haiduong.smarthd.app.platform

import android.Manifest
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import android.provider.OpenableColumns
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.ui.platform.LocalContext
import androidx.core.content.FileProvider
import java.io.File
import java.util.UUID
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.app.state.BrowserPage
import vn.gov.haiduong.smarthd.app.state.BrowserReturns
import vn.gov.haiduong.smarthd.app.ui.AttachmentCopy
import vn.gov.haiduong.smarthd.app.ui.PhotoSources
import vn.gov.haiduong.smarthd.app.ui.Platform

/**
 * The screens' platform on a phone: Custom Tabs, the photo picker and camera, the location
 * service. [returns] learns which page the browser shows, to tell when it is closed.
 */
class AndroidPlatform(private val context: Context, private val returns: BrowserReturns) : Platform {
    override fun openLogin(url: String) = open(BrowserPage.LOGIN) { Browser.openLogin(context, url) }

    override val loginBrowserKeepsCookies: Boolean
        get() = !Browser.ephemeralLoginSupported(context)

    override fun openEndSession(url: String) {
        try {
            Browser.openEndSession(context, url)
        } catch (e: ActivityNotFoundException) {
            // No browser: the core's session is already ended; nothing else to close.
        }
    }

    override fun openGateway(url: String) = open(BrowserPage.GATEWAY) { Browser.openGateway(context, url) }

    private fun open(page: BrowserPage, launch: () -> Unit) {
        returns.opened(page)
        try {
            launch()
        } catch (e: ActivityNotFoundException) {
            returns.failedToOpen(page) // no browser on the phone: the screen must not wait
        }
    }

    /**
     * The picker and camera launchers, calling [onFile] with a file in the app's cache. The
     * camera's file path survives recreation (a rotation while the camera app is open).
     */
    @Composable
    override fun rememberPhotoSources(onFile: (String) -> Unit): PhotoSources {
        val context = LocalContext.current
        val picker = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
            uri?.let { onFile(copyToCache(context, it)) }
        }
        val cameraFile = rememberSaveable { File(context.cacheDir, "attachments/camera-${UUID.randomUUID()}.jpg").path }
        val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { taken ->
            if (taken) onFile(cameraFile)
        }
        return PhotoSources(
            pick = { picker.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly)) },
            takePhoto = {
                val file = File(cameraFile)
                file.parentFile?.mkdirs()
                camera.launch(FileProvider.getUriForFile(context, "${context.packageName}.files", file))
            },
        )
    }

    /** The system's document picker, PDFs and pictures only (the kinds the portal takes). */
    @Composable
    override fun rememberDocumentPicker(onFile: (String) -> Unit): () -> Unit {
        val context = LocalContext.current
        val picker = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
            uri?.let { onFile(copyToCache(context, it)) }
        }
        return { picker.launch(arrayOf("application/pdf", "image/jpeg", "image/png")) }
    }

    /** Asks for ACCESS_FINE_LOCATION, then one fix from the location service. */
    @Composable
    override fun rememberLocate(onFix: (GeoPoint?) -> Unit): () -> Unit {
        val context = LocalContext.current
        val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
            if (granted) CurrentLocation.fetch(context) { fix -> onFix(fix?.let { GeoPoint(it.latitude, it.longitude) }) } else onFix(null)
        }
        return { permission.launch(Manifest.permission.ACCESS_FINE_LOCATION) }
    }

    override val exportDir: String get() = File(context.cacheDir, "exports").path

    override fun discardCopies() {
        for (folder in listOf("attachments", "exports")) File(context.cacheDir, folder).deleteRecursively()
    }

    /** The share sheet, with read access to the file for the app the resident picks (save, send, open). */
    override fun shareFile(path: String) {
        val uri = FileProvider.getUriForFile(context, "${context.packageName}.files", File(path))
        val type = if (path.endsWith(".pdf")) "application/pdf" else "application/json"
        val send = Intent(Intent.ACTION_SEND).setType(type).putExtra(Intent.EXTRA_STREAM, uri)
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        context.startActivity(Intent.createChooser(send, null).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
    }

    /**
     * The pickers hand out a content URI; the core reads files: copy it to the app's cache, named
     * with the extension of what it is, pictures the core cannot read re-encoded as JPEG
     * ([AttachmentCopy], tested on the JVM).
     */
    private fun copyToCache(context: Context, uri: Uri): String {
        val resolver = context.contentResolver
        val displayName = runCatching {
            resolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)?.use { cursor ->
                if (cursor.moveToFirst()) cursor.getString(0) else null
            }
        }.getOrNull()
        val plan = AttachmentCopy.plan(resolver.getType(uri), displayName)
        val file = File(context.cacheDir, "attachments/" + AttachmentCopy.fileName(UUID.randomUUID().toString(), plan))
        file.parentFile?.mkdirs()
        val picture = if (plan.reencodeAsJpeg) resolver.openInputStream(uri)?.use(BitmapFactory::decodeStream) else null
        file.outputStream().use { output ->
            if (picture != null) {
                picture.compress(Bitmap.CompressFormat.JPEG, 90, output)
            } else {
                // As it is; so is a picture this phone cannot decode (the core then says why it refuses it).
                val input = resolver.openInputStream(uri) ?: error("cannot read $uri")
                input.use { it.copyTo(output) }
            }
        }
        return file.path
    }
}
