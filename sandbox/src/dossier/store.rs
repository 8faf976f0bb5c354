//! The dossier side of the sandbox's SQLite file: attachments (their chunks as BLOBs), dossiers
//! with the content hash and first answer that make submission idempotent, the status timeline,
//! the ledger of effects, and the counters behind dossier codes and receipt numbers.
//!
//! Every write is one transaction, so a dossier, its dedup record (the dossier row itself, keyed
//! by the client's id) and its ledger count are committed together or not at all.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, TimeDelta, Weekday};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use smarthd_model::dossier::{Rating, RatingVerdict, SupplementRequest};

use super::common::{Status, hex, portal_status};
use crate::api_error::ApiError;

const SCHEMA: &str = "
-- Attachments belong to the resident who uploaded them (`sub`): another resident's file of the
-- same content is another upload, so the digest reveals nothing and can be cited by no one else.
CREATE TABLE IF NOT EXISTS resident_attachment (
    sub TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    name TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,       -- ledger: how many times the upload completed
    PRIMARY KEY (sub, sha256)
);
CREATE TABLE IF NOT EXISTS resident_attachment_chunk (
    sub TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sub, sha256, offset)
);
CREATE TABLE IF NOT EXISTS dossier (
    id TEXT PRIMARY KEY,                     -- the client's permanent dossier id: the dedup key
    code TEXT NOT NULL UNIQUE,               -- mã hồ sơ
    sub TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    applicant TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    attachments_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    response_json TEXT NOT NULL,             -- the first answer, replayed to retries
    status TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,             -- bumped on every change, for ?since=
    result_name TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dossier_sub_seq ON dossier (sub, seq);
CREATE TABLE IF NOT EXISTS dossier_event (
    id INTEGER PRIMARY KEY,
    dossier_id TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dossier_event_dossier ON dossier_event (dossier_id, id);
CREATE TABLE IF NOT EXISTS dossier_ledger (
    dossier_id TEXT PRIMARY KEY,
    creations INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dossier_counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Yêu cầu bổ sung: the officer's rounds, and the resident's answer to each (deduplicated on the
-- resident's permanent supplement id, its first answer replayed to retries).
CREATE TABLE IF NOT EXISTS dossier_round (
    dossier_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    message TEXT NOT NULL,
    documents_json TEXT NOT NULL,
    deadline TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    supplement_id TEXT UNIQUE,
    answer_json TEXT,
    attachments_json TEXT,
    answered_at TEXT,
    PRIMARY KEY (dossier_id, round)
);
CREATE TABLE IF NOT EXISTS dossier_withdrawal (
    dossier_id TEXT PRIMARY KEY,
    withdrawal_id TEXT NOT NULL UNIQUE,
    reason TEXT,
    answer_json TEXT NOT NULL,
    at TEXT NOT NULL
);
-- The result document, issued once: its PDF is made from these, so it never changes.
CREATE TABLE IF NOT EXISTS dossier_result (
    dossier_id TEXT PRIMARY KEY,
    result_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    pdf BLOB                                 -- the officer's file; NULL: the portal draws one
);
-- Đánh giá: once per dossier, after its result.
CREATE TABLE IF NOT EXISTS dossier_rating (
    dossier_id TEXT PRIMARY KEY,
    rating_id TEXT NOT NULL UNIQUE,
    procedure_code TEXT NOT NULL,
    verdict TEXT NOT NULL,
    scores_json TEXT NOT NULL,
    comment TEXT,
    answer_json TEXT NOT NULL,
    at TEXT NOT NULL
);
-- Ledger of the resident's later actions (supplements, withdrawals): effects per permanent id.
CREATE TABLE IF NOT EXISTS dossier_action_ledger (
    action_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    effects INTEGER NOT NULL
);
";

/// Days a resident has to supplement, unless the officer says otherwise.
pub const SUPPLEMENT_DAYS: i64 = 15;

/// The unit that receives online dossiers, as it prefixes dossier codes.
const RECEIVING_UNIT: &str = "H19.25";
/// Results are due at the end of the working day.
const END_OF_DAY: NaiveTime = NaiveTime::from_hms_opt(17, 0, 0).expect("a valid time");

pub fn vietnam_now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).expect("a valid offset"))
}

fn rfc3339(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Upload {
    pub sha256: String,
    pub received: u64,
    pub complete: bool,
}

pub struct Announce<'a> {
    pub sub: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub content_type: &'a str,
    pub name: &'a str,
}

/// What the portal decided about a new dossier before storing it.
pub struct Acceptance {
    pub procedure_name: String,
    pub fee_vnd: i64,
    pub processing_days: Option<u32>,
}

pub struct NewDossier<'a> {
    pub id: &'a str,
    pub sub: &'a str,
    pub procedure_code: &'a str,
    pub applicant: &'a str,
    pub fields: &'a BTreeMap<String, String>,
    pub attachments: &'a [(String, String)],
    pub content_hash: &'a str,
}

