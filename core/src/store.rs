//! The two SQLite files: `catalog.db` (a re-fetchable cache) and `user.db` (what only the phone
//! has). Versioned migrations, WAL, and the corruption policy of each file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};
use crate::private_files;

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
    // v4: English names in the index (and folded beside the name, `name_en_key`); row ids in static relevance order (`catalog::fts_rowid`)
    // so pages stream in row-id order without ranking; column sets only (no positions: every
    // phrase is one token); folded field and agency keys for the filters; the exact name through
    // a B-tree index. The cache is emptied and refetched.
    r#"
    DROP TABLE procedure_fts;
    CREATE VIRTUAL TABLE procedure_fts USING fts5(
        name, name_en, field, agency, code,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2 3',
        detail = column
    );
    DELETE FROM procedure;
    DELETE FROM sync_state WHERE feed = 'procedures';
    ALTER TABLE procedure ADD COLUMN field_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE procedure ADD COLUMN agency_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE procedure ADD COLUMN name_en_key TEXT NOT NULL DEFAULT '';
    CREATE INDEX procedure_name_key ON procedure(name_key, code);
    CREATE INDEX procedure_field_key ON procedure(field_key);
    CREATE INDEX procedure_agency_key ON procedure(agency_key);
    "#,
    // v5: lists the portal publishes for field reports (categories, commune boundaries), kept
    // whole as fetched, for drafting offline.
    r#"
    CREATE TABLE published_list (
        name TEXT PRIMARY KEY,
        body BLOB NOT NULL,
        fetched_at TEXT NOT NULL
    );
    "#,
    // v6: the search index keeps no copy of what it indexes (contentless): nothing reads it
    // back, and writing it was a tenth of building the index. Rebuilt here from the keys stored
    // with each procedure, as `catalog::FTS_ROWS` builds it, so an upgrade fetches nothing.
    r#"
    DROP TABLE procedure_fts;
    CREATE VIRTUAL TABLE procedure_fts USING fts5(
        name, name_en, field, agency, code,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2 3',
        detail = column,
        content = '',
        contentless_delete = 1
    );
    INSERT INTO procedure_fts (rowid, name, name_en, field, agency, code)
        SELECT fts_rowid, name_key, nullif(name_en_key, ''), field_key, agency_key, replace(lower(code), 'y', 'i')
        FROM procedure ORDER BY fts_rowid;
    "#,
    // v7: how many procedures are in force (every freshness line) is counted from an index:
    // without it the count read every stored record, about 40 MB for 10,000 procedures.
    r#"
    CREATE INDEX procedure_status ON procedure(status);
    "#,
    // v8: no index of three-letter prefixes. A query ending in three letters ("ket hon") reads
    // the few words that start with them instead (tens of microseconds more); building that
    // index was a fifth of a first fill's index, on the path every new phone waits on.
    r#"
    DROP TABLE procedure_fts;
    CREATE VIRTUAL TABLE procedure_fts USING fts5(
        name, name_en, field, agency, code,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2',
        detail = column,
        content = '',
        contentless_delete = 1
    );
    INSERT INTO procedure_fts (rowid, name, name_en, field, agency, code)
        SELECT fts_rowid, name_key, nullif(name_en_key, ''), field_key, agency_key, replace(lower(code), 'y', 'i')
        FROM procedure ORDER BY fts_rowid;
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
    // v6: every resident's record carries its owner (a keyed hash of the e-identity `sub`, see
    // `crate::owner`); rows from before are 'unclaimed' until the first resident logs in. A
    // dossier with no owner is a draft made while logged out. Upload state and the status-feed
    // cursor are per owner; what was kept of them is dropped (both are fetched again).
    r#"
    ALTER TABLE dossier ADD COLUMN owner TEXT;
    UPDATE dossier SET owner = 'unclaimed';
    CREATE INDEX dossier_owner ON dossier(owner);
    ALTER TABLE dossier_attachment ADD COLUMN owner TEXT;
    UPDATE dossier_attachment SET owner = 'unclaimed';
    ALTER TABLE dossier_event ADD COLUMN owner TEXT NOT NULL DEFAULT 'unclaimed';
    ALTER TABLE outbox ADD COLUMN owner TEXT NOT NULL DEFAULT 'unclaimed';
    ALTER TABLE payment_request ADD COLUMN owner TEXT NOT NULL DEFAULT 'unclaimed';
    ALTER TABLE payment ADD COLUMN owner TEXT NOT NULL DEFAULT 'unclaimed';
    CREATE INDEX payment_owner ON payment(owner);
    ALTER TABLE receipt ADD COLUMN owner TEXT NOT NULL DEFAULT 'unclaimed';
    DROP TABLE upload;
    CREATE TABLE upload (
        owner TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (owner, sha256)
    );
    DROP TABLE feed_cursor;
    CREATE TABLE feed_cursor (
        owner TEXT NOT NULL,
        feed TEXT NOT NULL,
        cursor INTEGER NOT NULL,
        PRIMARY KEY (owner, feed)
    );
    "#,
    // v7: a known constant sealed under the data key, so a lost or wrong key is found at once;
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
    // v8: appointments at one-stop counters: booking requests waiting to reach the portal (each
    // under its permanent booking id), the bookings with their signed tickets and whether the
    // reminder was given, and the portal's ticket keys (sealed).
    r#"
    CREATE TABLE appointment_request (
        booking_id TEXT PRIMARY KEY,
        slot_id TEXT NOT NULL,
        procedure_code TEXT,
        created_at TEXT NOT NULL,
        owner TEXT NOT NULL
    );
    CREATE TABLE appointment (
        booking_id TEXT PRIMARY KEY,
        slot_id TEXT NOT NULL,
        counter_id TEXT NOT NULL,
        counter_name TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        procedure_code TEXT,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        status TEXT NOT NULL,
        number INTEGER NOT NULL,
        ticket_payload TEXT NOT NULL,
        ticket_signature TEXT NOT NULL,
        ticket_key_id TEXT NOT NULL,
        reminded INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        owner TEXT NOT NULL
    );
    CREATE INDEX appointment_owner ON appointment(owner, starts_at);
    CREATE TABLE appointment_key (
        key_id TEXT PRIMARY KEY,
        public_key BLOB NOT NULL
    );
    "#,
    // v9: a dossier's later actions go through the outbox too, each under its own permanent id
    // (a supplement round, a withdrawal, a rating), so one dossier may have several entries; the open
    // request for more documents (sealed), which round and requested document an attachment
    // answers, the result as the portal issued it (signed metadata, sealed; its PDF sealed in
    // attachments/ like an attachment), and each resident's personal papers (sealed).
    r#"
    CREATE TABLE outbox_v9 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dossier_id TEXT NOT NULL REFERENCES dossier(id),
        kind TEXT NOT NULL DEFAULT 'submit',
        action_id TEXT,
        payload BLOB,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT 'unclaimed'
    );
    INSERT INTO outbox_v9 (seq, dossier_id, attempts, next_attempt_at, last_error, created_at, owner)
        SELECT seq, dossier_id, attempts, next_attempt_at, last_error, created_at, owner FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v9 RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_one_submission ON outbox(dossier_id) WHERE kind = 'submit';
    ALTER TABLE dossier ADD COLUMN supplement BLOB;
    ALTER TABLE dossier ADD COLUMN result_issued INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE dossier ADD COLUMN rating TEXT;
    ALTER TABLE dossier_attachment ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE dossier_attachment ADD COLUMN document TEXT;
    CREATE TABLE profile_card (
        owner TEXT PRIMARY KEY,
        sealed BLOB NOT NULL,
        fetched_at TEXT NOT NULL
    );
    CREATE TABLE dossier_result (
        dossier_id TEXT PRIMARY KEY REFERENCES dossier(id) ON DELETE CASCADE,
        signed BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        owner TEXT NOT NULL
    );
    "#,
    // v10: the inbox: the city's alerts for the resident (synced by delta, per-owner cursor) and
    // the app's own notices (dossier, payment, report changes), each with its read state; and
    // the push token registered for the resident, removed at logout.
    r#"
    CREATE TABLE inbox_item (
        item_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        severity TEXT NOT NULL,
        valid_until TEXT,
        at TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        owner TEXT NOT NULL,
        PRIMARY KEY (owner, item_id)
    );
    CREATE INDEX inbox_by_time ON inbox_item(owner, at);
    CREATE TABLE inbox_cursor (
        owner TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL
    );
    CREATE TABLE push_device (
        owner TEXT PRIMARY KEY,
        token BLOB NOT NULL,
        platform TEXT NOT NULL
    );
    "#,
    // v11: field reports: the draft (its text, place and the portal's view sealed: they say
    // where the resident was), its photos (sealed files beside the attachments), and their own
    // outbox entries (the submission, the rating) under permanent ids.
    r#"
    CREATE TABLE report (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        category TEXT NOT NULL,
        sealed BLOB NOT NULL,
        commune_code TEXT,
        urgency TEXT NOT NULL,
        share_identity INTEGER NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        problem TEXT,
        remote BLOB,
        verdict TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX report_owner ON report(owner, created_at);
    CREATE TABLE report_photo (
        report_id TEXT NOT NULL REFERENCES report(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        owner TEXT NOT NULL,
        PRIMARY KEY (report_id, sha256)
    );
    CREATE TABLE report_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        report_id TEXT NOT NULL REFERENCES report(id),
        kind TEXT NOT NULL,
        action_id TEXT,
        verdict TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        owner TEXT NOT NULL
    );
    CREATE UNIQUE INDEX report_outbox_one ON report_outbox(report_id, kind);
    "#,
    // v12: favourites and recently viewed procedures belong to a resident too (what a resident
    // looked up says something about them: a shared phone must not show it to the next one);
    // owner '' is the lists kept while nobody is logged in. Rows from before are unclaimed.
    r#"
    CREATE TABLE favorite_owned (
        owner TEXT NOT NULL,
        code TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (owner, code)
    );
    INSERT INTO favorite_owned SELECT 'unclaimed', code, added_at FROM favorite;
    DROP TABLE favorite;
    ALTER TABLE favorite_owned RENAME TO favorite;
    CREATE TABLE recent_view_owned (
        owner TEXT NOT NULL,
        code TEXT NOT NULL,
        viewed_at TEXT NOT NULL,
        PRIMARY KEY (owner, code)
    );
    INSERT INTO recent_view_owned SELECT 'unclaimed', code, viewed_at FROM recent_view;
    DROP TABLE recent_view;
    ALTER TABLE recent_view_owned RENAME TO recent_view;
    CREATE INDEX recent_view_time ON recent_view(owner, viewed_at);
    "#,
    // v13: a dossier's outbox entries found by the dossier (reading a dossier asks for its
    // queued action): without it every read scanned the whole outbox.
    r#"
    CREATE INDEX outbox_by_dossier ON outbox(dossier_id, seq);
    "#,
    // v14: an outbox entry is known by its permanent id (the dossier's for its submission, the
    // action's for a later one), unique per dossier: one index finds a dossier's entries and keeps
    // its submission single. `seq` only orders them, without a counter (a number a delivered entry
    // freed may be taken again; nothing is found by it): a submission's commit writes two pages
    // fewer.
    r#"
    CREATE TABLE outbox_v14 (
        seq INTEGER PRIMARY KEY,
        dossier_id TEXT NOT NULL REFERENCES dossier(id),
        kind TEXT NOT NULL DEFAULT 'submit',
        entry_id TEXT NOT NULL,
        payload BLOB,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT 'unclaimed'
    );
    INSERT INTO outbox_v14 (seq, dossier_id, kind, entry_id, payload, attempts, next_attempt_at, last_error, created_at,
                            owner)
        SELECT seq, dossier_id, kind, coalesce(action_id, dossier_id), payload, attempts, next_attempt_at, last_error,
               created_at, owner
        FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v14 RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_entry ON outbox(dossier_id, entry_id);
    "#,
    // v15: a resident wiped at logout stays wiped. A write that was on its way when they logged
    // out (a sync's answer, a notice) inserts nothing of theirs: each owned table skips a row
    // of an owner listed here, until that owner logs in again ([`crate::owner::wipe`]).
    r#"
    CREATE TABLE wiped_owner (owner TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER report_outbox_not_for_wiped BEFORE INSERT ON report_outbox
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER report_photo_not_for_wiped BEFORE INSERT ON report_photo
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER report_not_for_wiped BEFORE INSERT ON report
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER outbox_not_for_wiped BEFORE INSERT ON outbox
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER payment_request_not_for_wiped BEFORE INSERT ON payment_request
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER dossier_event_not_for_wiped BEFORE INSERT ON dossier_event
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER dossier_attachment_not_for_wiped BEFORE INSERT ON dossier_attachment
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER dossier_result_not_for_wiped BEFORE INSERT ON dossier_result
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER payment_not_for_wiped BEFORE INSERT ON payment
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER receipt_not_for_wiped BEFORE INSERT ON receipt
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER dossier_not_for_wiped BEFORE INSERT ON dossier
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER appointment_request_not_for_wiped BEFORE INSERT ON appointment_request
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER appointment_not_for_wiped BEFORE INSERT ON appointment
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER upload_not_for_wiped BEFORE INSERT ON upload
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER feed_cursor_not_for_wiped BEFORE INSERT ON feed_cursor
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER profile_card_not_for_wiped BEFORE INSERT ON profile_card
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER inbox_item_not_for_wiped BEFORE INSERT ON inbox_item
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER inbox_cursor_not_for_wiped BEFORE INSERT ON inbox_cursor
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER push_device_not_for_wiped BEFORE INSERT ON push_device
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER favorite_not_for_wiped BEFORE INSERT ON favorite
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    CREATE TRIGGER recent_view_not_for_wiped BEFORE INSERT ON recent_view
        WHEN EXISTS (SELECT 1 FROM wiped_owner WHERE owner = NEW.owner) BEGIN SELECT RAISE(IGNORE); END;
    "#,
    // v16: the sealed files a wipe's deleted records named, listed in the wipe's transaction until
    // they are removed: a process stopped between the two finishes at the next open
    // ([`crate::dossier::Dossiers::remove_listed_files`]).
    r#"
    CREATE TABLE file_to_remove (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
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
pub struct UserDb(std::sync::Arc<OpenFile>);

/// A connection and its open marker (see [`open_marker`]), removed once the connection has
/// closed cleanly: fields drop in order, the connection first.
struct OpenFile {
    conn: std::sync::Mutex<Connection>,
    dir: PathBuf,
    _marker: OpenMarker,
}

impl UserDb {
    pub fn open(data_dir: &Path) -> Result<UserDb> {
        let marker = OpenMarker::create(&data_dir.join(USER_DB))?;
        let conn = open_user_checked(data_dir, marker.unclean)?;
        Ok(UserDb(std::sync::Arc::new(OpenFile {
            conn: std::sync::Mutex::new(conn),
            dir: data_dir.to_owned(),
            _marker: marker,
        })))
    }

    /// Runs `op`. When it meets a damaged file (SQLITE_CORRUPT or SQLITE_NOTADB), or answers
    /// "not found" and an integrity check then fails (a damaged index hides rows), the file is
    /// moved aside and salvaged into a new one at once, and the answer is `UserDataCorrupt`.
    pub fn checked<T>(&self, op: impl FnOnce() -> Result<T>) -> Result<T> {
        match op() {
            Err(error)
                if is_corruption(&error)
                    || (matches!(error, Error::NotFound(_)) && quick_check(&self.lock()).is_err()) =>
            {
                Err(self.replace_damaged()?)
            }
            other => other,
        }
    }

    fn replace_damaged(&self) -> Result<Error> {
        let mut conn = self.lock();
        // The damaged file's connection closes before the file moves.
        drop(std::mem::replace(&mut *conn, Connection::open_in_memory()?));
        let error = keep_user_db_aside(&self.0.dir)?;
        *conn = open_migrated(&self.0.dir.join(USER_DB), USER_MIGRATIONS)?;
        Ok(error)
    }

    /// Runs `write` in one transaction committed with `synchronous=FULL`: what a resident makes
    /// (a draft and each edit of it, a submission, a queued action) is on the disk once this
    /// returns, and survives a power cut. What came from the portal is committed with `NORMAL`
    /// (it can be fetched again). A durable draft also spares the submission's commit the
    /// syncing of earlier unsynced edits (measured in `docs/performance.md`).
    pub fn durably<T>(&self, write: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut db = self.lock();
        db.pragma_update(None, "synchronous", "FULL")?;
        let result = (|| {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let written = write(&tx)?;
            tx.commit()?;
            Ok(written)
        })();
        // Left at FULL, later writes are only slower: the write's own answer matters more.
        if let Err(error) = db.pragma_update(None, "synchronous", "NORMAL") {
            tracing::warn!("user.db stays at synchronous=FULL: {error}");
        }
        result
    }

    /// A panic while the lock was held leaves no half transaction (rusqlite rolls back on drop).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `<file>.open`, written at open and removed at a clean close: found at the next open, it says
/// the app stopped without closing (killed, a power cut), and the file gets an integrity check.
/// With two processes on one data dir the first to close removes it; a damaged page is then
/// still found when a query meets it. It holds the id of the boot it was written in, so that
/// a stop of the app alone (the same boot) can be told from a stop of the whole system.
pub struct OpenMarker {
    path: PathBuf,
    pub unclean: bool,
    /// Unclean, and the system may have gone down with the file open (another boot, or a
    /// platform that does not say): writes handed to the system but never synced may be lost.
    pub system_stopped: bool,
}

impl OpenMarker {
    pub fn create(db: &Path) -> Result<OpenMarker> {
        let mut path = db.as_os_str().to_owned();
        path.push(".open");
        let path = PathBuf::from(path);
        let unclean = path.exists();
        let boot = this_boot();
        let system_stopped = unclean
            && !matches!((std::fs::read_to_string(&path), &boot), (Ok(then), Some(now)) if same_boot(&then, now));
        let mut marker = crate::private_files::options().write(true).create(true).truncate(true).open(&path)?;
        std::io::Write::write_all(&mut marker, boot.unwrap_or_default().as_bytes())?;
        Ok(OpenMarker { path, unclean, system_stopped })
    }
}

/// Which boot this is: the kernel's id of it where the app may read it (Linux; Android refuses
/// apps `/proc/sys/kernel/random` since 8.0, iOS has no `/proc`), else when the system started
/// (the wall clock less the time since boot, sleep included). `None` where neither is known.
fn this_boot() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .filter(|id| !id.trim().is_empty())
        .or_else(|| started_at_ms().map(|ms| format!("{STARTED_AT}{ms}")))
}

const STARTED_AT: &str = "started-at:";
/// How far two readings of when the system started may differ in one boot: the two clocks are
/// read one after the other. A wall clock set by hand moves it further, and is taken for
/// another boot (the safe side).
const SAME_START_MS: i64 = 2_000;

/// Whether a marker written in boot `then` was written in boot `now`.
fn same_boot(then: &str, now: &str) -> bool {
    match (then.strip_prefix(STARTED_AT), now.strip_prefix(STARTED_AT)) {
        (None, None) => then == now,
        (Some(then), Some(now)) => match (then.parse::<i64>(), now.parse::<i64>()) {
            (Ok(then), Ok(now)) => (then - now).abs() <= SAME_START_MS,
            _ => false,
        },
        _ => false,
    }
}

/// When the system started, in milliseconds since the Unix epoch.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn started_at_ms() -> Option<i64> {
    use rustix::time::{ClockId, clock_gettime};
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let since_boot = ClockId::Boottime;
    // Darwin's monotonic clock goes on while the system sleeps.
    #[cfg(target_vendor = "apple")]
    let since_boot = ClockId::Monotonic;
    let ms = |t: rustix::time::Timespec| t.tv_sec * 1_000 + t.tv_nsec / 1_000_000;
    Some(ms(clock_gettime(ClockId::Realtime)) - ms(clock_gettime(since_boot)))
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn started_at_ms() -> Option<i64> {
    None
}

impl Drop for OpenMarker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `PRAGMA quick_check`: interior damage (a page of garbage) that opening and migrating do not
/// read. A damaged file is reported as SQLITE_CORRUPT, like a query that meets the damage.
fn quick_check(conn: &Connection) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if verdict == "ok" {
        return Ok(());
    }
    Err(Error::Storage(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
        Some(format!("integrity check: {verdict}")),
    )))
}

/// How long a statement waits for another connection's lock before it fails with `Busy`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Pragmas from `engineering.md`: WAL, foreign keys, temp in memory (Android has no /tmp),
/// a busy timeout, and a bound on the WAL file.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    steady_plans(conn)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
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
    let too_new = |found| Error::SchemaTooNew { path: path.to_owned(), found, known };
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found >= known {
        return if found > known { Err(too_new(found)) } else { Ok(()) };
    }
    loop {
        // The version read in the step's write transaction: another process opening the same
        // old file at once migrates it too, and each step is applied by whichever comes first.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > known {
            return Err(too_new(found));
        }
        let Some(step) = migrations.get(found as usize) else { return Ok(()) };
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

fn open_migrated(path: &Path, migrations: &[Migration]) -> Result<Connection> {
    // Private from its first byte; SQLite gives the WAL and SHM the database file's mode.
    private_files::options().create(true).truncate(false).write(true).open(path)?;
    private_files::restrict(path)?;
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrate(&mut conn, migrations, path)?;
    for sidecar in sidecars(path) {
        private_files::restrict(&sidecar)?;
    }
    Ok(conn)
}

/// A reader on `catalog.db` when the file is there at the current schema, so that reading it
/// needs no writer; `None` when it is missing, older or damaged (the writer migrates or
/// rebuilds it).
pub fn open_current_catalog_reader(data_dir: &Path) -> Result<Option<Connection>> {
    let path = data_dir.join(CATALOG_DB);
    if !path.exists() {
        return Ok(None);
    }
    let current = open_reader(&path).and_then(|reader| {
        let version: i64 = reader.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((version == CATALOG_MIGRATIONS.len() as i64).then_some(reader))
    });
    match current {
        Err(err) if is_corruption(&err) => Ok(None),
        other => other,
    }
}

/// A further connection to an already migrated file (a reader beside the writer).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    steady_plans(&conn)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Statements are prepared once and kept ([`Connection::prepare_cached`]). Without the query
/// planner's stability guarantee, SQLite (built with STAT4) marks a statement whose plan might
/// depend on a bound value, and every new binding then throws its plan away and parses the SQL
/// again (12% of a profiled submit went to it). Our plans never depend on the values.
fn steady_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// SQLITE_CORRUPT or SQLITE_NOTADB, at open or at any query.
pub fn is_corruption(err: &Error) -> bool {
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

/// Opens `catalog.db`. It only caches what the portal serves, so a damaged file (found at open,
/// by the integrity check after an unclean stop, or by a query: [`crate::catalog::Catalog`]) is
/// deleted and rebuilt empty; the next sync fills it again.
pub fn open_catalog(data_dir: &Path) -> Result<Connection> {
    open_catalog_checked(data_dir, false)
}

/// Pages the catalog's WAL may hold before a commit folds it into the file (SQLite's default is
/// 1,000): a full sync rewrites the same FTS pages page after page, and each fold copies them
/// again. [`crate::catalog::Catalog::fold_wal`] folds it once the sync is done.
pub const CATALOG_WAL_PAGES: i64 = 16_384;

pub fn open_catalog_checked(data_dir: &Path, check: bool) -> Result<Connection> {
    let path = data_dir.join(CATALOG_DB);
    let opened = open_migrated(&path, CATALOG_MIGRATIONS).and_then(|conn| {
        if check {
            quick_check(&conn)?;
        }
        conn.pragma_update(None, "wal_autocheckpoint", CATALOG_WAL_PAGES)?;
        Ok(conn)
    });
    match opened {
        Err(err) if is_corruption(&err) => rebuild_catalog(data_dir, "damaged"),
        other => other,
    }
}

/// Whether `catalog.db` was last written with a rollback journal, as a first fill writes it
/// (byte 18 of the header: 1 for a rollback journal, 2 for WAL): every copy is put back in WAL
/// mode when its fill completes, so such a file found after an unclean stop was filled without
/// syncing ([`crate::catalog::Catalog`], "first fill").
pub fn catalog_written_in_fill_mode(data_dir: &Path) -> bool {
    let mut header = [0u8; 19];
    std::fs::File::open(data_dir.join(CATALOG_DB))
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header))
        .is_ok_and(|()| header[18] == 1)
}

