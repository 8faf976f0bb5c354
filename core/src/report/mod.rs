//! Field reports (phản ánh hiện trường) on the phone: what a resident sees on the street, sent
//! with photos and the place to the city's operations centre (IOC), followed to the answer and
//! rated once.
//!
//! A draft is kept in `user.db` with its text, place and address note sealed (they say where
//! the resident was), its photos normalised ([`photo`]) and sealed in the same file store as
//! dossier attachments. Submitting and rating go through an outbox of their own entries, each
//! under a permanent id (the report's, the rating's), flushed by [`crate::sync`] the same way as
//! dossiers: at-least-once delivery, the portal deduplicating. Every row belongs to the resident
//! who made it ([`crate::owner`]).

#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixture;
pub mod handle;
pub mod photo;

use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
pub use smarthd_model::report::{
    CommuneArea, GeoPoint, MAX_REPORT_PHOTOS, MAX_REPORT_TEXT, NewReport, PhotoLink, PublicReport, RejectReason,
    ReportAnswer, ReportCategory, ReportState, ReportStatus, ReportVerdict, ReportView, Urgency,
};

use crate::error::{Error, Result};
use crate::owner::Owner;
use crate::store::UserDb;
use crate::vault::Vault;

/// The lists the portal publishes for reports, by their names in `catalog.db`.
pub const CATEGORIES_LIST: &str = "report_categories";
pub const AREAS_LIST: &str = "report_areas";
/// Longest address note, in characters.
pub const MAX_ADDRESS_NOTE: usize = 500;

const SEALED_WRITTEN: &str = "report-written";
/// Where a report may still be changed: a draft, or one the portal refused.
const EDITABLE: &str = "status IN ('draft', 'failed')";
const SEALED_VIEW: &str = "report-view";

/// A new report as the resident writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDraft {
    pub category: String,
    pub text: String,
    pub location: GeoPoint,
    /// "Trước số nhà 12 ...": helps the agency find the place; never published.
    pub address_note: Option<String>,
    pub urgency: Urgency,
    /// Whether the handling agency may see who reported (the IOC always can).
    pub share_identity: bool,
}

/// What the resident wrote, kept sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Written {
    text: String,
    location: GeoPoint,
    address_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportPhoto {
    pub sha256: String,
    pub size: u64,
}

/// A report as the resident follows it on the phone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The permanent id the phone gave it; the portal deduplicates on it.
    pub id: String,
    pub category: String,
    pub text: String,
    pub location: GeoPoint,
    pub address_note: Option<String>,
    /// The commune or ward the place falls in, found offline from the published boundaries.
    pub commune_code: Option<String>,
    pub urgency: Urgency,
    pub share_identity: bool,
    pub photos: Vec<ReportPhoto>,
    pub state: ReportState,
    /// The portal's code ("PA-2026-000123") once received.
    pub code: Option<String>,
    /// Why it is not moving or was refused, Vietnamese and English.
    pub problem: Option<String>,
    /// The IOC's promised deadlines (RFC 3339).
    pub accept_by: Option<String>,
    pub handle_by: Option<String>,
    pub agency: Option<String>,
    /// Why the operations centre refused it, and its note (the original of a duplicate, where
    /// an out-of-scope report goes), as it wrote it.
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    pub answer: Option<ReportAnswer>,
    /// The resident's verdict on the answer, once the portal has it.
    pub verdict: Option<ReportVerdict>,
    /// A verdict given on the phone, not yet delivered.
    pub rating_queued: Option<ReportVerdict>,
    pub created_at: String,
    pub updated_at: String,
}

impl Report {
    /// The report as the portal takes it (`POST /api/v1/reports`).
    pub fn to_new_report(&self) -> NewReport {
        NewReport {
            report_id: self.id.clone(),
            category: self.category.clone(),
            text: self.text.clone(),
            location: self.location,
            address_note: self.address_note.clone(),
            urgency: self.urgency,
            share_identity: self.share_identity,
            photos: self.photos.iter().map(|p| p.sha256.clone()).collect(),
        }
    }
}

/// What one sync did with the resident's reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportSyncReport {
    /// Reports and ratings the portal received in this sync.
    pub sent: u32,
    /// Refused for good (the reason is kept beside the report).
    pub failed: u32,
    /// The resident's entries still waiting to be sent.
    pub pending: u32,
    /// Reports whose progress changed at the operations centre.
    pub status_changes: u32,
    /// Nothing could be sent: the resident must log in.
    pub needs_login: bool,
}

