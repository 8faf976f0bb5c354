//! The reports' tables: one row per report under the phone's permanent id (the dedup record,
//! committed with the ledger count in one transaction), its photos copied out of the reporter's
//! uploads, a change counter for the reporters' feed, the ratings, and the ledger tests read.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use smarthd_model::report::{
    GeoPoint, NewReport, PhotoLink, PublicReport, RejectReason, ReportAnswer, ReportStatus, ReportVerdict, ReportView,
    Urgency,
};
use smarthd_model::workcal::vietnam;

use crate::api_error::ApiError;
use crate::identity::CITIZENS;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS report (
    report_id TEXT PRIMARY KEY,              -- the phone's permanent id: the dedup key
    code TEXT NOT NULL UNIQUE,               -- PA-YYYY-NNNNNN
    sub TEXT NOT NULL,                       -- the reporter: shown to the IOC only
    content_hash TEXT NOT NULL,              -- what was sent first, to tell a replay from a reuse
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    commune_code TEXT,
    address_note TEXT,
    urgency TEXT NOT NULL,
    share_identity INTEGER NOT NULL,
    photos TEXT NOT NULL,                    -- JSON array of SHA-256
    status TEXT NOT NULL,
    reject_reason TEXT,
    reject_note TEXT,
    agency TEXT,
    answer TEXT,
    answer_photos TEXT,                      -- JSON array of SHA-256
    answered_at TEXT,
    created_at TEXT NOT NULL,
    accept_by TEXT NOT NULL,
    handle_by TEXT,
    updated_at TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS report_by_sub ON report (sub, seq);
CREATE TABLE IF NOT EXISTS report_photo (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
-- Which report shows which photo (its own or its answer's): the public sees a photo only
-- through a handled report.
CREATE TABLE IF NOT EXISTS report_photo_ref (
    report_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);
CREATE TABLE IF NOT EXISTS report_counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS report_rating (
    report_id TEXT PRIMARY KEY,
    rating_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    at TEXT NOT NULL
);
-- The IOC's steps on each report (its timeline after the submission), with the officer who took them.
CREATE TABLE IF NOT EXISTS report_event (
    report_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    officer TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);
CREATE TABLE IF NOT EXISTS report_ledger (
    id TEXT PRIMARY KEY,                     -- a report id, or a rating id
    effects INTEGER NOT NULL
);
";

/// A new report, checked by the routes: its commune found, its photos read and checked.
pub struct Incoming<'a> {
    pub report: &'a NewReport,
    pub sub: &'a str,
    pub commune_code: Option<&'a str>,
    pub content_hash: &'a str,
    /// (sha256, JPEG bytes)
    pub photos: Vec<(String, Vec<u8>)>,
    pub now: DateTime<Utc>,
    pub accept_by: DateTime<Utc>,
}

pub struct Stored {
    /// False when this answer replays the first one.
    pub created: bool,
    pub view: ReportView,
}

/// A report as the IOC handles it: everything, the reporter included.
#[derive(Debug, Clone, Serialize)]
pub struct IocReport {
    #[serde(flatten)]
    pub view: ReportView,
    pub text: String,
    pub location: GeoPoint,
    pub address_note: Option<String>,
    pub photos: Vec<PhotoLink>,
    /// The reporter's account; `None` in the agency's view unless the reporter allowed it.
    pub reporter: Option<String>,
    /// The reporter's name and phone as VNeID holds them, shown with `reporter` only.
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub share_identity: bool,
    pub overdue: bool,
    /// The submission, then every IOC step, oldest first.
    pub timeline: Vec<Step>,
}

/// One entry of a report's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: String,
    /// The status the report took.
    pub status: ReportStatus,
    /// The reason of a refusal, the agency assigned, or the answer's text.
    pub detail: Option<String>,
    /// The officer who took the step; `None` for the submission.
    pub officer: Option<String>,
}

/// What an IOC action does.
pub enum Action<'a> {
    Accept { handle_by: DateTime<Utc> },
    Reject { reason: RejectReason, note: Option<&'a str> },
    Assign { agency: &'a str },
    Answer { message: &'a str, photos: Vec<(String, Vec<u8>)> },
}

#[derive(Debug, Serialize)]
pub struct Ledger {
    /// Effects per report id and rating id: exactly once means 1 each.
    pub effects: BTreeMap<String, u64>,
}

pub struct Store {
    db: Mutex<Connection>,
}

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

pub fn photo_url(sha256: &str) -> String {
    format!("api/v1/reports/photos/{sha256}")
}

fn links(json: Option<String>) -> Vec<PhotoLink> {
    let shas: Vec<String> = json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default();
    shas.into_iter().map(|sha256| PhotoLink { url: photo_url(&sha256), sha256 }).collect()
}

fn bad_column(column: usize, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown value {text:?}").into(),
    )
}

const VIEW_COLUMNS: &str = "report_id, code, status, category, commune_code, urgency, created_at, accept_by, handle_by,
     agency, reject_reason, reject_note, answer, answer_photos, answered_at, seq,
     (SELECT verdict FROM report_rating WHERE report_rating.report_id = report.report_id)";

fn view(r: &Row<'_>) -> rusqlite::Result<ReportView> {
    let status: String = r.get(2)?;
    let urgency: String = r.get(5)?;
    let reason: Option<String> = r.get(10)?;
    let agency: Option<String> = r.get(9)?;
    let answer: Option<String> = r.get(12)?;
    let answered_at: Option<String> = r.get(14)?;
    let verdict: Option<String> = r.get(16)?;
    Ok(ReportView {
        report_id: r.get(0)?,
        code: r.get(1)?,
        status: ReportStatus::parse(&status).ok_or_else(|| bad_column(2, &status))?,
        category: r.get(3)?,
        commune_code: r.get(4)?,
        urgency: if urgency == "urgent" { Urgency::Urgent } else { Urgency::Normal },
        created_at: r.get(6)?,
        accept_by: r.get(7)?,
        handle_by: r.get(8)?,
        reject_reason: reason.as_deref().and_then(RejectReason::parse),
        reject_note: r.get(11)?,
        answer: match (answer, answered_at) {
            (Some(message), Some(at)) => Some(ReportAnswer {
                agency: agency.clone().unwrap_or_default(),
                message,
                photos: links(r.get(13)?),
                at,
            }),
            _ => None,
        },
        agency,
        verdict: verdict.as_deref().and_then(ReportVerdict::parse),
        seq: r.get::<_, i64>(15)? as u64,
    })
}

fn next(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "INSERT INTO report_counter (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        [name],
        |r| r.get(0),
    )
}

fn count_effect(tx: &Connection, id: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO report_ledger (id, effects) VALUES (?1, 1) ON CONFLICT (id) DO UPDATE SET effects = effects + 1",
        [id],
    )?;
    Ok(())
}