pub struct Submitted {
    /// False when this answer is the replay of the first one.
    pub created: bool,
    pub body: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Receipt {
    number: String,
    received_at: String,
    expected_result_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SubmitAnswer<'a> {
    dossier_id: &'a str,
    code: &'a str,
    status: Status,
    receipt: Receipt,
    fee_vnd: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub status: Status,
    pub at: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultDoc {
    pub name: String,
    /// A path under the portal's base URL.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DossierView {
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub status: Status,
    pub seq: u64,
    pub timeline: Vec<TimelineEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultDoc>,
    /// The open request for more documents, while the dossier waits for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplement: Option<SupplementRequest>,
    /// The resident's verdict, once rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<RatingVerdict>,
}

/// Ratings of one procedure, for the officer console.
#[derive(Debug, Clone, Serialize)]
pub struct RatingSummary {
    pub procedure_code: String,
    pub procedure_name: String,
    pub count: u64,
    /// The mean of the criteria scores given (0 to 2), when any.
    pub average_score: Option<f64>,
    pub not_satisfied: u64,
    pub satisfied: u64,
    pub very_satisfied: u64,
}

/// A supplement the resident sends for one round.
pub struct Supplement<'a> {
    pub dossier_id: &'a str,
    pub sub: &'a str,
    pub supplement_id: &'a str,
    pub round: u32,
    pub fields: &'a BTreeMap<String, String>,
    /// (sha256, name, the requested document it answers)
    pub attachments: &'a [(String, String, Option<String>)],
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub status: Status,
    pub updated_at: String,
}

/// A row of the officer console.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerRow {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: Option<String>,
    pub status: Status,
    pub updated_at: String,
    pub result_name: Option<String>,
    pub last_message: Option<String>,
}

