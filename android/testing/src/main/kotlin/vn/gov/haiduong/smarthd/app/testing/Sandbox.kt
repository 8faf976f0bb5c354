package vn.gov.haiduong.smarthd.app.testing

import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeout
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.FormField
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.client.SmartHdClient

/**
 * `smarthd sandbox serve` on 127.0.0.1:[port] in a subprocess, on one SQLite file: [stop] then
 * [start] again is the portal going away and coming back (logins survive, as on a real portal).
 */
class Sandbox(private val dir: Path, private val size: Int = 300) : AutoCloseable {
    val port: Int = ServerSocket(0).use { it.localPort }
    val url = "http://127.0.0.1:$port/"
    private var process: Process? = null

    init {
        Files.createDirectories(dir)
        start()
    }

    fun start() {
        val bin = File(System.getProperty("smarthd.bin") ?: error("-Dsmarthd.bin is not set"))
        check(bin.canExecute()) { "$bin is missing: cargo build -p smarthd-cli" }
        val log = dir.resolve("sandbox.log").toFile()
        process = ProcessBuilder(
            bin.path, "--data-dir", dir.toString(), "sandbox", "serve", "--addr", "127.0.0.1:$port",
            "--catalog-size", size.toString(), "--db", dir.resolve("sandbox.db").toString(),
        ).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.appendTo(log))
            .apply { environment()["SMARTHD_SANDBOX_ADMIN_TOKEN"] = Robot.ADMIN_TOKEN }
            .start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (!healthy()) {
            check(process!!.isAlive) { "the sandbox exited:\n${log.readText()}" }
            check(System.nanoTime() < deadline) { "the sandbox never became healthy:\n${log.readText()}" }
            Thread.sleep(50)
        }
    }

    fun stop() {
        process?.let {
            it.destroy()
            if (!it.waitFor(10, TimeUnit.SECONDS)) it.destroyForcibly().waitFor()
        }
        process = null
    }

    private fun healthy() = runCatching {
        val c = URI(url + "healthz").toURL().openConnection() as HttpURLConnection
        c.connectTimeout = 1000
        c.responseCode.also { c.disconnect() } == 200
    }.getOrDefault(false)

    override fun close() = stop()
}

/** What Keystore-backed storage is on a phone. */
class MemoryStorage : SecureStorage {
    private val values = java.util.concurrent.ConcurrentHashMap<String, ByteArray>()
    override fun get(key: String): ByteArray? = values[key]
    override fun put(key: String, value: ByteArray) { values[key] = value }
    override fun delete(key: String) { values.remove(key) }
}

/** One Keystore per data dir, as on a phone: reopening the app finds its data key again. */
private val keystores = java.util.concurrent.ConcurrentHashMap<Path, MemoryStorage>()

/** What a new screen lock does to a phone's Keystore: the data key of [dataDir] is gone. */
fun loseKeystore(dataDir: Path) {
    keystores.remove(dataDir.toAbsolutePath().normalize())
}

/** Opens a client on [dataDir] against [sandbox]; its blocking calls run on [io]. */
suspend fun openClientOn(sandbox: Sandbox, dataDir: Path, io: CoroutineDispatcher = Dispatchers.IO): SmartHdClient =
    SmartHdClient.open(
        CoreConfig(portalUrl = sandbox.url, dataDir = dataDir.toString(), connectTimeoutMs = 2000u),
        keystores.getOrPut(dataDir.toAbsolutePath().normalize()) { MemoryStorage() },
        io = io,
    )

fun openClient(sandbox: Sandbox, dataDir: Path): SmartHdClient = runBlocking { openClientOn(sandbox, dataDir) }

/** A sandbox of its own and the core opened on it, for one test class; [close] ends both and deletes their files. */
class SandboxWorld(name: String) : AutoCloseable {
    val tmp: Path = Files.createTempDirectory("smarthd-$name")
    val sandbox = Sandbox(tmp.resolve("sandbox"))
    val client = openClient(sandbox, tmp.resolve("app"))

    override fun close() {
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }
}

/** A scope like viewModelScope, on a real dispatcher; [close] cancels it. */
class TestViewModelScope : AutoCloseable {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    override fun close() = scope.cancel()
}

suspend fun <T> StateFlow<T>.awaitState(timeoutMs: Long = 30_000, predicate: (T) -> Boolean): T =
    try {
        withTimeout(timeoutMs) { first(predicate) }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        throw AssertionError("state never matched; last: $value", e)
    }

