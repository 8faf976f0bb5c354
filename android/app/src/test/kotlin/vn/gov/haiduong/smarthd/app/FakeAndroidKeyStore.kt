package vn.gov.haiduong.smarthd.app

import java.io.InputStream
import java.io.OutputStream
import java.security.Key
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.KeyPairGeneratorSpi
import java.security.PublicKey
import java.security.KeyStoreSpi
import java.security.Provider
import java.security.SecureRandom
import java.security.cert.Certificate
import java.security.spec.AlgorithmParameterSpec
import java.security.spec.ECGenParameterSpec
import java.util.Collections
import java.util.Date
import java.util.Enumeration
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.KeyGenerator
import javax.crypto.KeyGeneratorSpi
import javax.crypto.SecretKey

/**
 * The phone's Android Keystore, in memory: the one test double of these tests (no Keystore runs
 * off a device). Enough of it for `KeystoreStorage` (an AES key made under an alias and found
 * again by it) and `KeystoreSigner` (a P-256 key pair, its public key read from its certificate).
 * The keys are the JDK's, so the app's own code signs and seals with them. Installed by
 * [AppTestRunner] before the app starts.
 */
class FakeAndroidKeyStore : Provider("AndroidKeyStore", "1.0", "an in-memory Android Keystore for JVM tests") {
    init {
        put("KeyStore.AndroidKeyStore", Store::class.java.name)
        put("KeyGenerator.AES", AesKeys::class.java.name)
        put("KeyPairGenerator.EC", EcKeys::class.java.name)
    }

    class Store : KeyStoreSpi() {
        override fun engineGetKey(alias: String, password: CharArray?): Key? = keys[alias]
        override fun engineGetCertificateChain(alias: String): Array<Certificate>? = null
        override fun engineGetCertificate(alias: String): Certificate? = certificates[alias]
        override fun engineGetCreationDate(alias: String): Date? = null
        override fun engineSetKeyEntry(alias: String, key: Key, password: CharArray?, chain: Array<out Certificate>?) {
            keys[alias] = key
        }
        override fun engineSetKeyEntry(alias: String, key: ByteArray, chain: Array<out Certificate>?) = throw UnsupportedOperationException()
        override fun engineSetCertificateEntry(alias: String, cert: Certificate) = throw UnsupportedOperationException()
        override fun engineDeleteEntry(alias: String) {
            keys.remove(alias)
            certificates.remove(alias)
        }
        override fun engineAliases(): Enumeration<String> = Collections.enumeration(keys.keys)
        override fun engineContainsAlias(alias: String) = keys.containsKey(alias)
        override fun engineSize() = keys.size
        override fun engineIsKeyEntry(alias: String) = keys.containsKey(alias)
        override fun engineIsCertificateEntry(alias: String) = false
        override fun engineGetCertificateAlias(cert: Certificate): String? = null
        override fun engineStore(stream: OutputStream?, password: CharArray?) {}
        override fun engineLoad(stream: InputStream?, password: CharArray?) {}
    }

    /** Takes a `KeyGenParameterSpec` (read by reflection: the app's copy of the class is Robolectric's). */
    class AesKeys : KeyGeneratorSpi() {
        private var alias: String? = null
        override fun engineInit(params: AlgorithmParameterSpec, random: SecureRandom?) {
            alias = params.javaClass.getMethod("getKeystoreAlias").invoke(params) as String
        }
        override fun engineInit(random: SecureRandom?) = throw UnsupportedOperationException("a KeyGenParameterSpec is needed")
        override fun engineInit(keysize: Int, random: SecureRandom?) = throw UnsupportedOperationException("a KeyGenParameterSpec is needed")
        override fun engineGenerateKey(): SecretKey {
            val alias = checkNotNull(alias) { "not initialised" }
            return KeyGenerator.getInstance("AES").apply { init(256) }.generateKey().also { keys[alias] = it }
        }
    }

    /** Takes a `KeyGenParameterSpec` with a P-256 `ECGenParameterSpec`, as KeystoreSigner gives. */
    class EcKeys : KeyPairGeneratorSpi() {
        private var alias: String? = null
        override fun initialize(params: AlgorithmParameterSpec, random: SecureRandom?) {
            alias = params.javaClass.getMethod("getKeystoreAlias").invoke(params) as String
            val curve = params.javaClass.getMethod("getAlgorithmParameterSpec").invoke(params) as ECGenParameterSpec
            check(curve.name == "secp256r1") { "the app asks for ${curve.name}" }
        }
        override fun initialize(keysize: Int, random: SecureRandom?) = throw UnsupportedOperationException("a KeyGenParameterSpec is needed")
        override fun generateKeyPair(): KeyPair {
            val alias = checkNotNull(alias) { "not initialised" }
            val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
            keys[alias] = pair.private
            certificates[alias] = PublicKeyOnly(pair.public)
            return pair
        }
    }

    /** What the Keystore's self-signed certificate is used for here: carrying the public key. */
    private class PublicKeyOnly(private val key: PublicKey) : Certificate("X.509") {
        override fun getPublicKey(): PublicKey = key
        override fun getEncoded(): ByteArray = throw UnsupportedOperationException()
        override fun verify(key: PublicKey) = throw UnsupportedOperationException()
        override fun verify(key: PublicKey, sigProvider: String) = throw UnsupportedOperationException()
        override fun toString() = "a Keystore key's certificate"
    }

    companion object {
        /** Every app of the test run shares it, as apps on one phone share a Keystore (aliases differ). */
        private val keys = ConcurrentHashMap<String, Key>()
        private val certificates = ConcurrentHashMap<String, Certificate>()
    }
}
