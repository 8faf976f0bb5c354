//! Platform services the app injects at construction: secure storage (Android Keystore, iOS
//! Keychain) and an optional hardware signer for DPoP (a Keystore EC key, the Secure Enclave).
//! The software implementations here serve the CLI and tests.

use std::path::PathBuf;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

use crate::error::{Error, Result};
use crate::events::{EventListener, NoEvents};

/// Small secrets by name (the data key that encrypts the session).
pub trait SecureStorage: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    fn put(&self, key: &str, value: &[u8]) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
}

/// An ES256 signing key whose private half may never leave the hardware.
pub trait Signer: Send + Sync {
    /// The public key as an uncompressed P-256 point (0x04 || x || y).
    fn public_key(&self) -> Result<Vec<u8>>;
    /// An ES256 signature (r || s, 64 bytes) over `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// What the app gives the core at construction.
#[derive(Clone)]
pub struct Services {
    pub events: Arc<dyn EventListener>,
    pub secure_storage: Arc<dyn SecureStorage>,
    /// A hardware DPoP key; without one the core makes a software key and keeps it encrypted
    /// in the session.
    pub signer: Option<Arc<dyn Signer>>,
}

impl Services {
    /// For the CLI and tests: a key file in `dir` readable only by its owner, no events.
    pub fn with_key_dir(dir: impl Into<PathBuf>) -> Services {
        Services { events: Arc::new(NoEvents), secure_storage: Arc::new(KeyFileStorage::new(dir)), signer: None }
    }

    pub fn events(mut self, events: Arc<dyn EventListener>) -> Services {
        self.events = events;
        self
    }
}

/// Secure storage for the CLI: one file per key, created with mode 0600 in a 0700 folder.
pub struct KeyFileStorage {
    dir: PathBuf,
}

impl KeyFileStorage {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        KeyFileStorage { dir: dir.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            return Err(Error::Internal(format!("invalid secure storage key {key:?}")));
        }
        Ok(self.dir.join(key))
    }
}

impl SecureStorage for KeyFileStorage {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<()> {
        use std::io::Write;
        let path = self.path(key)?;
        crate::private_files::create_dir(&self.dir)?;
        let tmp = path.with_extension("tmp");
        let mut file = crate::private_files::options().write(true).create(true).truncate(true).open(&tmp)?;
        file.write_all(value)?;
        file.sync_all()?;
        std::fs::rename(tmp, path)?;
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// A P-256 key in memory, from PKCS#8 bytes the core keeps encrypted.
pub struct SoftwareSigner {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
}

impl SoftwareSigner {
    pub fn generate() -> Result<Self> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| Error::Internal("could not generate a DPoP key".into()))?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new())
            .map_err(|_| Error::Internal("stored DPoP key is unreadable".into()))?;
        Ok(SoftwareSigner { pair, pkcs8: pkcs8.to_vec() })
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
}

impl Signer for SoftwareSigner {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.pair.public_key().as_ref().to_vec())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.pair
            .sign(&SystemRandom::new(), message)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| Error::Internal("DPoP signing failed".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let storage = KeyFileStorage::new(dir.path().join("keys"));
        assert_eq!(storage.get("data-key").unwrap(), None);
        storage.put("data-key", b"secret").unwrap();
        assert_eq!(storage.get("data-key").unwrap().as_deref(), Some(&b"secret"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/data-key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(dir.path().join("keys")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        storage.delete("data-key").unwrap();
        storage.delete("data-key").unwrap();
        assert_eq!(storage.get("data-key").unwrap(), None);
        assert!(storage.put("../escape", b"x").is_err());
    }

    #[test]
    fn software_signer_survives_a_round_trip_through_pkcs8() {
        let signer = SoftwareSigner::generate().unwrap();
        let again = SoftwareSigner::from_pkcs8(signer.pkcs8()).unwrap();
        assert_eq!(signer.public_key().unwrap(), again.public_key().unwrap());
        let sig = again.sign(b"message").unwrap();
        assert_eq!(sig.len(), 64);
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            signer.public_key().unwrap(),
        )
        .verify(b"message", &sig)
        .unwrap();
    }
}
