//! Appointment tickets, signed like the e-receipts (`payment/receipt.rs`): Ed25519 over the
//! exact bytes of the payload, under a key id; the key is made once and kept in the sandbox
//! database, so tickets verify across restarts. A key of its own: a ticket key that leaked
//! could never sign a receipt.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use smarthd_model::appointment::{SignedTicket, Ticket};

pub const KEY_ID: &str = "a1";

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

    pub fn sign(&self, ticket: &Ticket) -> SignedTicket {
        let payload = ticket.payload();
        let signature = URL_SAFE_NO_PAD.encode(self.pair.sign(payload.as_bytes()).as_ref());
        SignedTicket { payload, signature, key_id: KEY_ID.to_owned() }
    }

    /// The 32-byte public key, base64url without padding.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// The signature checks with this key and the payload reads as a ticket.
    pub fn verify(&self, signed: &SignedTicket) -> Option<Ticket> {
        if signed.key_id != KEY_ID {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signed.signature.trim_end_matches('=')).ok()?;
        UnparsedPublicKey::new(&ED25519, self.pair.public_key().as_ref())
            .verify(signed.payload.as_bytes(), &signature)
            .ok()?;
        Ticket::parse(&signed.payload).ok()
    }
}
