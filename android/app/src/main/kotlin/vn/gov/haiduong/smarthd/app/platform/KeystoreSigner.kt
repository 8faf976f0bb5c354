package vn.gov.haiduong.smarthd.app.platform

import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import vn.gov.haiduong.smarthd.Signer

/**
 * The DPoP key: an ES256 (P-256) key made in the Android Keystore (StrongBox when the phone has
 * one) that never leaves the hardware. [publicKey] is the uncompressed point 0x04 || x || y;
 * [sign] answers the JOSE signature r || s (64 bytes), not the DER the Keystore produces.
 */
class KeystoreSigner(private val packageManager: PackageManager) : Signer {
    override fun publicKey(): ByteArray {
        val key = store().getCertificate(ALIAS)?.publicKey as? ECPublicKey ?: run { create(); return publicKey() }
        return byteArrayOf(0x04) + key.w.affineX.fixed32() + key.w.affineY.fixed32()
    }

    override fun sign(message: ByteArray): ByteArray {
        val key = store().getKey(ALIAS, null) as? PrivateKey ?: run { create(); return sign(message) }
        val der = Signature.getInstance("SHA256withECDSA").run {
            initSign(key)
            update(message)
            sign()
        }
        return derToJose(der)
    }

    private fun store() = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }

    private fun create() {
        fun spec(strongBox: Boolean) = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_SIGN)
            .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
            .setDigests(KeyProperties.DIGEST_SHA256)
            .apply { if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true) }
            .build()
        val generator = KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, "AndroidKeyStore")
        val strongBox = Build.VERSION.SDK_INT >= 28 && packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
        try {
            generator.initialize(spec(strongBox))
            generator.generateKeyPair()
        } catch (e: StrongBoxUnavailableException) {
            generator.initialize(spec(false))
            generator.generateKeyPair()
        }
    }

    private companion object {
        const val ALIAS = "smarthd.dpop"

        fun BigInteger.fixed32(): ByteArray {
            val bytes = toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
            return ByteArray(32 - bytes.size) + bytes
        }

        /** DER SEQUENCE { INTEGER r, INTEGER s } to r || s, 32 bytes each. */
        fun derToJose(der: ByteArray): ByteArray {
            var at = 2 + if (der[1].toInt() and 0x80 != 0) der[1].toInt() and 0x7f else 0
            fun integer(): BigInteger {
                check(der[at] == 0x02.toByte()) { "not a DER integer" }
                val length = der[at + 1].toInt()
                val value = BigInteger(1, der.copyOfRange(at + 2, at + 2 + length))
                at += 2 + length
                return value
            }
            return integer().fixed32() + integer().fixed32()
        }
    }
}
