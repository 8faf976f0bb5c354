//! `client.dossiers()`: drafts (hồ sơ) filled and checked offline, submitting to the outbox,
//! and the portal's public lookup. `client.sync()` sends what is submitted.

use std::path::Path;
use std::sync::Arc;

use smarthd_core::catalog::model::Subject;
use smarthd_core::dossier::{Rating, ResultPayload};
use smarthd_core::{Attachment, Dossier, DossiersHandle, FieldError, FieldProblem, ForPerson, PublicStatus};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct DossiersApi(pub(crate) DossiersHandle);

#[uniffi::export]
impl DossiersApi {
    /// A new draft for an in-force procedure of the offline catalog (works offline), about
    /// `for_person` (default: the resident themself). Logged in, the resident's own fields are
    /// prefilled from the e-identity profile and listed in `prefilled`.
    #[uniffi::method(default(for_person = None))]
    pub fn new_draft(
        &self,
        procedure_code: String,
        applicant: Subject,
        for_person: Option<ForPerson>,
    ) -> Result<Dossier> {
        Ok(self.0.new_draft_for(&procedure_code, applicant, for_person.unwrap_or_default())?)
    }

    /// Stores one field of a draft (normalized when valid: spaces and dots out of numbers, dates
    /// as YYYY-MM-DD, an option's key for its label; as typed when not valid yet); answers what
    /// is wrong with the value, if anything. An unknown `key` is a `Validation` error on that key.
    pub fn set_field(&self, dossier_id: String, key: String, value: String) -> Result<Option<FieldProblem>> {
        Ok(self.0.set_field(&dossier_id, &key, &value)?)
    }

    /// Every problem of the draft's form, checked offline against the procedure's e-form.
    pub fn validate(&self, dossier_id: String) -> Result<Vec<FieldError>> {
        Ok(self.0.validate(&dossier_id)?)
    }

    /// Attaches the file at `path` (JPEG, PNG or PDF, at most 10 MiB): it is copied, sealed, into
    /// the data dir, so the app may delete its own copy.
    pub fn attach(&self, dossier_id: String, path: String) -> Result<Attachment> {
        Ok(self.0.attach(&dossier_id, Path::new(&path))?)
    }

    /// Attaches the file at `path` as the requested document `document` of the open supplement
    /// round (`dossier.supplement`).
    pub fn attach_document(&self, dossier_id: String, path: String, document: String) -> Result<Attachment> {
        Ok(self.0.attach_document(&dossier_id, Path::new(&path), &document)?)
    }

    /// Withdraws a dossier the portal received and has not begun processing: queued (offline
    /// too) and delivered once by `client.sync()`.
    #[uniffi::method(default(reason = None))]
    pub fn withdraw(&self, dossier_id: String, reason: Option<String>) -> Result<Dossier> {
        Ok(self.0.withdraw(&dossier_id, reason.as_deref())?)
    }

    /// Rates how the dossier was handled: once, after its result; queued (offline too) and
    /// delivered once by `client.sync()`.
    pub fn rate(&self, dossier_id: String, rating: Rating) -> Result<Dossier> {
        Ok(self.0.rate(&dossier_id, rating)?)
    }

    /// The dossier's result, verified again offline (`Validation` if it was altered).
    pub fn result(&self, dossier_id: String) -> Result<ResultPayload> {
        Ok(self.0.result(&dossier_id)?)
    }

    /// Writes the result's PDF to `path` once it verifies.
    pub fn export_result(&self, dossier_id: String, path: String) -> Result<ResultPayload> {
        Ok(self.0.export_result(&dossier_id, Path::new(&path))?)
    }

    /// Validates the draft and queues it for sending (status `Queued`); returns at once and
    /// works offline. A form with problems is one `Validation` error naming every field
    /// (comma-separated) and every problem (`field: message; ...`). For a dossier the officer
    /// asked to supplement, it queues the supplement.
    pub fn submit(&self, dossier_id: String) -> Result<Dossier> {
        Ok(self.0.submit(&dossier_id)?)
    }

    pub fn get(&self, dossier_id: String) -> Result<Dossier> {
        Ok(self.0.get(&dossier_id)?)
    }

    /// The logged-in resident's dossiers (and drafts nobody owns yet), newest first.
    pub fn list(&self) -> Result<Vec<Dossier>> {
        Ok(self.0.list()?)
    }

    /// How many of them the data key cannot open (left out of `list`; after a lost key,
    /// `SmartHd.openRecovering` keeps them aside).
    pub fn unreadable(&self) -> Result<u32> {
        Ok(self.0.unreadable()?)
    }

    pub fn delete_draft(&self, dossier_id: String) -> Result<()> {
        Ok(self.0.delete_draft(&dossier_id)?)
    }

    /// The portal's public status of a dossier code (no login needed, nothing personal).
    #[uniffi::method(default(cancel = None))]
    pub async fn lookup(&self, code: String, cancel: Option<Arc<CancelHandle>>) -> Result<PublicStatus> {
        let dossiers = self.0.clone();
        on_runtime(cancel, async move { dossiers.lookup(&code).await }).await
    }
}
