//! The portal's document signature (Ed25519, a key id), shared by everything the portal issues
//! signed: e-receipts (the payment side holds the key) and dossier results. A ground-floor
//! trait, so the dossier side signs without importing the payment side.

/// Signs the exact UTF-8 bytes of a payload.
pub trait DocumentSigner: Send + Sync {
    /// The key id the portal publishes the public key under (`GET /api/v1/receipts/keys`).
    fn key_id(&self) -> &str;
    /// The signature, base64url without padding.
    fn sign(&self, payload: &str) -> String;
}

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

/// An Ed25519 key pair the portal signs with, made once and kept (as PKCS#8) in the sandbox
/// database, so what it signed verifies across restarts. Receipts and results share one;
/// appointment tickets have their own.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A new key pair, as PKCS#8 to keep.
    pub fn generate() -> Option<Vec<u8>> {
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).ok().map(|doc| doc.as_ref().to_vec())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Option<SigningKey> {
        Ed25519KeyPair::from_pkcs8(pkcs8).ok().map(|pair| SigningKey { pair })
    }

    /// The signature over `payload`'s UTF-8 bytes, base64url without padding.
    pub fn sign(&self, payload: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.sign(payload.as_bytes()).as_ref())
    }

    /// The 32-byte public key, base64url without padding.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// Whether `signature` (base64url) is this key's over `payload`.
    pub fn verifies(&self, payload: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD.decode(signature.trim_end_matches('=')).is_ok_and(|signature| {
            UnparsedPublicKey::new(&ED25519, self.pair.public_key().as_ref())
                .verify(payload.as_bytes(), &signature)
                .is_ok()
        })
    }
}