/** The browser's part, over HTTP: the sandbox's VNeID login page, the gateway, the officer. */
object Robot {
    // HTTP/1.1 only: the JDK's default first offers an h2c upgrade, which the portal declines.
    private val http: HttpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).build()

    const val LEVEL2_CCCD = "030095001234"
    const val LEVEL1_CCCD = "030198005678"
    /** The portal's record of procedure [code], as its catalog API publishes it (JSON). */
    fun procedureRecord(sandbox: Sandbox, code: String): String =
        get(URI(sandbox.url + "api/v1/catalog/procedures/$code")).also { check(it.statusCode() == 200) { it.body() } }.body()

    /** The portal retires [code] for [replacedBy]: a dossier of it sent after is refused. */
    fun replaceProcedure(sandbox: Sandbox, code: String, replacedBy: String) =
        admin(sandbox, "admin/catalog/procedures/$code/replace", """{"replaced_by":"$replacedBy"}""")

    /** The portal publishes [record] (a procedure's JSON) as it is, e.g. back in force. */
    fun publishProcedure(sandbox: Sandbox, record: String) = admin(sandbox, "admin/catalog/procedures", record)

    /** The portal changes [count] procedures at once (a catalog that moves under the app). */
    fun mutateCatalog(sandbox: Sandbox, count: Int) = admin(sandbox, "admin/catalog/mutate?count=$count", "{}")

    /**
     * Every `/api/` request the portal gets from now on waits [delayMs] before it is handled
     * (the `*:delay:1:DELAY_MS` fault); kept in the sandbox's memory, so a [Sandbox.stop] ends it.
     */
    fun slowPortal(sandbox: Sandbox, delayMs: Long) =
        admin(sandbox, "admin/faults", """{"route":"*","kind":"delay","probability":1,"delay_ms":$delayMs}""")

    private fun admin(sandbox: Sandbox, path: String, json: String) {
        val response = http.send(
            HttpRequest.newBuilder(URI(sandbox.url + path)).header("X-Sandbox-Admin-Token", ADMIN_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(response.statusCode() == 200) { "$path: ${response.statusCode()} ${response.body()}" }
    }

    /** The sandbox's `/admin` routes need this token; [Sandbox] starts it with SMARTHD_SANDBOX_ADMIN_TOKEN. */
    const val ADMIN_TOKEN = "shell-suite-admin-token"

    /**
     * A browser that keeps its cookies from one page to the next, as the phone's browser behind
     * a Custom Tab that is not ephemeral: VNeID's session outlives the login there.
     */
    fun sharedBrowser(): HttpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).cookieHandler(java.net.CookieManager()).build()

    /**
     * Fills the login form at [authorizationUrl] in [browser] (by default one without cookies);
     * answers the redirect (the callback URL). A [sharedBrowser] still holding a VNeID session
     * may be sent back without any form (single sign-on): then the credentials go unused.
     */
    fun logIn(
        authorizationUrl: String,
        cccd: String = LEVEL2_CCCD,
        password: String = "Matkhau@123",
        browser: HttpClient = http,
    ): String {
        var url = URI(authorizationUrl)
        var response = get(url, browser)
        while (response.statusCode() in 300..399) {
            val next = location(response)
            if (next.startsWith(SmartHdClient.LOGIN_REDIRECT_URI)) return next // signed in without the form
            url = url.resolve(next)
            response = get(url, browser)
        }
        check(response.statusCode() == 200) { "login page: ${response.statusCode()}" }
        val page = response.body()
        val handle = attribute(page, "name=\"handle\"", "value") ?: error("no login form")
        val action = url.resolve(attribute(page, "<form", "action") ?: "login")
        val posted = post(action, mapOf("handle" to handle, "lang" to "vi", "cccd" to cccd, "password" to password, "otp" to "123456"), browser)
        check(posted.statusCode() in 300..399) { "login answered ${posted.statusCode()}" }
        return location(posted)
    }

    /** Pays at the sandbox gateway with bank NCB; answers the URL it sends the browser back to. */
    fun payAtGateway(payUrl: String): String {
        val page = URI(payUrl)
        val request = attribute(get(page).body(), "name=\"request\"", "value") ?: error("no payment form")
        var response = post(page.resolve("/gateway/vpcpay.html"), mapOf("request" to request, "action" to "pay", "bank" to "NCB"))
        while (true) {
            check(response.statusCode() in 300..399) { "the gateway answered ${response.statusCode()}" }
            val next = page.resolve(location(response))
            if (next.scheme != page.scheme || next.authority != page.authority) return next.toString()
            response = get(next)
        }
    }

    /** A sandbox officer logs in to the console and moves dossier [code] to [status]. */
    fun officerSetStatus(sandbox: Sandbox, code: String, status: String) = officerSetStatus(sandbox.url, code, status)

    /** The same on the portal at [portal] (a sandbox the test runner started). */
    fun officerSetStatus(portal: String, code: String, status: String) =
        officerPost(portal, "officer/dossiers/$code/status", """{"status":"$status"}""")

    /** The officer asks for more [documents] ("Yêu cầu bổ sung") of dossier [code]. */
    fun officerRequestSupplement(sandbox: Sandbox, code: String, message: String, documents: List<String>) =
        officerPost(
            sandbox.url,
            "officer/dossiers/$code/status",
            """{"status":"need_more_documents","message":"$message","documents":[${documents.joinToString(",") { "\"$it\"" }}]}""",
        )

    /** The officer issues the result [name] of dossier [code] and marks it ready. */
    fun officerIssueResult(sandbox: Sandbox, code: String, name: String) {
        officerPost(sandbox.url, "officer/dossiers/$code/result", """{"name":"$name"}""")
        officerSetStatus(sandbox, code, "result_ready")
    }

    /** The operations centre's [step] (accept, assign, answer) on field report [code]. */
    fun ioc(sandbox: Sandbox, code: String, step: String, json: String) =
        officerPost(sandbox.url, "officer/api/reports/$code/$step", json)

    private fun officerPost(portal: String, path: String, body: String) {
        val credentials = """{"username":"canbo.motcua","password":"Canbo@123"}"""
        val loginRequest = HttpRequest.newBuilder(URI(portal + "officer/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(credentials)).build()
        // A pooled connection the server has just closed fails the send before any byte comes
        // back; a login only opens a new session, so sending it again is safe.
        val login = try {
            http.send(loginRequest, HttpResponse.BodyHandlers.ofString())
        } catch (e: java.io.IOException) {
            http.send(loginRequest, HttpResponse.BodyHandlers.ofString())
        }
        check(login.statusCode() == 200) { "officer login: ${login.statusCode()} ${login.body()}" }
        val cookie = login.headers().allValues("set-cookie").map { it.substringBefore(';') }
            .first { it.startsWith("hd_officer=") }
        val csrf = Regex(""""csrf"\s*:\s*"([^"]+)"""").find(login.body())?.groupValues?.get(1)
            ?: error("no CSRF token: ${login.body()}")
        val request = HttpRequest.newBuilder(URI(portal + path))
            .header("Content-Type", "application/json").header("Cookie", cookie).header("X-CSRF-Token", csrf)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "officer console: ${response.statusCode()} ${response.body()}" }
    }

    /** The portal's whole payment ledger: how many times money was taken, per order. */
    fun charges(sandbox: Sandbox): Map<String, Int> {
        val ledger = http.send(
            HttpRequest.newBuilder(URI(sandbox.url + "admin/payments/ledger")).header("X-Sandbox-Admin-Token", ADMIN_TOKEN)
                .GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(ledger.statusCode() == 200) { "payments ledger: ${ledger.statusCode()}" }
        // An order is an object of plain values: no brace between its id and its charges.
        return Regex(""""([^"]+)":\{[^{}]*"charges":(\d+)""").findAll(ledger.body())
            .associate { it.groupValues[1] to it.groupValues[2].toInt() }
    }

    /** A valid value for [field], by kind (what a resident would type). */
    fun sampleValue(field: FormField): String {
        val value = when (field.kind) {
            FieldKind.TEXT -> "Nguyễn Văn An"
            FieldKind.TEXTAREA -> "Đề nghị giải quyết theo quy định."
            FieldKind.NUMBER -> "1"
            FieldKind.DATE -> "1995-06-15"
            FieldKind.CCCD -> LEVEL2_CCCD
            FieldKind.PHONE -> "0912345678"
            FieldKind.EMAIL -> "an.nguyen@example.vn"
            FieldKind.SELECT -> field.options.firstOrNull()?.value.orEmpty()
            FieldKind.CHECKBOX -> "true"
        }
        return field.maxLength?.let { value.take(it.toInt()) } ?: value
    }

    private fun get(url: URI, browser: HttpClient = http) =
        browser.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString())

    private fun post(url: URI, form: Map<String, String>, browser: HttpClient = http): HttpResponse<String> {
        val body = form.entries.joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, Charsets.UTF_8)}" }
        val request = HttpRequest.newBuilder(url).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build()
        return browser.send(request, HttpResponse.BodyHandlers.ofString())
    }

    private fun location(response: HttpResponse<String>) =
        response.headers().firstValue("Location").orElseThrow { IllegalStateException("a redirect without Location") }

    /** The value of attribute [name] in the first tag containing [marker]. */
    private fun attribute(page: String, marker: String, name: String): String? {
        val at = page.indexOf(marker).takeIf { it >= 0 } ?: return null
        val tagStart = page.lastIndexOf('<', at)
        val tagEnd = page.indexOf('>', at)
        val tag = page.substring(tagStart, tagEnd)
        val value = Regex("""\b$name="([^"]*)"""").find(tag)?.groupValues?.get(1) ?: return null
        return value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    }
}
