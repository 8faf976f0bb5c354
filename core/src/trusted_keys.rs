//! The portal's signing keys the phone trusts: e-receipts and results share one set, tickets
//! of appointments have theirs. A key is trusted in one of two ways, never because a row
//! exists in `user.db`: pinned in the configuration (like the SPKI pins; then only those), or
//! fetched over the pinned transport when something names a key id not trusted yet, and kept
//! sealed under a purpose that names the key id (a sealed key cannot pass for another).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;

use crate::config::ReceiptKeyPin;
use crate::error::Result;
use crate::store::UserDb;
use crate::transport::{Fetched, PortalClient};
use crate::vault::Vault;

pub struct TrustedKeys {
    db: UserDb,
    vault: std::sync::Arc<Vault>,
    /// When any, the only keys trusted.
    pinned: Vec<ReceiptKeyPin>,
    /// Where fetched keys are kept (`key_id`, `public_key` sealed).
    table: &'static str,
    /// What the keys sign, for the sealing purpose and the logs ("receipt", "ticket").
    what: &'static str,
    /// Where the portal publishes them.
    path: &'static str,
}

#[derive(Deserialize)]
struct PublishedKeys {
    keys: Vec<PublishedKey>,
}

#[derive(Deserialize)]
struct PublishedKey {
    key_id: String,
    alg: String,
    public_key: String,
}

impl TrustedKeys {
    pub fn new(
        db: UserDb,
        vault: std::sync::Arc<Vault>,
        pinned: Vec<ReceiptKeyPin>,
        (table, what, path): (&'static str, &'static str, &'static str),
    ) -> TrustedKeys {
        TrustedKeys { db, vault, pinned, table, what, path }
    }

    fn purpose(&self, key_id: &str) -> String {
        format!("{}-key:{key_id}", self.what)
    }

    /// Whether keys are fetched from the portal rather than pinned in the configuration.
    pub fn fetches(&self) -> bool {
        self.pinned.is_empty()
    }

    /// The key something naming `key_id` may be checked with: a pinned one when the
    /// configuration pins keys, otherwise one kept sealed; a stored row that does not open is
    /// not a key.
    pub fn trusted(&self, key_id: &str) -> Result<Option<Vec<u8>>> {
        if !self.fetches() {
            return Ok(self.pinned.iter().find(|k| k.key_id == key_id).map(|k| k.public_key.to_vec()));
        }
        let sealed: Option<Vec<u8>> = self
            .db
            .lock()
            .query_row(&format!("SELECT public_key FROM {} WHERE key_id = ?1", self.table), [key_id], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else { return Ok(None) };
        match self.vault.open_sealed(&self.purpose(key_id), &sealed) {
            Ok(key) => Ok(Some(key)),
            Err(_) => {
                tracing::warn!("{} key {key_id} in user.db was not sealed by this app; ignored", self.what);
                Ok(None)
            }
        }
    }

    /// Keeps a key the portal published (fetched over the pinned transport), sealed; it replaces
    /// a row under the same id that did not open.
    pub fn store(&self, key_id: &str, public_key: &[u8]) -> Result<()> {
        let sealed = self.vault.seal(&self.purpose(key_id), public_key)?;
        self.db.lock().execute(
            &format!(
                "INSERT INTO {} (key_id, public_key) VALUES (?1, ?2)
                 ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key",
                self.table
            ),
            params![key_id, sealed],
        )?;
        Ok(())
    }

    /// Without pinned keys, a key id not trusted yet is fetched from the portal over the
    /// pinned transport (the only way a key is trusted) and kept sealed. Whether it is trusted
    /// afterwards is [`TrustedKeys::trusted`]'s to say.
    pub async fn learn(&self, portal: &PortalClient, key_id: &str) -> Result<()> {
        if !self.fetches() || self.trusted(key_id)?.is_some() {
            return Ok(());
        }
        if let Fetched::Fresh { value: keys, .. } = portal.get_json::<PublishedKeys>(self.path, None).await? {
            for key in keys.keys.iter().filter(|k| k.alg == "Ed25519") {
                let bytes = URL_SAFE_NO_PAD.decode(key.public_key.trim_end_matches('=')).ok();
                if let Some(bytes) = bytes.filter(|b| b.len() == 32) {
                    self.store(&key.key_id, &bytes)?;
                }
            }
        }
        Ok(())
    }
}
