//! The service catalog: an offline copy of the portal's procedures in `catalog.db`, Vietnamese
//! search over it, and the resident's favourites and recently viewed procedures in `user.db`.

pub mod handle;
/// The procedure record and catalog wire types (shared with the portal through `smarthd-model`).
pub use smarthd_model::catalog as model;
pub mod search;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{self, UserDb};
use crate::text;
use model::{AdminUnit, AdminUnits, ChangesPage, LegacyUnit, Level, OnlineLevel, Procedure, ProcedureStatus, Subject};
use search::Query;
pub use search::Span;

/// The feed names in `sync_state`.
pub(crate) const PROCEDURES_FEED: &str = "procedures";
pub(crate) const UNITS_FEED: &str = "units";

/// Filters a resident can combine with a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub field: Option<String>,
    pub agency: Option<String>,
    pub level: Option<Level>,
    pub online_level: Option<OnlineLevel>,
    pub subject: Option<Subject>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u32,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { offset: 0, limit: 20 }
    }
}

/// A search result: what a result row shows, with highlight spans over `name`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub field: String,
    pub agency: String,
    pub level: Level,
    pub online: OnlineLevel,
    pub highlights: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub has_more: bool,
}

/// A value of a facet (field or agency) and how many in-force procedures have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub name: String,
    pub count: u32,
}

/// How fresh the offline copy is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// RFC 3339 time of the last successful sync, if any.
    pub last_success_at: Option<String>,
    /// The copy is a complete snapshot (no sync left half done).
    pub complete: bool,
    pub procedures: u32,
}

/// Sync bookkeeping of one feed, committed with the rows it describes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FeedState {
    pub cursor: u64,
    pub etag: Option<String>,
    pub complete: bool,
}

/// What one applied page changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub upserted: u64,
    pub removed: u64,
}

/// A procedure of the change feed, parsed, with the JSON it came as: the record is stored as
/// sent (serializing it again cost more than keeping it) unless storing changes it.
pub struct SentProcedure {
    pub procedure: Procedure,
    json: Box<str>,
}

impl<'de> serde::Deserialize<'de> for SentProcedure {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let json = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let procedure = serde_json::from_str(json.get()).map_err(serde::de::Error::custom)?;
        Ok(SentProcedure { procedure, json: json.into() })
    }
}

impl std::borrow::Borrow<Procedure> for SentProcedure {
    fn borrow(&self) -> &Procedure {
        &self.procedure
    }
}

/// A page of the change feed made ready to store, without the database: display text in NFC,
/// search keys folded, each record in its stored form. Made on the page's own task, so that
/// this work runs beside the store of the page before instead of inside the writer's turn.
pub(crate) struct ReadyPage {
    pub items: Vec<ReadyChange>,
    pub next_since: u64,
    pub has_more: bool,
    /// Changes after the page's `since`, this page included.
    pub remaining: u64,
}

pub(crate) struct ReadyChange {
    /// Upper case, as stored.
    code: String,
    /// `None` for a removal.
    row: Option<ProcedureRow>,
}

/// The columns of a stored procedure, in the order of the insert.
struct ProcedureRow {
    national_code: String,
    name: String,
    name_en: Option<String>,
    name_key: String,
    field: String,
    agency: String,
    level: &'static str,
    online_level: &'static str,
    subjects: String,
    status: &'static str,
    replaced_by: Option<String>,
    updated_at: String,
    record: String,
    field_key: String,
    agency_key: String,
    name_en_key: String,
    name_chars: usize,
}

impl ReadyPage {
    pub(crate) fn new(page: ChangesPage<SentProcedure>) -> Result<ReadyPage> {
        let items = page
            .items
            .into_iter()
            .map(|change| {
                let code = change.code.to_ascii_uppercase();
                let row = match change.procedure.filter(|_| !change.removed) {
                    None => None,
                    Some(SentProcedure { mut procedure, json }) => {
                        let record = if normalize(&mut procedure) {
                            serde_json::to_string(&procedure)
                                .map_err(|source| Error::Encoding { what: "procedure record", source })?
                        } else {
                            json.into()
                        };
                        Some(ProcedureRow::new(procedure, record))
                    }
                };
                Ok(ReadyChange { code, row })
            })
            .collect::<Result<_>>()?;
        Ok(ReadyPage { items, next_since: page.next_since, has_more: page.has_more, remaining: page.remaining })
    }
}

impl ProcedureRow {
    fn new(procedure: Procedure, record: String) -> ProcedureRow {
        let subjects: Vec<&str> = procedure.subjects.iter().map(|s| subject_str(*s)).collect();
        ProcedureRow {
            name_key: search::name_key(&procedure.name),
            field_key: search::name_key(&procedure.field),
            agency_key: search::name_key(&procedure.processing_agency),
            name_en_key: procedure.name_en.as_deref().map(search::name_key).unwrap_or_default(),
            name_chars: procedure.name.chars().count(),
            level: level_str(procedure.level),
            online_level: online_str(procedure.online_level),
            subjects: subjects.join(","),
            status: status_str(procedure.status),
            record,
            national_code: procedure.national_code,
            name: procedure.name,
            name_en: procedure.name_en,
            field: procedure.field,
            agency: procedure.processing_agency,
            replaced_by: procedure.replaced_by,
            updated_at: procedure.updated_at,
        }
    }
}

