package vn.gov.haiduong.smarthd.app.desktop

import androidx.compose.runtime.snapshots.Snapshot
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.runBlocking
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.Image
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.testing.BIRTH
import vn.gov.haiduong.smarthd.app.testing.bookedAppointment
import vn.gov.haiduong.smarthd.app.testing.feeProcedure
import vn.gov.haiduong.smarthd.app.testing.Sandbox
import vn.gov.haiduong.smarthd.app.testing.logIn
import vn.gov.haiduong.smarthd.app.testing.openClient
import vn.gov.haiduong.smarthd.app.testing.submittedDossier
import vn.gov.haiduong.smarthd.app.ui.AppServices
import vn.gov.haiduong.smarthd.app.ui.AppSettings
import vn.gov.haiduong.smarthd.app.ui.Language
import vn.gov.haiduong.smarthd.app.ui.Routes
import vn.gov.haiduong.smarthd.app.ui.SmartHdAppUi

/** One way of looking at the app: language, theme, text size and screen. */
data class Variant(val language: Language, val dark: Boolean, val fontScale: Float, val device: Device) {
    val name = "${language.name.lowercase()}-${if (dark) "dark" else "light"}-font${fontScale}-${device.name}"
}

/** A screen size in dp and its pixel density. */
data class Device(val name: String, val widthDp: Int, val heightDp: Int, val density: Float)

val PHONE = Device("phone", 360, 800, 2f)
val TABLET = Device("tablet", 800, 1280, 1.5f)

/** Every variant the gallery draws: Vietnamese and English, light and dark, 1.0 and 2.0, phone and tablet. */
val VARIANTS = Language.entries.flatMap { language ->
    listOf(false, true).flatMap { dark ->
        listOf(1f, 2f).flatMap { scale -> listOf(PHONE, TABLET).map { Variant(language, dark, scale, it) } }
    }
}

/**
 * Draws the whole app opened at [route] off screen, as [variant] (in the simple mode for older
 * residents when [simple]), and answers the PNG once two
 * frames in a row come out the same (the state holders have loaded from the core) or after
 * [maxFrames] (a spinner never settles).
 */
fun render(services: AppServices, route: String, variant: Variant, simple: Boolean = false, maxFrames: Int = 60): ByteArray {
    services.settings.value = AppSettings(variant.language, simple = simple)
    val owner = DesktopOwner()
    val scene = onMain { ImageComposeScene(
        width = (variant.device.widthDp * variant.device.density).toInt(),
        height = (variant.device.heightDp * variant.device.density).toInt(),
        density = Density(variant.device.density, variant.fontScale),
    ) {
        DesktopHost(services, owner) { SmartHdAppUi(emptyFlow(), darkTheme = variant.dark, startRoute = route) }
    } }
    try {
        // Frames are compared by their pixels; only the settled one is encoded.
        var previous: Image? = null
        var previousPixels: ByteArray? = null
        var nanos = 0L
        repeat(maxFrames) { frame ->
            val image = onMain {
                Snapshot.sendApplyNotifications()
                scene.render(nanos)
            }
            val pixels = org.jetbrains.skia.Bitmap.makeFromImage(image).readPixels()
            if (frame >= 3 && previousPixels.contentEquals(pixels)) return image.png()
            previous = image
            previousPixels = pixels
            nanos += 100_000_000 // animations advance by a tenth of a second a frame
            Thread.sleep(50) // the core answers the holders on their own threads
        }
        return previous!!.png()
    } finally {
        onMain {
            scene.close()
            owner.viewModelStore.clear()
        }
    }
}

/**
 * Runs [block] on the main (Swing) thread, where lifecycles must be touched; the state holders'
 * coroutines run there too, between frames.
 */
private fun <T> onMain(block: () -> T): T {
    var result: Result<T>? = null
    javax.swing.SwingUtilities.invokeAndWait { result = runCatching(block) }
    return result!!.getOrThrow()
}

private fun Image.png(): ByteArray = encodeToData(EncodedImageFormat.PNG)!!.bytes

/**
 * `Gallery OUT_DIR`: every screen in every [VARIANTS], against a sandbox with a logged-in resident
 * who has a submitted fee-paying dossier, a favourite procedure and an appointment, to OUT_DIR/SCREEN-VARIANT.png and OUT_DIR/index.html.
 * Fails when an image is blank (one colour) or the same as another.
 */
