//! Sealing secrets at rest: AES-256-GCM (ring) under a data key kept in the platform's secure
//! storage. The purpose label is authenticated data, so a sealed login cannot pass for a session.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};
use crate::platform::SecureStorage;
use crate::store::UserDb;

fn key_check(db: &UserDb) -> Result<Option<Vec<u8>>> {
    use rusqlite::OptionalExtension;
    Ok(db.lock().query_row("SELECT sealed FROM key_check WHERE id = 1", [], |r| r.get(0)).optional()?)
}

/// Whether `user.db` holds anything sealed under a data key.
fn holds_sealed(db: &UserDb) -> Result<bool> {
    Ok(db.lock().query_row(
        "SELECT EXISTS (SELECT 1 FROM session) OR EXISTS (SELECT 1 FROM login_pending)
             OR EXISTS (SELECT 1 FROM dossier)",
        [],
        |r| r.get(0),
    )?)
}

const FORMAT_V1: u8 = 1;
pub const DATA_KEY_NAME: &str = "smarthd.data-key.v1";
/// Separates the owner-tag key from the data key (and from any later key derived from it).
const OWNER_KEY_LABEL: &[u8] = b"smarthd owner tag v1";

/// The purpose of the key-check value, and the constant it seals.
const KEY_CHECK: &str = "key-check";
const KEY_CHECK_PLAINTEXT: &[u8] = b"smarthd user data key v1";

pub struct Vault {
    key: LessSafeKey,
    /// Keys the owner tags of local records (HMAC-SHA256), derived from the data key so the raw
    /// e-identity `sub` never reaches `user.db`.
    owner_key: hmac::Key,
}

impl Vault {
    /// The data key from secure storage, checked against the key-check value in `user.db`.
    ///
    /// A key is made (32 random bytes) only for a `user.db` that holds nothing sealed yet. A
    /// missing key over sealed data, or a key that does not open the check value, is
    /// `UserDataUnreadable`: nothing is overwritten, and [`Vault::recover`] is the way on.
    pub fn open(storage: &dyn SecureStorage, db: &UserDb) -> Result<Vault> {
        let check = key_check(db)?;
        match storage.get(DATA_KEY_NAME)? {
            Some(key) if key.len() == 32 => {
                let vault = Vault::from_key(&key);
                match check {
                    Some(check) => {
                        vault.open_sealed(KEY_CHECK, &check).map_err(|_| Error::UserDataUnreadable {
                            what: "user data (the phone's data key has changed)".into(),
                        })?;
                    }
                    // Made before key checks existed: the key in storage is the one in use.
                    None => vault.write_check(db)?,
                }
                Ok(vault)
            }
            Some(_) => Err(Error::UserDataUnreadable { what: "user data (the stored data key is damaged)".into() }),
            None if check.is_some() || holds_sealed(db)? => {
                Err(Error::UserDataUnreadable { what: "user data (the phone's data key is missing)".into() })
            }
            None => Vault::new_key(storage, db),
        }
    }

    /// After `UserDataUnreadable`: keeps the stored key when it is whole (what it can open stays
    /// readable), makes a new one otherwise, and writes a new check value. What the key cannot
    /// open is for its owners to keep aside (`store::keep_aside`); the resident logs in again.
    pub fn recover(storage: &dyn SecureStorage, db: &UserDb) -> Result<Vault> {
        match storage.get(DATA_KEY_NAME)? {
            Some(key) if key.len() == 32 => {
                let vault = Vault::from_key(&key);
                vault.write_check(db)?;
                Ok(vault)
            }
            _ => Vault::new_key(storage, db),
        }
    }

    fn new_key(storage: &dyn SecureStorage, db: &UserDb) -> Result<Vault> {
        let mut key = vec![0u8; 32];
        SystemRandom::new().fill(&mut key).map_err(|_| Error::Internal("no random source".into()))?;
        storage.put(DATA_KEY_NAME, &key)?;
        let vault = Vault::from_key(&key);
        vault.write_check(db)?;
        Ok(vault)
    }

    fn write_check(&self, db: &UserDb) -> Result<()> {
        let sealed = self.seal(KEY_CHECK, KEY_CHECK_PLAINTEXT)?;
        db.lock().execute(
            "INSERT INTO key_check (id, sealed) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed",
            [sealed],
        )?;
        Ok(())
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
        let unreadable = || Error::UserDataUnreadable { what: purpose.to_owned() };
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

    #[test]
    fn another_key_in_storage_is_found_by_the_key_check_and_recovery_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = UserDb::open(dir.path()).unwrap();
        let storage = crate::platform::KeyFileStorage::new(dir.path().join("keys"));
        let first = Vault::open(&storage, &db).unwrap();
        let sealed = first.seal("session", b"token").unwrap();
        assert_eq!(Vault::open(&storage, &db).unwrap().open_sealed("session", &sealed).unwrap(), b"token");

        storage.put(DATA_KEY_NAME, &[9; 32]).unwrap();
        let error = Vault::open(&storage, &db).err().unwrap();
        assert_eq!(error.kind(), crate::error::ErrorKind::UserDataUnreadable);
        storage.put(DATA_KEY_NAME, &[9; 7]).unwrap();
        assert!(matches!(Vault::open(&storage, &db), Err(Error::UserDataUnreadable { .. })));

        storage.put(DATA_KEY_NAME, &[9; 32]).unwrap();
        Vault::recover(&storage, &db).unwrap();
        assert_eq!(storage.get(DATA_KEY_NAME).unwrap().unwrap(), [9; 32], "a whole key is kept");
        assert!(Vault::open(&storage, &db).is_ok(), "the check now matches the key");
    }
}
