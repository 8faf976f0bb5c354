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
