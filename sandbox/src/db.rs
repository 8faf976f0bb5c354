//! The sandbox's SQLite file, shared by the portal's parts (catalog, identity provider,
//! dossiers, payments), each through its own connection.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

/// A connection to the sandbox's file with `schema` applied. WAL lets the parts' connections
/// work side by side; NORMAL survives the sandbox process being killed, which tests do.
pub fn open(path: &Path, schema: &str) -> rusqlite::Result<Mutex<Connection>> {
    let conn = Connection::open(path)?;
    // Statements are kept prepared (`prepare_cached`) on the request paths; with STAT4 built in,
    // SQLite would parse a statement again at each new binding unless its plans stay fixed.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A batch of dossiers keeps a savepoint per dossier; their journals stay in memory
    // instead of spilling to a temporary file past 64 KiB.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.execute_batch(schema)?;
    Ok(Mutex::new(conn))
}

/// A panic while the lock was held leaves no half transaction (rusqlite rolls back on drop).
pub fn lock(db: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The named secret in `table` (`name`, `value`), made by `make` the first time and kept from
/// then on, so keys and secrets survive a restart.
pub fn secret(
    db: &Connection,
    table: &str,
    name: &str,
    make: impl FnOnce() -> Option<Vec<u8>>,
) -> rusqlite::Result<Option<Vec<u8>>> {
    use rusqlite::OptionalExtension;
    let found: Option<Vec<u8>> =
        db.query_row(&format!("SELECT value FROM {table} WHERE name = ?1"), [name], |r| r.get(0)).optional()?;
    if found.is_some() {
        return Ok(found);
    }
    let Some(value) = make() else { return Ok(None) };
    db.execute(&format!("INSERT INTO {table} (name, value) VALUES (?1, ?2)"), rusqlite::params![name, value])?;
    Ok(Some(value))
}