pub struct Catalog {
    /// Reads run here, so searching never waits for a sync transaction (WAL; during a first
    /// fill, which runs without it, a read may wait for a page's commit). Declared (so
    /// dropped) before the writer: the last connection to close checkpoints the WAL into the
    /// file, and a read-only one cannot.
    reader: Mutex<Connection>,
    /// The only connection that writes `catalog.db` (sync), opened at the first write when the
    /// copy was closed cleanly at the current schema: a start that only reads opens one
    /// connection.
    writer: Mutex<Option<Connection>>,
    /// A connection that folds the WAL into the file on a thread of its own while a sync of
    /// several pages goes on writing ([`Catalog::fold_beside`]); opened at the first such sync.
    folder: Arc<Mutex<Option<Connection>>>,
    /// The data dir, to rebuild a damaged copy in.
    dir: std::path::PathBuf,
    /// The writer runs a first fill with a rollback journal and no syncs
    /// ([`Catalog::enter_fill_mode`]) until the fill completes.
    unsynced_fill: AtomicBool,
    /// The last procedure read, with the stored record it was parsed from: filling a form reads
    /// the same procedure at every field, and parsing it costs more than the read. Kept only
    /// while the stored record is byte for byte the same (another process may sync); shared,
    /// not copied, with the form that reads it.
    last_procedure: Mutex<Option<(String, Arc<Procedure>)>>,
    /// Removed when the catalog closes cleanly, after its connections (fields drop in order).
    _marker: store::OpenMarker,
}

impl Catalog {
    pub fn open(data_dir: &Path) -> Result<Self> {
        let marker = store::OpenMarker::create(&data_dir.join(store::CATALOG_DB))?;
        // After an unclean stop the writer checks the file first.
        let current = if marker.unclean { None } else { store::open_current_catalog_reader(data_dir)? };
        let (reader, writer) = match current {
            Some(reader) => (reader, None),
            None => {
                // A fill's writes are synced only at its end: after the system went down during
                // one, what it wrote may be lost in any order, so the fill starts over. After the
                // app alone was stopped, the journal puts back the page being written.
                let writer = if marker.system_stopped && store::catalog_written_in_fill_mode(data_dir) {
                    store::rebuild_catalog(data_dir, "an unsynced first fill cut by a system stop")?
                } else {
                    store::open_catalog_checked(data_dir, marker.unclean)?
                };
                (store::open_reader(&data_dir.join(store::CATALOG_DB))?, Some(writer))
            }
        };
        Ok(Catalog {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            folder: Arc::default(),
            dir: data_dir.to_owned(),
            unsynced_fill: AtomicBool::new(false),
            last_procedure: Mutex::new(None),
            _marker: marker,
        })
    }

    /// Runs `read` on the copy; when the copy turns out damaged (SQLITE_CORRUPT or
    /// SQLITE_NOTADB at any query), it is rebuilt empty and `read` runs once more on the new one:
    /// the cache answers what it has (nothing, until the next sync refills it) instead of failing
    /// every search.
    fn retrying<T>(&self, read: impl Fn() -> Result<T>) -> Result<T> {
        match read() {
            Err(error) if store::is_corruption(&error) => {
                self.rebuild()?;
                read()
            }
            other => other,
        }
    }