/// What an outbox entry delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Submit,
    Rating { rating_id: String, verdict: ReportVerdict },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub report_id: String,
    pub kind: EntryKind,
    pub attempts: u32,
}

/// Checks a draft against the published lists, offline; answers the commune the place is in.
/// An out-of-scope category (complaints, denunciations) is refused with where it goes instead.
pub fn check_draft(draft: &ReportDraft, categories: &[ReportCategory], areas: &[CommuneArea]) -> Result<String> {
    let invalid = |field: &str, reason: String| Error::Validation { field: field.into(), reason };
    if categories.is_empty() {
        return Err(invalid(
            "category",
            "chưa tải danh mục lĩnh vực, hãy kết nối mạng một lần / the categories are not downloaded yet: connect \
             once"
                .into(),
        ));
    }
    let category = categories.iter().find(|c| c.code == draft.category).ok_or_else(|| {
        let codes: Vec<&str> = categories.iter().filter(|c| c.in_scope).map(|c| c.code.as_str()).collect();
        invalid(
            "category",
            format!(
                "không có lĩnh vực {:?}; các lĩnh vực / no such category; categories: {}",
                draft.category,
                codes.join(", ")
            ),
        )
    })?;
    if !category.in_scope {
        return Err(invalid(
            "category",
            format!(
                "{} không tiếp nhận qua phản ánh hiện trường; gửi tới / is not taken as a field report; send it to: {}",
                category.name,
                category.goes_to.as_deref().unwrap_or("-")
            ),
        ));
    }
    let text = draft.text.trim();
    if text.is_empty() || text.chars().count() > MAX_REPORT_TEXT {
        return Err(invalid(
            "text",
            format!("nội dung từ 1 đến {MAX_REPORT_TEXT} ký tự / the text takes 1 to {MAX_REPORT_TEXT} characters"),
        ));
    }
    if draft.address_note.as_ref().is_some_and(|note| note.chars().count() > MAX_ADDRESS_NOTE) {
        return Err(invalid(
            "address_note",
            format!("ghi chú địa chỉ tối đa {MAX_ADDRESS_NOTE} ký tự / at most {MAX_ADDRESS_NOTE} characters"),
        ));
    }
    if !draft.location.is_valid() {
        return Err(invalid("location", "vĩ độ, kinh độ không hợp lệ / not a valid latitude and longitude".into()));
    }
    let commune = smarthd_model::report::locate(areas, draft.location)
        .ok_or_else(|| invalid("location", "vị trí ngoài địa bàn thành phố / the place is outside the city".into()))?;
    Ok(commune.code.clone())
}

fn now() -> String {
    crate::catalog::now()
}

fn encoding(source: serde_json::Error) -> Error {
    Error::Encoding { what: "report", source }
}

fn not_found(id: &str) -> Error {
    Error::NotFound(format!("report {id}"))
}

/// The stored columns [`Reports::row`] reads, in order.
const COLUMNS: &str = "id, category, sealed, commune_code, urgency, share_identity, status, code, problem, remote, \
                       verdict, created_at, updated_at, \
                       (SELECT verdict FROM report_outbox WHERE report_id = report.id AND kind = 'rating')";

pub struct Reports {
    db: UserDb,
    vault: Arc<Vault>,
}

impl Reports {
    pub fn new(db: UserDb, vault: Arc<Vault>) -> Reports {
        Reports { db, vault }
    }

