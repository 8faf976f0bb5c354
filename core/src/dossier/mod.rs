//! Dossiers (hồ sơ): drafts filled offline and validated against the procedure's e-form,
//! attachments kept sealed in the data dir until sent, a durable outbox that submission writes
//! to in one transaction, and the status timeline the portal reports back.
//!
//! Names, CCCD numbers and attachment contents are personal data: form values, attachment
//! files and names, and the portal's timeline messages are sealed (AES-256-GCM, the data key,
//! each with its purpose label); only the procedure, status and dossier code are stored in the
//! clear. Every dossier belongs to a resident ([`crate::owner`]): a method taking a
//! `viewer` sees only that resident's dossiers and the drafts nobody owns yet.

pub mod handle;
pub(crate) mod source;
pub use smarthd_model::form;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::catalog::model::{ProcedureStatus, Subject};
use crate::error::{Error, PortalError, Result};
use crate::owner::Owner;
use crate::store::UserDb;
use crate::vault::Vault;
pub use form::{FieldError, FieldProblem};
pub use smarthd_model::dossier::{RATING_CRITERIA, Rating, RatingVerdict, SupplementRequest};
pub use smarthd_model::result_doc::{ResultPayload, SignedResult};
pub use smarthd_model::{DossierStatus, ForPerson};

/// Largest attachment the portal takes.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
const SEALED_FIELDS: &str = "dossier-fields";
const SEALED_FILE: &str = "attachment";
const SEALED_NAME: &str = "attachment-name";
const SEALED_MESSAGE: &str = "timeline-message";
const SEALED_SUPPLEMENT: &str = "supplement-request";
const SEALED_ACTION: &str = "outbox-action";
const SEALED_RESULT: &str = "dossier-result";
/// Who may see a dossier: its owner, and anyone while nobody owns it (a draft made logged out).
const VISIBLE: &str = "(owner IS NULL OR owner = ?2)";

/// The kind of the first action (supplement, withdrawal, rating) queued for a dossier, NULL if
/// none: asked at every read of a dossier, found through the outbox's index by dossier. With one
/// `min()`, SQLite takes the bare column from the row that holds it: always one row, no sort.
const QUEUED_ACTION: &str = "SELECT kind, min(seq) FROM outbox WHERE dossier_id = ?1 AND kind != 'submit'";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    /// For an attachment added in a supplement round: the requested document it answers.
    pub document: Option<String>,
    /// The supplement round it was attached in; 0 for the dossier as first submitted.
    pub round: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// The reception receipt (biên nhận) the portal gives when it receives a dossier; not to be
/// confused with a payment's e-receipt (biên lai, [`crate::payment::Receipt`]).
pub struct ReceptionReceipt {
    pub number: String,
    pub received_at: String,
    pub expected_result_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub status: DossierStatus,
    pub at: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dossier {
    /// Permanent id made on the phone; the portal deduplicates on it.
    pub id: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Subject,
    /// Whom the dossier is about: the resident, or the child, parent or spouse they apply for.
    pub for_person: ForPerson,
    pub fields: BTreeMap<String, String>,
    /// The fields filled from the e-identity profile and not changed since, for the app to
    /// show as such.
    pub prefilled: Vec<String>,
    pub attachments: Vec<Attachment>,
    pub status: DossierStatus,
    /// Mã hồ sơ, once the portal has received it.
    pub code: Option<String>,
    pub receipt: Option<ReceptionReceipt>,
    pub fee_vnd: Option<i64>,
    /// Its fee can be paid now: the portal received it, it has a fee, and it was not withdrawn
    /// or rejected (the app offers "Thanh toán"; whether it is paid already, the payment says).
    pub payable: bool,
    /// Why the portal refused it, for a failed dossier; why it waits, for a queued one.
    pub problem: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// What the officer asked for, while the dossier waits for the resident's supplement.
    pub supplement: Option<SupplementRequest>,
    /// The documents of the open supplement round that no attachment of this round answers yet
    /// (one sent in an earlier round does not: the officer asked again); the supplement goes
    /// once this is empty.
    pub missing_documents: Vec<String>,
    /// An action queued and not yet delivered: a supplement or a withdrawal.
    pub queued_action: Option<ActionKind>,
    /// The result, once the portal issued it and the phone holds it verified.
    pub result: Option<ResultSummary>,
    /// The resident's verdict, once the portal has their rating.
    pub rating: Option<RatingVerdict>,
    pub created_at: String,
    pub updated_at: String,
}

/// What the resident asked of a dossier the portal holds, delivered through the outbox under
/// its own permanent id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Supplement,
    Withdrawal,
    Rating,
}

/// A kept result, as the dossier shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultSummary {
    pub result_id: String,
    pub name: String,
    pub issued_at: String,
}

/// What the portal answered to a submission (see `docs/portal-api.md`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubmitAnswer {
    pub dossier_id: String,
    pub code: String,
    pub status: String,
    pub receipt: ReceptionReceipt,
    #[serde(default)]
    pub fee_vnd: Option<i64>,
}

/// A dossier as the portal's "changed since" feed reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteDossier {
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub status: String,
    pub timeline: Vec<RemoteEvent>,
    /// The open request for more documents.
    #[serde(default)]
    pub supplement: Option<SupplementRequest>,
    /// The result, once issued: fetched (signed) by the next sync.
    #[serde(default)]
    pub result: Option<RemoteResult>,
    /// The resident's verdict, once rated.
    #[serde(default)]
    pub rating: Option<RatingVerdict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteResult {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteEvent {
    pub status: String,
    pub at: String,
    #[serde(default)]
    pub message: Option<String>,
}

/// An outbox entry due for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub seq: i64,
    pub dossier_id: String,
    pub attempts: u32,
    pub action: Option<QueuedAction>,
}

impl OutboxItem {
    /// The entry's permanent id: the dossier's for its submission, the action's for a later one.
    pub fn entry_id(&self) -> &str {
        self.action.as_ref().map_or(&self.dossier_id, |action| &action.id)
    }
}

/// Takes a delivered (or settled) entry off the outbox, by its permanent id: an entry queued
/// since may have taken its `seq`. Answers whether it was still there: another sync running
/// beside this one may have settled it first, and then its answer is already applied.
fn take_off_outbox(tx: &rusqlite::Transaction<'_>, item: &OutboxItem) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM outbox WHERE dossier_id = ?1 AND entry_id = ?2")?
        .execute(params![item.dossier_id, item.entry_id()])?
        > 0)
}

/// A dossier's status as stored, for an answer another sync applied first.
fn stored_status(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<Option<DossierStatus>> {
    let status: Option<String> =
        tx.prepare_cached("SELECT status FROM dossier WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    Ok(status.as_deref().and_then(DossierStatus::parse))
}

/// A later action in the outbox: its permanent id and what it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedAction {
    pub id: String,
    #[serde(flatten)]
    pub what: ActionPayload,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionPayload {
    /// The answer to one round: the form as it stands and that round's attachments.
    Supplement {
        round: u32,
    },
    Withdrawal {
        reason: Option<String>,
    },
    Rating {
        rating: Rating,
    },
}

impl ActionPayload {
    pub fn kind(&self) -> ActionKind {
        match self {
            ActionPayload::Supplement { .. } => ActionKind::Supplement,
            ActionPayload::Withdrawal { .. } => ActionKind::Withdrawal,
            ActionPayload::Rating { .. } => ActionKind::Rating,
        }
    }
}

/// The sealed form of a dossier: its values, whom it is about, and which values came from the
/// profile. Older apps sealed the values alone (a JSON object of strings), still read.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SealedForm {
    fields: BTreeMap<String, String>,
    #[serde(default)]
    for_person: ForPerson,
    #[serde(default)]
    prefilled: Vec<String>,
}

pub struct Dossiers {
    db: UserDb,
    vault: Arc<Vault>,
    files: PathBuf,
}

fn now() -> String {
    crate::catalog::now()
}

fn subject_str(s: Subject) -> &'static str {
    match s {
        Subject::Citizen => "citizen",
        Subject::Organization => "organization",
    }
}

/// Every problem of a form in one error: the fields named together, each with its message.
pub(crate) fn form_invalid(errors: &[FieldError]) -> Error {
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    Error::Validation { field: fields.join(", "), reason: form::describe(errors) }
}

pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).expect("a random source");
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

fn tag(viewer: Option<&Owner>) -> Option<&str> {
    viewer.map(Owner::tag)
}

/// How old a temporary file of [`Dossiers::keep_file`] is before it counts as abandoned.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

