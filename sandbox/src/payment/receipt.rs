//! E-receipts (biên lai điện tử): the portal signs the exact bytes of a JSON payload with Ed25519;
//! the key is made once and kept in the sandbox database, so receipts verify across restarts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::Serialize;

use super::common::FeeLine;

pub const KEY_ID: &str = "r1";
pub const ISSUER: &str = "Cổng Dịch vụ công tỉnh Hải Dương";

/// What a receipt says, in the order it is serialized and signed.
#[derive(Serialize)]
pub struct Payload<'a> {
    pub receipt_id: &'a str,
    pub order_id: &'a str,
    pub dossier_id: &'a str,
    pub dossier_code: &'a str,
    pub amount_vnd: i64,
    pub method: &'a str,
    pub txn_ref: &'a str,
    pub bank_tran_no: &'a str,
    pub paid_at: &'a str,
    pub issuer: &'a str,
    pub fee_lines: &'a [FeeLine],
}

pub struct Signer {
    pair: Ed25519KeyPair,
}

impl Signer {
    /// A new key pair, as PKCS#8 to keep.
    pub fn generate() -> Option<Vec<u8>> {
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).ok().map(|doc| doc.as_ref().to_vec())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Option<Signer> {
        Ed25519KeyPair::from_pkcs8(pkcs8).ok().map(|pair| Signer { pair })
    }

    /// The signature over `payload`'s UTF-8 bytes, base64url without padding.
    pub fn sign(&self, payload: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.sign(payload.as_bytes()).as_ref())
    }

    /// The 32-byte public key, base64url without padding.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }
}
