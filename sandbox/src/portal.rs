//! The portal's state: the procedure change log in SQLite.
//!
//! Every change (new, changed, replaced, removed) takes the next sequence number, and a removed
//! procedure stays as a tombstone, so a client that asks "what changed since N" misses nothing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::value::RawValue;
use smarthd_model::catalog::{Procedure, ProcedureStatus};

use crate::generator;

/// A change as stored: the record is kept as the JSON text it is served as.
pub struct StoredChange {
    pub seq: u64,
    pub code: String,
    pub removed: bool,
    pub record: Option<Box<RawValue>>,
}

pub struct ChangesSlice {
    pub items: Vec<StoredChange>,
    pub has_more: bool,
    pub remaining: u64,
    pub head: u64,
}

pub struct Portal {
    db: Mutex<Connection>,
    /// Procedures in force, parsed once for the dossiers that name them; a change or a removal
    /// drops its entry while it holds the file's lock, so no older parse is put back after it.
    parsed: Mutex<HashMap<String, Arc<Procedure>>>,
}

impl Portal {
    pub fn open(path: &Path, catalog_size: usize, seed: u64) -> rusqlite::Result<Self> {
        let db = crate::db::open(
            path,
            "CREATE TABLE IF NOT EXISTS procedure (
                code TEXT PRIMARY KEY,
                seq INTEGER NOT NULL UNIQUE,
                removed INTEGER NOT NULL DEFAULT 0,
                record TEXT
            );
            -- The feed's count of what remains reads this index alone: without it, every page
            -- read every later row of the table (7 ms a page at 10,000 procedures).
            CREATE INDEX IF NOT EXISTS procedure_feed ON procedure(seq, removed);",
        )?;
        {
            let mut conn = crate::db::lock(&db);
            let count: i64 = conn.prepare_cached("SELECT count(*) FROM procedure")?.query_row([], |r| r.get(0))?;
            if count == 0 {
                let tx = conn.transaction()?;
                {
                    let mut insert = tx.prepare("INSERT INTO procedure (code, seq, record) VALUES (?1, ?2, ?3)")?;
                    for (i, p) in generator::generate_catalog(catalog_size, seed).iter().enumerate() {
                        let record = serde_json::to_string(p).expect("a procedure serializes");
                        insert.execute(params![p.code, i as i64 + 1, record])?;
                    }
                }
                tx.commit()?;
            }
        }
        Ok(Portal { db, parsed: Mutex::default() })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    /// The newest sequence number: the catalog's version.
    pub fn head(&self) -> rusqlite::Result<u64> {
        head(&self.db())
    }

