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
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(schema)?;
    Ok(Mutex::new(conn))
}

/// A panic while the lock was held leaves no half transaction (rusqlite rolls back on drop).
pub fn lock(db: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
