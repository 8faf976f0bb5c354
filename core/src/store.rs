//! The two SQLite files: `catalog.db` (a re-fetchable cache) and `user.db` (what only the phone
//! has). Versioned migrations, WAL, and the corruption policy of each file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};

/// One migration step; step `i` (from 0) takes `user_version` from `i` to `i + 1`.
pub type Migration = &'static str;

pub const CATALOG_DB: &str = "catalog.db";
pub const USER_DB: &str = "user.db";

pub const CATALOG_MIGRATIONS: &[Migration] = &[
    // v1: procedures, their search index, and the sync state committed with them.
    r#"
    CREATE TABLE procedure (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        national_code TEXT NOT NULL,
        name TEXT NOT NULL,
        name_en TEXT,
        name_key TEXT NOT NULL,
        field TEXT NOT NULL,
        agency TEXT NOT NULL,
        level TEXT NOT NULL,
        online_level TEXT NOT NULL,
        subjects TEXT NOT NULL,
        status TEXT NOT NULL,
        replaced_by TEXT,
        updated_at TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX procedure_national_code ON procedure(national_code);
    CREATE INDEX procedure_field ON procedure(field);
    CREATE INDEX procedure_agency ON procedure(agency);
    CREATE VIRTUAL TABLE procedure_fts USING fts5(
        name, field, agency, code,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2 3'
    );
    CREATE TABLE sync_state (
        feed TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL,
        etag TEXT,
        complete INTEGER NOT NULL,
        last_success_at TEXT
    );
    "#,
    // v2: administrative units after the 2025 reform, and the old units they replaced.
    r#"
    CREATE TABLE admin_unit (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_code TEXT
    );
    CREATE TABLE legacy_unit (
        old_code TEXT PRIMARY KEY,
        old_name TEXT NOT NULL,
        old_level TEXT NOT NULL,
        new_code TEXT NOT NULL
    );
    "#,
    // v3: search rows keyed by specificity (shorter names first, see `catalog::fts_rowid`), so a
    // broad query ranks only its most specific matches. The cache is emptied and refetched.
    r#"
    DROP TABLE procedure_fts;
    CREATE VIRTUAL TABLE procedure_fts USING fts5(
        name, field, agency, code,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2 3'
    );
    DELETE FROM procedure;
    DELETE FROM sync_state WHERE feed = 'procedures';
    ALTER TABLE procedure ADD COLUMN fts_rowid INTEGER;
    CREATE UNIQUE INDEX procedure_fts_rowid ON procedure(fts_rowid);
    "#,
];

pub const USER_MIGRATIONS: &[Migration] = &[
    // v1: favourites.
    r#"
    CREATE TABLE favorite (
        code TEXT PRIMARY KEY,
        added_at TEXT NOT NULL
    );
    "#,
    // v2: recently viewed procedures.
    r#"
    CREATE TABLE recent_view (
        code TEXT PRIMARY KEY,
        viewed_at TEXT NOT NULL
    );
    CREATE INDEX recent_view_time ON recent_view(viewed_at);
    "#,
    // v3: the login session and a login waiting for the browser, both sealed (AES-256-GCM).
    r#"
    CREATE TABLE session (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    );
    CREATE TABLE login_pending (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    "#,
    // v4: dossiers (form values sealed), their attachments, the outbox, status timelines.
    r#"
    CREATE TABLE dossier (
        id TEXT PRIMARY KEY,
        procedure_code TEXT NOT NULL,
        procedure_name TEXT NOT NULL,
        applicant TEXT NOT NULL,
        fields BLOB NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        receipt TEXT,
        fee_vnd INTEGER,
        problem TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE dossier_attachment (
        dossier_id TEXT NOT NULL REFERENCES dossier(id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        PRIMARY KEY (dossier_id, sha256)
    );
    CREATE TABLE upload (
        sha256 TEXT PRIMARY KEY
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dossier_id TEXT NOT NULL UNIQUE REFERENCES dossier(id),
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE dossier_event (
        dossier_id TEXT NOT NULL REFERENCES dossier(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        at TEXT NOT NULL,
        message TEXT,
        PRIMARY KEY (dossier_id, position)
    );
    CREATE TABLE feed_cursor (
        feed TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL
    );
    "#,
    // v5: payments (requests waiting to reach the portal, the portal's orders) and receipts
    // with the portal's verification keys.
    r#"
    CREATE TABLE payment_request (
        request_id TEXT PRIMARY KEY,
        dossier_id TEXT NOT NULL REFERENCES dossier(id),
        method TEXT NOT NULL,
        return_url TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE payment (
        order_id TEXT PRIMARY KEY,
        dossier_id TEXT NOT NULL,
        amount_vnd INTEGER NOT NULL,
        status TEXT NOT NULL,
        method TEXT NOT NULL,
        txn_ref TEXT,
        pay_url TEXT,
        vietqr TEXT,
        expires_at TEXT,
        failure_code TEXT,
        receipt_id TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX payment_txn_ref ON payment(txn_ref);
    CREATE TABLE receipt (
        receipt_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        signature TEXT NOT NULL,
        key_id TEXT NOT NULL,
        stored_at TEXT NOT NULL
    );
    CREATE TABLE receipt_key (
        key_id TEXT PRIMARY KEY,
        public_key BLOB NOT NULL
    );
    "#,
    // v6: a known constant sealed under the data key, so a lost or wrong key is found at open;
    // and sealed values the key cannot open, kept aside (still sealed) instead of dropped.
    r#"
    CREATE TABLE key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    );
    CREATE TABLE unreadable_sealed (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        row_key TEXT NOT NULL,
        sealed BLOB NOT NULL,
        kept_at TEXT NOT NULL
    );
    "#,
];

/// Keeps a sealed value the data key cannot open aside in `user.db`, still sealed: a key that
/// comes back (a restored Keystore) can open it again.
pub fn keep_aside(conn: &Connection, source: &str, row_key: &str, sealed: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO unreadable_sealed (source, row_key, sealed, kept_at) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![
            source,
            row_key,
            sealed,
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ],
    )?;
    Ok(())
}

/// The one connection to `user.db`, shared by the capabilities that keep user data.
#[derive(Clone)]
pub struct UserDb(std::sync::Arc<std::sync::Mutex<Connection>>);

impl UserDb {
    pub fn open(data_dir: &Path) -> Result<UserDb> {
        Ok(UserDb(std::sync::Arc::new(std::sync::Mutex::new(open_user(data_dir)?))))
    }

    /// A panic while the lock was held leaves no half transaction (rusqlite rolls back on drop).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Pragmas from `engineering.md`: WAL, foreign keys, temp in memory (Android has no /tmp),
/// a busy timeout, and a bound on the WAL file.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_size_limit", 4 * 1024 * 1024)?;
    Ok(())
}

/// Applies the migrations `conn` has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection, migrations: &[Migration], path: &Path) -> Result<()> {
    let known = migrations.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(Error::SchemaTooNew { path: path.to_owned(), found, known });
    }
    for (version, step) in migrations.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn open_migrated(path: &Path, migrations: &[Migration]) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrate(&mut conn, migrations, path)?;
    Ok(conn)
}

/// A further connection to an already migrated file (a reader beside the writer).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

fn is_corruption(err: &Error) -> bool {
    matches!(
        err,
        Error::Storage(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

fn sidecars(path: &Path) -> [PathBuf; 2] {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    [wal.into(), shm.into()]
}

/// Opens `catalog.db`. It only caches what the portal serves, so a corrupt file is deleted and
/// rebuilt empty, at open only; the next sync fills it again.
pub fn open_catalog(data_dir: &Path) -> Result<Connection> {
    let path = data_dir.join(CATALOG_DB);
    match open_migrated(&path, CATALOG_MIGRATIONS) {
        Err(err) if is_corruption(&err) => {
            tracing::warn!(path = %path.display(), "catalog cache is corrupt; rebuilding it");
            std::fs::remove_file(&path)?;
            for sidecar in sidecars(&path) {
                if sidecar.exists() {
                    std::fs::remove_file(sidecar)?;
                }
            }
            open_migrated(&path, CATALOG_MIGRATIONS)
        }
        other => other,
    }
}

/// Opens `user.db`. It holds what exists nowhere else, so a corrupt file is never deleted: it is
/// moved aside (with its WAL) and the error says where.
pub fn open_user(data_dir: &Path) -> Result<Connection> {
    let path = data_dir.join(USER_DB);
    match open_migrated(&path, USER_MIGRATIONS) {
        Err(err) if is_corruption(&err) => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let kept_at = data_dir.join(format!("{USER_DB}.corrupt-{stamp}"));
            std::fs::rename(&path, &kept_at)?;
            for sidecar in sidecars(&path) {
                if sidecar.exists() {
                    let name = sidecar.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    let suffix = name.trim_start_matches(USER_DB);
                    std::fs::rename(&sidecar, data_dir.join(format!("{USER_DB}.corrupt-{stamp}{suffix}")))?;
                }
            }
            Err(Error::UserDataCorrupt { path, kept_at })
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema as SQLite reports it, for comparing an upgraded file with a fresh one.
    fn schema(conn: &Connection) -> Vec<(String, String, Option<String>)> {
        let mut stmt = conn
            .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    fn upgrade_from_every_version(migrations: &[Migration], open: fn(&Path) -> Result<Connection>, file: &str) {
        let fresh_dir = tempfile::tempdir().unwrap();
        let fresh = open(fresh_dir.path()).unwrap();
        let expected = schema(&fresh);
        let version: i64 = fresh.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, migrations.len() as i64);

        for old in 0..migrations.len() {
            let dir = tempfile::tempdir().unwrap();
            {
                // A file as an older app left it.
                let mut conn = Connection::open(dir.path().join(file)).unwrap();
                migrate(&mut conn, &migrations[..old], dir.path()).unwrap();
            }
            let upgraded = open(dir.path()).unwrap();
            assert_eq!(schema(&upgraded), expected, "{file} upgraded from v{old}");
        }
    }

    #[test]
    fn catalog_upgrades_from_every_version_to_the_fresh_schema() {
        upgrade_from_every_version(CATALOG_MIGRATIONS, open_catalog, CATALOG_DB);
    }

    #[test]
    fn user_db_upgrades_from_every_version_to_the_fresh_schema() {
        upgrade_from_every_version(USER_MIGRATIONS, open_user, USER_DB);
    }

    #[test]
    fn user_data_survives_an_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(dir.path().join(USER_DB)).unwrap();
            migrate(&mut conn, &USER_MIGRATIONS[..1], dir.path()).unwrap();
            conn.execute("INSERT INTO favorite VALUES ('1.001193.H19', '2026-01-01T00:00:00Z')", []).unwrap();
        }
        let conn = open_user(dir.path()).unwrap();
        let code: String = conn.query_row("SELECT code FROM favorite", [], |r| r.get(0)).unwrap();
        assert_eq!(code, "1.001193.H19");
    }

    #[test]
    fn wal_and_pragmas_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_user(dir.path()).unwrap();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        let temp: i64 = conn.pragma_query_value(None, "temp_store", |r| r.get(0)).unwrap();
        assert_eq!(temp, 2, "temp_store=MEMORY");
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(USER_DB)).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(open_user(dir.path()), Err(Error::SchemaTooNew { found: 99, .. })));
    }

    #[test]
    fn corrupt_catalog_is_rebuilt_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CATALOG_DB), vec![0x5a; 8192]).unwrap();
        let conn = open_catalog(dir.path()).unwrap();
        let n: i64 = conn.query_row("SELECT count(*) FROM procedure", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn corrupt_user_db_is_kept_aside_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = vec![0x5a; 8192];
        std::fs::write(dir.path().join(USER_DB), &garbage).unwrap();
        let err = open_user(dir.path()).unwrap_err();
        let Error::UserDataCorrupt { kept_at, .. } = &err else { panic!("unexpected {err:?}") };
        assert_eq!(std::fs::read(kept_at).unwrap(), garbage, "the corrupt file is kept byte for byte");
        assert!(err.to_string().contains("kept aside"), "{err}");
        assert!(open_user(dir.path()).is_ok(), "a new user.db opens after the old one was kept aside");
    }
}