    /// Keeps a new draft for `owner`; `commune_code` comes from [`check_draft`].
    pub fn create(&self, owner: &Owner, draft: &ReportDraft, commune_code: &str) -> Result<Report> {
        let id = crate::dossier::new_id();
        self.write_draft(
            "INSERT INTO report (id, owner, category, sealed, commune_code, urgency, share_identity, status,
                                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?8)",
            owner,
            &id,
            draft,
            commune_code,
            |_| Ok(()),
        )?;
        self.get(owner, &id)
    }

    /// Replaces what a draft (or a refused report) says.
    pub fn update(&self, owner: &Owner, id: &str, draft: &ReportDraft, commune_code: &str) -> Result<Report> {
        self.editable(owner, id)?;
        self.write_draft(
            "UPDATE report SET category = ?3, sealed = ?4, commune_code = ?5, urgency = ?6, share_identity = ?7,
                               updated_at = ?8
             WHERE id = ?1 AND owner = ?2",
            owner,
            id,
            draft,
            commune_code,
            |tx| still_editable(tx, owner, id),
        )?;
        self.get(owner, id)
    }

    /// Runs `sql` (a new draft or its replacement) durably, with the draft as its parameters:
    /// id, owner, category, the sealed text and place, commune, urgency, identity shared, time.
    /// `check` runs first, in the same transaction.
    fn write_draft(
        &self,
        sql: &str,
        owner: &Owner,
        id: &str,
        draft: &ReportDraft,
        commune_code: &str,
        check: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let written = self.seal_written(draft)?;
        self.db.durably(|tx| {
            check(tx)?;
            tx.execute(
                sql,
                params![
                    id,
                    owner.tag(),
                    draft.category,
                    written,
                    commune_code,
                    draft.urgency.as_str(),
                    draft.share_identity,
                    now()
                ],
            )?;
            Ok(())
        })
    }

    fn seal_written(&self, draft: &ReportDraft) -> Result<Vec<u8>> {
        let written = Written {
            text: draft.text.trim().to_owned(),
            location: draft.location,
            address_note: draft.address_note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
        };
        self.vault.seal(SEALED_WRITTEN, &serde_json::to_vec(&written).map_err(encoding)?)
    }

    /// Adds a photo already kept in the file store (by its digest); the same photo twice is one.
    pub fn add_photo(&self, owner: &Owner, id: &str, sha256: &str, size: u64) -> Result<Report> {
        self.editable(owner, id)?;
        self.db.durably(|tx| {
            still_editable(tx, owner, id)?;
            let (count, known): (u32, bool) = tx.query_row(
                "SELECT count(*), coalesce(sum(sha256 = ?2), 0) > 0 FROM report_photo WHERE report_id = ?1",
                params![id, sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if !known {
                if count as usize >= MAX_REPORT_PHOTOS {
                    return Err(Error::Validation {
                        field: "photo".into(),
                        reason: format!("tối đa {MAX_REPORT_PHOTOS} ảnh / at most {MAX_REPORT_PHOTOS} photos"),
                    });
                }
                tx.execute(
                    "INSERT INTO report_photo (report_id, position, sha256, size, owner)
                     VALUES (?1, (SELECT coalesce(max(position), -1) + 1 FROM report_photo WHERE report_id = ?1),
                             ?2, ?3, ?4)",
                    params![id, sha256, size as i64, owner.tag()],
                )?;
                tx.execute("UPDATE report SET updated_at = ?2 WHERE id = ?1", params![id, now()])?;
            }
            Ok(())
        })?;
        self.get(owner, id)
    }

    /// Takes a photo off the report; its file is listed in `file_to_remove`.
    pub fn remove_photo(&self, owner: &Owner, id: &str, sha256: &str) -> Result<Report> {
        self.editable(owner, id)?;
        self.db.durably(|tx| {
            still_editable(tx, owner, id)?;
            let removed =
                tx.execute("DELETE FROM report_photo WHERE report_id = ?1 AND sha256 = ?2", params![id, sha256])?;
            if removed == 0 {
                return Err(Error::NotFound(format!("photo {sha256}")));
            }
            tx.execute("INSERT OR IGNORE INTO file_to_remove (sha256) VALUES (?1)", [sha256])?;
            Ok(())
        })?;
        self.get(owner, id)
    }

    /// Queues the report in the outbox in one transaction committed with `synchronous=FULL`: once
    /// this returns, the report survives a crash or a power cut and is sent by the next sync.
    pub fn submit(&self, owner: &Owner, id: &str) -> Result<Report> {
        self.editable(owner, id)?;
        self.db.durably(|tx| {
            // Checked in the transaction that queues: a submit or a photo removed meanwhile
            // (another thread, another process) is seen.
            still_editable(tx, owner, id)?;
            let photos: i64 = tx
                .prepare_cached("SELECT count(*) FROM report_photo WHERE report_id = ?1")?
                .query_row([id], |r| r.get(0))?;
            if photos == 0 {
                return Err(Error::Validation {
                    field: "photo".into(),
                    reason: "cần ít nhất 1 ảnh hiện trường / at least one photo of the place is needed".into(),
                });
            }
            tx.execute(
                "UPDATE report SET status = 'queued', problem = NULL, updated_at = ?3 WHERE id = ?1 AND owner = ?2",
                params![id, owner.tag(), now()],
            )?;
            tx.execute(
                "INSERT INTO report_outbox (report_id, kind, owner) VALUES (?1, 'submit', ?2)",
                params![id, owner.tag()],
            )?;
            Ok(())
        })?;
        self.get(owner, id)
    }

    /// Queues the resident's verdict on the answer, once, under its own permanent id.
    pub fn rate(&self, owner: &Owner, id: &str, verdict: ReportVerdict) -> Result<Report> {
        self.db.durably(|tx| {
            // Read in the transaction that queues the verdict: a rating queued meanwhile (another
            // thread, another process) is seen.
            let report = self.read(tx, owner, id)?;
            if report.state != ReportState::Handled {
                return Err(Error::Validation {
                    field: "verdict".into(),
                    reason: format!(
                        "chỉ đánh giá khi đã có trả lời / a report is rated once it is answered ({})",
                        report.state.labels().0
                    ),
                });
            }
            if report.verdict.is_some() || report.rating_queued.is_some() {
                return Err(Error::Validation {
                    field: "verdict".into(),
                    reason: "phản ánh này đã được đánh giá / this report was already rated".into(),
                });
            }
            tx.execute(
                "INSERT INTO report_outbox (report_id, kind, action_id, verdict, owner) VALUES (?1, 'rating', ?2, ?3, ?4)",
                params![id, crate::dossier::new_id(), verdict.as_str(), owner.tag()],
            )?;
            Ok(())
        })?;
        self.get(owner, id)
    }

    /// Deletes a draft or a refused report: never one the portal holds. Its photos are listed in
    /// `file_to_remove`, for [`crate::dossier::Dossiers::remove_listed_files`].
    pub fn delete_draft(&self, owner: &Owner, id: &str) -> Result<()> {
        self.editable(owner, id)?;
        self.db.durably(|tx| {
            still_editable(tx, owner, id)?;
            tx.execute(
                "INSERT OR IGNORE INTO file_to_remove (sha256) SELECT sha256 FROM report_photo WHERE report_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM report WHERE id = ?1 AND owner = ?2", params![id, owner.tag()])?;
            Ok(())
        })
    }

    pub(crate) fn editable(&self, owner: &Owner, id: &str) -> Result<Report> {
        let report = self.get(owner, id)?;
        if !report.state.is_editable() {
            return Err(already_sent());
        }
        Ok(report)
    }

    /// One of `owner`'s reports; another resident's is not found.
    pub fn get(&self, owner: &Owner, id: &str) -> Result<Report> {
        self.read(&self.db.lock(), owner, id)
    }

    /// One of `owner`'s reports, read on `conn` (inside the caller's transaction, if any).
    fn read(&self, conn: &rusqlite::Connection, owner: &Owner, id: &str) -> Result<Report> {
        let row = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM report WHERE id = ?1 AND owner = ?2"),
                params![id, owner.tag()],
                Stored::read,
            )
            .optional()?
            .ok_or_else(|| not_found(id))?;
        let photos = photos(conn, id)?;
        self.open(row, photos)
    }

    /// `owner`'s reports, newest first.
    pub fn list(&self, owner: &Owner) -> Result<Vec<Report>> {
        let db = self.db.lock();
        let rows = db
            .prepare_cached(&format!("SELECT {COLUMNS} FROM report WHERE owner = ?1 ORDER BY created_at DESC, id"))?
            .query_map([owner.tag()], Stored::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut with_photos = Vec::with_capacity(rows.len());
        for row in rows {
            let photos = photos(&db, &row.id)?;
            with_photos.push((row, photos));
        }
        drop(db);
        with_photos.into_iter().map(|(row, photos)| self.open(row, photos)).collect()
    }

    fn open(&self, row: Stored, photos: Vec<ReportPhoto>) -> Result<Report> {
        let written: Written =
            serde_json::from_slice(&self.vault.open_sealed(SEALED_WRITTEN, &row.sealed)?).map_err(encoding)?;
        let view: Option<ReportView> = match &row.remote {
            Some(sealed) => {
                Some(serde_json::from_slice(&self.vault.open_sealed(SEALED_VIEW, sealed)?).map_err(encoding)?)
            }
            None => None,
        };
        let urgency = if row.urgency == "urgent" { Urgency::Urgent } else { Urgency::Normal };
        Ok(Report {
            id: row.id,
            category: row.category,
            text: written.text,
            location: written.location,
            address_note: written.address_note,
            commune_code: row.commune_code,
            urgency,
            share_identity: row.share_identity,
            photos,
            state: ReportState::parse(&row.status)
                .ok_or_else(|| Error::Internal(format!("unknown stored report state {:?}", row.status)))?,
            code: row.code,
            problem: row.problem,
            accept_by: view.as_ref().map(|v| v.accept_by.clone()),
            handle_by: view.as_ref().and_then(|v| v.handle_by.clone()),
            agency: view.as_ref().and_then(|v| v.agency.clone()),
            reject_reason: view.as_ref().and_then(|v| v.reject_reason),
            reject_note: view.as_ref().and_then(|v| v.reject_note.clone()),
            answer: view.as_ref().and_then(|v| v.answer.clone()),
            verdict: row.verdict.as_deref().and_then(ReportVerdict::parse),
            rating_queued: row.rating_queued.as_deref().and_then(ReportVerdict::parse),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    // --- the outbox, for sync ---

    /// `owner`'s entries due now (all of them when `force`), in the order they were queued.
    pub fn due(&self, owner: &Owner, now_unix: i64, force: bool) -> Result<Vec<OutboxEntry>> {
        let db = self.db.lock();
        let mut stmt = db.prepare_cached(
            "SELECT seq, report_id, kind, action_id, verdict, attempts FROM report_outbox
             WHERE owner = ?1 AND (?3 OR next_attempt_at <= ?2) ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![owner.tag(), now_unix, force], |r| {
            let kind: String = r.get(2)?;
            let rating = (r.get::<_, Option<String>>(3)?, r.get::<_, Option<String>>(4)?);
            Ok((r.get(0)?, r.get(1)?, kind, rating, r.get(5)?))
        })?;
        let mut due = Vec::new();
        for row in rows {
            let (seq, report_id, kind, rating, attempts) = row?;
            let kind = match (kind.as_str(), rating) {
                ("submit", _) => EntryKind::Submit,
                ("rating", (Some(rating_id), Some(verdict))) => EntryKind::Rating {
                    rating_id,
                    verdict: ReportVerdict::parse(&verdict)
                        .ok_or_else(|| Error::Internal(format!("unknown stored verdict {verdict:?}")))?,
                },
                (other, _) => return Err(Error::Internal(format!("unknown report outbox entry {other:?}"))),
            };
            due.push(OutboxEntry { seq, report_id, kind, attempts });
        }
        Ok(due)
    }

    /// The portal took the entry: it leaves the outbox in the same transaction that keeps the
    /// portal's answer (unless the status feed brought a newer step first).
    pub fn delivered(&self, owner: &Owner, entry: &OutboxEntry, view: &ReportView) -> Result<Delivery> {
        let sealed = self.vault.seal(SEALED_VIEW, &serde_json::to_vec(view).map_err(encoding)?)?;
        let state = ReportState::from(view.status);
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !take_off_outbox(&tx, entry)? {
            return Ok(Delivery::ByAnother);
        }
        // A submission's answer applies to a report still queued: the status feed may have
        // brought a newer step first (this answer was on its way, the entry backing off in
        // another process), which the older answer must not take back.
        let still_queued = if entry.kind == EntryKind::Submit { "AND status = 'queued'" } else { "" };
        let applied = tx.execute(
            &format!(
                "UPDATE report SET status = ?3, code = ?4, remote = ?5, verdict = ?6, problem = NULL, updated_at = ?7
                 WHERE id = ?1 AND owner = ?2 {still_queued}"
            ),
            params![
                entry.report_id,
                owner.tag(),
                state.as_str(),
                view.code,
                sealed,
                view.verdict.map(ReportVerdict::as_str),
                now()
            ],
        )?;
        tx.commit()?;
        Ok(if applied > 0 { Delivery::Applied(state) } else { Delivery::Overtaken })
    }

    /// The portal refused the entry for good: a submission goes back to the resident as failed,
    /// with the reason; a rating is dropped, with the reason beside the report. False when
    /// another sync took the entry off first (its answer stands).
    pub fn refused(&self, entry: &OutboxEntry, reason: &str) -> Result<bool> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !take_off_outbox(&tx, entry)? {
            return Ok(false);
        }
        match entry.kind {
            EntryKind::Submit => tx.execute(
                "UPDATE report SET status = 'failed', problem = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'queued'",
                params![entry.report_id, reason, now()],
            )?,
            EntryKind::Rating { .. } => tx.execute(
                "UPDATE report SET problem = ?2, updated_at = ?3 WHERE id = ?1",
                params![entry.report_id, reason, now()],
            )?,
        };
        tx.commit()?;
        Ok(true)
    }

    /// Not delivered this time: tried again at `next_attempt_at` (unix seconds). Nothing when
    /// another sync delivered it meanwhile (no stale "will retry" beside a delivered report).
    pub fn reschedule(&self, entry: &OutboxEntry, next_attempt_at: i64, reason: &str) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let still_queued = tx.execute(
            "UPDATE report_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE seq = ?1",
            params![entry.seq, next_attempt_at, reason],
        )? > 0;
        if still_queued && entry.kind == EntryKind::Submit {
            tx.execute("UPDATE report SET problem = ?2 WHERE id = ?1", params![entry.report_id, reason])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn pending_count(&self, owner: &Owner) -> Result<u32> {
        Ok(self
            .db
            .lock()
            .query_row("SELECT count(*) FROM report_outbox WHERE owner = ?1", [owner.tag()], |r| r.get(0))?)
    }

    // --- the reporter's feed ---

    pub fn cursor(&self, owner: &Owner) -> Result<u64> {
        Ok(self
            .db
            .lock()
            .query_row("SELECT cursor FROM feed_cursor WHERE owner = ?1 AND feed = 'reports'", [owner.tag()], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
            .unwrap_or(0) as u64)
    }

    /// Applies a page of the portal's feed and moves the cursor, in one transaction; answers the
    /// reports whose state changed. Reports this phone does not hold (sent from another phone)
    /// are left to that phone.
    pub fn apply_feed(
        &self,
        owner: &Owner,
        views: &[ReportView],
        next_since: u64,
    ) -> Result<Vec<(String, String, ReportState)>> {
        let mut sealed = Vec::with_capacity(views.len());
        for view in views {
            sealed.push(self.vault.seal(SEALED_VIEW, &serde_json::to_vec(view).map_err(encoding)?)?);
        }
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = Vec::new();
        for (view, sealed) in views.iter().zip(sealed) {
            let state = ReportState::from(view.status);
            let before: Option<String> = tx
                .query_row(
                    "SELECT status FROM report WHERE id = ?1 AND owner = ?2",
                    params![view.report_id, owner.tag()],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(before) = before else { continue };
            tx.execute(
                "UPDATE report SET status = ?3, code = ?4, remote = ?5, verdict = ?6, updated_at = ?7
                 WHERE id = ?1 AND owner = ?2",
                params![
                    view.report_id,
                    owner.tag(),
                    state.as_str(),
                    view.code,
                    sealed,
                    view.verdict.map(ReportVerdict::as_str),
                    now()
                ],
            )?;
            if before != state.as_str() {
                changed.push((view.report_id.clone(), view.code.clone(), state));
            }
        }
        tx.execute(
            "INSERT INTO feed_cursor (owner, feed, cursor) VALUES (?1, 'reports', ?2)
             ON CONFLICT (owner, feed) DO UPDATE SET cursor = max(cursor, ?2)",
            params![owner.tag(), next_since as i64],
        )?;
        tx.commit()?;
        Ok(changed)
    }

    /// After the data key changed: reports whose sealed text cannot be opened are kept aside,
    /// still sealed, and taken out of the outbox; the rows stay, marked, so nothing vanishes.
    pub fn keep_aside_unreadable(&self) -> Result<u32> {
        let blank = self.vault.seal(
            SEALED_WRITTEN,
            &serde_json::to_vec(&Written {
                text: String::new(),
                location: GeoPoint { lat: 0.0, lon: 0.0 },
                address_note: None,
            })
            .map_err(encoding)?,
        )?;
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let rows: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = tx
            .prepare("SELECT id, sealed, remote FROM report")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut kept = 0;
        for (id, sealed, remote) in rows {
            if self.vault.open_sealed(SEALED_WRITTEN, &sealed).is_ok() {
                continue;
            }
            crate::store::keep_aside(&tx, "report.sealed", &id, &sealed)?;
            if let Some(remote) = remote {
                crate::store::keep_aside(&tx, "report.remote", &id, &remote)?;
            }
            // A report not sent yet cannot be: its text is gone. It fails, to be written again; a
            // rating waiting to go stays (its verdict is not sealed).
            tx.execute("DELETE FROM report_outbox WHERE report_id = ?1 AND kind = 'submit'", [&id])?;
            tx.execute(
                "UPDATE report SET sealed = ?2, remote = NULL, problem = ?3,
                    status = CASE WHEN status IN ('draft', 'queued', 'failed') THEN 'failed' ELSE status END
                 WHERE id = ?1",
                params![
                    id,
                    blank,
                    "nội dung không đọc được sau khi đổi khoá, hãy viết lại / the contents could not be read after \
                     the data key changed; write it again"
                ],
            )?;
            kept += 1;
        }
        tx.commit()?;
        Ok(kept)
    }
}

/// Checks, in the transaction that changes the report, that it may still be changed: a
/// submit (or a deletion) by another thread or process in between is seen.
fn still_editable(tx: &rusqlite::Transaction<'_>, owner: &Owner, id: &str) -> Result<()> {
    let editable: Option<bool> = tx
        .prepare_cached(&format!("SELECT {EDITABLE} FROM report WHERE id = ?1 AND owner = ?2"))?
        .query_row(params![id, owner.tag()], |r| r.get(0))
        .optional()?;
    match editable {
        Some(true) => Ok(()),
        Some(false) => Err(already_sent()),
        None => Err(not_found(id)),
    }
}

fn already_sent() -> Error {
    Error::Validation {
        field: "status".into(),
        reason: "phản ánh đã được gửi, không sửa được nữa / the report was already sent and can no longer be changed"
            .into(),
    }
}

fn photos(db: &rusqlite::Connection, id: &str) -> Result<Vec<ReportPhoto>> {
    let mut stmt = db.prepare_cached("SELECT sha256, size FROM report_photo WHERE report_id = ?1 ORDER BY position")?;
    let photos = stmt
        .query_map([id], |r| Ok(ReportPhoto { sha256: r.get(0)?, size: r.get::<_, i64>(1)? as u64 }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(photos)
}

/// A `report` row as stored (sealed parts still sealed).
struct Stored {
    id: String,
    category: String,
    sealed: Vec<u8>,
    commune_code: Option<String>,
    urgency: String,
    share_identity: bool,
    status: String,
    code: Option<String>,
    problem: Option<String>,
    remote: Option<Vec<u8>>,
    verdict: Option<String>,
    created_at: String,
    updated_at: String,
    rating_queued: Option<String>,
}

impl Stored {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            id: r.get(0)?,
            category: r.get(1)?,
            sealed: r.get(2)?,
            commune_code: r.get(3)?,
            urgency: r.get(4)?,
            share_identity: r.get(5)?,
            status: r.get(6)?,
            code: r.get(7)?,
            problem: r.get(8)?,
            remote: r.get(9)?,
            verdict: r.get(10)?,
            created_at: r.get(11)?,
            updated_at: r.get(12)?,
            rating_queued: r.get(13)?,
        })
    }
}

/// What became of an entry the portal took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Another sync took the entry off first, with its own answer.
    ByAnother,
    /// Off the outbox; its answer set the report's state.
    Applied(ReportState),
    /// Off the outbox; the status feed had brought the report further already (and told of it).
    Overtaken,
}

/// Takes `entry` off the report outbox; false when another sync took it off first.
fn take_off_outbox(tx: &rusqlite::Transaction<'_>, entry: &OutboxEntry) -> Result<bool> {
    Ok(tx.execute("DELETE FROM report_outbox WHERE seq = ?1", [entry.seq])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(code: &str, in_scope: bool) -> ReportCategory {
        ReportCategory {
            code: code.into(),
            name: format!("Lĩnh vực {code}"),
            name_en: code.into(),
            agency: "UBND".into(),
            in_scope,
            goes_to: (!in_scope).then(|| "Ban Tiếp công dân".into()),
            target_hours: 16,
        }
    }

    fn area() -> CommuneArea {
        CommuneArea {
            code: "10507".into(),
            name: "Phường Hải Dương".into(),
            ring: vec![[106.30, 20.90], [106.34, 20.90], [106.34, 20.94], [106.30, 20.94]],
        }
    }

    fn draft(category: &str, lat: f64) -> ReportDraft {
        ReportDraft {
            category: category.into(),
            text: "  Ổ gà trước chợ  ".into(),
            location: GeoPoint { lat, lon: 106.32 },
            address_note: None,
            urgency: Urgency::Normal,
            share_identity: false,
        }
    }

    /// Two syncs sent the same report (the app's and the CLI's): one answer lands, the feed then
    /// moves the report on, and the other, older answer lands last. It changes nothing.
    #[test]
    fn an_answer_applied_by_another_sync_first_is_not_undone_by_a_late_one() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(Vault::from_key(&[3; 32]));
        let reports = Reports::new(UserDb::open(dir.path()).unwrap(), vault.clone());
        let owner = Owner::of(&vault, "resident");
        let report = reports.create(&owner, &draft("giao-thong", 20.92), "10507").unwrap();
        // As `submit` queues it (its photo checks aside).
        reports
            .db
            .lock()
            .execute_batch(&format!(
                "UPDATE report SET status = 'queued'; INSERT INTO report_outbox (report_id, kind, owner) VALUES ('{}', 'submit', '{}')",
                report.id,
                owner.tag()
            ))
            .unwrap();
        let entry = reports.due(&owner, i64::MAX, true).unwrap().remove(0);
        let view = |status, seq| ReportView {
            report_id: report.id.clone(),
            code: "PA-2026-000001".into(),
            status,
            category: "giao-thong".into(),
            commune_code: Some("10507".into()),
            urgency: Urgency::Normal,
            created_at: "2026-12-06T10:00:00+07:00".into(),
            accept_by: "2026-12-07T10:00:00+07:00".into(),
            handle_by: None,
            agency: None,
            reject_reason: None,
            reject_note: None,
            answer: None,
            verdict: None,
            seq,
        };
        let state = |reports: &Reports| reports.get(&owner, &report.id).unwrap();
        // The feed first (this answer on its way, the entry backing off in the other process):
        // the answer then takes the entry off and changes nothing else.
        reports.apply_feed(&owner, &[view(ReportStatus::Accepted, 2)], 2).unwrap();
        assert_eq!(reports.delivered(&owner, &entry, &view(ReportStatus::Waiting, 1)).unwrap(), Delivery::Overtaken);
        assert_eq!(state(&reports).state, ReportState::Accepted);
        assert!(reports.due(&owner, i64::MAX, true).unwrap().is_empty(), "delivered: off the outbox");
        // Queued again, as at first: the answer first, then the feed.
        reports
            .db
            .lock()
            .execute_batch(&format!(
                "UPDATE report SET status = 'queued';
                 INSERT INTO report_outbox (seq, report_id, kind, owner) VALUES ({}, '{}', 'submit', '{}')",
                entry.seq,
                report.id,
                owner.tag()
            ))
            .unwrap();
        assert_eq!(
            reports.delivered(&owner, &entry, &view(ReportStatus::Waiting, 1)).unwrap(),
            Delivery::Applied(ReportState::Waiting)
        );
        reports.apply_feed(&owner, &[view(ReportStatus::Accepted, 3)], 3).unwrap();

        assert_eq!(reports.delivered(&owner, &entry, &view(ReportStatus::Waiting, 1)).unwrap(), Delivery::ByAnother);
        assert_eq!(state(&reports).state, ReportState::Accepted, "the late answer does not undo the feed's step");
        reports.reschedule(&entry, 99, "mất kết nối / no connection").unwrap();
        assert!(!reports.refused(&entry, "từ chối / refused").unwrap());
        assert_eq!((state(&reports).state, state(&reports).problem), (ReportState::Accepted, None));
    }

    #[test]
    fn a_draft_is_placed_in_its_commune_and_bad_ones_are_refused_with_the_reason() {
        let categories = [category("giao-thong", true), category("khieu-nai", false)];
        let areas = [area()];
        assert_eq!(check_draft(&draft("giao-thong", 20.92), &categories, &areas).unwrap(), "10507");
        let refused = |d: ReportDraft| match check_draft(&d, &categories, &areas) {
            Err(Error::Validation { field, reason }) => (field, reason),
            other => panic!("{other:?}"),
        };
        let (field, reason) = refused(draft("khieu-nai", 20.92));
        assert_eq!(field, "category");
        assert!(reason.contains("Ban Tiếp công dân"), "says where it goes: {reason}");
        assert_eq!(refused(draft("giao-thong", 21.5)).0, "location");
        assert_eq!(refused(draft("giao-thong", f64::NAN)).0, "location");
        assert_eq!(refused(draft("no-such", 20.92)).0, "category");
        assert_eq!(refused(ReportDraft { text: " ".into(), ..draft("giao-thong", 20.92) }).0, "text");
        let long = "a".repeat(MAX_REPORT_TEXT + 1);
        assert_eq!(refused(ReportDraft { text: long, ..draft("giao-thong", 20.92) }).0, "text");
        assert_eq!(
            check_draft(&draft("giao-thong", 20.92), &[], &areas).unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
    }
}
