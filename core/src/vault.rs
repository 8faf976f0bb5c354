//! Sealing secrets at rest: AES-256-GCM (ring) under a data key kept in the platform's secure
//! storage. The purpose label is authenticated data, so a sealed login cannot pass for a session.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};
use crate::platform::SecureStorage;

const FORMAT_V1: u8 = 1;
pub const DATA_KEY_NAME: &str = "smarthd.data-key.v1";

pub struct Vault {
    key: LessSafeKey,
}

impl Vault {
    /// The data key from secure storage, made (32 random bytes) and stored on first use.
    pub fn open(storage: &dyn SecureStorage) -> Result<Vault> {
        let key = match storage.get(DATA_KEY_NAME)? {
            Some(key) if key.len() == 32 => key,
            Some(_) => return Err(Error::Internal("the stored data key has the wrong length".into())),
            None => {
                let mut key = vec![0u8; 32];
                SystemRandom::new().fill(&mut key).map_err(|_| Error::Internal("no random source".into()))?;
                storage.put(DATA_KEY_NAME, &key)?;
                key
            }
        };
        Ok(Vault::from_key(&key))
    }

    pub fn from_key(key: &[u8]) -> Vault {
        let key = UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte AES-256 key");
        Vault { key: LessSafeKey::new(key) }
    }

    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| Error::Internal("no random source".into()))?;
        let mut buffer = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut buffer)
            .map_err(|_| Error::Internal("sealing failed".into()))?;
        Ok([&[FORMAT_V1][..], &nonce, &buffer].concat())
    }

    pub fn open_sealed(&self, purpose: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let unreadable = || Error::Internal(format!("the stored {purpose} cannot be decrypted"));
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != FORMAT_V1 {
            return Err(unreadable());
        }
        let nonce = Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN]).map_err(|_| unreadable())?;
        let mut buffer = sealed[1 + NONCE_LEN..].to_vec();
        let plain =
            self.key.open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut buffer).map_err(|_| unreadable())?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_tamper_detection() {
        let vault = Vault::from_key(&[7; 32]);
        let sealed = vault.seal("session", b"token 030095001234").unwrap();
        assert!(!sealed.windows(12).any(|w| w == b"030095001234"), "no plaintext in the sealed bytes");
        assert_eq!(vault.open_sealed("session", &sealed).unwrap(), b"token 030095001234");
        assert!(vault.open_sealed("login", &sealed).is_err(), "purpose is authenticated");
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(vault.open_sealed("session", &tampered).is_err());
        assert!(Vault::from_key(&[8; 32]).open_sealed("session", &sealed).is_err());
        assert!(vault.open_sealed("session", &[1, 2, 3]).is_err());
    }
}
