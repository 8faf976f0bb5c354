//! Sealing secrets at rest: AES-256-GCM (ring) under a data key kept in the platform's secure
//! storage. The purpose label is authenticated data, so a sealed login cannot pass for a session.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};
use crate::platform::SecureStorage;

const FORMAT_V1: u8 = 1;
pub const DATA_KEY_NAME: &str = "smarthd.data-key.v1";
/// Separates the owner-tag key from the data key (and from any later key derived from it).
const OWNER_KEY_LABEL: &[u8] = b"smarthd owner tag v1";

pub struct Vault {
    key: LessSafeKey,
    /// Keys the owner tags of local records (HMAC-SHA256), derived from the data key so the raw
    /// e-identity `sub` never reaches `user.db`.
    owner_key: hmac::Key,
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
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), OWNER_KEY_LABEL);
        let owner_key = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
        let key = UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte AES-256 key");
        Vault { key: LessSafeKey::new(key), owner_key }
    }

    /// The owner tag of the resident with e-identity subject `sub`: what `user.db` stores in its
    /// `owner` columns. The same on every open of this data key, useless without it.
    pub fn owner_tag(&self, sub: &str) -> String {
        hmac::sign(&self.owner_key, sub.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn owner_tags_are_stable_per_key_and_hide_the_subject() {
        let vault = Vault::from_key(&[7; 32]);
        let tag = vault.owner_tag("9f2c4e1a-030095001234");
        assert_eq!(tag, Vault::from_key(&[7; 32]).owner_tag("9f2c4e1a-030095001234"));
        assert_eq!(tag.len(), 64);
        assert!(!tag.contains("030095001234"));
        assert_ne!(tag, vault.owner_tag("4b8e7d20-030198005678"));
        assert_ne!(tag, Vault::from_key(&[8; 32]).owner_tag("9f2c4e1a-030095001234"));
    }
}