/// Deletes `catalog.db` with its WAL and makes a new, empty one. Its connections must be closed.
pub fn rebuild_catalog(data_dir: &Path, why: &str) -> Result<Connection> {
    let path = data_dir.join(CATALOG_DB);
    tracing::warn!(path = %path.display(), "catalog cache is {why}; rebuilding it");
    std::fs::remove_file(&path)?;
    for sidecar in sidecars(&path) {
        if sidecar.exists() {
            std::fs::remove_file(sidecar)?;
        }
    }
    open_migrated(&path, CATALOG_MIGRATIONS)
}

/// Opens `user.db`. It holds what exists nowhere else, so a damaged file is never deleted: it is
/// moved aside (with its WAL), what can still be read is copied into a new file, and the error
/// says where the old one is.
pub fn open_user(data_dir: &Path) -> Result<Connection> {
    open_user_checked(data_dir, false)
}

/// The same, with an integrity check first when `check` (after an unclean stop).
pub fn open_user_checked(data_dir: &Path, check: bool) -> Result<Connection> {
    let path = data_dir.join(USER_DB);
    let opened = open_migrated(&path, USER_MIGRATIONS).and_then(|conn| {
        if check {
            quick_check(&conn)?;
        }
        Ok(conn)
    });
    match opened {
        Err(err) if is_corruption(&err) => Err(keep_user_db_aside(data_dir)?),
        other => other,
    }
}

