//! My documents (kho giấy tờ cá nhân): what the resident holds, in one offline list: dossier
//! results and e-receipts (each verified again with the portal's key when listed) and the
//! personal papers VNeID lists (cached sealed at each level-2 sync). Searchable with the same
//! Vietnamese folding as the catalog, and exportable.

pub mod handle;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
pub use smarthd_model::papers::{ProfileCard, ProfileCards};

use crate::error::{Error, Result};
use crate::owner::Owner;
use crate::store::UserDb;
use crate::vault::Vault;

const SEALED_CARDS: &str = "profile-cards";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A dossier's result (kết quả giải quyết thủ tục).
    Result,
    /// A fee's e-receipt (biên lai điện tử).
    Receipt,
    /// A personal paper VNeID lists (CCCD, GPLX, BHYT...).
    Card,
}

/// One entry of "My documents".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MyDocument {
    /// `result:DOSSIER_ID`, `receipt:RECEIPT_ID` or `card:KIND`: what `export` takes.
    pub id: String,
    pub kind: DocumentKind,
    pub title: String,
    pub detail: String,
    pub issued_at: String,
    /// The portal's signature checks with a trusted key (results and receipts); a card comes
    /// from the authorized portal and is not signed.
    pub verified: bool,
}

/// Whether `query` (folded, every word a prefix of a word) matches the document.
pub fn matches(document: &MyDocument, query: &str) -> bool {
    let text = smarthd_model::text::fold(&format!("{} {} {}", document.title, document.detail, document.id));
    let words: Vec<&str> = smarthd_model::text::tokens(&text).collect();
    let wanted = smarthd_model::text::fold(query);
    smarthd_model::text::tokens(&wanted).all(|q| words.iter().any(|w| w.starts_with(q)))
}

/// The personal papers kept for each resident, sealed.
pub struct Papers {
    db: UserDb,
    vault: std::sync::Arc<Vault>,
}

impl Papers {
    pub fn new(db: UserDb, vault: std::sync::Arc<Vault>) -> Papers {
        Papers { db, vault }
    }

    pub fn keep(&self, owner: &Owner, cards: &ProfileCards) -> Result<()> {
        let json = serde_json::to_vec(cards).map_err(|source| Error::Encoding { what: "profile cards", source })?;
        self.db.lock().execute(
            "INSERT INTO profile_card (owner, sealed, fetched_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(owner) DO UPDATE SET sealed = excluded.sealed, fetched_at = excluded.fetched_at",
            params![owner.tag(), self.vault.seal(SEALED_CARDS, &json)?, crate::catalog::now()],
        )?;
        Ok(())
    }

    pub fn cards(&self, owner: &Owner) -> Result<Vec<ProfileCard>> {
        let sealed: Option<Vec<u8>> = self
            .db
            .lock()
            .query_row("SELECT sealed FROM profile_card WHERE owner = ?1", [owner.tag()], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else { return Ok(Vec::new()) };
        let cards: ProfileCards = serde_json::from_slice(&self.vault.open_sealed(SEALED_CARDS, &sealed)?)
            .map_err(|source| Error::Encoding { what: "profile cards", source })?;
        Ok(cards.documents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folds_marks_and_matches_word_prefixes() {
        let doc = MyDocument {
            id: "result:d1".into(),
            kind: DocumentKind::Result,
            title: "Phiếu lý lịch tư pháp số 1".into(),
            detail: "H19.25-261202-0001 — Cấp phiếu lý lịch tư pháp".into(),
            issued_at: "2026-12-02T10:00:00+07:00".into(),
            verified: true,
        };
        for query in ["", "ly lich", "PHIẾU", "tu phap so 1", "h19.25", "phieu ly"] {
            assert!(matches(&doc, query), "{query}");
        }
        for query in ["khai sinh", "lich su", "phieuly"] {
            assert!(!matches(&doc, query), "{query}");
        }
    }
}
