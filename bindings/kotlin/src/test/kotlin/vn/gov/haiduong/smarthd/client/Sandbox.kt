package vn.gov.haiduong.smarthd.client

import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CountDownLatch
import java.math.BigInteger
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import vn.gov.haiduong.smarthd.CoreConfig
import vn.gov.haiduong.smarthd.SecureStorage
import vn.gov.haiduong.smarthd.Signer

/** `smarthd sandbox serve` on 127.0.0.1 (a free port) in a subprocess; [close] stops it. */
class Sandbox(dir: Path, size: Int = 300) : AutoCloseable {
    private val process: Process
    val url: String
    private val log = StringBuffer()

    init {
        val bin = File(System.getProperty("smarthd.bin") ?: error("-Dsmarthd.bin is not set"))
        check(bin.canExecute()) { "$bin is missing: cargo build -p smarthd-cli" }
        Files.createDirectories(dir)
        process = ProcessBuilder(
            bin.path, "--data-dir", dir.toString(), "sandbox", "serve",
            "--addr", "127.0.0.1:0", "--catalog-size", size.toString(), "--db", dir.resolve("sandbox.db").toString(),
        ).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .apply { environment()["SMARTHD_SANDBOX_ADMIN_TOKEN"] = Portal.ADMIN_TOKEN }
            .start()
        val started = CountDownLatch(1)
        var found: String? = null
        Thread {
            // Drain stderr until the process exits, so the pipe never fills.
            process.errorStream.bufferedReader(Charsets.UTF_8).forEachLine { line ->
                log.append(line).append('\n')
                if (found == null) {
                    Regex("""http://127\.0\.0\.1:\d+/""").find(line)?.let { found = it.value; started.countDown() }
                }
            }
            started.countDown()
        }.apply { isDaemon = true }.start()
        started.await(60, TimeUnit.SECONDS)
        url = found ?: run { close(); error("the sandbox did not start:\n$log") }
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (true) {
            val ok = runCatching {
                val c = URI(url + "healthz").toURL().openConnection() as HttpURLConnection
                c.connectTimeout = 2000
                c.responseCode.also { c.disconnect() } == 200
            }.getOrDefault(false)
            if (ok) break
            check(System.nanoTime() < deadline) { "the sandbox never became healthy" }
            Thread.sleep(50)
        }
    }

    override fun close() {
        if (process.isAlive) {
            // SIGTERM; the sandbox keeps no state that needs a graceful stop.
            process.destroy()
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
        }
    }
}

/** What Keystore-backed storage is on a phone. */
class MemoryStorage : SecureStorage {
    private val values = java.util.concurrent.ConcurrentHashMap<String, ByteArray>()
    override fun get(key: String): ByteArray? = values[key]
    override fun put(key: String, value: ByteArray) { values[key] = value }
    override fun delete(key: String) { values.remove(key) }
}

/**
 * What a Keystore / Secure Enclave key is to the core: an ES256 key (java.security) whose private
 * half stays here; signs with [signingKey] (its own key unless a test gives another). Counts its
 * signatures.
 */
class EcdsaSigner(signingKey: KeyPair? = null) : Signer {
    private val keys = newKeyPair()
    private val signingKey = signingKey ?: keys
    val signatures = AtomicInteger()

    override fun publicKey(): ByteArray {
        val point = (keys.public as ECPublicKey).w
        return byteArrayOf(4) + fixed32(point.affineX) + fixed32(point.affineY)
    }

    /** ES256 as JWS wants it: r || s, 32 bytes each (P1363), not DER. */
    override fun sign(message: ByteArray): ByteArray {
        signatures.incrementAndGet()
        return Signature.getInstance("SHA256withECDSAinP1363Format").run {
            initSign(signingKey.private)
            update(message)
            sign()
        }
    }

    companion object {
        fun newKeyPair(): KeyPair =
            KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()

        private fun fixed32(n: BigInteger): ByteArray {
            val bytes = n.toByteArray().takeLast(32).toByteArray()
            return ByteArray(32 - bytes.size) + bytes
        }
    }
}

fun config(url: String, dataDir: Path, connectTimeoutMs: UInt = 5000u) =
    CoreConfig(portalUrl = url, dataDir = dataDir.toString(), connectTimeoutMs = connectTimeoutMs)
