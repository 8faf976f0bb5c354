//! Appointment tickets, signed like the e-receipts (`payment/receipt.rs`): Ed25519 over the
//! exact bytes of the payload, under a key id; the key is made once and kept in the sandbox
//! database, so tickets verify across restarts. A key of its own: a ticket key that leaked
//! could never sign a receipt.

use smarthd_model::appointment::{SignedTicket, Ticket};

use crate::signing::SigningKey;

pub const KEY_ID: &str = "a1";

pub struct Signer {
    key: SigningKey,
}

impl Signer {
    /// A new key pair, as PKCS#8 to keep.
    pub fn generate() -> Option<Vec<u8>> {
        SigningKey::generate()
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Option<Signer> {
        SigningKey::from_pkcs8(pkcs8).map(|key| Signer { key })
    }

    pub fn sign(&self, ticket: &Ticket) -> SignedTicket {
        let payload = ticket.payload();
        let signature = self.key.sign(&payload);
        SignedTicket { payload, signature, key_id: KEY_ID.to_owned() }
    }

    /// The 32-byte public key, base64url without padding.
    pub fn public_key(&self) -> String {
        self.key.public_key()
    }

    /// The signature checks with this key and the payload reads as a ticket.
    pub fn verify(&self, signed: &SignedTicket) -> Option<Ticket> {
        if signed.key_id != KEY_ID {
            return None;
        }
        if !self.key.verifies(&signed.payload, &signed.signature) {
            return None;
        }
        Ticket::parse(&signed.payload).ok()
    }
}