fn store_photos(tx: &Connection, report_id: &str, photos: &[(String, Vec<u8>)]) -> rusqlite::Result<()> {
    for (sha256, data) in photos {
        tx.execute("INSERT OR IGNORE INTO report_photo (sha256, data) VALUES (?1, ?2)", params![sha256, data])?;
        tx.execute(
            "INSERT OR IGNORE INTO report_photo_ref (report_id, sha256) VALUES (?1, ?2)",
            params![report_id, sha256],
        )?;
    }
    Ok(())
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Ok(Store { db: crate::db::open(path, SCHEMA)? })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    fn view_of(db: &Connection, report_id: &str) -> rusqlite::Result<Option<ReportView>> {
        db.query_row(&format!("SELECT {VIEW_COLUMNS} FROM report WHERE report_id = ?1"), [report_id], view).optional()
    }

    /// `sub`'s completed upload `sha256` (a photo to cite), with its content type.
    pub fn attachment(&self, sub: &str, sha256: &str) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
        crate::dossier::attachment_content(&self.db(), sub, sha256)
    }

    /// Stores a new report, or replays the first answer to the same id and content; the same id
    /// with other content, or another resident's id, is a conflict.
    pub fn submit(&self, new: &Incoming<'_>) -> Result<Stored, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, String)> = tx
            .query_row("SELECT sub, content_hash FROM report WHERE report_id = ?1", [&new.report.report_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((sub, hash)) = existing {
            if sub != new.sub || hash != new.content_hash {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_conflict",
                    "this report id was already sent with different content",
                ));
            }
            let view = Self::view_of(&tx, &new.report.report_id)?.ok_or_else(|| ApiError::not_found("report"))?;
            return Ok(Stored { created: false, view });
        }
        store_photos(&tx, &new.report.report_id, &new.photos)?;
        let number = next(&tx, "code")?;
        let seq = next(&tx, "seq")?;
        let code = format!("PA-{}-{number:06}", new.now.with_timezone(&vietnam()).format("%Y"));
        let shas: Vec<&String> = new.photos.iter().map(|(sha, _)| sha).collect();
        let r = new.report;
        tx.execute(
            "INSERT INTO report (report_id, code, sub, content_hash, category, text, lat, lon, commune_code,
                 address_note, urgency, share_identity, photos, status, created_at, accept_by, updated_at, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'waiting', ?14, ?15, ?14, ?16)",
            params![
                r.report_id,
                code,
                new.sub,
                new.content_hash,
                r.category,
                r.text,
                r.location.lat,
                r.location.lon,
                new.commune_code,
                r.address_note,
                r.urgency.as_str(),
                r.share_identity,
                serde_json::to_string(&shas).map_err(ApiError::internal)?,
                rfc3339(new.now),
                rfc3339(new.accept_by),
                seq,
            ],
        )?;
        count_effect(&tx, &r.report_id)?;
        let view = Self::view_of(&tx, &r.report_id)?.ok_or_else(|| ApiError::not_found("report"))?;
        tx.commit()?;
        Ok(Stored { created: true, view })
    }

    /// `sub`'s reports changed after `since`, oldest change first, and the cursor to ask from next.
    pub fn changed_since(&self, sub: &str, since: u64, limit: u32) -> rusqlite::Result<(Vec<ReportView>, u64)> {
        let db = self.db();
        let mut stmt = db.prepare_cached(&format!(
            "SELECT {VIEW_COLUMNS} FROM report WHERE sub = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let views = stmt.query_map(params![sub, since as i64, limit], view)?.collect::<rusqlite::Result<Vec<_>>>()?;
        let cursor = views.last().map_or(since, |v| v.seq);
        Ok((views, cursor))
    }

    /// The IOC's (or, with `for_agency`, the agency's) view of one report by its code.
    pub fn ioc_report(&self, code: &str, for_agency: bool, now: DateTime<Utc>) -> rusqlite::Result<Option<IocReport>> {
        let db = self.db();
        let id: Option<String> =
            db.query_row("SELECT report_id FROM report WHERE code = ?1", [code], |r| r.get(0)).optional()?;
        let Some(id) = id else { return Ok(None) };
        Self::ioc_of(&db, &id, for_agency, now)
    }

    fn ioc_of(
        db: &Connection,
        report_id: &str,
        for_agency: bool,
        now: DateTime<Utc>,
    ) -> rusqlite::Result<Option<IocReport>> {
        let Some(view) = Self::view_of(db, report_id)? else { return Ok(None) };
        let (text, lat, lon, note, photos, sub, share): (String, f64, f64, Option<String>, String, String, bool) = db
            .query_row(
            "SELECT text, lat, lon, address_note, photos, sub, share_identity FROM report WHERE report_id = ?1",
            [report_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )?;
        let mut timeline =
            vec![Step { at: view.created_at.clone(), status: ReportStatus::Waiting, detail: None, officer: None }];
        let mut steps = db
            .prepare_cached("SELECT at, status, detail, officer FROM report_event WHERE report_id = ?1 ORDER BY seq")?;
        for step in steps.query_map([report_id], |r| {
            let status: String = r.get(1)?;
            Ok(Step {
                at: r.get(0)?,
                status: ReportStatus::parse(&status).ok_or_else(|| bad_column(1, &status))?,
                detail: r.get(2)?,
                officer: r.get(3)?,
            })
        })? {
            timeline.push(step?);
        }
        let overdue = is_overdue(&view, now);
        let shown = !for_agency || share;
        let citizen = CITIZENS.iter().find(|c| c.sub == sub).filter(|_| shown);
        Ok(Some(IocReport {
            view,
            text,
            location: GeoPoint { lat, lon },
            address_note: note,
            photos: links(Some(photos)),
            reporter: shown.then_some(sub),
            reporter_name: citizen.map(|c| c.name.to_owned()),
            reporter_phone: citizen.map(|c| c.phone.to_owned()),
            share_identity: share,
            overdue,
            timeline,
        }))
    }

    /// The newest reports first, for the IOC's list.
    pub fn ioc_list(
        &self,
        status: Option<ReportStatus>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> rusqlite::Result<Vec<IocReport>> {
        let db = self.db();
        let ids: Vec<String> = {
            let mut stmt = db.prepare_cached(
                "SELECT report_id FROM report WHERE (?1 IS NULL OR status = ?1) ORDER BY seq DESC LIMIT ?2",
            )?;
            stmt.query_map(params![status.map(|s| s.as_str()), limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut reports = Vec::with_capacity(ids.len());
        for id in ids {
            reports.extend(Self::ioc_of(&db, &id, false, now)?);
        }
        Ok(reports)
    }

    /// One IOC or agency action on the report `code` by `officer`, if its status allows it.
    pub fn act(
        &self,
        code: &str,
        action: Action<'_>,
        officer: &str,
        now: DateTime<Utc>,
    ) -> Result<IocReport, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String)> = tx
            .query_row("SELECT report_id, status FROM report WHERE code = ?1", [code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((report_id, status)) = row else { return Err(ApiError::not_found("report")) };
        let current = ReportStatus::parse(&status).ok_or_else(|| ApiError::internal("unknown stored status"))?;
        let (next_status, sql): (ReportStatus, &str) = match &action {
            Action::Accept { .. } => (ReportStatus::Accepted, "UPDATE report SET handle_by = ?2 WHERE report_id = ?1"),
            Action::Reject { .. } => {
                (ReportStatus::Rejected, "UPDATE report SET reject_reason = ?2, reject_note = ?3 WHERE report_id = ?1")
            }
            Action::Assign { .. } => (ReportStatus::Assigned, "UPDATE report SET agency = ?2 WHERE report_id = ?1"),
            Action::Answer { .. } => (
                ReportStatus::Handled,
                "UPDATE report SET answer = ?2, answer_photos = ?3, answered_at = ?4 WHERE report_id = ?1",
            ),
        };
        if !current.can_become(next_status) {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "wrong_status",
                format!(
                    "phản ánh đang ở trạng thái {} / the report is {}: it cannot become {}",
                    current.labels().0,
                    current.as_str(),
                    next_status.as_str()
                ),
            ));
        }
        let detail = match action {
            Action::Accept { handle_by } => {
                tx.execute(sql, params![report_id, rfc3339(handle_by)])?;
                None
            }
            Action::Reject { reason, note } => {
                tx.execute(sql, params![report_id, reason.as_str(), note])?;
                let (vi, en) = reason.labels();
                Some(note.map_or_else(|| format!("{vi} / {en}"), |note| format!("{vi} / {en}: {note}")))
            }
            Action::Assign { agency } => {
                tx.execute(sql, params![report_id, agency])?;
                Some(agency.to_owned())
            }
            Action::Answer { message, photos } => {
                store_photos(&tx, &report_id, &photos)?;
                let shas: Vec<&String> = photos.iter().map(|(sha, _)| sha).collect();
                let shas = serde_json::to_string(&shas).map_err(ApiError::internal)?;
                tx.execute(sql, params![report_id, message, shas, rfc3339(now)])?;
                Some(message.to_owned())
            }
        };
        let seq = next(&tx, "seq")?;
        tx.execute(
            "INSERT INTO report_event (report_id, seq, status, detail, officer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![report_id, seq, next_status.as_str(), detail, officer, rfc3339(now)],
        )?;
        tx.execute(
            "UPDATE report SET status = ?2, updated_at = ?3, seq = ?4 WHERE report_id = ?1",
            params![report_id, next_status.as_str(), rfc3339(now), seq],
        )?;
        let report = Self::ioc_of(&tx, &report_id, false, now)?.ok_or_else(|| ApiError::not_found("report"))?;
        tx.commit()?;
        Ok(report)
    }

    /// The reporter's verdict on a handled report, once: the same rating again replays, another
    /// verdict is a conflict.
    pub fn rate(
        &self,
        sub: &str,
        report_id: &str,
        rating_id: &str,
        verdict: ReportVerdict,
        now: DateTime<Utc>,
    ) -> Result<Stored, ApiError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another resident's report is not found, as if it did not exist.
        let status: Option<String> = tx
            .query_row("SELECT status FROM report WHERE report_id = ?1 AND sub = ?2", [report_id, sub], |r| r.get(0))
            .optional()?;
        let Some(status) = status else { return Err(ApiError::not_found("report")) };
        let given: Option<(String, String)> = tx
            .query_row("SELECT rating_id, verdict FROM report_rating WHERE report_id = ?1", [report_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let created = match given {
            Some((id, v)) if id == rating_id && v == verdict.as_str() => false,
            Some(_) => {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "already_rated",
                    "phản ánh này đã được đánh giá / this report was already rated",
                ));
            }
            None if status != ReportStatus::Handled.as_str() => {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "not_handled",
                    "chỉ đánh giá khi đã có trả lời / a report is rated once it is answered",
                ));
            }
            None => {
                tx.execute(
                    "INSERT INTO report_rating (report_id, rating_id, verdict, at) VALUES (?1, ?2, ?3, ?4)",
                    params![report_id, rating_id, verdict.as_str(), rfc3339(now)],
                )?;
                let seq = next(&tx, "seq")?;
                tx.execute("UPDATE report SET seq = ?2 WHERE report_id = ?1", params![report_id, seq])?;
                count_effect(&tx, rating_id)?;
                true
            }
        };
        let view = Self::view_of(&tx, report_id)?.ok_or_else(|| ApiError::not_found("report"))?;
        tx.commit()?;
        Ok(Stored { created, view })
    }

    /// Handled reports, newest first, as the public sees them.
    pub fn public(&self, limit: u32) -> rusqlite::Result<Vec<(PublicReport, String)>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT code, category, text, lat, lon, commune_code, photos, agency, answer, answer_photos, answered_at,
                    created_at
             FROM report WHERE status = 'handled' ORDER BY answered_at DESC, seq DESC LIMIT ?1",
        )?;
        stmt.query_map([limit], |r| {
            let category: String = r.get(1)?;
            Ok((
                PublicReport {
                    code: r.get(0)?,
                    category: category.clone(),
                    category_name: String::new(),
                    text: r.get(2)?,
                    location: GeoPoint { lat: r.get(3)?, lon: r.get(4)? },
                    commune_code: r.get(5)?,
                    commune_name: None,
                    photos: links(r.get(6)?),
                    answer: ReportAnswer {
                        agency: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                        message: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                        photos: links(r.get(9)?),
                        at: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    },
                    created_at: r.get(11)?,
                },
                category,
            ))
        })?
        .collect()
    }

    /// A photo the public may see: one of a handled report's, or of its answer.
    pub fn public_photo(&self, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        let db = self.db();
        let published: bool = db.query_row(
            "SELECT EXISTS (SELECT 1 FROM report_photo_ref JOIN report USING (report_id)
                            WHERE sha256 = ?1 AND status = 'handled')",
            [sha256],
            |r| r.get(0),
        )?;
        if !published {
            return Ok(None);
        }
        db.query_row("SELECT data FROM report_photo WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()
    }

    /// A photo of the report `code` (its own or its answer's), whatever its status: the IOC's.
    pub fn ioc_photo(&self, code: &str, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.db()
            .query_row(
                "SELECT data FROM report_photo JOIN report_photo_ref USING (sha256) JOIN report USING (report_id)
                 WHERE report.code = ?1 AND sha256 = ?2",
                [code, sha256],
                |r| r.get(0),
            )
            .optional()
    }

    /// The account that sent the report.
    pub fn reporter(&self, report_id: &str) -> rusqlite::Result<Option<String>> {
        self.db().query_row("SELECT sub FROM report WHERE report_id = ?1", [report_id], |r| r.get(0)).optional()
    }

    pub fn ledger(&self) -> rusqlite::Result<Ledger> {
        let db = self.db();
        let mut stmt = db.prepare_cached("SELECT id, effects FROM report_ledger")?;
        let effects =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?.collect::<rusqlite::Result<_>>()?;
        Ok(Ledger { effects })
    }
}

/// Past the deadline of the step it waits for.
pub fn is_overdue(view: &ReportView, now: DateTime<Utc>) -> bool {
    let past = |deadline: Option<&str>| {
        deadline.and_then(|d| DateTime::parse_from_rfc3339(d).ok()).is_some_and(|d| now > d.to_utc())
    };
    match view.status {
        ReportStatus::Waiting => past(Some(&view.accept_by)),
        ReportStatus::Accepted | ReportStatus::Assigned => past(view.handle_by.as_deref()),
        ReportStatus::Handled | ReportStatus::Rejected => false,
    }
}
