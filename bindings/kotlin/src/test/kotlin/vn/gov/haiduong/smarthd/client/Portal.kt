package vn.gov.haiduong.smarthd.client

import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration

/**
 * What a resident does in the browser, scripted over plain HTTP: the sandbox's VNeID login page,
 * its payment gateway page, and the officer console. The core never sees these pages: the app
 * opens them in a Custom Tab and gets back a redirect.
 */
object Portal {
    const val LEVEL2_CCCD = "030095001234"
    const val LEVEL1_CCCD = "030198005678"
    const val PASSWORD = "Matkhau@123"
    const val OTP = "123456"
    /** The sandbox's `/admin` routes need this token; [Sandbox] starts it with SMARTHD_SANDBOX_ADMIN_TOKEN. */
    const val ADMIN_TOKEN = "kotlin-suite-admin-token"
    const val OFFICER = "canbo.motcua"
    const val OFFICER_PASSWORD = "Canbo@123"

    // HTTP/1.1 only: the JDK's default first offers an h2c upgrade, which the portal declines.
    // A new client, so a new connection, for each request: a pooled one the sandbox had just
    // closed failed the next request ("HTTP/1.1 header parser received no bytes") in CI, and
    // these calls (officer actions) must not be sent twice.
    private fun send(request: HttpRequest): HttpResponse<String> =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build()
            .send(request, HttpResponse.BodyHandlers.ofString(Charsets.UTF_8))

