//! The push gateway's stand-in: devices the app registers (an FCM or APNs token, bound to the
//! resident), and a log of every push the portal would send, shaped as FCM and APNs payloads.
//! A push carries no personal data: an id and a kind; the app fetches the details over its
//! authorized connection. Tests read the log (`GET /admin/push/log`).

use std::path::Path;
use std::sync::Mutex;

use chrono::Utc;
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Value, json};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS push_device (
    token TEXT PRIMARY KEY,
    platform TEXT NOT NULL,            -- fcm | apns
    sub TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS push_device_by_sub ON push_device (sub);
CREATE TABLE IF NOT EXISTS push_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    at TEXT NOT NULL
);
";

/// What a push is about; the app syncs that part when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushKind {
    Alert { emergency: bool },
    Report,
    Dossier,
}

impl PushKind {
    fn name(self) -> &'static str {
        match self {
            PushKind::Alert { .. } => "alert",
            PushKind::Report => "report",
            PushKind::Dossier => "dossier",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Pushed {
    pub token: String,
    pub platform: String,
    pub kind: String,
    pub ref_id: String,
    pub payload: Value,
}

pub struct PushGateway {
    db: Mutex<Connection>,
}

/// The message FCM (HTTP v1) or APNs would carry. Emergency alerts go at high priority and as
/// critical/time-sensitive, which phones let through quiet hours; the rest wait for them.
fn payload(platform: &str, token: &str, kind: PushKind, ref_id: &str) -> Value {
    let emergency = matches!(kind, PushKind::Alert { emergency: true });
    let data = json!({"kind": kind.name(), "id": ref_id});
    match platform {
        "apns" => json!({
            "device_token": token,
            "headers": {"apns-push-type": "background", "apns-priority": if emergency { "10" } else { "5" }},
            "body": {
                "aps": {"content-available": 1, "interruption-level": if emergency { "critical" } else { "passive" }},
                "data": data,
            },
        }),
        _ => json!({
            "message": {
                "token": token,
                "data": data,
                "android": {"priority": if emergency { "high" } else { "normal" }},
            },
        }),
    }
}

impl PushGateway {
    pub fn open(path: &Path) -> rusqlite::Result<PushGateway> {
        Ok(PushGateway { db: crate::db::open(path, SCHEMA)? })
    }

    /// Registers `token` for `sub` (a token moves to whoever registered it last: the phone
    /// changed hands).
    pub fn register(&self, sub: &str, token: &str, platform: &str) -> rusqlite::Result<()> {
        let db = crate::db::lock(&self.db);
        db.execute(
            "INSERT INTO push_device (token, platform, sub, registered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (token) DO UPDATE SET platform = ?2, sub = ?3, registered_at = ?4",
            params![token, platform, sub, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Removes `sub`'s registration of `token`; true when there was one.
    pub fn unregister(&self, sub: &str, token: &str) -> rusqlite::Result<bool> {
        let db = crate::db::lock(&self.db);
        Ok(db.execute("DELETE FROM push_device WHERE token = ?1 AND sub = ?2", [token, sub])? > 0)
    }

    /// Records one push to every device of `subs` (each resident once, each device once).
    pub fn notify(&self, subs: &[&str], kind: PushKind, ref_id: &str) -> rusqlite::Result<usize> {
        let db = crate::db::lock(&self.db);
        let mut sent = 0;
        let mut devices = db.prepare_cached("SELECT token, platform FROM push_device WHERE sub = ?1")?;
        for sub in subs {
            let found: Vec<(String, String)> =
                devices.query_map([sub], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            for (token, platform) in found {
                let body = payload(&platform, &token, kind, ref_id).to_string();
                db.execute(
                    "INSERT INTO push_log (token, platform, kind, ref_id, payload, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![token, platform, kind.name(), ref_id, body, Utc::now().to_rfc3339()],
                )?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Every resident with a registered device (alerts for the whole city go to them all).
    pub fn registered_subs(&self) -> rusqlite::Result<Vec<String>> {
        let db = crate::db::lock(&self.db);
        let mut stmt = db.prepare_cached("SELECT DISTINCT sub FROM push_device")?;
        stmt.query_map([], |r| r.get(0))?.collect()
    }

    pub fn log(&self) -> rusqlite::Result<Vec<Pushed>> {
        let db = crate::db::lock(&self.db);
        let mut stmt = db.prepare_cached("SELECT token, platform, kind, ref_id, payload FROM push_log ORDER BY seq")?;
        stmt.query_map([], |r| {
            let payload: String = r.get(4)?;
            Ok(Pushed {
                token: r.get(0)?,
                platform: r.get(1)?,
                kind: r.get(2)?,
                ref_id: r.get(3)?,
                payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
            })
        })?
        .collect()
    }
}
