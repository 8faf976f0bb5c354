package vn.gov.haiduong.smarthd.app.ui

import android.content.Context
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.ui.platform.LocalContext
import androidx.core.content.FileProvider
import java.io.File
import java.util.UUID

/** The photo picker and the camera; either way the core gets a file path. */
class PhotoSources(val pick: () -> Unit, val takePhoto: () -> Unit)

/**
 * The picker and camera launchers, calling [onFile] with a file in the app's cache. The camera's
 * file path survives recreation (a rotation while the camera app is open).
 */
@Composable
fun rememberPhotoSources(onFile: (String) -> Unit): PhotoSources {
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

/** The picker hands out a content URI; the core reads files: copy it to the app's cache. */
private fun copyToCache(context: Context, uri: Uri): String {
    val file = File(context.cacheDir, "attachments/${UUID.randomUUID()}")
    file.parentFile?.mkdirs()
    context.contentResolver.openInputStream(uri).use { input -> file.outputStream().use { input!!.copyTo(it) } }
    return file.path
}