impl Dossiers {
    /// Opens on `user.db`; attachment names and timeline messages kept in the clear by an older
    /// app are sealed here, once.
    pub fn open(db: UserDb, vault: Arc<Vault>, data_dir: &Path) -> Result<Dossiers> {
        let dossiers = Dossiers { db, vault, files: data_dir.join("attachments") };
        dossiers.seal_plaintext_left_by_older_versions()?;
        Ok(dossiers)
    }

    fn seal_plaintext_left_by_older_versions(&self) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let names: Vec<(i64, String)> = tx
            .prepare("SELECT rowid, name FROM dossier_attachment WHERE typeof(name) = 'text'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (rowid, name) in names {
            let sealed = self.vault.seal(SEALED_NAME, name.as_bytes())?;
            tx.prepare_cached("UPDATE dossier_attachment SET name = ?2 WHERE rowid = ?1")?
                .execute(params![rowid, sealed])?;
        }
        let messages: Vec<(i64, String)> = tx
            .prepare("SELECT rowid, message FROM dossier_event WHERE typeof(message) = 'text'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (rowid, message) in messages {
            let sealed = self.vault.seal(SEALED_MESSAGE, message.as_bytes())?;
            tx.prepare_cached("UPDATE dossier_event SET message = ?2 WHERE rowid = ?1")?
                .execute(params![rowid, sealed])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A new draft for an in-force procedure of the offline catalog, owned by `owner`, or by
    /// nobody (until it is submitted) when made logged out.
    pub fn new_draft(
        &self,
        catalog: &Catalog,
        owner: Option<&Owner>,
        procedure_code: &str,
        applicant: Subject,
    ) -> Result<Dossier> {
        self.new_draft_for(catalog, owner, procedure_code, applicant, ForPerson::Myself, None)
    }

    /// A new draft about `for_person`, its form prefilled from `profile` (the logged-in
    /// resident's e-identity claims) where the form says a field is the resident's.
    pub fn new_draft_for(
        &self,
        catalog: &Catalog,
        owner: Option<&Owner>,
        procedure_code: &str,
        applicant: Subject,
        for_person: ForPerson,
        profile: Option<&form::IdentityProfile>,
    ) -> Result<Dossier> {
        let procedure = catalog.procedure(procedure_code)?;
        check_in_force(procedure.status, procedure.replaced_by.as_deref())?;
        // Refused now, not after the form is typed: the portal refuses it, and a draft's
        // applicant cannot be changed.
        if !procedure.subjects.contains(&applicant) {
            let (vi, en) = match applicant {
                Subject::Citizen => ("công dân", "citizens"),
                Subject::Organization => ("tổ chức", "organizations"),
            };
            return Err(Error::Validation {
                field: "applicant".into(),
                reason: format!("thủ tục này không dành cho {vi} / this procedure is not for {en}"),
            });
        }
        let id = new_id();
        let at = now();
        let fields = profile.map(|p| form::prefill(&procedure.form, for_person, p)).unwrap_or_default();
        let prefilled = fields.keys().cloned().collect();
        let sealed = self.seal_form(&SealedForm { fields, for_person, prefilled })?;
        self.db.durably(|tx| {
            tx.prepare_cached(
                "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, created_at,
                                      updated_at, owner)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?6, ?7)",
            )?
            .execute(params![
                id,
                procedure.code,
                procedure.name,
                subject_str(applicant),
                sealed,
                at,
                tag(owner)
            ])?;
            Ok(())
        })?;
        self.get(owner, &id)
    }

    /// Sets one field of a draft. A valid value is stored normalized (spaces and dots out of
    /// numbers, dates as YYYY-MM-DD, an option's key); one that is not valid yet is stored as
    /// typed (the resident may be half way through typing), and the answer says what is wrong.
    pub fn set_field(
        &self,
        catalog: &Catalog,
        viewer: Option<&Owner>,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<Option<FieldProblem>> {
        // Read, changed and written in one transaction: two edits at once (two fields typed on
        // two threads, another process) each keep the other's value, and a submit in between wins.
        self.db.checked(|| {
            self.db.durably(|tx| {
                let dossier = self.editable_in(tx, viewer, id)?;
                let procedure = catalog.procedure(&dossier.procedure_code)?;
                let field = procedure.form.fields.iter().find(|f| f.key == key).ok_or_else(|| Error::Validation {
                    field: key.to_owned(),
                    reason: FieldProblem::UnknownField.message(),
                })?;
                let checked = form::normalize(field, value);
                let value = checked.as_deref().unwrap_or(value.trim());
                let mut fields = dossier.fields;
                let mut prefilled = dossier.prefilled;
                // A value the resident changed is theirs, no longer the profile's.
                if fields.get(key).map(String::as_str) != Some(value) {
                    prefilled.retain(|k| k != key);
                }
                if value.is_empty() {
                    fields.remove(key);
                } else {
                    fields.insert(key.to_owned(), value.to_owned());
                }
                let sealed = self.seal_form(&SealedForm { fields, for_person: dossier.for_person, prefilled })?;
                tx.prepare_cached("UPDATE dossier SET fields = ?2, updated_at = ?3 WHERE id = ?1")?
                    .execute(params![id, sealed, now()])?;
                Ok(checked.err())
            })
        })
    }

    /// Every problem of the draft's form, offline.
    pub fn validate(&self, catalog: &Catalog, viewer: Option<&Owner>, id: &str) -> Result<Vec<FieldError>> {
        let dossier = self.get(viewer, id)?;
        let procedure = catalog.procedure(&dossier.procedure_code)?;
        Ok(form::validate(&procedure.form, &dossier.fields))
    }

    /// Attaches a file: checked (size, type), hashed, and kept sealed in the data dir until sent.
    /// In a supplement round the attachment answers `document` (one of the requested ones), or,
    /// when not said, the first requested document no attachment of the round answers yet.
    pub fn attach(&self, viewer: Option<&Owner>, id: &str, path: &Path, document: Option<&str>) -> Result<Attachment> {
        // Refused before the file is read: a dossier no longer editable, a document not requested.
        answered_document(&self.editable(viewer, id)?, document)?;
        let source::ReadFile { bytes, sha256 } = source::read_regular_file(path, MAX_ATTACHMENT_BYTES)?;
        let (size, sha256) = (bytes.len() as u64, hex(sha256.as_ref()));
        let content_type = sniff_content_type(&bytes).ok_or_else(|| Error::Validation {
            field: "attachment".into(),
            reason: "chỉ nhận JPEG, PNG hoặc PDF / only JPEG, PNG or PDF files".into(),
        })?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tep".into());
        self.keep_file(&sha256, &bytes)?;
        let kept = sha256.clone();
        let sealed_name = self.vault.seal(SEALED_NAME, name.as_bytes())?;
        let attached = self.db.durably(|tx| {
            // Decided on the dossier as it is written: a submit in between (another thread,
            // another process) is seen, and two files attached at once answer two documents.
            let dossier = self.editable_in(tx, viewer, id)?;
            let round = dossier.supplement.as_ref().map_or(0, |request| request.round);
            // The same file again in this round, no document named: it answers what it did.
            let again = dossier.attachments.iter().find(|a| a.sha256 == sha256 && a.round == round);
            let document = match (again, document) {
                (Some(again), None) => again.document.clone(),
                _ => answered_document(&dossier, document)?,
            };
            let attachment =
                Attachment { sha256, name, size, content_type: content_type.to_owned(), document, round };
            // The same file again in this round answers what it is attached as now; a file an
            // earlier round sent stays that round's.
            let written = tx
                .prepare_cached(
                    "INSERT INTO dossier_attachment (dossier_id, sha256, name, size, content_type, owner, round, document)
                     VALUES (?1, ?2, ?3, ?4, ?5, (SELECT owner FROM dossier WHERE id = ?1), ?6, ?7)
                     ON CONFLICT(dossier_id, sha256) DO UPDATE SET name = excluded.name, document = excluded.document
                     WHERE dossier_attachment.round = excluded.round",
                )?
                .execute(params![
                    id,
                    attachment.sha256,
                    sealed_name,
                    attachment.size as i64,
                    attachment.content_type,
                    round,
                    attachment.document
                ])?;
            if written == 0 {
                return Err(Error::Validation {
                    field: "attachment".into(),
                    reason: "tệp này đã được gửi ở lần trước; hãy đính kèm bản chụp mới / this file was sent in an \
                             earlier round: attach a new scan"
                        .into(),
                });
            }
            Ok(attachment)
        });
        match attached {
            // A cleanup may have removed the file while nothing named it yet: kept again (named
            // now, no cleanup takes it).
            Ok(attachment) => self.keep_file(&kept, &bytes).map(|()| attachment),
            Err(error) => {
                self.forget_file(&kept);
                Err(error)
            }
        }
    }

    /// Keeps a file sealed in the data dir under its digest (once: the same bytes, the same file),
    /// written whole before it is named. Report photos are kept here too.
    pub(crate) fn keep_file(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        crate::private_files::create_dir(&self.files)?;
        let target = self.file_path(sha256);
        if !target.exists() {
            // A temporary file of this call's own: two calls keeping the same bytes at once (the
            // app and the CLI) each write a whole file, and the rename keeps one of them.
            static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = self.files.join(format!("{sha256}.{}-{call}.tmp", std::process::id()));
            let written = (|| {
                let mut file = crate::private_files::options().write(true).create_new(true).open(&tmp)?;
                std::io::Write::write_all(&mut file, &self.vault.seal(SEALED_FILE, bytes)?)?;
                file.sync_all()?;
                std::fs::rename(&tmp, &target)?;
                Ok(())
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            return written;
        }
        Ok(())
    }

    /// The bytes of an attachment, unsealed.
    pub fn attachment_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        let sealed = std::fs::read(self.file_path(sha256))?;
        self.vault.open_sealed(SEALED_FILE, &sealed)
    }

    fn file_path(&self, sha256: &str) -> PathBuf {
        self.files.join(format!("{sha256}.sealed"))
    }

    /// Submits: validates offline, then queues the dossier in the outbox in one transaction
    /// committed with `synchronous=FULL`, so once this returns the dossier survives a crash or a
    /// power cut. Sending happens in [`crate::sync`], online or later. Submitting binds the
    /// dossier (and its attachments) to `owner`, the resident logged in: only their session
    /// sends it.
    pub fn submit(&self, catalog: &Catalog, owner: &Owner, id: &str) -> Result<Dossier> {
        // Read, checked and queued in one write transaction: an edit (another thread, another
        // process) cannot land between the form's check and the queueing. The procedure's record
        // is read inside too (`catalog.db` has its own locks, and nothing holding them waits for
        // `user.db`).
        let queued = self.db.checked(|| {
            self.db.durably(|tx| {
                let dossier = self.editable_in(tx, Some(owner), id)?;
                let procedure = catalog.procedure(&dossier.procedure_code)?;
                check_in_force(procedure.status, procedure.replaced_by.as_deref())?;
                let errors = form::validate(&procedure.form, &dossier.fields);
                if !errors.is_empty() {
                    return Err(form_invalid(&errors));
                }
                if let Some(request) = &dossier.supplement {
                    let round = supplement_round(&dossier, request)?;
                    self.queue_action_in(tx, owner, &dossier, ActionPayload::Supplement { round })?;
                    // Its queued action is read back below.
                    return Ok(None);
                }
                let at = now();
                // A draft made while logged in is already the resident's: its owner (an indexed
                // column) is left alone, which spares the commit a page of the index.
                tx.prepare_cached("UPDATE dossier SET owner = ?2 WHERE id = ?1 AND owner IS NOT ?2")?
                    .execute(params![id, owner.tag()])?;
                let queued = tx
                    .prepare_cached(
                        "UPDATE dossier SET status = 'queued', problem = NULL, updated_at = ?2
                         WHERE id = ?1 AND status IN ('draft', 'failed')",
                    )?
                    .execute(params![id, at])?;
                if queued == 0 {
                    return Err(Error::Validation {
                        field: "status".into(),
                        reason: "hồ sơ đã được gửi / the dossier was already submitted".into(),
                    });
                }
                tx.prepare_cached("UPDATE dossier_attachment SET owner = ?2 WHERE dossier_id = ?1")?
                    .execute(params![id, owner.tag()])?;
                let entered = tx
                    .prepare_cached(
                        "INSERT INTO outbox (dossier_id, entry_id, attempts, next_attempt_at, created_at, owner)
                         VALUES (?1, ?1, 0, 0, ?2, ?3)",
                    )?
                    .execute(params![id, at, owner.tag()])?;
                if entered == 0 {
                    // Skipped for a wiped owner: another process logged the resident out with a
                    // wipe since this call asked who is logged in. Nothing is bound to them.
                    return Err(crate::error::AuthError::NotLoggedIn.into());
                }
                // What the transaction changed, without reading the dossier (and opening its
                // sealed values) a second time.
                Ok(Some(Dossier { status: DossierStatus::Queued, problem: None, updated_at: at, ..dossier }))
            })
        })?;
        match queued {
            Some(dossier) => Ok(dossier),
            None => self.get(Some(owner), id),
        }
    }

    /// Withdraws a dossier the portal holds and has not begun processing (or that waits for a
    /// supplement): queued, offline too, under its own permanent id.
    pub fn withdraw(&self, owner: &Owner, id: &str, reason: Option<&str>) -> Result<Dossier> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        self.queue_action(owner, id, |dossier| {
            if !dossier.status.is_withdrawable() || dossier.queued_action.is_some() {
                return Err(Error::Validation {
                    field: "status".into(),
                    reason: format!(
                        "chỉ rút được hồ sơ đã tiếp nhận, chưa xử lý / only a received dossier not yet processed can \
                         be withdrawn ({})",
                        dossier.status.label()
                    ),
                });
            }
            Ok(ActionPayload::Withdrawal { reason })
        })
    }

    /// Rates how the dossier was handled: once, after its result, offline too (queued under its
    /// own permanent id, delivered once by sync).
    pub fn rate(&self, owner: &Owner, id: &str, rating: Rating) -> Result<Dossier> {
        self.queue_action(owner, id, |dossier| {
            if !matches!(dossier.status, DossierStatus::ResultReady | DossierStatus::Returned) {
                return Err(Error::Validation {
                    field: "status".into(),
                    reason: format!(
                        "đánh giá sau khi có kết quả / rate once the result is ready ({})",
                        dossier.status.label()
                    ),
                });
            }
            if dossier.rating.is_some() {
                return Err(Error::Validation {
                    field: "rating".into(),
                    reason: "hồ sơ đã được đánh giá / the dossier was rated already".into(),
                });
            }
            let rating =
                rating.checked().map_err(|(field, reason)| Error::Validation { field: field.into(), reason })?;
            Ok(ActionPayload::Rating { rating })
        })
    }

    /// Queues the action `decide` makes of the dossier as it stands, read in the transaction
    /// that queues it (a status the sync changes in between is seen), then reads it back.
    fn queue_action(
        &self,
        owner: &Owner,
        id: &str,
        decide: impl FnOnce(&Dossier) -> Result<ActionPayload>,
    ) -> Result<Dossier> {
        self.db.checked(|| {
            self.db.durably(|tx| {
                let dossier = self.open_stored(read_stored(tx, Some(owner), id)?)?;
                let what = decide(&dossier)?;
                self.queue_action_in(tx, owner, &dossier, what)
            })
        })?;
        self.get(Some(owner), id)
    }

    /// Queues `what` for `dossier` in `tx`, under its own permanent id: one action at a time.
    fn queue_action_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        owner: &Owner,
        dossier: &Dossier,
        what: ActionPayload,
    ) -> Result<()> {
        if dossier.queued_action.is_some() {
            return Err(Error::Validation {
                field: "status".into(),
                reason: "đã có yêu cầu đang chờ gửi / something is already queued for this dossier".into(),
            });
        }
        let action = QueuedAction { id: new_id(), what };
        let payload = self.vault.seal(
            SEALED_ACTION,
            &serde_json::to_vec(&action).map_err(|source| Error::Encoding { what: "outbox action", source })?,
        )?;
        let at = now();
        tx.prepare_cached(
            "INSERT INTO outbox (dossier_id, kind, entry_id, payload, attempts, next_attempt_at, created_at, owner)
             VALUES (?1, ?2, ?3, ?4, 0, 0, ?5, ?6)",
        )?
        .execute(params![
            dossier.id,
            serde_json::to_value(action.what.kind()).ok().and_then(|v| v.as_str().map(str::to_owned)),
            action.id,
            payload,
            at,
            owner.tag()
        ])?;
        tx.prepare_cached("UPDATE dossier SET problem = NULL, updated_at = ?2 WHERE id = ?1")?
            .execute(params![dossier.id, at])?;
        Ok(())
    }

    /// A dossier `viewer` may see; another resident's is not found.
    pub fn get(&self, viewer: Option<&Owner>, id: &str) -> Result<Dossier> {
        self.db.checked(|| self.get_once(viewer, id))
    }

    fn get_once(&self, viewer: Option<&Owner>, id: &str) -> Result<Dossier> {
        let db = self.db.lock();
        // One read transaction for the five reads: one snapshot, and the WAL's read lock
        // taken once instead of five times.
        let snapshot = db.unchecked_transaction()?;
        let stored = read_stored(&snapshot, viewer, id)?;
        snapshot.commit()?;
        drop(db);
        self.open_stored(stored)
    }

    /// Opens the sealed values of what [`read_stored`] read.
    fn open_stored(&self, stored: StoredDossier) -> Result<Dossier> {
        let StoredDossier { row, attachments, timeline, queued_action, result } = stored;
        let (
            id,
            procedure_code,
            procedure_name,
            applicant,
            sealed,
            status,
            code,
            receipt,
            fee_vnd,
            problem,
            created_at,
            updated_at,
            supplement,
            rating,
        ) = row;
        let attachments: Vec<Attachment> = attachments
            .into_iter()
            .map(|(sha256, name, size, content_type, document, round)| {
                Ok(Attachment {
                    sha256,
                    name: self.open_text(SEALED_NAME, &name)?,
                    size: size as u64,
                    content_type,
                    document,
                    round,
                })
            })
            .collect::<Result<_>>()?;
        let supplement = supplement
            .map(|sealed| {
                serde_json::from_slice::<SupplementRequest>(&self.vault.open_sealed(SEALED_SUPPLEMENT, &sealed)?)
                    .map_err(|source| Error::Encoding { what: "supplement request", source })
            })
            .transpose()?;
        let result = result
            .map(|sealed| {
                let signed = self.open_signed_result(&sealed)?;
                let payload = result_payload(&signed)?;
                Ok::<_, Error>(ResultSummary {
                    result_id: payload.result_id,
                    name: payload.name,
                    issued_at: payload.issued_at,
                })
            })
            .transpose()?;
        let timeline = timeline
            .into_iter()
            .filter_map(|(status, at, message)| {
                let status = DossierStatus::parse(&status)?;
                Some(message.map(|m| self.open_text(SEALED_MESSAGE, &m)).transpose().map(|message| TimelineEntry {
                    status,
                    at,
                    message,
                }))
            })
            .collect::<Result<_>>()?;
        let form = self.open_form(&sealed)?;
        let status = DossierStatus::parse(&status).unwrap_or(DossierStatus::Draft);
        let missing_documents = supplement.as_ref().map(|r| missing_documents(r, &attachments)).unwrap_or_default();
        Ok(Dossier {
            missing_documents,
            payable: status.is_payable() && fee_vnd.is_some_and(|fee| fee > 0),
            fields: form.fields,
            for_person: form.for_person,
            prefilled: form.prefilled,
            id,
            procedure_code,
            procedure_name,
            applicant: if applicant == "organization" { Subject::Organization } else { Subject::Citizen },
            attachments,
            status,
            code,
            receipt: receipt.and_then(|r| serde_json::from_str(&r).ok()),
            fee_vnd,
            problem,
            timeline,
            supplement,
            queued_action: queued_action.and_then(|kind| serde_json::from_value(serde_json::Value::String(kind)).ok()),
            result,
            rating: rating.and_then(|r| RatingVerdict::parse(&r)),
            created_at,
            updated_at,
        })
    }

    /// Every dossier `viewer` may see that the data key can open, newest first; see
    /// [`Dossiers::list_and_unreadable`].
    pub fn list(&self, viewer: Option<&Owner>) -> Result<Vec<Dossier>> {
        Ok(self.list_and_unreadable(viewer)?.0)
    }

    /// Every dossier `viewer` may see, newest first, and how many could not be opened: one
    /// unreadable row (a lost data key, a damaged value) is counted and skipped, never fails
    /// the list.
    pub fn list_and_unreadable(&self, viewer: Option<&Owner>) -> Result<(Vec<Dossier>, u32)> {
        self.db.checked(|| self.list_once(viewer))
    }

    fn list_once(&self, viewer: Option<&Owner>) -> Result<(Vec<Dossier>, u32)> {
        let ids: Vec<String> = self
            .db
            .lock()
            .prepare("SELECT id FROM dossier WHERE (owner IS NULL OR owner = ?1) ORDER BY created_at DESC, rowid DESC")?
            .query_map([tag(viewer)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (mut dossiers, mut unreadable) = (Vec::with_capacity(ids.len()), 0);
        for id in &ids {
            match self.get_once(viewer, id) {
                Ok(dossier) => dossiers.push(dossier),
                Err(Error::UserDataUnreadable { .. }) => unreadable += 1,
                Err(error) => return Err(error),
            }
        }
        Ok((dossiers, unreadable))
    }

    /// Recovery after a lost data key: the sealed form values of every dossier the key cannot
    /// open are kept aside (still sealed) and replaced by an empty form. A dossier the portal
    /// has not received leaves the outbox as a failed one, saying why, for the resident to fill
    /// in again; one it has keeps its status (the portal holds its content). Answers how many.
    pub fn keep_aside_unreadable(&self) -> Result<u32> {
        let empty = self.seal_fields(&BTreeMap::new())?;
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let rows: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT id, fields FROM dossier")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut kept = 0;
        for (id, sealed) in rows.iter().filter(|(_, sealed)| self.open_fields(sealed).is_err()) {
            crate::store::keep_aside(&tx, "dossier.fields", id, sealed)?;
            tx.prepare_cached("UPDATE dossier SET fields = ?2 WHERE id = ?1")?.execute(params![id, empty])?;
            tx.prepare_cached("DELETE FROM outbox WHERE dossier_id = ?1")?.execute([id])?;
            tx.prepare_cached(
                "UPDATE dossier SET status = 'failed', problem = ?2, updated_at = ?3
                 WHERE id = ?1 AND status IN ('draft', 'queued', 'failed')",
            )?
            .execute(params![
                id,
                "nội dung không đọc được sau khi đổi khoá, hãy nhập lại / the contents could not be read \
                     after the data key changed; fill them in again",
                now()
            ])?;
            kept += 1;
        }
        tx.commit()?;
        Ok(kept)
    }

    /// Deletes a draft (or a dossier the portal refused): never one the portal holds.
    pub fn delete_draft(&self, viewer: Option<&Owner>, id: &str) -> Result<()> {
        self.db.checked(|| {
            self.db.durably(|tx| {
                // Read where it is deleted: a draft submitted meanwhile is not deleted.
                let dossier = self.open_stored(read_stored(tx, viewer, id)?)?;
                if !matches!(dossier.status, DossierStatus::Draft | DossierStatus::Failed) {
                    return Err(Error::Validation {
                        field: "status".into(),
                        reason: format!(
                            "chỉ xoá được hồ sơ nháp; hồ sơ đã nộp thì rút / only a draft can be deleted; withdraw a \
                             submitted one ({})",
                            dossier.status.label()
                        ),
                    });
                }
                tx.execute(
                    "INSERT OR IGNORE INTO file_to_remove (sha256) SELECT sha256 FROM dossier_attachment WHERE dossier_id = ?1",
                    [id],
                )?;
                tx.prepare_cached("DELETE FROM dossier WHERE id = ?1")?.execute([id])?;
                Ok(())
            })
        })?;
        self.tidy_files();
        Ok(())
    }

    /// Removes the temporary files of [`Dossiers::keep_file`] that a process killed mid-write
    /// left (sealed, but named by nothing). Only those an hour old: a younger one may be another
    /// process's write in progress (the app and the CLI share the data dir), and no write of a
    /// file of at most 10 MiB lasts that long.
    pub(crate) fn sweep_abandoned_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.files) else { return };
        let abandoned = |entry: &std::fs::DirEntry| {
            entry.file_name().to_str().is_some_and(|name| name.ends_with(".tmp"))
                && entry
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .is_ok_and(|at| at.elapsed().is_ok_and(|age| age >= ABANDONED_AFTER))
        };
        for entry in entries.flatten().filter(abandoned) {
            if let Err(error) = std::fs::remove_file(entry.path()) {
                tracing::warn!("an abandoned temporary file is left in the data dir: {:?}", error.kind());
            }
        }
    }

    /// A file kept for a record that was then not written: removed unless a record names it.
    pub(crate) fn forget_file(&self, sha256: &str) {
        let listed = self.db.lock().execute("INSERT OR IGNORE INTO file_to_remove (sha256) VALUES (?1)", [sha256]);
        if let Err(error) = listed {
            tracing::warn!("an unused file is left in the data dir: {:?}", Error::from(error).kind());
            return;
        }
        self.tidy_files();
    }

    /// [`Dossiers::remove_listed_files`] after a change that committed: a file not removed now is
    /// at the next open.
    pub(crate) fn tidy_files(&self) {
        if let Err(error) = self.remove_listed_files() {
            tracing::warn!("unused files are left until the next open: {:?}", error.kind());
        }
    }

    /// Deletes the sealed files listed in `file_to_remove` (by a wipe, a deleted draft, a removed
    /// photo, a replaced result, a record not written) that no dossier or report refers to any
    /// more, and takes them off the list. Only listed files: one kept a moment ago for a record
    /// not committed yet is not looked at, unless its digest is listed too; then the call that
    /// keeps it keeps it again once its record is committed. Also run at open, for a process
    /// that stopped before its files were removed.
    pub(crate) fn remove_listed_files(&self) -> Result<()> {
        let mut db = self.db.lock();
        let listed: Vec<String> = db
            .prepare("SELECT sha256 FROM file_to_remove")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for sha256 in &listed {
            // Checked and removed under the write lock: no record naming it commits in between
            // (one that began before, with the file kept already, keeps it again after).
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let used: i64 = tx.query_row(
                "SELECT (SELECT count(*) FROM dossier_attachment WHERE sha256 = ?1)
                      + (SELECT count(*) FROM dossier_result WHERE sha256 = ?1)
                      + (SELECT count(*) FROM report_photo WHERE sha256 = ?1)",
                [sha256],
                |r| r.get(0),
            )?;
            if used == 0 {
                match std::fs::remove_file(self.file_path(sha256)) {
                    Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
                    _ => {}
                }
            }
            tx.execute("DELETE FROM file_to_remove WHERE sha256 = ?1", [sha256])?;
            tx.commit()?;
        }
        Ok(())
    }

    fn editable(&self, viewer: Option<&Owner>, id: &str) -> Result<Dossier> {
        let dossier = self.get(viewer, id)?;
        check_editable(&dossier)?;
        Ok(dossier)
    }

    /// The same, read in `tx`: the transaction that then changes the dossier.
    fn editable_in(&self, tx: &rusqlite::Transaction<'_>, viewer: Option<&Owner>, id: &str) -> Result<Dossier> {
        let dossier = self.open_stored(read_stored(tx, viewer, id)?)?;
        check_editable(&dossier)?;
        Ok(dossier)
    }

    fn seal_fields(&self, fields: &BTreeMap<String, String>) -> Result<Vec<u8>> {
        self.vault.seal(
            SEALED_FIELDS,
            &serde_json::to_vec(fields).map_err(|source| Error::Encoding { what: "dossier fields", source })?,
        )
    }

    fn open_text(&self, purpose: &str, sealed: &[u8]) -> Result<String> {
        String::from_utf8(self.vault.open_sealed(purpose, sealed)?)
            .map_err(|_| Error::Internal(format!("the stored {purpose} is not text")))
    }

    fn open_fields(&self, sealed: &[u8]) -> Result<BTreeMap<String, String>> {
        Ok(self.open_form(sealed)?.fields)
    }

    fn seal_form(&self, form: &SealedForm) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(form).map_err(|source| Error::Encoding { what: "dossier fields", source })?;
        self.vault.seal(SEALED_FIELDS, &json)
    }

    fn open_form(&self, sealed: &[u8]) -> Result<SealedForm> {
        let json = self.vault.open_sealed(SEALED_FIELDS, sealed)?;
        serde_json::from_slice(&json).or_else(|_| {
            serde_json::from_slice(&json)
                .map(|fields| SealedForm { fields, ..SealedForm::default() })
                .map_err(|source| Error::Encoding { what: "dossier fields", source })
        })
    }

    // --- the outbox, for sync ---

    /// `owner`'s entries due now (all of them when `force`, i.e. the resident asked to sync).
    pub fn due(&self, owner: &Owner, now_unix: i64, force: bool) -> Result<Vec<OutboxItem>> {
        let db = self.db.lock();
        let mut stmt = db.prepare_cached(
            "SELECT seq, dossier_id, attempts, payload FROM outbox WHERE owner = ?3 AND (?2 OR next_attempt_at <= ?1)
             ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![now_unix, force, owner.tag()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, Option<Vec<u8>>>(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        drop(db);
        rows.into_iter()
            .map(|(seq, dossier_id, attempts, payload)| {
                let action = payload
                    .map(|sealed| {
                        serde_json::from_slice(&self.vault.open_sealed(SEALED_ACTION, &sealed)?)
                            .map_err(|source| Error::Encoding { what: "outbox action", source })
                    })
                    .transpose()?;
                Ok(OutboxItem { seq, dossier_id, attempts, action })
            })
            .collect()
    }

    /// Entries `owner` queued that are still in the outbox.
    pub fn pending_count(&self, owner: &Owner) -> Result<u32> {
        Ok(self
            .db
            .lock()
            .prepare_cached("SELECT count(*) FROM outbox WHERE owner = ?1")?
            .query_row([owner.tag()], |r| r.get(0))?)
    }

    /// Entries queued by residents other than `viewer` (all of them when logged out): they
    /// wait for their owner's login.
    pub fn waiting_for_owner_count(&self, viewer: Option<&Owner>) -> Result<u32> {
        Ok(self
            .db
            .lock()
            .prepare_cached("SELECT count(*) FROM outbox WHERE owner IS NOT ?1")?
            .query_row([tag(viewer)], |r| r.get(0))?)
    }

    /// Whether the portal has the whole file from `owner` (the portal keeps uploads per account).
    pub fn upload_done(&self, owner: &Owner, sha256: &str) -> Result<bool> {
        Ok(self
            .db
            .lock()
            .prepare_cached("SELECT count(*) FROM upload WHERE owner = ?1 AND sha256 = ?2")?
            .query_row(params![owner.tag(), sha256], |r| r.get::<_, i64>(0))?
            > 0)
    }

    pub fn set_upload_done(&self, owner: &Owner, sha256: &str, done: bool) -> Result<()> {
        let db = self.db.lock();
        if done {
            db.prepare_cached("INSERT INTO upload (owner, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
                .execute(params![owner.tag(), sha256])?;
        } else {
            db.prepare_cached("DELETE FROM upload WHERE owner = ?1 AND sha256 = ?2")?
                .execute(params![owner.tag(), sha256])?;
        }
        Ok(())
    }

    /// The portal has the dossier: record its answer and take it off the outbox, together. The
    /// status this set, `None` when it changed none (see [`Dossiers::mark_all_received`]).
    pub fn mark_received(
        &self,
        owner: &Owner,
        item: &OutboxItem,
        answer: &SubmitAnswer,
    ) -> Result<Option<DossierStatus>> {
        let mut statuses = self.mark_all_received(owner, &[(item, answer)])?;
        Ok(statuses.remove(0))
    }

    /// [`Dossiers::mark_received`] for several dossiers in one transaction (the answers to one
    /// batch): each dossier's new status, in order; `None` for one whose status this did not
    /// change (another sync settled it, or the status feed moved it on first and told of it).
    pub fn mark_all_received(
        &self,
        owner: &Owner,
        received: &[(&OutboxItem, &SubmitAnswer)],
    ) -> Result<Vec<Option<DossierStatus>>> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut statuses = Vec::with_capacity(received.len());
        for (item, answer) in received {
            let received = known_status(&answer.status)?;
            if !take_off_outbox(&tx, item)? {
                statuses.push(None);
                continue;
            }
            let was_queued = stored_status(&tx, &item.dossier_id)? == Some(DossierStatus::Queued);
            // The portal answers a retry with its first answer: a dossier the status feed moved
            // on meanwhile (its answer was lost, the feed came first) keeps the newer status.
            let status: Option<String> = tx
                .prepare_cached(
                    "UPDATE dossier SET status = CASE status WHEN 'queued' THEN ?2 ELSE status END, code = ?3,
                                        receipt = ?4, fee_vnd = ?5, problem = NULL, updated_at = ?6
                     WHERE id = ?1
                     RETURNING status",
                )?
                .query_row(
                    params![
                        item.dossier_id,
                        received.as_str(),
                        answer.code,
                        serde_json::to_string(&answer.receipt)
                            .map_err(|source| Error::Encoding { what: "reception receipt", source })?,
                        answer.fee_vnd,
                        now()
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            let status = status.as_deref().and_then(DossierStatus::parse).unwrap_or(received);
            tx.prepare_cached(
                "INSERT OR IGNORE INTO dossier_event (dossier_id, position, status, at, message, owner)
                 VALUES (?1, 0, ?2, ?3, NULL, ?4)",
            )?
            .execute(params![
                item.dossier_id,
                received.as_str(),
                answer.receipt.received_at,
                owner.tag()
            ])?;
            statuses.push(was_queued.then_some(status));
        }
        tx.commit()?;
        Ok(statuses)
    }

    /// The portal refused the dossier for good: keep it, with the reason, off the outbox.
    pub fn mark_failed(&self, item: &OutboxItem, reason: &str) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if take_off_outbox(&tx, item)? {
            tx.prepare_cached("UPDATE dossier SET status = 'failed', problem = ?2, updated_at = ?3 WHERE id = ?1")?
                .execute(params![item.dossier_id, reason, now()])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The portal took a later action (a supplement, a withdrawal): its answer (the dossier as
    /// the status feed shows it) is applied and the entry leaves the outbox, together. The
    /// dossier's status when this changed it, `None` when it stands as it was.
    pub fn mark_action_done(
        &self,
        owner: &Owner,
        item: &OutboxItem,
        answer: &RemoteDossier,
    ) -> Result<Option<DossierStatus>> {
        let answered = known_status(&answer.status)?;
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = stored_status(&tx, &item.dossier_id)?;
        // The portal answers a retry with its first answer: a dossier whose timeline the status
        // feed brought further meanwhile (the answer was lost, the feed came first) keeps it.
        let known: i64 = tx
            .prepare_cached("SELECT count(*) FROM dossier_event WHERE dossier_id = ?1")?
            .query_row([&item.dossier_id], |r| r.get(0))?;
        if take_off_outbox(&tx, item)? {
            if answer.timeline.len() as i64 >= known {
                self.apply_one(&tx, owner, answer, answered, &|code| code.to_owned())?;
            }
            tx.prepare_cached("UPDATE dossier SET problem = NULL WHERE id = ?1")?.execute([&item.dossier_id])?;
        }
        let after = stored_status(&tx, &item.dossier_id)?;
        tx.commit()?;
        // A rating leaves the dossier "result ready": nothing to tell the resident again.
        Ok((after != before).then(|| after.unwrap_or(answered)))
    }

    /// The portal refused a later action for good (the round was closed, the dossier is being
    /// processed): the dossier stays as the portal has it, with the reason, and the entry goes.
    pub fn drop_action(&self, item: &OutboxItem, reason: &str) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if take_off_outbox(&tx, item)? {
            tx.prepare_cached("UPDATE dossier SET problem = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
                item.dossier_id,
                reason,
                now()
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The form as it stands and the attachments added in `round`, for a supplement.
    pub fn round_attachments(&self, owner: &Owner, id: &str, round: u32) -> Result<Vec<Attachment>> {
        Ok(self.get(Some(owner), id)?.attachments.into_iter().filter(|a| a.round == round).collect())
    }

    /// The portal holds other content under this dossier's id: the local content moves to a
    /// new id as a refused dossier (kept, editable, sendable as a new dossier), and the old id
    /// is left for the portal's status feed to fill in. Answers the new id; `None` when another
    /// sync settled the entry first.
    pub fn split_off_conflict(&self, item: &OutboxItem, reason: &str) -> Result<Option<String>> {
        let kept = new_id();
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !take_off_outbox(&tx, item)? {
            return Ok(None);
        }
        tx.prepare_cached(
            "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, problem, created_at,
                                  updated_at, owner)
             SELECT ?2, procedure_code, procedure_name, applicant, fields, 'failed', ?3, created_at, ?4, owner
             FROM dossier WHERE id = ?1",
        )?
        .execute(params![item.dossier_id, kept, reason, now()])?;
        tx.prepare_cached("UPDATE dossier_attachment SET dossier_id = ?2 WHERE dossier_id = ?1")?
            .execute(params![item.dossier_id, kept])?;
        tx.prepare_cached("DELETE FROM dossier WHERE id = ?1")?.execute([&item.dossier_id])?;
        tx.commit()?;
        Ok(Some(kept))
    }

    /// Try again later; the reason is shown beside the queued dossier.
    pub fn reschedule(&self, item: &OutboxItem, next_attempt_at: i64, reason: &str) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let still_queued = tx
            .prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4
                 WHERE dossier_id = ?1 AND entry_id = ?2",
            )?
            .execute(params![item.dossier_id, item.entry_id(), next_attempt_at, reason])?;
        // Settled by another sync meanwhile: no reason to show beside it.
        if still_queued > 0 {
            tx.prepare_cached("UPDATE dossier SET problem = ?2 WHERE id = ?1")?
                .execute(params![item.dossier_id, reason])?;
        }
        tx.commit()?;
        Ok(())
    }

    // --- status tracking ---

    /// Where `owner`'s status feed stands (each resident follows their own feed).
    pub fn status_cursor(&self, owner: &Owner) -> Result<u64> {
        Ok(self
            .db
            .lock()
            .prepare_cached("SELECT cursor FROM feed_cursor WHERE owner = ?1 AND feed = 'dossiers'")?
            .query_row([owner.tag()], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as u64)
    }

    /// Applies what the portal reports and moves the cursor, in one transaction; answers the
    /// dossiers whose status changed.
    pub fn apply_remote(
        &self,
        owner: &Owner,
        items: &[RemoteDossier],
        cursor: u64,
        catalog: &Catalog,
    ) -> Result<Vec<(String, Option<String>, DossierStatus)>> {
        // An unknown status anywhere refuses the whole page before anything is written: the
        // cursor stays, so the change is fetched again once the app knows the status.
        for item in items {
            known_status(&item.status)?;
            for event in &item.timeline {
                known_status(&event.status)?;
            }
        }
        let cursor = i64::try_from(cursor)
            .map_err(|_| PortalError::OutOfRange { path: "api/v1/dossiers".into(), field: "next_since" })?;
        let mut changed = Vec::new();
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for item in items {
            let status = known_status(&item.status)?;
            let procedure_name =
                |code: &str| catalog.procedure(code).map(|p| p.name.clone()).unwrap_or_else(|_| code.to_owned());
            if let Some(before) = self.apply_one(&tx, owner, item, status, &procedure_name)?
                && before.as_deref() != Some(status.as_str())
            {
                changed.push((item.dossier_id.clone(), Some(item.code.clone()), status));
            }
        }
        tx.prepare_cached(
            "INSERT INTO feed_cursor (owner, feed, cursor) VALUES (?1, 'dossiers', ?2)
             ON CONFLICT(owner, feed) DO UPDATE SET cursor = excluded.cursor",
        )?
        .execute(params![owner.tag(), cursor])?;
        tx.commit()?;
        Ok(changed)
    }

    /// Writes what the portal says of one of `owner`'s dossiers; answers its status before
    /// (`Some(None)` for one new here), or `None` when the id is another resident's.
    /// `procedure_name` names the procedure of a dossier new here.
    fn apply_one(
        &self,
        tx: &rusqlite::Transaction<'_>,
        owner: &Owner,
        item: &RemoteDossier,
        status: DossierStatus,
        procedure_name: &dyn Fn(&str) -> String,
    ) -> Result<Option<Option<String>>> {
        let found: Option<(String, Option<String>)> = tx
            .prepare_cached("SELECT status, owner FROM dossier WHERE id = ?1")?
            .query_row([&item.dossier_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if found.as_ref().is_some_and(|(_, found_owner)| found_owner.as_deref() != Some(owner.tag())) {
            // Never the record of another resident (or a draft nobody owns) under this id.
            return Ok(None);
        }
        let supplement = item
            .supplement
            .as_ref()
            .map(|request| {
                let json = serde_json::to_vec(request)
                    .map_err(|source| Error::Encoding { what: "supplement request", source })?;
                self.vault.seal(SEALED_SUPPLEMENT, &json)
            })
            .transpose()?;
        let before = found.map(|(status, _)| status);
        if before.is_none() {
            // Submitted from another device: known here by its code and status only.
            let at = now();
            tx.prepare_cached(
                "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, code, created_at,
                                      updated_at, owner, supplement, result_issued, rating)
                 VALUES (?1, ?2, ?3, 'citizen', ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                item.dossier_id,
                item.procedure_code,
                procedure_name(&item.procedure_code),
                self.seal_fields(&BTreeMap::new())?,
                status.as_str(),
                item.code,
                at,
                owner.tag(),
                supplement,
                item.result.is_some(),
                item.rating.map(RatingVerdict::as_str)
            ])?;
        } else {
            tx.prepare_cached(
                "UPDATE dossier SET status = ?2, code = ?3, updated_at = ?4, supplement = ?5, result_issued = ?6,
                                    rating = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                item.dossier_id,
                status.as_str(),
                item.code,
                now(),
                supplement,
                item.result.is_some(),
                item.rating.map(RatingVerdict::as_str)
            ])?;
        }
        tx.prepare_cached("DELETE FROM dossier_event WHERE dossier_id = ?1")?.execute([&item.dossier_id])?;
        for (position, event) in item.timeline.iter().enumerate() {
            let message = event.message.as_ref().map(|m| self.vault.seal(SEALED_MESSAGE, m.as_bytes())).transpose()?;
            tx.prepare_cached(
                "INSERT INTO dossier_event (dossier_id, position, status, at, message, owner)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                item.dossier_id,
                position as i64,
                event.status,
                event.at,
                message,
                owner.tag()
            ])?;
        }
        Ok(Some(before))
    }

    // --- results ---

    /// `owner`'s dossiers whose result the portal issued and the phone does not hold yet.
    pub fn results_to_fetch(&self, owner: &Owner) -> Result<Vec<String>> {
        Ok(self
            .db
            .lock()
            .prepare(
                "SELECT id FROM dossier WHERE owner = ?1 AND result_issued = 1
                 AND id NOT IN (SELECT dossier_id FROM dossier_result)",
            )?
            .query_map([owner.tag()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps a result that verified (the caller checked the signature with a trusted key): its
    /// signed metadata sealed, its PDF sealed beside the attachments. It must name this
    /// dossier, and the PDF must be the one the signature covers.
    pub fn keep_result(&self, owner: &Owner, id: &str, signed: &SignedResult, pdf: &[u8]) -> Result<ResultPayload> {
        let payload = result_payload(signed)?;
        let dossier = self.get(Some(owner), id)?;
        let sha256 = hex(ring::digest::digest(&ring::digest::SHA256, pdf).as_ref());
        let invalid = |reason: &str| Error::Validation { field: "result".into(), reason: reason.into() };
        if payload.dossier_id != dossier.id || dossier.code.as_deref() != Some(payload.dossier_code.as_str()) {
            return Err(invalid("kết quả không phải của hồ sơ này / the result names another dossier"));
        }
        if payload.sha256 != sha256 || payload.size != pdf.len() as u64 {
            return Err(invalid("tệp kết quả không khớp chữ ký / the result file is not the one signed"));
        }
        self.keep_file(&sha256, pdf)?;
        let sealed = self.vault.seal(
            SEALED_RESULT,
            &serde_json::to_vec(signed).map_err(|source| Error::Encoding { what: "result", source })?,
        )?;
        let written = (|| -> Result<bool> {
            let mut db = self.db.lock();
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // A result replaced by another: the old one's file is listed for removal.
            tx.execute(
                "INSERT OR IGNORE INTO file_to_remove (sha256)
                 SELECT sha256 FROM dossier_result WHERE dossier_id = ?1 AND sha256 != ?2",
                params![id, sha256],
            )?;
            let written = tx
                .prepare_cached(
                    "INSERT INTO dossier_result (dossier_id, signed, sha256, stored_at, owner) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(dossier_id) DO UPDATE SET signed = excluded.signed, sha256 = excluded.sha256",
                )?
                .execute(params![id, sealed, sha256, now(), owner.tag()])?;
            tx.commit()?;
            Ok(written > 0)
        })();
        match written {
            Ok(true) => {
                self.tidy_files();
                // Kept again if a cleanup took it while nothing named it yet.
                self.keep_file(&sha256, pdf)?;
            }
            // Its owner was wiped meanwhile (the insert skipped): nothing names the file.
            Ok(false) => self.forget_file(&sha256),
            Err(error) => {
                self.forget_file(&sha256);
                return Err(error);
            }
        }
        Ok(payload)
    }

    /// The kept result of `owner`'s dossier: its signed metadata and its PDF.
    pub fn result(&self, owner: &Owner, id: &str) -> Result<(SignedResult, Vec<u8>)> {
        self.get(Some(owner), id)?;
        let (sealed, sha256): (Vec<u8>, String) = self
            .db
            .lock()
            .prepare_cached("SELECT signed, sha256 FROM dossier_result WHERE dossier_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("result of dossier {id}")))?;
        Ok((self.open_signed_result(&sealed)?, self.attachment_bytes(&sha256)?))
    }

    fn open_signed_result(&self, sealed: &[u8]) -> Result<SignedResult> {
        serde_json::from_slice(&self.vault.open_sealed(SEALED_RESULT, sealed)?)
            .map_err(|source| Error::Encoding { what: "result", source })
    }
}

/// What a signed result says of itself (before any check).
pub fn result_payload(signed: &SignedResult) -> Result<ResultPayload> {
    serde_json::from_str(&signed.payload).map_err(|source| Error::Encoding { what: "result", source })
}

/// A status the portal sent, or `UpdateNeeded`: an unknown one is never guessed at.
fn known_status(status: &str) -> Result<DossierStatus> {
    DossierStatus::parse(status).ok_or_else(|| Error::UpdateNeeded {
        what: "dossier status",
        value: status.chars().filter(|c| c.is_ascii_graphic()).take(40).collect(),
    })
}

/// A dossier's row as stored: its columns in the order `read_stored` selects them.
type DossierRow = (
    String,
    String,
    String,
    String,
    Vec<u8>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<Vec<u8>>,
    Option<String>,
);

/// An attachment's row: its digest, sealed name, size, type and the document it answers.
type AttachmentRow = (String, Vec<u8>, i64, String, Option<String>, u32);

/// A dossier as `user.db` holds it, sealed values still sealed.
struct StoredDossier {
    row: DossierRow,
    attachments: Vec<AttachmentRow>,
    timeline: Vec<(String, String, Option<Vec<u8>>)>,
    queued_action: Option<String>,
    result: Option<Vec<u8>>,
}

/// The five reads of a dossier `viewer` may see, on `conn` (inside the caller's transaction).
fn read_stored(conn: &rusqlite::Connection, viewer: Option<&Owner>, id: &str) -> Result<StoredDossier> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT id, procedure_code, procedure_name, applicant, fields, status, code, receipt, fee_vnd,
                        problem, created_at, updated_at, supplement, rating FROM dossier WHERE id = ?1 AND {VISIBLE}"
        ))?
        .query_row(params![id, tag(viewer)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, String>(11)?,
                r.get::<_, Option<Vec<u8>>>(12)?,
                r.get::<_, Option<String>>(13)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("dossier {id}")))?;
    let attachments = conn
        .prepare_cached(
            "SELECT sha256, name, size, content_type, document, round FROM dossier_attachment WHERE dossier_id = ?1
                 ORDER BY rowid",
        )?
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, u32>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let timeline = conn
        .prepare_cached("SELECT status, at, message FROM dossier_event WHERE dossier_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<Vec<u8>>>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let queued_action: Option<String> = conn.prepare_cached(QUEUED_ACTION)?.query_row([id], |r| r.get(0))?;
    let result: Option<Vec<u8>> = conn
        .prepare_cached("SELECT signed FROM dossier_result WHERE dossier_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(StoredDossier { row, attachments, timeline, queued_action, result })
}

/// The requested document an attachment answers in the dossier's supplement round: `named`
/// (one of the requested ones, matched without diacritics or case), or the first requested one
/// no attachment answers yet; none outside a round.
fn answered_document(dossier: &Dossier, named: Option<&str>) -> Result<Option<String>> {
    let Some(request) = &dossier.supplement else { return Ok(None) };
    match named {
        Some(named) => request
            .documents
            .iter()
            .find(|wanted| smarthd_model::text::fold(wanted) == smarthd_model::text::fold(named))
            .cloned()
            .map(Some)
            .ok_or_else(|| Error::Validation {
                field: "document".into(),
                reason: format!(
                    "cán bộ không yêu cầu giấy tờ này; các giấy tờ cần bổ sung / not a requested document; \
                     requested: {}",
                    request.documents.join("; ")
                ),
            }),
        None => Ok(dossier.missing_documents.first().cloned()),
    }
}

/// The documents `request` asks for that no attachment of its round answers.
fn missing_documents(request: &SupplementRequest, attachments: &[Attachment]) -> Vec<String> {
    let answered = |wanted: &String| {
        attachments.iter().any(|a| a.round == request.round && a.document.as_deref() == Some(wanted.as_str()))
    };
    request.documents.iter().filter(|wanted| !answered(wanted)).cloned().collect()
}

/// The round a supplement answers, once every document the officer requested is attached
/// (offline check; the portal checks again).
fn supplement_round(dossier: &Dossier, request: &SupplementRequest) -> Result<u32> {
    if !dossier.missing_documents.is_empty() {
        return Err(Error::Validation {
            field: "documents".into(),
            reason: format!("còn thiếu giấy tờ / still missing: {}", dossier.missing_documents.join("; ")),
        });
    }
    Ok(request.round)
}

fn check_editable(dossier: &Dossier) -> Result<()> {
    if !dossier.status.is_editable() || dossier.queued_action.is_some() {
        return Err(Error::Validation {
            field: "status".into(),
            reason: format!(
                "hồ sơ không còn sửa được / the dossier can no longer be changed ({})",
                dossier.status.label()
            ),
        });
    }
    Ok(())
}

fn check_in_force(status: ProcedureStatus, replaced_by: Option<&str>) -> Result<()> {
    match status {
        ProcedureStatus::InForce => Ok(()),
        ProcedureStatus::Replaced => Err(Error::Validation {
            field: "procedure".into(),
            reason: format!(
                "thủ tục đã được thay thế / the procedure was replaced by {}",
                replaced_by.unwrap_or("another procedure")
            ),
        }),
        ProcedureStatus::Expired => Err(Error::Validation {
            field: "procedure".into(),
            reason: "thủ tục đã hết hiệu lực / the procedure is no longer in force".into(),
        }),
    }
}

/// JPEG, PNG and PDF by their magic bytes (the extension is the resident's to choose).
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_come_from_magic_bytes() {
        assert_eq!(sniff_content_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff_content_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_content_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff_content_type(b"MZ\x90\x00"), None);
        assert_eq!(sniff_content_type(b""), None);
    }

    fn fixture() -> (tempfile::TempDir, Dossiers, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let db = UserDb::open(dir.path()).unwrap();
        let catalog = Catalog::open(dir.path()).unwrap();
        let dossiers = Dossiers::open(db, Arc::new(Vault::from_key(&[7; 32])), dir.path()).unwrap();
        (dir, dossiers, catalog)
    }

    #[test]
    fn a_dossiers_queued_action_is_found_without_scanning_the_outbox() {
        let (_dir, dossiers, _catalog) = fixture();
        let db = dossiers.db.lock();
        let plan: Vec<String> = db
            .prepare(&format!("EXPLAIN QUERY PLAN {QUEUED_ACTION}"))
            .unwrap()
            .query_map(["d1"], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(plan, ["SEARCH outbox USING INDEX outbox_entry (dossier_id=?)"]);
    }

    fn resident() -> Owner {
        Owner::of(&Vault::from_key(&[7; 32]), "resident-a")
    }

    fn remote(id: &str, status: &str, timeline: &[&str]) -> RemoteDossier {
        RemoteDossier {
            dossier_id: id.into(),
            code: format!("HD-{id}"),
            procedure_code: "1.000001".into(),
            status: status.into(),
            timeline: timeline
                .iter()
                .map(|s| RemoteEvent { status: (*s).into(), at: "2026-01-01T00:00:00Z".into(), message: None })
                .collect(),
            supplement: None,
            result: None,
            rating: None,
        }
    }

    #[test]
    fn form_values_sealed_by_an_older_app_still_open() {
        let (_dir, dossiers, _catalog) = fixture();
        let old: BTreeMap<String, String> = [("ho_ten".to_owned(), "Nguyễn Văn An".to_owned())].into();
        let sealed = dossiers.seal_fields(&old).unwrap();
        let form = dossiers.open_form(&sealed).unwrap();
        assert_eq!((form.fields, form.for_person, form.prefilled), (old.clone(), ForPerson::Myself, Vec::new()));
        let new = SealedForm { fields: old.clone(), for_person: ForPerson::Child, prefilled: vec!["ho_ten".into()] };
        let form = dossiers.open_form(&dossiers.seal_form(&new).unwrap()).unwrap();
        assert_eq!((form.fields, form.for_person, form.prefilled), (old, ForPerson::Child, vec!["ho_ten".to_owned()]));
        // Garbage is still an error, not an empty form.
        let garbage = dossiers.vault.seal(SEALED_FIELDS, b"[1, 2]").unwrap();
        assert!(matches!(dossiers.open_form(&garbage), Err(Error::Encoding { .. })));
    }

    #[test]
    fn an_unknown_status_in_the_feed_stops_the_cursor_and_applies_nothing() {
        let (_dir, dossiers, catalog) = fixture();
        for page in [
            vec![remote("a", "received", &["received"]), remote("b", "teleported", &["received"])],
            vec![remote("a", "received", &["received", "archived_by_robot"])],
        ] {
            let error = dossiers.apply_remote(&resident(), &page, 9, &catalog).unwrap_err();
            assert!(matches!(error, Error::UpdateNeeded { what: "dossier status", .. }), "{error:?}");
            assert_eq!(error.kind(), crate::error::ErrorKind::UpdateNeeded);
            assert_eq!(dossiers.status_cursor(&resident()).unwrap(), 0, "the cursor did not move past the change");
            assert!(dossiers.list(Some(&resident())).unwrap().is_empty(), "nothing of the page was applied");
        }
        let page = [remote("a", "received", &["received"])];
        assert_eq!(dossiers.apply_remote(&resident(), &page, 9, &catalog).unwrap().len(), 1);
        assert_eq!(dossiers.status_cursor(&resident()).unwrap(), 9);
        let error = dossiers.apply_remote(&resident(), &page, u64::MAX, &catalog).unwrap_err();
        assert!(error.to_string().contains("out-of-range next_since"), "{error}");
        assert_eq!(dossiers.status_cursor(&resident()).unwrap(), 9, "an out-of-range cursor is not stored");
    }

    #[test]
    fn an_unknown_status_on_receipt_is_not_taken_for_received_and_the_entry_stays() {
        let (_dir, dossiers, _catalog) = fixture();
        let sealed = dossiers.seal_fields(&BTreeMap::new()).unwrap();
        let owner = resident();
        let db = dossiers.db.lock();
        db.execute(
            "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, created_at, updated_at, owner)
             VALUES ('d', 'P', 'Thủ tục', 'citizen', ?1, 'queued', 'x', 'x', ?2)",
            params![sealed, owner.tag()],
        )
        .unwrap();
        db.execute(
            "INSERT INTO outbox (dossier_id, entry_id, attempts, next_attempt_at, created_at, owner)
             VALUES ('d', 'd', 0, 0, 'x', ?1)",
            [owner.tag()],
        )
        .unwrap();
        drop(db);
        let item = dossiers.due(&owner, 0, true).unwrap().pop().unwrap();
        let answer = SubmitAnswer {
            dossier_id: "d".into(),
            code: "HD-1".into(),
            status: "teleported".into(),
            receipt: ReceptionReceipt { number: "1".into(), received_at: "x".into(), expected_result_at: None },
            fee_vnd: None,
        };
        let error = dossiers.mark_received(&owner, &item, &answer).unwrap_err();
        assert!(matches!(error, Error::UpdateNeeded { .. }), "{error:?}");
        assert_eq!(dossiers.get(Some(&owner), "d").unwrap().status, DossierStatus::Queued);
        assert_eq!(dossiers.pending_count(&owner).unwrap(), 1);
    }

    #[test]
    fn an_answer_that_comes_late_takes_only_its_own_entry_off_the_outbox_and_changes_nothing_else() {
        let (_dir, dossiers, _catalog) = fixture();
        let sealed = dossiers.seal_fields(&BTreeMap::new()).unwrap();
        let owner = resident();
        let queue = |id: &str| {
            let db = dossiers.db.lock();
            db.execute(
                "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, created_at, updated_at,
                                      owner)
                 VALUES (?1, 'P', 'Thủ tục', 'citizen', ?2, 'queued', 'x', 'x', ?3)",
                params![id, sealed, owner.tag()],
            )
            .unwrap();
            db.execute(
                "INSERT INTO outbox (dossier_id, entry_id, attempts, next_attempt_at, created_at, owner)
                 VALUES (?1, ?1, 0, 0, 'x', ?2)",
                params![id, owner.tag()],
            )
            .unwrap();
        };
        queue("a");
        let late = dossiers.due(&owner, 0, true).unwrap().pop().unwrap();
        // Another flush settles "a" first; "b", queued after, takes the number "a" freed.
        dossiers.db.lock().execute("DELETE FROM outbox WHERE dossier_id = 'a'", []).unwrap();
        dossiers.db.lock().execute("UPDATE dossier SET status = 'received' WHERE id = 'a'", []).unwrap();
        queue("b");
        assert_eq!(dossiers.due(&owner, 0, true).unwrap()[0].seq, late.seq);
        dossiers.reschedule(&late, 99, "late").unwrap();
        dossiers.mark_failed(&late, "late").unwrap();
        dossiers.drop_action(&late, "late").unwrap();
        assert_eq!(dossiers.split_off_conflict(&late, "late").unwrap(), None);
        let left = dossiers.due(&owner, 0, true).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!((left[0].dossier_id.as_str(), left[0].attempts), ("b", 0), "b's entry untouched");
        // And "a", settled by the other flush, keeps what that flush wrote.
        let a = dossiers.get(Some(&owner), "a").unwrap();
        assert_eq!((a.status, a.problem), (DossierStatus::Received, None));
        let answer = SubmitAnswer {
            dossier_id: "a".into(),
            code: "HD-a".into(),
            status: "received".into(),
            receipt: ReceptionReceipt { number: "1".into(), received_at: "x".into(), expected_result_at: None },
            fee_vnd: Some(50_000),
        };
        assert_eq!(dossiers.mark_received(&owner, &late, &answer).unwrap(), None, "nothing to tell of it");
        assert_eq!(dossiers.get(Some(&owner), "a").unwrap().fee_vnd, None, "the late receipt is not applied");
    }

    #[test]
    fn ids_are_uuid_v4() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, new_id());
    }
}