    private fun get(url: URI) = send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15)).GET().build())

    private fun postForm(url: URI, fields: Map<String, String>): HttpResponse<String> {
        val body = fields.entries.joinToString("&") {
            URLEncoder.encode(it.key, Charsets.UTF_8) + "=" + URLEncoder.encode(it.value, Charsets.UTF_8)
        }
        return send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        )
    }

    private fun location(response: HttpResponse<String>): String =
        response.headers().firstValue("location").orElseThrow { AssertionError("a redirect without Location") }

    private fun unescape(s: String) =
        s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    private fun attribute(tag: String, name: String): String? =
        Regex("""\b$name\s*=\s*"([^"]*)"""").find(tag)?.groupValues?.get(1)?.let(::unescape)

    /** The value of the hidden input [name] of an HTML page. */
    fun hidden(page: String, name: String): String? =
        Regex("""<input\b[^>]*>""").findAll(page).map { it.value }
            .firstOrNull { attribute(it, "name") == name }?.let { attribute(it, "value") }

    private fun formAction(page: String): String? =
        Regex("""<form\b[^>]*>""").find(page)?.value?.let { attribute(it, "action") }

    /**
     * Opens the authorization URL (following redirects to the login page), fills the form, and
     * returns the provider's redirect: the app's redirect URI with `code`, `state` and `iss`.
     */
    fun logIn(authorizationUrl: String, cccd: String = LEVEL2_CCCD, password: String = PASSWORD): String {
        var url = URI(authorizationUrl)
        var page: String? = null
        for (hop in 0 until 10) {
            val response = get(url)
            if (response.statusCode() in 300..399) {
                url = url.resolve(location(response))
                continue
            }
            check(response.statusCode() == 200) { "the login page answered ${response.statusCode()}: ${response.body().take(300)}" }
            page = response.body()
            break
        }
        val html = page ?: error("too many redirects before the login page")
        val handle = hidden(html, "handle") ?: error("no login form on the page")
        val action = url.resolve(formAction(html) ?: "login")
        val answer = postForm(
            action,
            linkedMapOf("handle" to handle, "lang" to "vi", "cccd" to cccd, "password" to password, "otp" to OTP),
        )
        check(answer.statusCode() in 300..399) { "the login form answered ${answer.statusCode()}: ${answer.body().take(300)}" }
        return location(answer)
    }

    private fun origin(uri: URI) = "${uri.scheme}://${uri.rawAuthority}"

    /**
     * Opens the gateway page, pays with [bank], follows the gateway's redirects within the
     * sandbox, and returns the URL the browser is finally sent to (the app's return URL).
     */
    fun payAtGateway(payUrl: String, bank: String = "NCB"): String {
        val pageUrl = URI(payUrl)
        val page = get(pageUrl)
        check(page.statusCode() == 200) { "the gateway page answered ${page.statusCode()}" }
        val request = hidden(page.body(), "request") ?: error("no payment form on the gateway page")
        var url = pageUrl.resolve("/gateway/vpcpay.html")
        var response = postForm(url, linkedMapOf("request" to request, "action" to "pay", "bank" to bank))
        for (hop in 0 until 10) {
            check(response.statusCode() in 300..399) { "the gateway answered ${response.statusCode()}: ${response.body().take(300)}" }
            val next = location(response)
            val nextUri = runCatching { URI(next) }.getOrNull()
            if (nextUri == null || (nextUri.isAbsolute && origin(nextUri) != origin(pageUrl))) return next
            url = url.resolve(nextUri)
            response = get(url)
        }
        error("the gateway never sent the browser back to the app")
    }

    /** The sandbox's officer console, as HTTP: a sandbox officer logs in and moves a dossier on. */
    fun officerSetStatus(baseUrl: String, code: String, status: String) {
        officer(baseUrl, code, "status", """{"status":"$status"}""")
    }

    /** A sandbox officer logs in and posts [json] to the console's [action] for dossier [code]. */
    fun officer(baseUrl: String, code: String, action: String, json: String) =
        officerPost(baseUrl, "officer/dossiers/$code/$action", json)

    /** The operations centre's [step] (accept, assign, answer) on field report [code]. */
    fun ioc(baseUrl: String, code: String, step: String, json: String) =
        officerPost(baseUrl, "officer/api/reports/$code/$step", json)

    private fun officerPost(baseUrl: String, path: String, json: String) {
        val login = send(
            HttpRequest.newBuilder(URI("${baseUrl}officer/login")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""{"username":"$OFFICER","password":"$OFFICER_PASSWORD"}"""))
                .build(),
        )
        check(login.statusCode() == 200) { "the officer login answered ${login.statusCode()}: ${login.body()}" }
        val cookie = login.headers().allValues("set-cookie").map { it.substringBefore(';') }
            .first { it.startsWith("hd_officer=") }
        val csrf = Regex("\"csrf\"\\s*:\\s*\"([^\"]+)\"").find(login.body())?.groupValues?.get(1)
            ?: error("the officer login gave no CSRF token: ${login.body()}")
        val response = send(
            HttpRequest.newBuilder(URI("$baseUrl$path")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        )
        check(response.statusCode() in 200..299) { "the officer console answered ${response.statusCode()}: ${response.body()}" }
    }

    private fun admin(baseUrl: String, method: String, path: String, body: String? = null): String {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val response = send(
            HttpRequest.newBuilder(URI("${baseUrl}admin/$path")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("X-Sandbox-Admin-Token", ADMIN_TOKEN)
                .method(method, publisher).build(),
        )
        check(response.statusCode() in 200..299) { "$method admin/$path answered ${response.statusCode()}: ${response.body()}" }
        return response.body()
    }

    /** Adds a slot at [counterId] starting at [startsAt] (RFC 3339) with [capacity] places; its id. */
    fun addSlot(baseUrl: String, counterId: String, startsAt: String, capacity: Int): String =
        admin(baseUrl, "POST", "appointments/slots", """{"counter_id":"$counterId","starts_at":"$startsAt","capacity":$capacity}""")
            .substringAfter("\"slot_id\":\"").substringBefore("\"")

    /** Adds a sandbox fault, e.g. `{"route":"attachments","kind":"delay","probability":1.0,"delay_ms":60000}`. */
    fun addFault(baseUrl: String, fault: String) {
        admin(baseUrl, "POST", "faults", fault)
    }

    fun clearFaults(baseUrl: String) {
        admin(baseUrl, "DELETE", "faults")
    }

    /** The portal's whole dossier ledger: every dossier id it created, and how many times. */
    fun dossierLedger(baseUrl: String): Map<String, Int> {
        val dossiers = admin(baseUrl, "GET", "ledger").substringAfter("\"dossiers\":{").substringBefore("}")
        return Regex(""""([^"]+)":(\d+)""").findAll(dossiers).associate { it.groupValues[1] to it.groupValues[2].toInt() }
    }

    /** What the portal created since the [before] ledger (the sandbox is shared by the tests). */
    fun createdSince(baseUrl: String, before: Map<String, Int>): Map<String, Int> =
        dossierLedger(baseUrl).mapValues { (id, n) -> n - (before[id] ?: 0) }.filterValues { it != 0 }

    /** The OpenID provider's mode (JSON), or changes it with [patch] and answers the new one. */
    fun identityMode(baseUrl: String, patch: String? = null): String =
        if (patch == null) admin(baseUrl, "GET", "identity/mode") else admin(baseUrl, "POST", "identity/mode", patch)
}