/// One dossier as the officer handles it: what the resident sent, every round, the rating.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerDossier {
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: String,
    pub status: Status,
    pub fields: BTreeMap<String, String>,
    /// `{"sha256", "name", "document"?}` as the resident sent them, the rounds' included.
    pub attachments: Vec<serde_json::Value>,
    pub rounds: Vec<OfficerRound>,
    pub timeline: Vec<TimelineEntry>,
    pub result_name: Option<String>,
    pub rating: Option<OfficerRating>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficerRound {
    pub round: u32,
    pub message: String,
    pub documents: Vec<String>,
    pub deadline: String,
    pub requested_at: String,
    /// When the resident answered, and with which attachments.
    pub answered_at: Option<String>,
    pub attachments: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficerRating {
    pub verdict: RatingVerdict,
    pub scores: BTreeMap<String, u8>,
    pub comment: Option<String>,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct AttachmentEffects {
    pub stored: u64,
    pub bytes: u64,
    pub intact: bool,
}

#[derive(Debug, Serialize)]
pub struct Ledger {
    pub dossiers: BTreeMap<String, u64>,
    pub attachments: BTreeMap<String, AttachmentEffects>,
    /// Supplements and withdrawals: effects per the resident's permanent id.
    pub actions: BTreeMap<String, u64>,
    /// Requests that reached a submit route (one dossier or a batch) since the sandbox started.
    pub submit_requests: u64,
}

/// The applicant's result document, for its owner.
pub struct ResultFile {
    pub result_id: String,
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub name: String,
    pub issued_at: String,
    /// The PDF the officer uploaded, if any.
    pub pdf: Option<Vec<u8>>,
}

pub struct Store {
    db: Mutex<Connection>,
    submit_requests: std::sync::atomic::AtomicU64,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Ok(Store { db: crate::db::open(path, SCHEMA)?, submit_requests: Default::default() })
    }

    /// Counts a request to a submit route, for the ledger.
    pub fn count_submit_request(&self) {
        self.submit_requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    /// Registers an attachment, or answers where its upload stands.
    pub fn announce(&self, a: &Announce<'_>) -> Result<Upload, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(u64, bool)> = tx
            .prepare_cached("SELECT size, complete FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2")?
            .query_row([a.sub, a.sha256], |r| Ok((get_u64(r, 0)?, r.get(1)?)))
            .optional()?;
        match existing {
            None => {
                tx.prepare_cached("INSERT INTO resident_attachment (sub, sha256, size, content_type, name) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![a.sub, a.sha256, a.size as i64, a.content_type, a.name],
                )?;
            }
            Some((size, true)) if size != a.size => {
                return Err(ApiError::bad_request(format!("{} is stored with {size} bytes", a.sha256)));
            }
            // An unfinished upload announced with another size starts over.
            Some((size, false)) if size != a.size => {
                tx.prepare_cached("DELETE FROM resident_attachment_chunk WHERE sub = ?1 AND sha256 = ?2")?
                    .execute([a.sub, a.sha256])?;
                tx.prepare_cached(
                    "UPDATE resident_attachment SET size = ?3, content_type = ?4, name = ?5, received = 0
                     WHERE sub = ?1 AND sha256 = ?2",
                )?
                .execute(params![a.sub, a.sha256, a.size as i64, a.content_type, a.name])?;
            }
            Some(_) => {}
        }
        let upload = upload(&tx, a.sub, a.sha256)?.ok_or_else(|| ApiError::not_found("attachment"))?;
        tx.commit()?;
        Ok(upload)
    }

    /// Where `sub`'s upload of `sha256` stands; another resident's upload is not found.
    pub fn upload(&self, sub: &str, sha256: &str) -> rusqlite::Result<Option<Upload>> {
        upload(&self.db(), sub, sha256)
    }

    /// Stores the chunk at `offset`. A chunk already stored is accepted without effect; the last
    /// chunk triggers the SHA-256 check, and a mismatch discards the whole upload.
    pub fn put_chunk(&self, sub: &str, sha256: &str, offset: u64, data: &[u8]) -> Result<Upload, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(u64, u64, bool)> = tx
            .prepare_cached("SELECT size, received, complete FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2")?
            .query_row([sub, sha256], |r| Ok((get_u64(r, 0)?, get_u64(r, 1)?, r.get(2)?)))
            .optional()?;
        let Some((size, received, complete)) = row else {
            return Err(ApiError::not_found("attachment (announce it first)"));
        };
        let end = offset.saturating_add(data.len() as u64);
        if complete || (offset < received && end <= received) || (offset == received && data.is_empty()) {
            return Ok(Upload { sha256: sha256.to_owned(), received, complete });
        }
        if offset != received {
            return Err(ApiError::offset_mismatch(received));
        }
        if end > size {
            return Err(ApiError::bad_request(format!("the chunk runs past the announced size ({size} bytes)")));
        }
        tx.prepare_cached("INSERT INTO resident_attachment_chunk (sub, sha256, offset, data) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![sub, sha256, offset as i64, data])?;
        let complete = end == size;
        if complete && digest(&tx, sub, sha256)? != sha256 {
            tx.prepare_cached("DELETE FROM resident_attachment_chunk WHERE sub = ?1 AND sha256 = ?2")?
                .execute([sub, sha256])?;
            tx.prepare_cached("UPDATE resident_attachment SET received = 0 WHERE sub = ?1 AND sha256 = ?2")?
                .execute([sub, sha256])?;
            tx.commit()?;
            return Err(ApiError::digest_mismatch(sha256));
        }
        tx.prepare_cached(
            "UPDATE resident_attachment SET received = ?3, complete = ?4, stored = stored + ?4
             WHERE sub = ?1 AND sha256 = ?2",
        )?
        .execute(params![sub, sha256, end as i64, complete])?;
        tx.commit()?;
        Ok(Upload { sha256: sha256.to_owned(), received: end, complete })
    }

    /// Stores a new dossier, or replays the first answer to the same dossier id and content.
    /// `verdict` is what the portal decided about the content; it only matters for a new id.
    pub fn submit(&self, new: NewDossier<'_>, verdict: Result<Acceptance, ApiError>) -> Result<Submitted, ApiError> {
        self.submit_all(vec![(new, verdict)])?.remove(0)
    }

    /// [`Store::submit`] for each dossier of a batch, in one transaction: each answered on its
    /// own, what a refused one began undone (a savepoint each).
    pub fn submit_all(
        &self,
        batch: Vec<(NewDossier<'_>, Result<Acceptance, ApiError>)>,
    ) -> rusqlite::Result<Vec<Result<Submitted, ApiError>>> {
        let mut db = self.db();
        let mut tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut answers = Vec::with_capacity(batch.len());
        for (new, verdict) in batch {
            let savepoint = tx.savepoint()?;
            let answer = Self::submit_one(&savepoint, &new, verdict);
            if answer.is_ok() {
                savepoint.commit()?;
            }
            answers.push(answer);
        }
        tx.commit()?;
        Ok(answers)
    }

    fn submit_one(
        tx: &Connection,
        new: &NewDossier<'_>,
        verdict: Result<Acceptance, ApiError>,
    ) -> Result<Submitted, ApiError> {
        let existing: Option<(String, String)> = tx
            .prepare_cached("SELECT content_hash, response_json FROM dossier WHERE id = ?1")?
            .query_row([new.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((hash, body)) = existing {
            return if hash == new.content_hash {
                Ok(Submitted { created: false, body })
            } else {
                Err(ApiError::idempotency_conflict())
            };
        }
        let acceptance = verdict?;
        for (sha256, _) in new.attachments {
            // Only the submitting resident's own uploads can be cited.
            let complete: Option<bool> = tx
                .prepare_cached("SELECT complete FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2")?
                .query_row([new.sub, sha256.as_str()], |r| r.get(0))
                .optional()?;
            if complete != Some(true) {
                return Err(ApiError::attachment_missing(sha256));
            }
        }
        let now = vietnam_now();
        let day = now.format("%y%m%d").to_string();
        let code = format!("{RECEIVING_UNIT}-{day}-{:04}", bump(tx, &format!("day:{day}"))?);
        let receipt = Receipt {
            number: format!("BN-H19-{:04}", bump(tx, "receipt")?),
            received_at: rfc3339(now),
            expected_result_at: acceptance.processing_days.map(|days| rfc3339(due(now, days))),
        };
        let body = serde_json::to_string(&SubmitAnswer {
            dossier_id: new.id,
            code: &code,
            status: Status::Received,
            receipt,
            fee_vnd: acceptance.fee_vnd,
        })
        .map_err(ApiError::internal)?;
        let attachments: Vec<_> =
            new.attachments.iter().map(|(sha256, name)| serde_json::json!({"sha256": sha256, "name": name})).collect();
        let at = rfc3339(now);
        tx.prepare_cached(
            "INSERT INTO dossier (id, code, sub, procedure_code, procedure_name, applicant, fields_json,
                attachments_json, content_hash, response_json, status, seq, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        )?
        .execute(params![
            new.id,
            code,
            new.sub,
            new.procedure_code,
            acceptance.procedure_name,
            new.applicant,
            serde_json::to_string(new.fields).map_err(ApiError::internal)?,
            serde_json::Value::from(attachments).to_string(),
            new.content_hash,
            body,
            Status::Received.as_str(),
            next_seq(tx)? as i64,
            at,
        ])?;
        tx.prepare_cached("INSERT INTO dossier_event (dossier_id, status, message, at) VALUES (?1, ?2, NULL, ?3)")?
            .execute(params![new.id, Status::Received.as_str(), at])?;
        tx.prepare_cached(
            "INSERT INTO dossier_ledger (dossier_id, creations) VALUES (?1, 1)
             ON CONFLICT(dossier_id) DO UPDATE SET creations = creations + 1",
        )?
        .execute([new.id])?;
        Ok(Submitted { created: true, body })
    }

    /// The resident's dossiers changed after `since`, oldest change first, and the next cursor.
    pub fn changed_since(&self, sub: &str, since: u64) -> rusqlite::Result<(Vec<DossierView>, u64)> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT id, code, procedure_code, status, seq, result_name FROM dossier
             WHERE sub = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![sub, since as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    get_u64(r, 4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = Vec::with_capacity(rows.len());
        for (dossier_id, code, procedure_code, status, seq, result_name) in rows {
            let status = parse_status(&status)?;
            items.push(DossierView {
                timeline: timeline(&db, &dossier_id)?,
                result: result_name.map(|name| ResultDoc { name, url: result_path(&dossier_id) }),
                supplement: open_round(&db, &dossier_id, status)?,
                rating: rating_of(&db, &dossier_id)?,
                dossier_id,
                code,
                procedure_code,
                status,
                seq,
            });
        }
        let next_since = items.last().map_or(since, |d| d.seq);
        Ok((items, next_since))
    }

    /// The procedure of `sub`'s dossier `dossier_id`.
    pub fn procedure_of(&self, sub: &str, dossier_id: &str) -> rusqlite::Result<Option<String>> {
        self.db()
            .prepare_cached("SELECT procedure_code FROM dossier WHERE id = ?1 AND sub = ?2")?
            .query_row([dossier_id, sub], |r| r.get(0))
            .optional()
    }

    pub fn lookup(&self, code: &str) -> rusqlite::Result<Option<PublicStatus>> {
        self.db()
            .prepare_cached("SELECT code, procedure_name, status, updated_at FROM dossier WHERE code = ?1")?
            .query_row([code], |r| {
                Ok(PublicStatus {
                    code: r.get(0)?,
                    procedure_name: r.get(1)?,
                    status: parse_status(&r.get::<_, String>(2)?)?,
                    updated_at: r.get(3)?,
                })
            })
            .optional()
    }

    pub fn result_file(&self, sub: &str, dossier_id: &str) -> rusqlite::Result<Option<ResultFile>> {
        self.db()
            .prepare_cached(
                "SELECT r.result_id, d.id, d.code, d.procedure_code, d.procedure_name, r.name, r.issued_at, r.pdf
                 FROM dossier_result r JOIN dossier d ON d.id = r.dossier_id WHERE d.id = ?1 AND d.sub = ?2",
            )?
            .query_row(params![dossier_id, sub], |r| {
                Ok(ResultFile {
                    result_id: r.get(0)?,
                    dossier_id: r.get(1)?,
                    code: r.get(2)?,
                    procedure_code: r.get(3)?,
                    procedure_name: r.get(4)?,
                    name: r.get(5)?,
                    issued_at: r.get(6)?,
                    pdf: r.get(7)?,
                })
            })
            .optional()
    }

    /// The officer moves a dossier to `status`; the change takes the next `seq`. Asking for
    /// more documents opens a round (see [`Store::request_supplement`]).
    pub fn set_status(&self, code: &str, status: Status, message: Option<&str>) -> Result<DossierView, ApiError> {
        if status == Status::NeedMoreDocuments {
            return self.request_supplement(code, message.unwrap_or_default(), &[], None);
        }
        self.change(code, |tx, id, at| {
            tx.prepare_cached("INSERT INTO dossier_event (dossier_id, status, message, at) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![id, status.as_str(), message, at])?;
            tx.prepare_cached("UPDATE dossier SET status = ?2 WHERE id = ?1")?.execute(params![id, status.as_str()])?;
            Ok(())
        })
    }

    /// The officer asks for more documents: the next round, with what is asked and by when
    /// (`SUPPLEMENT_DAYS` from today unless given); the change takes the next `seq`.
    pub fn request_supplement(
        &self,
        code: &str,
        message: &str,
        documents: &[String],
        deadline: Option<&str>,
    ) -> Result<DossierView, ApiError> {
        self.change(code, |tx, id, at| {
            let round: u32 = tx
                .prepare_cached("SELECT coalesce(max(round), 0) + 1 FROM dossier_round WHERE dossier_id = ?1")?
                .query_row([id], |r| r.get(0))?;
            let deadline = deadline
                .map(str::to_owned)
                .unwrap_or_else(|| (vietnam_now() + TimeDelta::days(SUPPLEMENT_DAYS)).format("%Y-%m-%d").to_string());
            let documents = serde_json::Value::from(documents.to_vec()).to_string();
            tx.prepare_cached(
                "INSERT INTO dossier_round (dossier_id, round, message, documents_json, deadline, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![id, round, message, documents, deadline, at])?;
            tx.prepare_cached("INSERT INTO dossier_event (dossier_id, status, message, at) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![id, Status::NeedMoreDocuments.as_str(), message, at])?;
            tx.prepare_cached("UPDATE dossier SET status = ?2 WHERE id = ?1")?
                .execute(params![id, Status::NeedMoreDocuments.as_str()])?;
            Ok(())
        })
    }

    /// The resident's answer to a round, once: replayed to a retry under the same supplement id.
    /// The round must be the open one, every document asked for must come as an attachment
    /// naming it, each attachment uploaded (and complete) by this resident. The form values
    /// replace the dossier's (`fields_ok` has checked them); the dossier goes back to processing.
    /// `form_checked`: the form against the procedure's record, answered after a replay is.
    pub fn supplement(&self, s: &Supplement<'_>, form_checked: Result<(), ApiError>) -> Result<Submitted, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let replay: Option<(String, String)> = tx
            .prepare_cached("SELECT dossier_id, answer_json FROM dossier_round WHERE supplement_id = ?1")?
            .query_row([s.supplement_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((dossier_id, body)) = replay {
            return if dossier_id == s.dossier_id {
                Ok(Submitted { created: false, body })
            } else {
                Err(ApiError::idempotency_conflict())
            };
        }
        form_checked?;
        let status: String = tx
            .prepare_cached("SELECT status FROM dossier WHERE id = ?1 AND sub = ?2")?
            .query_row([s.dossier_id, s.sub], |r| r.get(0))
            .optional()?
            .ok_or_else(|| ApiError::not_found("dossier"))?;
        let open = open_round(&tx, s.dossier_id, parse_status(&status)?)?;
        let Some(open) = open.filter(|open| open.round == s.round) else {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not_awaiting_supplement",
                "hồ sơ không chờ bổ sung lần này / the dossier is not waiting for this supplement",
            ));
        };
        let missing: Vec<&str> = open
            .documents
            .iter()
            .filter(|wanted| !s.attachments.iter().any(|(_, _, document)| document.as_deref() == Some(wanted.as_str())))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::validation(
                "documents",
                format!("còn thiếu / still missing: {}", missing.join("; ")),
            ));
        }
        for (sha256, _, _) in s.attachments {
            let complete: Option<bool> = tx
                .prepare_cached("SELECT complete FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2")?
                .query_row([s.sub, sha256.as_str()], |r| r.get(0))
                .optional()?;
            if complete != Some(true) {
                return Err(ApiError::attachment_missing(sha256));
            }
        }
        let at = rfc3339(vietnam_now());
        let attachments: Vec<_> = s
            .attachments
            .iter()
            .map(|(sha256, name, document)| serde_json::json!({"sha256": sha256, "name": name, "document": document}))
            .collect();
        let mut all: Vec<serde_json::Value> = tx
            .prepare_cached("SELECT attachments_json FROM dossier WHERE id = ?1")?
            .query_row([s.dossier_id], |r| r.get::<_, String>(0))
            .map(|json| serde_json::from_str(&json).unwrap_or_default())?;
        all.extend(attachments.iter().cloned());
        let message = format!("Đã nhận hồ sơ bổ sung lần {} / supplement {} received", s.round, s.round);
        tx.prepare_cached("INSERT INTO dossier_event (dossier_id, status, message, at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![s.dossier_id, Status::Processing.as_str(), message, at])?;
        let seq = next_seq(&tx)?;
        tx.prepare_cached(
            "UPDATE dossier SET status = ?2, fields_json = ?3, attachments_json = ?4, seq = ?5, updated_at = ?6
             WHERE id = ?1",
        )?
        .execute(params![
            s.dossier_id,
            Status::Processing.as_str(),
            serde_json::to_string(s.fields).map_err(ApiError::internal)?,
            serde_json::Value::from(all).to_string(),
            seq as i64,
            at
        ])?;
        let view = view(&tx, s.dossier_id, seq)?;
        let body = serde_json::to_string(&view).map_err(ApiError::internal)?;
        tx.prepare_cached(
            "UPDATE dossier_round SET supplement_id = ?3, answer_json = ?4, attachments_json = ?5, answered_at = ?6
             WHERE dossier_id = ?1 AND round = ?2",
        )?
        .execute(params![
            s.dossier_id,
            s.round,
            s.supplement_id,
            body,
            serde_json::Value::from(attachments).to_string(),
            at
        ])?;
        count_action(&tx, s.supplement_id, "supplement")?;
        tx.commit()?;
        Ok(Submitted { created: true, body })
    }

    /// The resident withdraws a dossier not yet being processed (or waiting for their
    /// supplement); a retry under the same withdrawal id gets the first answer.
    pub fn withdraw(
        &self,
        dossier_id: &str,
        sub: &str,
        withdrawal_id: &str,
        reason: Option<&str>,
    ) -> Result<Submitted, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let replay: Option<(String, String)> = tx
            .prepare_cached("SELECT dossier_id, answer_json FROM dossier_withdrawal WHERE withdrawal_id = ?1")?
            .query_row([withdrawal_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((withdrawn, body)) = replay {
            return if withdrawn == dossier_id {
                Ok(Submitted { created: false, body })
            } else {
                Err(ApiError::idempotency_conflict())
            };
        }
        let status: String = tx
            .prepare_cached("SELECT status FROM dossier WHERE id = ?1 AND sub = ?2")?
            .query_row([dossier_id, sub], |r| r.get(0))
            .optional()?
            .ok_or_else(|| ApiError::not_found("dossier"))?;
        if !parse_status(&status)?.is_withdrawable() {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not_withdrawable",
                "hồ sơ đã được xử lý, không rút được / the dossier is being processed and cannot be withdrawn",
            ));
        }
        let at = rfc3339(vietnam_now());
        let message = match reason {
            Some(reason) => format!("Công dân rút hồ sơ: {reason} / withdrawn by the resident"),
            None => "Công dân rút hồ sơ / withdrawn by the resident".to_owned(),
        };
        tx.prepare_cached("INSERT INTO dossier_event (dossier_id, status, message, at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![dossier_id, Status::Withdrawn.as_str(), message, at])?;
        let seq = next_seq(&tx)?;
        tx.prepare_cached("UPDATE dossier SET status = ?2, seq = ?3, updated_at = ?4 WHERE id = ?1")?
            .execute(params![dossier_id, Status::Withdrawn.as_str(), seq as i64, at])?;
        let body = serde_json::to_string(&view(&tx, dossier_id, seq)?).map_err(ApiError::internal)?;
        tx.prepare_cached("INSERT INTO dossier_withdrawal (dossier_id, withdrawal_id, reason, answer_json, at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![dossier_id, withdrawal_id, reason, body, at],
        )?;
        count_action(&tx, withdrawal_id, "withdrawal")?;
        tx.commit()?;
        Ok(Submitted { created: true, body })
    }

    /// The resident rates the handling, once, after the result; the same rating id again gets
    /// the first answer.
    pub fn rate(&self, dossier_id: &str, sub: &str, rating_id: &str, rating: &Rating) -> Result<Submitted, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let replay: Option<(String, String)> = tx
            .prepare_cached("SELECT dossier_id, answer_json FROM dossier_rating WHERE rating_id = ?1")?
            .query_row([rating_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((rated, body)) = replay {
            return if rated == dossier_id {
                Ok(Submitted { created: false, body })
            } else {
                Err(ApiError::idempotency_conflict())
            };
        }
        let (status, procedure_code): (String, String) = tx
            .prepare_cached("SELECT status, procedure_code FROM dossier WHERE id = ?1 AND sub = ?2")?
            .query_row([dossier_id, sub], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| ApiError::not_found("dossier"))?;
        if !matches!(parse_status(&status)?, Status::ResultReady | Status::Returned) {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not_ratable",
                "đánh giá sau khi có kết quả / rate once the result is ready",
            ));
        }
        let rated: bool = tx
            .prepare_cached("SELECT count(*) > 0 FROM dossier_rating WHERE dossier_id = ?1")?
            .query_row([dossier_id], |r| r.get(0))?;
        if rated {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "already_rated",
                "hồ sơ đã được đánh giá / the dossier was rated already",
            ));
        }
        let at = rfc3339(vietnam_now());
        tx.prepare_cached("INSERT INTO dossier_rating (dossier_id, rating_id, procedure_code, verdict, scores_json, comment, answer_json, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7)")?.execute(params![
                dossier_id,
                rating_id,
                procedure_code,
                rating.verdict.as_str(),
                serde_json::to_string(&rating.scores).map_err(ApiError::internal)?,
                rating.comment,
                at
            ],
        )?;
        let seq = next_seq(&tx)?;
        tx.prepare_cached("UPDATE dossier SET seq = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![dossier_id, seq as i64, at])?;
        let body = serde_json::to_string(&view(&tx, dossier_id, seq)?).map_err(ApiError::internal)?;
        tx.prepare_cached("UPDATE dossier_rating SET answer_json = ?2 WHERE dossier_id = ?1")?
            .execute(params![dossier_id, body])?;
        count_action(&tx, rating_id, "rating")?;
        tx.commit()?;
        Ok(Submitted { created: true, body })
    }

    /// Ratings per procedure, most rated first.
    pub fn rating_summaries(&self) -> rusqlite::Result<Vec<RatingSummary>> {
        let db = self.db();
        let rows: Vec<(String, String, String, String)> = db
            .prepare(
                "SELECT r.procedure_code, d.procedure_name, r.verdict, r.scores_json
                 FROM dossier_rating r JOIN dossier d ON d.id = r.dossier_id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut by_procedure: BTreeMap<String, (RatingSummary, u64, u64)> = BTreeMap::new();
        for (code, name, verdict, scores) in rows {
            let (summary, points, given) = by_procedure.entry(code.clone()).or_insert_with(|| {
                let summary = RatingSummary {
                    procedure_code: code,
                    procedure_name: name,
                    count: 0,
                    average_score: None,
                    not_satisfied: 0,
                    satisfied: 0,
                    very_satisfied: 0,
                };
                (summary, 0, 0)
            });
            summary.count += 1;
            match RatingVerdict::parse(&verdict) {
                Some(RatingVerdict::NotSatisfied) => summary.not_satisfied += 1,
                Some(RatingVerdict::Satisfied) => summary.satisfied += 1,
                Some(RatingVerdict::VerySatisfied) => summary.very_satisfied += 1,
                None => {}
            }
            let scores: BTreeMap<String, u8> = serde_json::from_str(&scores).unwrap_or_default();
            *points += scores.values().map(|&s| u64::from(s)).sum::<u64>();
            *given += scores.len() as u64;
        }
        let mut summaries: Vec<RatingSummary> = by_procedure
            .into_values()
            .map(|(summary, points, given)| RatingSummary {
                average_score: (given > 0).then(|| points as f64 / given as f64),
                ..summary
            })
            .collect();
        summaries.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.procedure_code.cmp(&b.procedure_code)));
        Ok(summaries)
    }

    /// The officer attaches the result document (by its name), issued once (its date and id
    /// stay, so its PDF and signature never change); the change takes the next `seq`.
    pub fn attach_result(&self, code: &str, name: &str, pdf: Option<&[u8]>) -> Result<DossierView, ApiError> {
        self.change(code, |tx, id, at| {
            tx.prepare_cached("UPDATE dossier SET result_name = ?2 WHERE id = ?1")?.execute(params![id, name])?;
            let number = bump(tx, "result")?;
            tx.prepare_cached(
                "INSERT INTO dossier_result (dossier_id, result_id, name, issued_at, pdf) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(dossier_id) DO UPDATE SET name = excluded.name, pdf = coalesce(excluded.pdf, pdf)",
            )?
            .execute(params![id, format!("KQ-H19-{number:04}"), name, at, pdf])?;
            Ok(())
        })
    }

    fn change(
        &self,
        code: &str,
        apply: impl FnOnce(&Transaction<'_>, &str, &str) -> rusqlite::Result<()>,
    ) -> Result<DossierView, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: String = tx
            .prepare_cached("SELECT id FROM dossier WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?
            .ok_or_else(|| ApiError::not_found("dossier"))?;
        let at = rfc3339(vietnam_now());
        apply(&tx, &id, &at)?;
        let seq = next_seq(&tx)?;
        tx.prepare_cached("UPDATE dossier SET seq = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, seq as i64, at])?;
        let view = view(&tx, &id, seq)?;
        tx.commit()?;
        Ok(view)
    }

    /// The newest dossiers first, for the officer console.
    pub fn officer_list(&self, limit: u32) -> rusqlite::Result<Vec<OfficerRow>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT d.code, d.procedure_code, d.procedure_name, d.fields_json, d.status, d.updated_at,
                    d.result_name,
                    (SELECT message FROM dossier_event e WHERE e.dossier_id = d.id ORDER BY e.id DESC LIMIT 1)
             FROM dossier d ORDER BY d.created_at DESC, d.seq DESC LIMIT ?1",
        )?;
        stmt.query_map([limit], |r| {
            let fields: String = r.get(3)?;
            let applicant_name = serde_json::from_str::<BTreeMap<String, String>>(&fields)
                .ok()
                .and_then(|f| f.get("ho_ten").or_else(|| f.get("ten_to_chuc")).cloned());
            Ok(OfficerRow {
                code: r.get(0)?,
                procedure_code: r.get(1)?,
                procedure_name: r.get(2)?,
                applicant_name,
                status: parse_status(&r.get::<_, String>(4)?)?,
                updated_at: r.get(5)?,
                result_name: r.get(6)?,
                last_message: r.get(7)?,
            })
        })?
        .collect()
    }

    /// One dossier, whole, for the officer (by its code).
    pub fn officer_dossier(&self, code: &str) -> rusqlite::Result<Option<OfficerDossier>> {
        let db = self.db();
        let row = db
            .prepare_cached(
                "SELECT id, code, procedure_code, procedure_name, applicant, status, fields_json, attachments_json,
                        result_name, created_at, updated_at FROM dossier WHERE code = ?1",
            )?
            .query_row([code], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                ))
            })
            .optional()?;
        let Some((
            id,
            code,
            procedure_code,
            procedure_name,
            applicant,
            status,
            fields,
            attachments,
            result_name,
            created_at,
            updated_at,
        )) = row
        else {
            return Ok(None);
        };
        let rounds = db
            .prepare(
                "SELECT round, message, documents_json, deadline, requested_at, answered_at, attachments_json
                 FROM dossier_round WHERE dossier_id = ?1 ORDER BY round",
            )?
            .query_map([&id], |r| {
                Ok(OfficerRound {
                    round: r.get(0)?,
                    message: r.get(1)?,
                    documents: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
                    deadline: r.get(3)?,
                    requested_at: r.get(4)?,
                    answered_at: r.get(5)?,
                    attachments: r
                        .get::<_, Option<String>>(6)?
                        .and_then(|json| serde_json::from_str(&json).ok())
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let rating = db
            .prepare_cached("SELECT verdict, scores_json, comment, at FROM dossier_rating WHERE dossier_id = ?1")?
            .query_row([&id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?
            .and_then(|(verdict, scores, comment, at)| {
                Some(OfficerRating {
                    verdict: RatingVerdict::parse(&verdict)?,
                    scores: serde_json::from_str(&scores).unwrap_or_default(),
                    comment,
                    at,
                })
            });
        Ok(Some(OfficerDossier {
            timeline: timeline(&db, &id)?,
            status: parse_status(&status)?,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            attachments: serde_json::from_str(&attachments).unwrap_or_default(),
            dossier_id: id,
            code,
            procedure_code,
            procedure_name,
            applicant,
            rounds,
            result_name,
            rating,
            created_at,
            updated_at,
        }))
    }

    /// Effects per dossier id and per attachment; `intact` re-hashes the stored bytes.
    pub fn ledger(&self) -> rusqlite::Result<Ledger> {
        let db = self.db();
        let dossiers = db
            .prepare("SELECT dossier_id, creations FROM dossier_ledger")?
            .query_map([], |r| Ok((r.get(0)?, get_u64(r, 1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let rows = db
            .prepare(
                "SELECT a.sub, a.sha256, a.size, a.complete, a.stored,
                        (SELECT coalesce(sum(length(c.data)), 0) FROM resident_attachment_chunk c
                         WHERE c.sub = a.sub AND c.sha256 = a.sha256)
                 FROM resident_attachment a",
            )?
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    get_u64(r, 2)?,
                    r.get::<_, bool>(3)?,
                    get_u64(r, 4)?,
                    get_u64(r, 5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // By content, over all residents: how many uploads completed, what is held, and whether
        // every resident's copy is whole.
        let mut attachments: BTreeMap<String, AttachmentEffects> = BTreeMap::new();
        for (sub, sha256, size, complete, stored, bytes) in rows {
            let intact = complete && bytes == size && digest(&db, &sub, &sha256)? == sha256;
            let effects = attachments.entry(sha256).or_insert(AttachmentEffects { stored: 0, bytes: 0, intact: true });
            effects.stored += stored;
            effects.bytes += bytes;
            effects.intact &= intact;
        }
        let actions = db
            .prepare("SELECT action_id, effects FROM dossier_action_ledger")?
            .query_map([], |r| Ok((r.get(0)?, get_u64(r, 1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let submit_requests = self.submit_requests.load(std::sync::atomic::Ordering::Relaxed);
        Ok(Ledger { dossiers, attachments, actions, submit_requests })
    }
}

/// SQLite integers are i64; sizes, offsets and counters here are never negative.
fn get_u64(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<u64> {
    row.get::<_, i64>(index).map(|n| n.max(0) as u64)
}

fn upload(db: &Connection, sub: &str, sha256: &str) -> rusqlite::Result<Option<Upload>> {
    db.prepare_cached("SELECT received, complete FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2")?
        .query_row([sub, sha256], |r| {
            Ok(Upload { sha256: sha256.to_owned(), received: get_u64(r, 0)?, complete: r.get(1)? })
        })
        .optional()
}

/// The lowercase hex SHA-256 of `sub`'s stored chunks of an attachment, in order.
/// The content of `sub`'s completed upload `sha256`, with its content type (field reports cite
/// photos uploaded the same way as dossier attachments).
pub fn attachment_content(db: &Connection, sub: &str, sha256: &str) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    let content_type: Option<String> = db
        .prepare_cached("SELECT content_type FROM resident_attachment WHERE sub = ?1 AND sha256 = ?2 AND complete")?
        .query_row([sub, sha256], |r| r.get(0))
        .optional()?;
    let Some(content_type) = content_type else { return Ok(None) };
    let mut stmt =
        db.prepare_cached("SELECT data FROM resident_attachment_chunk WHERE sub = ?1 AND sha256 = ?2 ORDER BY offset")?;
    let mut content = Vec::new();
    let mut rows = stmt.query([sub, sha256])?;
    while let Some(row) = rows.next()? {
        content.extend_from_slice(row.get_ref(0)?.as_blob()?);
    }
    Ok(Some((content_type, content)))
}

fn digest(db: &Connection, sub: &str, sha256: &str) -> rusqlite::Result<String> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut stmt =
        db.prepare_cached("SELECT data FROM resident_attachment_chunk WHERE sub = ?1 AND sha256 = ?2 ORDER BY offset")?;
    let mut rows = stmt.query([sub, sha256])?;
    while let Some(row) = rows.next()? {
        ctx.update(row.get_ref(0)?.as_blob()?);
    }
    Ok(hex(ctx.finish().as_ref()))
}

fn timeline(db: &Connection, dossier_id: &str) -> rusqlite::Result<Vec<TimelineEntry>> {
    let mut stmt =
        db.prepare_cached("SELECT status, at, message FROM dossier_event WHERE dossier_id = ?1 ORDER BY id")?;
    stmt.query_map([dossier_id], |r| {
        Ok(TimelineEntry { status: parse_status(&r.get::<_, String>(0)?)?, at: r.get(1)?, message: r.get(2)? })
    })?
    .collect()
}

/// The dossier as its resident's feed shows it.
fn view(db: &Connection, id: &str, seq: u64) -> rusqlite::Result<DossierView> {
    let (code, procedure_code, status, result_name) = db
        .prepare_cached("SELECT code, procedure_code, status, result_name FROM dossier WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, parse_status(&r.get::<_, String>(2)?)?, r.get::<_, Option<String>>(3)?))
        })?;
    Ok(DossierView {
        dossier_id: id.to_owned(),
        code,
        procedure_code,
        status,
        seq,
        timeline: timeline(db, id)?,
        result: result_name.map(|name| ResultDoc { name, url: result_path(id) }),
        supplement: open_round(db, id, status)?,
        rating: rating_of(db, id)?,
    })
}

fn rating_of(db: &Connection, id: &str) -> rusqlite::Result<Option<RatingVerdict>> {
    Ok(db
        .prepare_cached("SELECT verdict FROM dossier_rating WHERE dossier_id = ?1")?
        .query_row([id], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|verdict| RatingVerdict::parse(&verdict)))
}

/// The latest round, while the dossier waits for it (asked for, not answered).
fn open_round(db: &Connection, id: &str, status: Status) -> rusqlite::Result<Option<SupplementRequest>> {
    if status != Status::NeedMoreDocuments {
        return Ok(None);
    }
    db.prepare_cached(
        "SELECT round, message, documents_json, deadline FROM dossier_round
         WHERE dossier_id = ?1 AND supplement_id IS NULL ORDER BY round DESC LIMIT 1",
    )?
    .query_row([id], |r| {
        Ok(SupplementRequest {
            round: r.get(0)?,
            message: r.get(1)?,
            documents: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
            deadline: r.get(3)?,
        })
    })
    .optional()
}

fn count_action(tx: &Transaction<'_>, action_id: &str, kind: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO dossier_action_ledger (action_id, kind, effects) VALUES (?1, ?2, 1)
         ON CONFLICT(action_id) DO UPDATE SET effects = effects + 1",
    )?
    .execute(params![action_id, kind])?;
    Ok(())
}

fn parse_status(text: &str) -> rusqlite::Result<Status> {
    portal_status(text)
        .ok_or_else(|| rusqlite::Error::InvalidColumnType(0, text.to_owned(), rusqlite::types::Type::Text))
}

fn next_seq(tx: &Connection) -> rusqlite::Result<u64> {
    tx.prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM dossier")?.query_row([], |r| get_u64(r, 0))
}

/// Takes the next number of a counter.
fn bump(tx: &Connection, name: &str) -> rusqlite::Result<u64> {
    tx.prepare_cached(
        "INSERT INTO dossier_counter (name, value) VALUES (?1, 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
    )?
    .query_row([name], |r| get_u64(r, 0))
}

pub fn result_path(dossier_id: &str) -> String {
    format!("/api/v1/dossiers/{dossier_id}/result")
}

/// `days` working days (Monday to Friday) after `from`, at the end of the working day.
fn due(from: DateTime<FixedOffset>, days: u32) -> DateTime<FixedOffset> {
    let mut date = from.date_naive();
    let mut left = days;
    while left > 0 {
        date += TimeDelta::days(1);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date.and_time(END_OF_DAY).and_local_timezone(*from.offset()).single().unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_due_after_working_days() {
        let friday = DateTime::parse_from_rfc3339("2026-11-27T10:00:00+07:00").expect("valid");
        assert_eq!(rfc3339(due(friday, 1)), "2026-11-30T17:00:00+07:00");
        assert_eq!(rfc3339(due(friday, 5)), "2026-12-04T17:00:00+07:00");
        assert_eq!(rfc3339(due(friday, 0)), "2026-11-27T17:00:00+07:00");
    }
}
