//! The dossiers' public face: drafts filled and checked offline, submitting to the outbox, and
//! the portal's public lookup.

use std::path::Path;
use std::sync::Arc;

use super::{Attachment, Dossier, DossierStatus, FieldError, FieldProblem, ForPerson, ResultPayload};
use crate::catalog::model::Subject;
use crate::error::Result;
use crate::events::Event;
use crate::owner::Owner;
use crate::shared::Shared;
use crate::transport;

/// What the portal's public lookup tells anyone who has a dossier code: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub status: DossierStatus,
    pub updated_at: String,
}

/// `core.dossiers()`: drafts, their fields and attachments, submitting, the list, the lookup.
/// Sending happens in `core.sync()`.
///
/// Everything here is the logged-in resident's: another resident's dossiers are not found and
/// not listed. A draft made while logged out belongs to nobody (anyone on the phone sees it)
/// until it is submitted, which needs a login and binds it to that resident.
#[derive(Clone)]
pub struct DossiersHandle {
    shared: Arc<Shared>,
}

impl DossiersHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        DossiersHandle { shared }
    }

    /// A new draft about the resident themself; see [`DossiersHandle::new_draft_for`].
    pub fn new_draft(&self, procedure_code: &str, applicant: Subject) -> Result<Dossier> {
        self.new_draft_for(procedure_code, applicant, ForPerson::Myself)
    }

    /// A new draft about `for_person`. Logged in, the fields the form says are the resident's
    /// (theirs for themself, the requester's, a parent's for their child) are filled from the
    /// e-identity claims the session holds, offline, and listed in `prefilled`.
    pub fn new_draft_for(&self, procedure_code: &str, applicant: Subject, for_person: ForPerson) -> Result<Dossier> {
        let user = self.shared.user()?;
        let owner = self.shared.owner()?;
        // A session the data key cannot open is nobody (see `Shared::owner`): nothing to prefill.
        let profile = owner.as_ref().and_then(|owner| user.identity.prefill_profile(owner).unwrap_or(None));
        user.dossiers.new_draft_for(
            &self.shared.catalog,
            owner.as_ref(),
            procedure_code,
            applicant,
            for_person,
            profile.as_ref(),
        )
    }

    /// Stores a field of a draft; answers what is wrong with the value, if anything.
    pub fn set_field(&self, dossier_id: &str, key: &str, value: &str) -> Result<Option<FieldProblem>> {
        let viewer = self.shared.owner()?;
        self.dossiers()?.set_field(&self.shared.catalog, viewer.as_ref(), dossier_id, key, value)
    }

    /// Every problem of the draft's form, checked offline.
    pub fn validate(&self, dossier_id: &str) -> Result<Vec<FieldError>> {
        self.dossiers()?.validate(&self.shared.catalog, self.shared.owner()?.as_ref(), dossier_id)
    }

    /// Attaches a file (JPEG, PNG or PDF, at most 10 MiB). In a supplement round it answers the
    /// first requested document not yet attached; see [`DossiersHandle::attach_document`].
    pub fn attach(&self, dossier_id: &str, path: &Path) -> Result<Attachment> {
        self.dossiers()?.attach(self.shared.owner()?.as_ref(), dossier_id, path, None)
    }

    /// Attaches a file as the requested document `document` of the open supplement round.
    pub fn attach_document(&self, dossier_id: &str, path: &Path, document: &str) -> Result<Attachment> {
        self.dossiers()?.attach(self.shared.owner()?.as_ref(), dossier_id, path, Some(document))
    }

    /// Queues the dossier for sending; returns at once and works offline, but needs a login
    /// (the resident the dossier is sent for): `NeedsLogin` otherwise. For a dossier the officer
    /// asked to supplement, it queues the supplement (every requested document attached).
    pub fn submit(&self, dossier_id: &str) -> Result<Dossier> {
        let dossiers = self.dossiers()?;
        let Some(owner) = self.shared.owner()? else {
            // A form that is not valid says so first; then the login is asked for.
            dossiers.get(None, dossier_id)?;
            let errors = dossiers.validate(&self.shared.catalog, None, dossier_id)?;
            if !errors.is_empty() {
                return Err(super::form_invalid(&errors));
            }
            return Err(crate::error::AuthError::NotLoggedIn.into());
        };
        let dossier = dossiers.submit(&self.shared.catalog, &owner, dossier_id)?;
        // A supplement is queued beside the dossier, whose status stays "needs more documents":
        // told as an update, or the shells would notify the resident of the request they just
        // answered.
        let dossier_id = dossier.id.clone();
        self.shared.services.events.on_event(match dossier.status {
            DossierStatus::Queued => Event::DossierStatusChanged { dossier_id, code: None, status: dossier.status },
            _ => Event::DossierUpdated { dossier_id },
        });
        Ok(dossier)
    }

    pub fn get(&self, dossier_id: &str) -> Result<Dossier> {
        self.dossiers()?.get(self.shared.owner()?.as_ref(), dossier_id)
    }

    /// The logged-in resident's dossiers, and drafts nobody owns yet, newest first.
    pub fn list(&self) -> Result<Vec<Dossier>> {
        self.dossiers()?.list(self.shared.owner()?.as_ref())
    }

    /// How many of those the data key cannot open (left out of [`DossiersHandle::list`]): after
    /// a lost key, [`crate::SmartHd::open_recovering`] keeps them aside.
    pub fn unreadable(&self) -> Result<u32> {
        Ok(self.dossiers()?.list_and_unreadable(self.shared.owner()?.as_ref())?.1)
    }

    pub fn delete_draft(&self, dossier_id: &str) -> Result<()> {
        self.dossiers()?.delete_draft(self.shared.owner()?.as_ref(), dossier_id)
    }

    /// Withdraws a dossier the portal has received and not begun processing: queued, offline
    /// too; `core.sync()` delivers it once.
    pub fn withdraw(&self, dossier_id: &str, reason: Option<&str>) -> Result<Dossier> {
        self.dossiers()?.withdraw(&self.shared.resident()?, dossier_id, reason)
    }

    /// Rates how the dossier was handled (a verdict, optional criteria scores 0 to 2 of
    /// [`super::RATING_CRITERIA`], an optional comment): once, after its result; queued, offline
    /// too, and delivered once by `core.sync()`.
    pub fn rate(&self, dossier_id: &str, rating: super::Rating) -> Result<Dossier> {
        self.dossiers()?.rate(&self.shared.resident()?, dossier_id, rating)
    }

    /// The dossier's result, verified again offline (the portal's signature with a trusted key,
    /// the PDF against the digest it signs): `Validation` if it was altered.
    pub fn result(&self, dossier_id: &str) -> Result<ResultPayload> {
        Ok(self.verified_result(&self.shared.resident()?, dossier_id)?.0)
    }

    /// Writes the result's PDF to `path`, once it verifies; answers what it is.
    pub fn export_result(&self, dossier_id: &str, path: &Path) -> Result<ResultPayload> {
        let (payload, pdf) = self.verified_result(&self.shared.resident()?, dossier_id)?;
        std::fs::write(path, pdf)?;
        Ok(payload)
    }

    /// `owner`'s result of the dossier and its PDF, once they verify.
    pub(crate) fn verified_result(&self, owner: &Owner, dossier_id: &str) -> Result<(ResultPayload, Vec<u8>)> {
        let user = self.shared.user()?;
        let (signed, pdf) = user.dossiers.result(owner, dossier_id)?;
        let payload = crate::sync::results::verify(&user.payments, &signed)?;
        let sha256 = super::hex(ring::digest::digest(&ring::digest::SHA256, &pdf).as_ref());
        if payload.sha256 != sha256 || payload.dossier_id != dossier_id {
            return Err(crate::error::Error::Validation {
                field: "result".into(),
                reason: "tệp kết quả đã bị thay đổi / the result file was altered".into(),
            });
        }
        Ok((payload, pdf))
    }

    /// Anyone can look a dossier up by its code, without logging in. Codes are upper case; one
    /// typed (or read aloud) in lower case, with spaces around it, is the same code.
    pub async fn lookup(&self, code: &str) -> Result<PublicStatus> {
        let code = code.trim().to_uppercase();
        let path = format!("api/v1/dossiers/lookup/{}", transport::segment(&code)?);
        let portal = &self.shared.portal;
        portal.send(transport::Request::get(portal.url(&path)?)).await?.json()
    }

    /// The resident's dossiers (their side of the core opens at the first call that needs it).
    fn dossiers(&self) -> Result<&super::Dossiers> {
        Ok(&self.shared.user()?.dossiers)
    }
}