    /// The writer, opened (and the file migrated) at the first write.
    fn writer(&self) -> Result<Writer<'_>> {
        let mut writer = lock(&self.writer);
        if writer.is_none() {
            *writer = Some(store::open_catalog(&self.dir)?);
        }
        Ok(Writer(writer))
    }

    /// Closes the connections, deletes the damaged file with its WAL, and opens a new one.
    fn rebuild(&self) -> Result<()> {
        let mut writer = lock(&self.writer);
        let mut reader = lock(&self.reader);
        // After a fold that may be running: the next one opens the new file.
        *lock(&self.folder) = None;
        *reader = Connection::open_in_memory()?;
        *writer = None;
        *writer = Some(store::rebuild_catalog(&self.dir, "damaged")?);
        self.unsynced_fill.store(false, Ordering::Relaxed);
        *reader = store::open_reader(&self.dir.join(store::CATALOG_DB))?;
        Ok(())
    }

    /// One page of matches in relevance order. Every match is reachable by paging: `has_more`
    /// is true exactly when a further page holds at least one. A limit outside
    /// 1..=[`MAX_PAGE_LIMIT`] is refused (a validation error), not clamped.
    pub fn search(&self, input: &str, filters: &SearchFilters, page: PageRequest) -> Result<SearchPage> {
        search::check(input).map_err(|e| Error::Validation { field: "query".into(), reason: e.to_string() })?;
        check_limit(page.limit, MAX_PAGE_LIMIT)?;
        self.retrying(|| self.search_once(input, filters, page))
    }

    fn search_once(&self, input: &str, filters: &SearchFilters, page: PageRequest) -> Result<SearchPage> {
        let reader = lock(&self.reader);
        let query = search::parse(input);
        let deep = page.offset >= DEEP_OFFSET;
        let (tiers, text_param, key_param) = match &query {
            Query::Browse => {
                (vec![Tier::new(format!("FROM procedure p WHERE {FILTERS}"), "p.name_key, p.code")], None, None)
            }
            // The unique index on `code` serves the prefix range.
            Query::Code(code) => (
                vec![Tier::new(
                    format!(
                        "FROM procedure p WHERE {FILTERS}
                         AND ((p.code >= ?6 AND p.code < ?6 || '~') OR p.national_code = ?6)"
                    ),
                    "(p.code = ?6 OR p.national_code = ?6) DESC, p.code",
                )],
                Some(code.clone()),
                None,
            ),
            // Three tiers, each streamed in row-id order (the static relevance order: the most
            // specific names first), so no page ranks all the matches: the exact name (through its
            // B-tree index), then matches in the Vietnamese or English name (an FTS5 column
            // filter), then the other matches: those with a word missing from both names (checked
            // on the folded names, `?10`; cheaper than a second pass over the index with `NOT`,
            // and reached only when the names leave a page unfilled). A page deep in a broad
            // query passes over thousands of name matches before its own rows: there the index
            // drops the name matches itself (`NOT`), instead of a check per row passed over.
            // `?6` is set per tier.
            Query::Words { key, .. } => (
                vec![
                    Tier::new(format!("FROM procedure p WHERE p.name_key = ?7 AND {FILTERS}"), "p.fts_rowid"),
                    Tier::new(format!("{FTS_JOIN} AND p.name_key <> ?7 AND {FILTERS}"), "f.rowid"),
                    if deep {
                        Tier::new(format!("{FTS_JOIN} AND {FILTERS}"), "f.rowid")
                    } else {
                        Tier::new(
                            format!(
                                "{FTS_JOIN} AND {FILTERS} AND EXISTS (SELECT 1 FROM json_each(?10) w
                                 WHERE instr(' ' || p.name_key || ' ' || p.name_en_key || ' ', w.value) = 0)"
                            ),
                            "f.rowid",
                        )
                    },
                ],
                None,
                Some(key.clone()),
            ),
        };
        let text = |v: Option<&str>| v.map_or(Value::Null, |s| Value::Text(s.to_owned()));
        let mut values: Vec<Value> = vec![
            text(filters.field.as_deref().map(search::name_key).as_deref()),
            text(filters.agency.as_deref().map(search::name_key).as_deref()),
            text(filters.level.map(level_str)),
            text(filters.online_level.map(online_str)),
            text(filters.subject.map(subject_str)),
            text(text_param.as_deref()),
            text(key_param.as_deref()),
        ];
        // `?10`: each word as it must stand in a folded name, the last as a word start (if it is
        // a prefix, as in `search::parse`).
        let words = match &query {
            Query::Words { fts, tokens, .. } => {
                let last = tokens.len() - 1;
                let words: Vec<String> = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, t)| if i == last && fts.ends_with('*') { format!(" {t}") } else { format!(" {t} ") })
                    .collect();
                Value::Text(serde_json::to_string(&words).expect("strings serialize"))
            }
            _ => Value::Null,
        };
        let (mut skip, want) = (i64::from(page.offset), i64::from(page.limit) + 1);
        let mut hits: Vec<SearchHit> = Vec::new();
        for (i, tier) in tiers.iter().enumerate() {
            let need = want - hits.len() as i64;
            if need <= 0 {
                break;
            }
            if let Query::Words { fts, .. } = &query {
                values[5] = Value::Text(match i {
                    0 => String::new(),
                    1 => format!("{NAME_COLUMNS} : ({fts})"),
                    _ if deep => format!("({fts}) NOT ({NAME_COLUMNS} : ({fts}))"),
                    _ => fts.clone(),
                });
            }
            let rows = tier.fetch(&reader, &values, need, skip, &words)?;
            // A tier the offset passes over entirely: its rows are skipped, the rest of the
            // offset applies to the next tier.
            skip = if rows.is_empty() && skip > 0 { skip - tier.count(&reader, &values, &words)? } else { 0 };
            hits.extend(rows);
        }
        let has_more = hits.len() as i64 > i64::from(page.limit);
        hits.truncate(page.limit as usize);
        if let Query::Words { tokens, .. } = &query {
            for hit in &mut hits {
                hit.highlights = search::highlights(&hit.name, tokens);
            }
        }
        Ok(SearchPage { hits, has_more })
    }

    /// Completions of what the resident is typing: distinct procedure names holding every typed
    /// word, the last one as a prefix (even of one letter); names that start with the typed text
    /// first, then the most specific. A limit outside 1..=[`MAX_SUGGESTIONS`] is refused.
    pub fn suggest(&self, input: &str, limit: u32) -> Result<Vec<String>> {
        search::check(input).map_err(|e| Error::Validation { field: "query".into(), reason: e.to_string() })?;
        check_limit(limit, MAX_SUGGESTIONS)?;
        let Some((fts, typed)) = search::completion(input) else { return Ok(Vec::new()) };
        self.retrying(|| self.suggest_once(&fts, &typed, limit))
    }

    fn suggest_once(&self, fts: &str, typed: &str, limit: u32) -> Result<Vec<String>> {
        let reader = lock(&self.reader);
        // Static relevance order again, over a bounded number of rows, so a one-letter prefix
        // costs no more than a long one.
        let mut stmt = reader.prepare_cached(
            "SELECT p.name, p.name_key FROM procedure_fts f JOIN procedure p ON p.fts_rowid = f.rowid
             WHERE procedure_fts MATCH ?1 AND +p.status = 'in_force' ORDER BY f.rowid LIMIT ?2",
        )?;
        let scan = i64::from(limit) * SUGGESTION_SCAN;
        let rows = stmt.query_map(params![format!("{{name}} : ({fts})"), scan], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut names: Vec<(String, String)> = Vec::new();
        for row in rows {
            let (name, key) = row?;
            if seen.insert(key.clone()) {
                names.push((name, key));
            }
        }
        // A stable sort: within each group the static order stays.
        names.sort_by_key(|(_, key)| !key.starts_with(typed));
        Ok(names.into_iter().take(limit as usize).map(|(name, _)| name).collect())
    }

    /// Keeps lists the portal publishes beside the procedures (the report categories, the
    /// commune boundaries) whole, as fetched, for use offline: all of them or none, so one is
    /// never kept without the others it is used with.
    pub fn keep_published(&self, lists: &[(&str, &[u8])]) -> Result<()> {
        let mut writer = self.writer()?;
        let tx = writer.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        for (name, body) in lists {
            tx.execute(
                "INSERT INTO published_list (name, body, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET body = ?2, fetched_at = ?3",
                params![name, body, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A published list as last fetched; `None` before the first fetch.
    pub fn published(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.retrying(|| {
            Ok(lock(&self.reader)
                .query_row("SELECT body FROM published_list WHERE name = ?1", [name], |r| r.get(0))
                .optional()?)
        })
    }

    /// The whole record, from the offline copy (replaced and expired ones too, so a saved link
    /// still opens and can point to the replacement).
    pub fn procedure(&self, code: &str) -> Result<Arc<Procedure>> {
        self.retrying(|| self.procedure_once(code))
    }

    fn procedure_once(&self, given: &str) -> Result<Arc<Procedure>> {
        let code = given.trim().to_ascii_uppercase();
        let reader = lock(&self.reader);
        // The code first, alone: one lookup in its unique index (with the national code in the
        // same query, SQLite reads both indexes and sorts: twice the time of every call).
        let mut record: Option<String> = reader
            .prepare_cached("SELECT record FROM procedure WHERE code = ?1")?
            .query_row([&code], |r| r.get(0))
            .optional()?;
        if record.is_none() {
            record = reader
                .prepare_cached("SELECT record FROM procedure WHERE national_code = ?1 ORDER BY code LIMIT 1")?
                .query_row([&code], |r| r.get(0))
                .optional()?;
        }
        drop(reader);
        // The error names what the resident typed, not its upper-cased form.
        let record = record.ok_or_else(|| Error::NotFound(format!("procedure {}", given.trim())))?;
        let mut last = lock(&self.last_procedure);
        if let Some((kept, procedure)) = last.as_ref()
            && *kept == record
        {
            return Ok(procedure.clone());
        }
        let procedure: Arc<Procedure> = Arc::new(
            serde_json::from_str(&record)
                .map_err(|source| Error::Encoding { what: "cached procedure record", source })?,
        );
        *last = Some((record, procedure.clone()));
        Ok(procedure)
    }

    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        self.facet("field")
    }

    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        self.facet("agency")
    }

    fn facet(&self, column: &'static str) -> Result<Vec<FacetCount>> {
        self.retrying(|| self.facet_once(column))
    }

    fn facet_once(&self, column: &'static str) -> Result<Vec<FacetCount>> {
        let reader = lock(&self.reader);
        let mut stmt = reader.prepare_cached(&format!(
            "SELECT {column}, count(*) FROM procedure WHERE +status = 'in_force' GROUP BY {column} ORDER BY {column}"
        ))?;
        let rows = stmt.query_map([], |r| Ok(FacetCount { name: r.get(0)?, count: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn freshness(&self) -> Result<Freshness> {
        self.retrying(|| self.freshness_once())
    }

    fn freshness_once(&self) -> Result<Freshness> {
        let reader = lock(&self.reader);
        let (last_success_at, complete) = reader
            .query_row("SELECT last_success_at, complete FROM sync_state WHERE feed = ?1", [PROCEDURES_FEED], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, bool>(1)?))
            })
            .optional()?
            .unwrap_or((None, false));
        let procedures: u32 = reader.query_row(IN_FORCE_COUNT, [], |r| r.get(0))?;
        Ok(Freshness { last_success_at, complete, procedures })
    }

    pub fn units(&self) -> Result<AdminUnits> {
        self.retrying(|| self.units_once())
    }

    fn units_once(&self) -> Result<AdminUnits> {
        let reader = lock(&self.reader);
        let units = reader
            .prepare_cached("SELECT code, name, kind, parent_code FROM admin_unit ORDER BY code")?
            .query_map([], |r| {
                Ok(AdminUnit {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    kind: from_json_str(&r.get::<_, String>(2)?)?,
                    parent_code: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let legacy = reader
            .prepare_cached("SELECT old_code, old_name, old_level, new_code FROM legacy_unit ORDER BY old_code")?
            .query_map([], |r| {
                Ok(LegacyUnit { old_code: r.get(0)?, old_name: r.get(1)?, old_level: r.get(2)?, new_code: r.get(3)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(AdminUnits { units, legacy })
    }

    // --- the resident's own lists, in user.db ---

    // Each takes `user.db` and the lists' owner (`owner::list_owner`): the resident's, or the
    // logged-out ones.

    pub fn add_favorite(&self, user: &UserDb, owner: &str, code: &str) -> Result<()> {
        let code = self.procedure(code)?.code.clone();
        user.lock().execute(
            "INSERT INTO favorite (owner, code, added_at) VALUES (?1, ?2, ?3) ON CONFLICT(owner, code) DO NOTHING",
            params![owner, code, now()],
        )?;
        Ok(())
    }

    pub fn remove_favorite(&self, user: &UserDb, owner: &str, code: &str) -> Result<()> {
        user.lock().execute(
            "DELETE FROM favorite WHERE owner = ?1 AND code = ?2",
            params![owner, code.trim().to_ascii_uppercase()],
        )?;
        Ok(())
    }

    /// Favourites, newest first, as result rows (those no longer in the catalog are left out).
    pub fn favorites(&self, user: &UserDb, owner: &str) -> Result<Vec<SearchHit>> {
        let codes = codes(
            &user.lock(),
            "SELECT code FROM favorite WHERE owner = ?1 ORDER BY added_at DESC, code",
            owner,
            u32::MAX,
        )?;
        self.hits_for(&codes)
    }

    /// Notes that the resident opened `code` (the detail screen calls this).
    pub fn record_view(&self, user: &UserDb, owner: &str, code: &str) -> Result<()> {
        user.lock()
            .prepare_cached(
                "INSERT INTO recent_view (owner, code, viewed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(owner, code) DO UPDATE SET viewed_at = excluded.viewed_at",
            )?
            .execute(params![owner, code, now()])?;
        Ok(())
    }

    pub fn recently_viewed(&self, user: &UserDb, owner: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let codes = codes(
            &user.lock(),
            "SELECT code FROM recent_view WHERE owner = ?1 ORDER BY viewed_at DESC, rowid DESC",
            owner,
            limit,
        )?;
        self.hits_for(&codes)
    }

    fn hits_for(&self, codes: &[String]) -> Result<Vec<SearchHit>> {
        self.retrying(|| self.hits_for_once(codes))
    }

    fn hits_for_once(&self, codes: &[String]) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::with_capacity(codes.len());
        for code in codes {
            match self.procedure(code) {
                Ok(p) => hits.push(SearchHit {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    name_en: p.name_en.clone(),
                    field: p.field.clone(),
                    agency: p.processing_agency.clone(),
                    level: p.level,
                    online: p.online_level,
                    highlights: Vec::new(),
                }),
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(hits)
    }

    // --- used by sync ---

    pub(crate) fn feed_state(&self, feed: &str) -> Result<FeedState> {
        self.retrying(|| self.feed_state_once(feed))
    }

    fn feed_state_once(&self, feed: &str) -> Result<FeedState> {
        let writer = self.writer()?;
        let state = writer
            .prepare_cached("SELECT cursor, etag, complete FROM sync_state WHERE feed = ?1")?
            .query_row([feed], |r| {
                Ok(FeedState { cursor: r.get::<_, i64>(0)? as u64, etag: r.get(1)?, complete: r.get(2)? })
            })
            .optional()?;
        Ok(state.unwrap_or_default())
    }

    /// Folds what the WAL holds into the file, as far as it can without waiting for the writer
    /// (a passive checkpoint), on a blocking thread: the copy then runs beside the sync's writes
    /// instead of inside one of its commits (the writer checkpoints only past
    /// [`store::CATALOG_WAL_PAGES`]). A fold that fails leaves its work to the next one. `None`
    /// during a fill without WAL, which has nothing to fold.
    pub(crate) fn fold_beside(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.unsynced_fill.load(Ordering::Relaxed) {
            return None;
        }
        let folder = self.folder.clone();
        let path = self.dir.join(store::CATALOG_DB);
        Some(tokio::task::spawn_blocking(move || {
            let mut folder = lock(&folder);
            let folded = match &mut *folder {
                Some(conn) => conn,
                None => match Connection::open(&path) {
                    Ok(conn) => folder.insert(conn),
                    Err(error) => return tracing::info!("catalog fold: {error}"),
                },
            }
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            if let Err(error) = folded {
                tracing::info!("catalog fold: {error}");
            }
        }))
    }

    /// Folds the WAL into the file after a sync that wrote many pages: a start after the app is
    /// killed then has no long WAL to read back.
    pub(crate) fn fold_wal(&self) -> Result<()> {
        let writer = self.writer()?;
        // Read first: right after a first fill has put the file back in WAL, the writer has not
        // opened the WAL yet, and a checkpoint then failed now and then with SQLITE_LOCKED (the
        // SIGKILL test of a first fill, about one run in four, once pages were fetched ahead).
        writer.query_row("SELECT count(*) FROM sync_state", [], |_| Ok(()))?;
        writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Notes the feeds a sync found unchanged, in one write (an unchanged catalog's only one).
    pub(crate) fn mark_synced(&self, feeds: &[&str]) -> Result<()> {
        self.retrying(|| self.mark_synced_once(feeds))
    }

    fn mark_synced_once(&self, feeds: &[&str]) -> Result<()> {
        let mut writer = self.writer()?;
        let tx = writer.transaction()?;
        let at = now();
        for feed in feeds {
            tx.prepare_cached("UPDATE sync_state SET last_success_at = ?2 WHERE feed = ?1")?
                .execute(params![feed, at])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies one page of the change feed and moves the cursor, in one transaction: an
    /// interrupted sync resumes after the last page committed, never in the middle of one.
    /// While the catalog is first filled (the feed never read to its end), the search index is
    /// left alone and built once, after the last page: written page by page, its segments were
    /// merged again and again, two thirds of a full sync. The copy is complete once it is built.
    /// A damaged copy is rebuilt and the error returned: a page meant for the old copy's cursor
    /// is not applied to the empty one (sync starts again from the beginning).
    pub(crate) fn apply_changes(&self, page: &ReadyPage, etag: Option<&str>) -> Result<Applied> {
        let result = self.apply_changes_once(page, etag);
        if let Err(error) = &result
            && store::is_corruption(error)
        {
            self.rebuild()?;
        }
        result
    }

    fn apply_changes_once(&self, page: &ReadyPage, etag: Option<&str>) -> Result<Applied> {
        let cursor = i64::try_from(page.next_since).map_err(|_| crate::error::PortalError::OutOfRange {
            path: "api/v1/catalog/changes".into(),
            field: "next_since",
        })?;
        let mut writer = self.writer()?;
        let filling = !writer
            .prepare_cached("SELECT complete FROM sync_state WHERE feed = ?1")?
            .query_row([PROCEDURES_FEED], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false);
        if filling {
            self.enter_fill_mode(&writer)?;
        }
        let tx = writer.transaction()?;
        let mut applied = Applied::default();
        {
            let mut find = tx.prepare_cached("SELECT id, fts_rowid FROM procedure WHERE code = ?1")?;
            let mut delete_row = tx.prepare_cached("DELETE FROM procedure WHERE id = ?1")?;
            let mut delete_fts = tx.prepare_cached("DELETE FROM procedure_fts WHERE rowid = ?1")?;
            let mut insert_row = tx.prepare_cached(
                "INSERT INTO procedure (code, national_code, name, name_en, name_key, field, agency, level,
                    online_level, subjects, status, replaced_by, updated_at, record, field_key, agency_key, name_en_key,
                    id, fts_rowid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?;
            // Ids are given here, as SQLite would (after the largest), so that the search row id,
            // which holds the id, is written with the row rather than by a second statement.
            let mut next_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM procedure", [], |r| r.get(0))?;
            let mut insert_fts = tx.prepare_cached(&format!("{FTS_ROWS} WHERE id = ?1"))?;
            for change in &page.items {
                if let Some((id, fts_id)) =
                    find.query_row([&change.code], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).optional()?
                {
                    if !filling {
                        delete_fts.execute([fts_id])?;
                    }
                    delete_row.execute([id])?;
                    if change.row.is_none() {
                        applied.removed += 1;
                    }
                }
                let Some(row) = &change.row else { continue };
                let id = next_id;
                next_id += 1;
                insert_row.execute(params![
                    change.code,
                    row.national_code,
                    row.name,
                    row.name_en,
                    row.name_key,
                    row.field,
                    row.agency,
                    row.level,
                    row.online_level,
                    row.subjects,
                    row.status,
                    row.replaced_by,
                    row.updated_at,
                    row.record,
                    row.field_key,
                    row.agency_key,
                    row.name_en_key,
                    id,
                    fts_rowid(row.name_chars, id),
                ])?;
                if !filling {
                    insert_fts.execute([id])?;
                }
                applied.upserted += 1;
            }
        }
        // The last page of a fill is stored first and the index built after it, in transactions
        // of its own; a stop in between leaves the copy incomplete and the next sync builds it.
        let to_index = filling && !page.has_more;
        let complete = !page.has_more && !to_index;
        tx.execute(
            "INSERT INTO sync_state (feed, cursor, etag, complete, last_success_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
                complete = excluded.complete,
                last_success_at = coalesce(excluded.last_success_at, sync_state.last_success_at)",
            params![PROCEDURES_FEED, cursor, etag.filter(|_| complete), complete, complete.then(now),],
        )?;
        tx.commit()?;
        if to_index {
            index_all(&mut writer)?;
            let unsynced = self.unsynced_fill.load(Ordering::Relaxed);
            if unsynced {
                // This commit syncs the journal, then the file: every page of the fill with it.
                writer.pragma_update(None, "synchronous", "FULL")?;
            }
            writer.execute(
                "UPDATE sync_state SET etag = ?2, complete = 1, last_success_at = ?3 WHERE feed = ?1",
                params![PROCEDURES_FEED, etag, now()],
            )?;
            if unsynced {
                self.leave_fill_mode(&writer)?;
            }
        }
        Ok(applied)
    }

    /// A first fill writes every page of the catalog once, straight into the file, with a
    /// rollback journal and no syncs: through the WAL each page was written twice (the WAL, then
    /// the file) and a full sync took half again as long. The journal still puts back a commit
    /// cut short when the app is killed; a system stop during the fill makes the next open
    /// start it over ([`Catalog::open`]); the commit that completes it syncs everything.
    /// Leaving WAL needs the file to itself: the reader closes for the switch, and while
    /// another connection (another process) reads the file, the page goes through the WAL and
    /// the next page tries again.
    fn enter_fill_mode(&self, writer: &Connection) -> Result<()> {
        if self.unsynced_fill.load(Ordering::Relaxed) {
            return Ok(());
        }
        // A fold in flight finishes first; its connection closes with it.
        *lock(&self.folder) = None;
        if self.switch_journal(writer, "persist")? {
            writer.pragma_update(None, "synchronous", "OFF")?;
            self.unsynced_fill.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Back to WAL once the fill is complete and synced. When another connection holds the
    /// file by then, the copy stays on the rollback journal, synced at each commit, until the
    /// next open puts it back in WAL.
    fn leave_fill_mode(&self, writer: &Connection) -> Result<()> {
        self.unsynced_fill.store(false, Ordering::Relaxed);
        self.switch_journal(writer, "wal")?;
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    /// Sets the writer's journal mode with the reader closed (a switch to or from WAL needs the
    /// file to itself), then opens the reader again; whether the file is now in `mode`. Another
    /// connection's lock is not waited for: the file then stays as it was.
    fn switch_journal(&self, writer: &Connection, mode: &str) -> Result<bool> {
        let mut reader = lock(&self.reader);
        *reader = Connection::open_in_memory()?;
        writer.busy_timeout(std::time::Duration::ZERO)?;
        let now = writer.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| r.get::<_, String>(0));
        writer.busy_timeout(store::BUSY_TIMEOUT)?;
        *reader = store::open_reader(&self.dir.join(store::CATALOG_DB))?;
        match now {
            Ok(now) => Ok(now.eq_ignore_ascii_case(mode)),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    pub(crate) fn replace_units(&self, units: &AdminUnits, etag: Option<&str>) -> Result<()> {
        self.retrying(|| self.replace_units_once(units, etag))
    }

    fn replace_units_once(&self, units: &AdminUnits, etag: Option<&str>) -> Result<()> {
        let mut writer = self.writer()?;
        let tx = writer.transaction()?;
        tx.execute("DELETE FROM admin_unit", [])?;
        tx.execute("DELETE FROM legacy_unit", [])?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO admin_unit (code, name, kind, parent_code) VALUES (?1, ?2, ?3, ?4)")?;
            for u in &units.units {
                insert.execute(params![u.code, text::nfc(&u.name), to_json_str(&u.kind), u.parent_code])?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO legacy_unit (old_code, old_name, old_level, new_code) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for l in &units.legacy {
                insert.execute(params![l.old_code, text::nfc(&l.old_name), l.old_level, l.new_code])?;
            }
        }
        tx.execute(
            "INSERT INTO sync_state (feed, cursor, etag, complete, last_success_at) VALUES (?1, 0, ?2, 1, ?3)
             ON CONFLICT(feed) DO UPDATE SET etag = excluded.etag, last_success_at = excluded.last_success_at",
            params![UNITS_FEED, etag, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Counted from the index on `status`: the table itself holds each procedure's whole record.
const IN_FORCE_COUNT: &str = "SELECT count(*) FROM procedure WHERE status = 'in_force'";

/// The most results one page of [`Catalog::search`] holds.
pub const MAX_PAGE_LIMIT: u32 = 200;

/// The most completions one [`Catalog::suggest`] gives.
pub const MAX_SUGGESTIONS: u32 = 20;

/// Rows read per completion asked for: names repeat (one per commune or area), so distinct
/// names need more rows than completions.
const SUGGESTION_SCAN: i64 = 10;

/// The name columns of the search index, matched before the others.
const NAME_COLUMNS: &str = "{name name_en}";
/// From this offset on, the last tier finds its rows with the index's `NOT` (see `search_once`).
const DEEP_OFFSET: u32 = 200;

const COLUMNS: &str = "p.code, p.name, p.name_en, p.field, p.agency, p.level, p.online_level";

/// Filters: `?1` folded field, `?2` folded agency, `?3` level, `?4` online level, `?5` subject.
/// `+p.status` keeps the index on `status` (for [`IN_FORCE_COUNT`]) out of these plans: nine
/// procedures in ten are in force, and a plan led by it read every record (search p99 13 ms).
const FILTERS: &str = "+p.status = 'in_force'
    AND (?1 IS NULL OR p.field_key = ?1) AND (?2 IS NULL OR p.agency_key = ?2)
    AND (?3 IS NULL OR p.level = ?3) AND (?4 IS NULL OR p.online_level = ?4)
    AND (?5 IS NULL OR instr(p.subjects, ?5) > 0)";

/// Matches of `?6`, in the index's row-id order.
const FTS_JOIN: &str = "FROM procedure_fts f JOIN procedure p ON p.fts_rowid = f.rowid WHERE procedure_fts MATCH ?6";

/// One ordered part of a result list; pages run through the tiers in turn.
struct Tier {
    rows: String,
    count: String,
}

impl Tier {
    fn new(from_where: String, order: &str) -> Self {
        Tier {
            rows: format!("SELECT {COLUMNS} {from_where} ORDER BY {order} LIMIT ?8 OFFSET ?9"),
            count: format!("SELECT count(*) {from_where}"),
        }
    }

    /// `values` are `?1` to `?7`, `words` is `?10` (bound where the statement uses it).
    fn fetch(
        &self,
        conn: &Connection,
        values: &[Value],
        limit: i64,
        offset: i64,
        words: &Value,
    ) -> Result<Vec<SearchHit>> {
        let mut stmt = conn.prepare_cached(&self.rows)?;
        let n = stmt.parameter_count();
        let all = values.iter().cloned().chain([Value::Integer(limit), Value::Integer(offset), words.clone()]).take(n);
        let rows = stmt.query_map(rusqlite::params_from_iter(all), |row| {
            Ok(SearchHit {
                code: row.get(0)?,
                name: row.get(1)?,
                name_en: row.get(2)?,
                field: row.get(3)?,
                agency: row.get(4)?,
                level: parse_level(&row.get::<_, String>(5)?),
                online: parse_online(&row.get::<_, String>(6)?),
                highlights: Vec::new(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many rows the tier holds (asked only when a page starts past its end).
    fn count(&self, conn: &Connection, values: &[Value], words: &Value) -> Result<i64> {
        let mut stmt = conn.prepare_cached(&self.count)?;
        let n = stmt.parameter_count();
        // `?8` and `?9` (limit, offset) are not in a count; `?10` may be.
        let all = values.iter().cloned().chain([Value::Null, Value::Null, words.clone()]).take(n);
        Ok(stmt.query_row(rusqlite::params_from_iter(all), |r| r.get(0))?)
    }
}

fn check_limit(limit: u32, max: u32) -> Result<()> {
    if (1..=max).contains(&limit) {
        return Ok(());
    }
    Err(Error::Validation {
        field: "limit".into(),
        reason: format!("số kết quả phải từ 1 đến {max} / the limit must be between 1 and {max}"),
    })
}

/// The search row id, in static relevance order: shorter names first (name length in the high
/// bits: the specific procedure before the generic ones that extend its name), then the
/// procedure id. Pages stream in this order, so the first matches read are already the answer.
fn fts_rowid(name_chars: usize, id: i64) -> i64 {
    ((name_chars.min(0x7FFF) as i64) << 32) | (id & 0xFFFF_FFFF)
}

/// What the search index holds of a procedure: the folded keys stored beside it, so a
/// procedure is folded once. Codes are ASCII (digits, dots, Latin letters), which SQLite's
/// `lower` and the `y` -> `i` of [`text::fold`] fold as `fold` does. The catalog migration to v6
/// builds the index the same way.
const FTS_ROWS: &str = "INSERT INTO procedure_fts (rowid, name, name_en, field, agency, code)
    SELECT fts_rowid, name_key, nullif(name_en_key, ''), field_key, agency_key, replace(lower(code), 'y', 'i')
    FROM procedure";

/// Builds the search index of every stored procedure, in row-id order (the order searches read
/// it in, and the one FTS5 appends without flushing). Rows an earlier version indexed during a
/// fill are replaced. Chunks of [`INDEX_CHUNK`] rows, each committed: one statement over 10,000
/// rows overflowed the page cache and kept what it spilled in a statement journal in memory
/// (1.6 MB), and FTS5 held a larger hash of terms.
fn index_all(conn: &mut Connection) -> Result<()> {
    conn.execute("INSERT INTO procedure_fts (procedure_fts) VALUES ('delete-all')", [])?;
    let mut indexed = -1;
    loop {
        let last: Option<i64> = conn.query_row(
            "SELECT max(fts_rowid) FROM (SELECT fts_rowid FROM procedure WHERE fts_rowid > ?1 ORDER BY fts_rowid LIMIT ?2)",
            params![indexed, INDEX_CHUNK],
            |r| r.get(0),
        )?;
        let Some(last) = last else { return Ok(()) };
        conn.execute(
            &format!("{FTS_ROWS} WHERE fts_rowid > ?1 AND fts_rowid <= ?2 ORDER BY fts_rowid"),
            [indexed, last],
        )?;
        indexed = last;
    }
}

const INDEX_CHUNK: i64 = 1_000;

/// Display text is stored NFC, so highlight offsets and comparisons are stable whatever form
/// the portal sent; the code upper case. Whether anything changed.
fn normalize(p: &mut Procedure) -> bool {
    let mut changed = p.code.bytes().any(|b| b.is_ascii_lowercase());
    p.code.make_ascii_uppercase();
    for display in [&mut p.name, &mut p.field, &mut p.processing_agency, &mut p.deciding_agency] {
        changed |= text::make_nfc(display);
    }
    changed
}

fn codes(conn: &Connection, sql: &str, owner: &str, limit: u32) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!("{sql} LIMIT ?2"))?;
    let rows = stmt.query_map(params![owner, limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The writer's connection, held locked (see [`Catalog::writer`]).
struct Writer<'a>(std::sync::MutexGuard<'a, Option<Connection>>);

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.0.as_ref().expect("Catalog::writer opens it")
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.0.as_mut().expect("Catalog::writer opens it")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a connection's lock leaves no half transaction (rusqlite rolls back
    // on drop); the procedure kept is whole or absent.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn to_json_str<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn from_json_str<T: serde::de::DeserializeOwned>(s: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::Commune => "commune",
    }
}

fn parse_level(s: &str) -> Level {
    if s == "province" { Level::Province } else { Level::Commune }
}

fn online_str(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::Full => "full",
        OnlineLevel::Partial => "partial",
    }
}

fn parse_online(s: &str) -> OnlineLevel {
    if s == "full" { OnlineLevel::Full } else { OnlineLevel::Partial }
}

fn subject_str(s: Subject) -> &'static str {
    match s {
        Subject::Citizen => "citizen",
        Subject::Organization => "organization",
    }
}

fn status_str(s: ProcedureStatus) -> &'static str {
    match s {
        ProcedureStatus::InForce => "in_force",
        ProcedureStatus::Expired => "expired",
        ProcedureStatus::Replaced => "replaced",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_in_force_reads_an_index_not_the_records() {
        let dir = tempfile::tempdir().unwrap();
        let conn = store::open_catalog(dir.path()).unwrap();
        let plan: String = conn.query_row(&format!("EXPLAIN QUERY PLAN {IN_FORCE_COUNT}"), [], |r| r.get(3)).unwrap();
        assert!(plan.contains("COVERING INDEX procedure_status"), "{plan}");
    }

    /// Searches and browsing filter on `status` too, but must not be led by its index
    /// (nine procedures in ten are in force: such a plan reads nearly every record).
    #[test]
    fn searches_are_not_led_by_the_index_on_status() {
        let dir = tempfile::tempdir().unwrap();
        let conn = store::open_catalog(dir.path()).unwrap();
        let queries = [
            format!("SELECT {COLUMNS} FROM procedure p WHERE {FILTERS} ORDER BY p.name_key"),
            format!("SELECT {COLUMNS} {FTS_JOIN} AND {FILTERS} ORDER BY f.rowid"),
        ];
        for query in queries {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {query}")).unwrap();
            let unbound = rusqlite::params_from_iter(vec![rusqlite::types::Null; stmt.parameter_count()]);
            let plan: Vec<String> = stmt.query_map(unbound, |r| r.get(3)).unwrap().map(Result::unwrap).collect();
            assert!(!plan.iter().any(|step| step.contains("procedure_status")), "{query}: {plan:?}");
        }
    }
}