fun main(args: Array<String>) {
    val out = Path.of(args.getOrElse(0) { "target/ui" })
    Files.createDirectories(out)
    val tmp = Files.createTempDirectory("smarthd-gallery")
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    Sandbox(tmp.resolve("sandbox")).use { sandbox ->
        val client = openClient(sandbox, tmp.resolve("app"))
        val connectivity = Connectivity(client, scope)
        val (fee, booking) = runBlocking {
            client.sync.catalog()
            logIn(client, level = 2)
            client.catalog.addFavorite(BIRTH)
            val fee = submittedDossier(client, scope, connectivity, feeProcedure(client))
            client.sync.now() // the personal papers of My documents
            fee to bookedAppointment(client).bookingId
        }
        val services = AppServices(client, connectivity, DesktopPlatform(), MutableStateFlow(AppSettings()))
        val screens = linkedMapOf(
            "home" to Routes.HOME,
            SIMPLE_HOME to Routes.HOME,
            "procedure" to Routes.procedure(BIRTH),
            "form" to Routes.newDossier(BIRTH),
            "dossiers" to Routes.DOSSIERS,
            "dossier" to Routes.dossier(fee),
            "payment" to Routes.payment(fee),
            "receipts" to Routes.RECEIPTS,
            "reports" to Routes.REPORTS,
            "inbox" to Routes.INBOX,
            "profile" to Routes.PROFILE,
            "settings" to Routes.SETTINGS,
            "lookup" to Routes.LOOKUP,
            "saved" to Routes.SAVED,
            "documents" to Routes.DOCUMENTS,
            "appointments" to Routes.APPOINTMENTS,
            "booking" to Routes.booking(BIRTH),
            "appointment" to Routes.appointment(booking),
        )
        val seen = HashMap<String, String>()
        val problems = mutableListOf<String>()
        val rows = StringBuilder()
        for ((screen, route) in screens) {
            rows.append("<h2>$screen</h2>\n<div class=row>\n")
            for (variant in VARIANTS.filter { System.getenv("GALLERY_ONLY")?.let(it.name::contains) ?: true }) {
                val png = render(services, route, variant, simple = screen == SIMPLE_HOME)
                val file = "$screen-${variant.name}.png"
                Files.write(out.resolve(file), png)
                val digest = MessageDigest.getInstance("SHA-256").digest(png).joinToString("") { "%02x".format(it) }
                seen.put(digest, file)?.let { problems += "$file is the same image as $it" }
                if (blank(png)) problems += "$file is blank"
                rows.append("<figure><img src=\"$file\" alt=\"$screen ${variant.name}\" loading=lazy><figcaption>${variant.name}</figcaption></figure>\n")
                println("gallery: $file")
            }
            rows.append("</div>\n")
        }
        Files.writeString(out.resolve("index.html"), INDEX.replace("{rows}", rows.toString()))
        client.close()
        scope.cancel()
        tmp.toFile().deleteRecursively()
        if (problems.isNotEmpty()) {
            problems.forEach { System.err.println("gallery: $it") }
            kotlin.system.exitProcess(1)
        }
        println("gallery: ${screens.size} screens x ${VARIANTS.size} variants in $out/index.html")
    }
    kotlin.system.exitProcess(0) // the sandbox's and Swing's threads would keep the JVM alive
}

/** The home of the simple mode for older residents (large text, large buttons for the main tasks). */
private const val SIMPLE_HOME = "home-simple"

/** One colour from corner to corner: nothing was drawn. */
fun blank(png: ByteArray): Boolean {
    val bitmap = org.jetbrains.skia.Bitmap.makeFromImage(Image.makeFromEncoded(png))
    val first = bitmap.getColor(0, 0)
    for (y in 0 until bitmap.height step 4) for (x in 0 until bitmap.width step 4) if (bitmap.getColor(x, y) != first) return false
    return true
}

private val INDEX = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Smart-Hải Dương: màn hình / screens</title>
<style>body{font-family:sans-serif}.row{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}img{width:180px;border:1px solid #888}figcaption{font-size:11px}</style>
</head><body><h1>Smart-Hải Dương: mọi màn hình / every screen</h1>
{rows}</body></html>
"""
