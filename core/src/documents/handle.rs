//! `core.documents()`: the resident's results, receipts and personal papers, offline.

use std::path::Path;
use std::sync::Arc;

use super::{DocumentKind, MyDocument, matches};
use crate::dossier::handle::DossiersHandle;
use crate::error::{Error, Result};
use crate::owner::Owner;
use crate::shared::Shared;

#[derive(Clone)]
pub struct DocumentsHandle {
    shared: Arc<Shared>,
}

impl DocumentsHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        DocumentsHandle { shared }
    }

    /// Every document the logged-in resident holds on the phone, newest first, filtered by
    /// `query` (folded: with or without tone marks; empty for all). A result or receipt that
    /// no longer verifies is listed as not verified, never hidden.
    pub fn list(&self, query: &str) -> Result<Vec<MyDocument>> {
        self.list_of(&self.shared.resident()?, query)
    }

    fn list_of(&self, owner: &Owner, query: &str) -> Result<Vec<MyDocument>> {
        let user = self.shared.user()?;
        let results = DossiersHandle::new(self.shared.clone());
        let mut documents = Vec::new();
        for dossier in user.dossiers.list(Some(owner))? {
            let Some(result) = &dossier.result else { continue };
            documents.push(MyDocument {
                id: format!("result:{}", dossier.id),
                kind: DocumentKind::Result,
                title: result.name.clone(),
                detail: format!("{} — {}", dossier.code.as_deref().unwrap_or(""), dossier.procedure_name),
                issued_at: result.issued_at.clone(),
                verified: results.verified_result(owner, &dossier.id).is_ok(),
            });
        }
        let payments = &user.payments;
        for receipt_id in payments.receipt_ids(owner)? {
            let verified = payments.verify_receipt(owner, &receipt_id);
            let (detail, issued_at) = match &verified {
                Ok(receipt) => (
                    format!(
                        "{} — {}",
                        receipt.dossier_code.as_deref().unwrap_or(""),
                        crate::payment::vnd(receipt.amount_vnd)
                    ),
                    receipt.paid_at.clone(),
                ),
                Err(_) => (String::new(), String::new()),
            };
            documents.push(MyDocument {
                id: format!("receipt:{receipt_id}"),
                kind: DocumentKind::Receipt,
                title: format!("Biên lai điện tử / e-receipt {receipt_id}"),
                detail,
                issued_at,
                verified: verified.is_ok(),
            });
        }
        for card in user.papers.cards(owner)? {
            documents.push(MyDocument {
                id: format!("card:{}", card.kind),
                kind: DocumentKind::Card,
                title: format!("{} / {}", card.name, card.name_en),
                detail: format!("{} — {}", card.number, card.issued_by),
                issued_at: card.issued_on.clone(),
                verified: false,
            });
        }
        documents.retain(|d| matches(d, query));
        documents.sort_by(|a, b| b.issued_at.cmp(&a.issued_at).then_with(|| a.id.cmp(&b.id)));
        Ok(documents)
    }

    /// Writes a document to `path`: a result's PDF (once it verifies), a receipt as the signed
    /// JSON the portal issued (once it verifies), a card as JSON.
    pub fn export(&self, id: &str, path: &Path) -> Result<MyDocument> {
        let user = self.shared.user()?;
        // Who is logged in, asked once: another process may log someone else in meanwhile.
        let owner = self.shared.resident()?;
        let document = self
            .list_of(&owner, "")?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| Error::NotFound(format!("document {id}")))?;
        let bytes = match (document.kind, id.split_once(':').map(|(_, rest)| rest).unwrap_or_default()) {
            (DocumentKind::Result, dossier_id) => {
                DossiersHandle::new(self.shared.clone()).verified_result(&owner, dossier_id)?.1
            }
            (DocumentKind::Receipt, receipt_id) => {
                user.payments.verify_receipt(&owner, receipt_id)?;
                let signed = user.payments.signed_receipt(&owner, receipt_id)?;
                serde_json::to_vec_pretty(&signed).map_err(|source| Error::Encoding { what: "receipt", source })?
            }
            (DocumentKind::Card, kind) => {
                let card = user.papers.cards(&owner)?.into_iter().find(|c| c.kind == kind);
                let card = card.ok_or_else(|| Error::NotFound(format!("document {id}")))?;
                serde_json::to_vec_pretty(&card).map_err(|source| Error::Encoding { what: "card", source })?
            }
        };
        std::fs::write(path, bytes)?;
        Ok(document)
    }
}