/// Moves a damaged `user.db` aside, salvages what it can into a new one, and answers the error
/// that says so.
fn keep_user_db_aside(data_dir: &Path) -> Result<Error> {
    let path = data_dir.join(USER_DB);
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
    let mut fresh = open_migrated(&path, USER_MIGRATIONS)?;
    let salvaged = salvage(&kept_at, &mut fresh).unwrap_or_else(|error| {
        tracing::warn!("nothing could be salvaged from the damaged user database: {error}");
        0
    });
    Ok(Error::UserDataCorrupt { path, kept_at, salvaged })
}

/// Copies what can be read of the damaged file into `fresh`, table by table and row by row:
/// forward until the damage, then backward from the end until it, so rows on both sides of a
/// damaged page survive. Values are copied as they are (sealed ones stay sealed). Answers how
/// many rows were copied.
fn salvage(damaged: &Path, fresh: &mut Connection) -> Result<u64> {
    let old = Connection::open_with_flags(damaged, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tables: Vec<String> = fresh
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rootpage")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Rows may reference others not salvaged (a dossier's event without its dossier): kept.
    fresh.pragma_update(None, "foreign_keys", "OFF")?;
    let tx = fresh.transaction()?;
    let mut copied = 0;
    for table in &tables {
        let columns: Vec<String> = tx
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; columns.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT OR IGNORE INTO \"{table}\" ({list}) VALUES ({marks})"))?;
        for order in ["ASC", "DESC"] {
            let Ok(mut select) = old.prepare(&format!("SELECT {list} FROM \"{table}\" ORDER BY rowid {order}")) else {
                break;
            };
            let Ok(mut rows) = select.query([]) else { continue };
            // Until the damage (an error) or the end.
            while let Ok(Some(row)) = rows.next() {
                let values = (0..columns.len()).map(|i| row.get::<_, rusqlite::types::Value>(i));
                let Ok(values) = values.collect::<rusqlite::Result<Vec<_>>>() else { break };
                // A row the new schema refuses (a damaged value) is left in the old file.
                copied += insert.execute(rusqlite::params_from_iter(values)).unwrap_or(0) as u64;
            }
        }
    }
    tx.commit()?;
    fresh.pragma_update(None, "foreign_keys", "ON")?;
    Ok(copied)
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
    fn a_file_another_process_migrates_meanwhile_is_upgraded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(USER_DB);
        let old = USER_MIGRATIONS.len() - 3;
        {
            // The file as an older app left it.
            let mut conn = Connection::open(&path).unwrap();
            configure(&conn).unwrap();
            migrate(&mut conn, &USER_MIGRATIONS[..old], &path).unwrap();
        }
        // Another process has begun the upgrade when this one opens the file.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let opened = std::thread::scope(|scope| {
            let opening = scope.spawn(|| open_user(dir.path()));
            // The order only: a shorter wait could let an opener that reads too early pass
            // unseen, never fail one that reads in time.
            std::thread::sleep(Duration::from_millis(300));
            for (version, step) in USER_MIGRATIONS.iter().enumerate().skip(old) {
                other.execute_batch(step).unwrap();
                other.pragma_update(None, "user_version", version as i64 + 1).unwrap();
            }
            other.execute_batch("COMMIT").unwrap();
            opening.join().unwrap()
        });
        let conn = opened.expect("the file the other process upgraded opens");
        let fresh_dir = tempfile::tempdir().unwrap();
        assert_eq!(schema(&conn), schema(&open_user(fresh_dir.path()).unwrap()));
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
    fn the_search_index_is_rebuilt_from_stored_keys_by_the_upgrades_to_v6_and_v8() {
        for from in [5, 7] {
            search_index_rebuilt_from(from);
        }
    }

    fn search_index_rebuilt_from(version: usize) {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(dir.path().join(CATALOG_DB)).unwrap();
            migrate(&mut conn, &CATALOG_MIGRATIONS[..version], dir.path()).unwrap();
            conn.execute_batch(
                "INSERT INTO procedure (id, code, national_code, name, name_en, name_key, field, agency, level,
                    online_level, subjects, status, updated_at, record, field_key, agency_key, name_en_key, fts_rowid)
                 VALUES (7, '1.001193.000.00.00.HY9', '1.001193', 'Đăng ký khai sinh', 'Birth registration',
                    'dang ki khai sinh', 'Hộ tịch', 'UBND xã', 'commune', 'full', 'citizen', 'in_force',
                    '2026-01-01T00:00:00Z', '{}', 'ho tich', 'ubnd xa', 'birth registration', 7);
                 INSERT INTO procedure_fts (rowid, name, name_en, field, agency, code)
                 VALUES (7, 'dang ki khai sinh', 'birth registration', 'ho tich', 'ubnd xa', '1.001193.000.00.00.hi9');",
            )
            .unwrap();
        }
        let conn = open_catalog(dir.path()).unwrap();
        let found = |query: &str| -> Vec<i64> {
            let mut stmt = conn.prepare("SELECT rowid FROM procedure_fts WHERE procedure_fts MATCH ?1").unwrap();
            stmt.query_map([query], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        for query in ["name: dang ki khai", "name_en: birth", "field: tich", "agency: xa", "code: hi9", "kh*", "kha*"] {
            assert_eq!(found(query), [7], "{query} (from v{version})");
        }
        let copies: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'procedure_fts_content'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(copies, 0, "the index keeps no copy of the text");
        let index: String =
            conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'procedure_fts'", [], |r| r.get(0)).unwrap();
        assert!(index.contains("prefix = '1 2',"), "{index}");
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
        let kept: (String, String) =
            conn.query_row("SELECT owner, code FROM favorite", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(
            kept,
            (crate::owner::UNCLAIMED.to_owned(), "1.001193.H19".to_owned()),
            "kept for the first resident to claim"
        );
    }

    #[test]
    fn queued_entries_keep_their_order_and_permanent_ids_through_the_upgrade_to_v14() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(dir.path().join(USER_DB)).unwrap();
            migrate(&mut conn, &USER_MIGRATIONS[..13], dir.path()).unwrap();
            conn.execute_batch(
                "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, created_at,
                                      updated_at, owner)
                 VALUES ('d1', 'P', 'Thủ tục', 'citizen', x'00', 'queued', 'x', 'x', 'o'),
                        ('d2', 'P', 'Thủ tục', 'citizen', x'00', 'result_ready', 'x', 'x', 'o');
                 INSERT INTO outbox (seq, dossier_id, kind, action_id, payload, attempts, next_attempt_at, created_at,
                                     owner)
                 VALUES (4, 'd2', 'rating', 'act-1', x'01', 2, 60, 'x', 'o'),
                        (7, 'd1', 'submit', NULL, NULL, 0, 0, 'x', 'o');",
            )
            .unwrap();
        }
        let conn = open_user(dir.path()).unwrap();
        let entries: Vec<(i64, String, String, String, i64)> = conn
            .prepare("SELECT seq, dossier_id, kind, entry_id, attempts FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            entries,
            [(4, "d2".into(), "rating".into(), "act-1".into(), 2), (7, "d1".into(), "submit".into(), "d1".into(), 0)]
        );
        let second = conn.execute(
            "INSERT INTO outbox (dossier_id, entry_id, attempts, next_attempt_at, created_at) VALUES ('d1', 'd1', 0, 0, 'x')",
            [],
        );
        assert!(second.is_err(), "a dossier is submitted once");
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
    fn a_durable_write_commits_with_full_and_leaves_normal_behind_even_when_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let db = UserDb::open(dir.path()).unwrap();
        let synchronous =
            |conn: &Connection| -> i64 { conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap() };
        let (full, normal) = (2, 1);
        let seen = db
            .durably(|tx| {
                tx.execute("INSERT INTO favorite (owner, code, added_at) VALUES ('a', 'kept', 'x')", [])?;
                Ok(synchronous(tx))
            })
            .unwrap();
        assert_eq!(seen, full);
        assert_eq!(synchronous(&db.lock()), normal);

        let failed = db.durably(|tx| {
            tx.execute("INSERT INTO favorite (owner, code, added_at) VALUES ('a', 'lost', 'x')", [])?;
            Err::<(), _>(Error::NotFound("something".into()))
        });
        assert!(matches!(failed, Err(Error::NotFound(_))));
        assert_eq!(synchronous(&db.lock()), normal);
        let codes: Vec<String> = db
            .lock()
            .prepare("SELECT code FROM favorite")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(codes, ["kept"], "the failed write left nothing");
    }

    #[test]
    fn a_boot_is_told_by_its_id_or_by_when_the_system_started() {
        let id = "0b6bd9c8-5d1c-4b4e-9d55-1f7e3a2c9a10";
        assert!(same_boot(id, id));
        assert!(!same_boot(id, "7f0e2b1a-0000-4000-8000-000000000000"));
        let started = started_at_ms().unwrap();
        let at = |ms: i64| format!("{STARTED_AT}{ms}");
        assert!(same_boot(&at(started), &at(started_at_ms().unwrap())), "read twice in one boot");
        assert!(same_boot(&at(started), &at(started + SAME_START_MS)));
        assert!(!same_boot(&at(started), &at(started + SAME_START_MS + 1)), "a later boot");
        assert!(!same_boot(&at(started), &at(started - 60_000)), "an earlier boot");
        assert!(!same_boot(&at(started), id), "a marker of the other kind");
        assert!(!same_boot("started-at:garbage", "started-at:garbage"));
        let year_2020 = 1_577_836_800_000;
        assert!(
            started > year_2020 && started <= chrono::Utc::now().timestamp_millis(),
            "{started}: a start before now"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(USER_DB)).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let refused = open_user(dir.path()).unwrap_err();
        assert!(matches!(refused, Error::SchemaTooNew { found: 99, .. }), "{refused:?}");
        assert_eq!(refused.kind(), crate::ErrorKind::UpdateNeeded, "the resident updates the app, not clears it");
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