    /// Changes after `since`, oldest first. A full sync (`since` = 0) skips tombstones.
    pub fn changes(&self, since: u64, limit: u32) -> rusqlite::Result<ChangesSlice> {
        let db = self.db();
        let head = head(&db)?;
        let skip_tombstones = since == 0;
        let remaining: i64 = db
            .prepare_cached("SELECT count(*) FROM procedure WHERE seq > ?1 AND (removed = 0 OR NOT ?2)")?
            .query_row(params![since as i64, skip_tombstones], |r| r.get(0))?;
        let mut stmt = db.prepare_cached(
            "SELECT seq, code, removed, record FROM procedure
             WHERE seq > ?1 AND (removed = 0 OR NOT ?2) ORDER BY seq LIMIT ?3",
        )?;
        let items = stmt
            .query_map(params![since as i64, skip_tombstones, limit as i64 + 1], |r| {
                let removed: bool = r.get(2)?;
                let record: Option<String> = r.get(3)?;
                Ok(StoredChange {
                    seq: r.get::<_, i64>(0)? as u64,
                    code: r.get(1)?,
                    removed,
                    record: record.filter(|_| !removed).map(|json| RawValue::from_string(json).expect("stored JSON")),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = items;
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Ok(ChangesSlice { items, has_more, remaining: remaining as u64, head })
    }

    pub fn procedure(&self, code: &str) -> rusqlite::Result<Option<String>> {
        procedure(&self.db(), code)
    }

    /// A procedure in force, parsed.
    pub fn parsed_procedure(&self, code: &str) -> rusqlite::Result<Option<Arc<Procedure>>> {
        if let Some(procedure) = self.parsed().get(code) {
            return Ok(Some(procedure.clone()));
        }
        let db = self.db();
        let Some(record) = procedure(&db, code)? else { return Ok(None) };
        let procedure: Arc<Procedure> = Arc::new(serde_json::from_str(&record).expect("stored JSON is a procedure"));
        self.parsed().insert(code.to_owned(), procedure.clone());
        Ok(Some(procedure))
    }

    fn parsed(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Procedure>>> {
        self.parsed.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds or changes a procedure; returns its new sequence number.
    pub fn upsert(&self, procedure: &Procedure) -> rusqlite::Result<u64> {
        let record = serde_json::to_string(procedure).expect("a procedure serializes");
        let db = self.db();
        let seq = head(&db)? + 1;
        db.prepare_cached(
            "INSERT INTO procedure (code, seq, removed, record) VALUES (?1, ?2, 0, ?3)
             ON CONFLICT(code) DO UPDATE SET seq = excluded.seq, removed = 0, record = excluded.record",
        )?
        .execute(params![procedure.code, seq as i64, record])?;
        self.parsed().remove(&procedure.code);
        Ok(seq)
    }

    /// Removes a procedure, leaving a tombstone; `None` when there was none to remove.
    pub fn remove(&self, code: &str) -> rusqlite::Result<Option<u64>> {
        let db = self.db();
        let seq = head(&db)? + 1;
        let n = db
            .prepare_cached(
                "UPDATE procedure SET seq = ?2, removed = 1, record = NULL WHERE code = ?1 AND removed = 0",
            )?
            .execute(params![code, seq as i64])?;
        self.parsed().remove(code);
        Ok((n > 0).then_some(seq))
    }

    /// Marks `code` replaced by `replaced_by`.
    pub fn replace(&self, code: &str, replaced_by: &str) -> rusqlite::Result<Option<u64>> {
        let Some(mut procedure) = self.procedure_record(code)? else { return Ok(None) };
        procedure.status = ProcedureStatus::Replaced;
        procedure.replaced_by = Some(replaced_by.to_owned());
        procedure.updated_at = now();
        self.upsert(&procedure).map(Some)
    }

    /// Changes `count` procedures (spread over the catalog), for testers driving delta sync.
    pub fn mutate(&self, count: usize) -> rusqlite::Result<Vec<String>> {
        let codes: Vec<String> = {
            let db = self.db();
            let total: i64 =
                db.prepare_cached("SELECT count(*) FROM procedure WHERE removed = 0")?.query_row([], |r| r.get(0))?;
            let step = (total as usize / count.max(1)).max(1);
            let mut stmt = db.prepare("SELECT code FROM procedure WHERE removed = 0 ORDER BY code")?;
            stmt.query_map([], |r| r.get(0))?.step_by(step).take(count).collect::<rusqlite::Result<_>>()?
        };
        let salt = self.head()?;
        for (i, code) in codes.iter().enumerate() {
            if let Some(p) = self.procedure_record(code)? {
                self.upsert(&generator::mutate_procedure(&p, salt + i as u64, &now()))?;
            }
        }
        Ok(codes)
    }

    fn procedure_record(&self, code: &str) -> rusqlite::Result<Option<Procedure>> {
        Ok(self.parsed_procedure(code)?.map(|procedure| (*procedure).clone()))
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn procedure(db: &Connection, code: &str) -> rusqlite::Result<Option<String>> {
    db.prepare_cached("SELECT record FROM procedure WHERE code = ?1 AND removed = 0")?
        .query_row([code], |r| r.get(0))
        .optional()
}

fn head(db: &Connection) -> rusqlite::Result<u64> {
    db.prepare_cached("SELECT coalesce(max(seq), 0) FROM procedure")?
        .query_row([], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}
