//! The provider's durable state in the sandbox's SQLite file: signing keys, SSO sessions,
//! authorization codes, token families and tokens. Codes and tokens are stored under the
//! base64url SHA-256 of their value, never in the clear.
//!
//! A *family* is everything issued from one authorization code: it is created with the code, and
//! revoking it (code replay, refresh-token reuse, revocation, logout) kills all its tokens.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idp_key (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    state TEXT NOT NULL,            -- current | previous | retired
    pkcs8 BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idp_session (
    sid TEXT PRIMARY KEY,
    sub TEXT NOT NULL,
    level INTEGER NOT NULL,
    auth_time INTEGER NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idp_family (
    id TEXT PRIMARY KEY,
    sid TEXT NOT NULL,
    grant_json TEXT NOT NULL,
    jkt TEXT,                       -- the DPoP key its refresh tokens are bound to
    revoked INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idp_family_sid ON idp_family (sid);
CREATE TABLE IF NOT EXISTS idp_code (
    hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    expires INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idp_token (
    hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    kind TEXT NOT NULL,             -- access | refresh
    scope TEXT NOT NULL,
    jkt TEXT,                       -- access tokens: the DPoP key they are bound to
    expires INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idp_token_family ON idp_token (family);
";

pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub pkcs8: Vec<u8>,
}

/// What an authorization code grants, fixed when the resident logs in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub sub: String,
    pub sid: String,
    pub level: u8,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: i64,
    /// RFC 9449 section 10: the key the code is bound to (`dpop_jkt`, or a DPoP proof at PAR).
    pub dpop_jkt: Option<String>,
}

pub struct Session {
    pub sub: String,
    pub level: u8,
    pub auth_time: i64,
}

pub struct NewToken {
    pub hash: String,
    pub kind: &'static str,
    pub scope: String,
    pub jkt: Option<String>,
    pub expires: i64,
}

pub enum CodeOutcome {
    Valid {
        family: String,
        grant: Box<Grant>,
    },
    Unknown,
    Expired,
    /// Used before: the family issued from it has now been revoked.
    Replayed,
}

pub enum RefreshOutcome {
    Valid {
        family: String,
        grant: Box<Grant>,
        scope: String,
    },
    Unknown,
    Expired,
    Revoked,
    /// Used before: the whole family has now been revoked.
    Reused,
    /// Bound to a DPoP key the request did not prove.
    KeyMismatch,
    ScopeTooBroad,
}

pub struct AccessInfo {
    pub grant: Grant,
    pub scope: String,
    pub jkt: Option<String>,
}

pub enum AccessOutcome {
    Valid(Box<AccessInfo>),
    Unknown,
    Expired,
    Revoked,
}

struct RefreshRow {
    family: String,
    scope: String,
    expires: i64,
    used: bool,
    revoked: bool,
    jkt: Option<String>,
    grant_json: String,
}

pub struct Store {
    db: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Ok(Store { db: crate::db::open(path, SCHEMA)? })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    pub fn keys(&self) -> rusqlite::Result<Vec<StoredKey>> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT kid, alg, state, pkcs8 FROM idp_key ORDER BY created")?;
        stmt.query_map([], |r| Ok(StoredKey { kid: r.get(0)?, alg: r.get(1)?, state: r.get(2)?, pkcs8: r.get(3)? }))?
            .collect()
    }

    pub fn add_current_key(&self, kid: &str, alg: &str, pkcs8: &[u8]) -> rusqlite::Result<()> {
        insert_current_key(&self.db(), kid, alg, pkcs8)
    }

    /// current -> previous, previous -> retired, the new key -> current; in one transaction.
    pub fn rotate_key(&self, kid: &str, alg: &str, pkcs8: &[u8]) -> rusqlite::Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("UPDATE idp_key SET state = 'retired' WHERE alg = ?1 AND state = 'previous'")?
            .execute([alg])?;
        tx.prepare_cached("UPDATE idp_key SET state = 'previous' WHERE alg = ?1 AND state = 'current'")?
            .execute([alg])?;
        insert_current_key(&tx, kid, alg, pkcs8)?;
        tx.commit()
    }

    pub fn create_session(&self, sid: &str, sub: &str, level: u8, auth_time: i64) -> rusqlite::Result<()> {
        self.db()
            .prepare_cached("INSERT INTO idp_session (sid, sub, level, auth_time) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![sid, sub, level, auth_time])?;
        Ok(())
    }

    pub fn session(&self, sid: &str) -> rusqlite::Result<Option<Session>> {
        self.db()
            .prepare_cached("SELECT sub, level, auth_time FROM idp_session WHERE sid = ?1 AND ended = 0")?
            .query_row([sid], |r| Ok(Session { sub: r.get(0)?, level: r.get(1)?, auth_time: r.get(2)? }))
            .optional()
    }

    /// Ends an SSO session and revokes every token family issued in it.
    pub fn end_session(&self, sid: &str) -> rusqlite::Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("UPDATE idp_session SET ended = 1 WHERE sid = ?1")?.execute([sid])?;
        tx.prepare_cached("UPDATE idp_family SET revoked = 1 WHERE sid = ?1")?.execute([sid])?;
        tx.commit()
    }

    /// Stores a new code together with the (still empty) family it will issue tokens into.
    pub fn create_code(&self, hash: &str, family: &str, grant: &Grant, expires: i64, now: i64) -> rusqlite::Result<()> {
        let grant_json = serde_json::to_string(grant).expect("a grant serializes");
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("INSERT INTO idp_family (id, sid, grant_json, created) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![family, grant.sid, grant_json, now])?;
        tx.prepare_cached("INSERT INTO idp_code (hash, family, expires) VALUES (?1, ?2, ?3)")?
            .execute(params![hash, family, expires])?;
        tx.commit()
    }

    /// Uses up a code. A code used before revokes its family (RFC 6749 section 4.1.2).
    pub fn redeem_code(&self, hash: &str, now: i64) -> rusqlite::Result<CodeOutcome> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let row: Option<(String, i64, bool)> = tx
            .prepare_cached("SELECT family, expires, used FROM idp_code WHERE hash = ?1")?
            .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((family, expires, used)) = row else { return Ok(CodeOutcome::Unknown) };
        let outcome = if used {
            revoke_family(&tx, &family)?;
            CodeOutcome::Replayed
        } else {
            tx.prepare_cached("UPDATE idp_code SET used = 1 WHERE hash = ?1")?.execute([hash])?;
            if expires < now {
                CodeOutcome::Expired
            } else {
                CodeOutcome::Valid { grant: Box::new(family_grant(&tx, &family)?), family }
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// Adds tokens to a family, binding its refresh tokens to `jkt` when given. `false` when the
    /// family was revoked meanwhile (a code replayed while it was being exchanged).
    pub fn issue(&self, family: &str, jkt: Option<&str>, tokens: &[NewToken]) -> rusqlite::Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let revoked: bool =
            tx.prepare_cached("SELECT revoked FROM idp_family WHERE id = ?1")?.query_row([family], |r| r.get(0))?;
        if revoked {
            return Ok(false);
        }
        if let Some(jkt) = jkt {
            tx.prepare_cached("UPDATE idp_family SET jkt = ?2 WHERE id = ?1")?.execute(params![family, jkt])?;
        }
        for t in tokens {
            tx.prepare_cached(
                "INSERT INTO idp_token (hash, family, kind, scope, jkt, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![t.hash, family, t.kind, t.scope, t.jkt, t.expires])?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Uses up a refresh token (rotation). One used before, presented with its family's key,
    /// revokes the whole family (RFC 9700). The DPoP binding and the scope are checked before the
    /// token is used up, so a request that fails them leaves the legitimate holder's token intact.
    pub fn use_refresh(
        &self,
        hash: &str,
        now: i64,
        proof_jkt: Option<&str>,
        requested_scope: Option<&str>,
    ) -> rusqlite::Result<RefreshOutcome> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let row = tx
            .prepare_cached(
                "SELECT t.family, t.scope, t.expires, t.used, t.revoked OR f.revoked, f.jkt, f.grant_json
                 FROM idp_token t JOIN idp_family f ON f.id = t.family WHERE t.hash = ?1 AND t.kind = 'refresh'",
            )?
            .query_row([hash], |r| {
                Ok(RefreshRow {
                    family: r.get(0)?,
                    scope: r.get(1)?,
                    expires: r.get(2)?,
                    used: r.get(3)?,
                    revoked: r.get(4)?,
                    jkt: r.get(5)?,
                    grant_json: r.get(6)?,
                })
            })
            .optional()?;
        let Some(row) = row else { return Ok(RefreshOutcome::Unknown) };
        // The key is checked before reuse: a used token presented with another key (or none)
        // is refused, but it does not revoke the family, or anyone holding a leaked old token
        // could log the resident out.
        let outcome = if row.revoked {
            RefreshOutcome::Revoked
        } else if row.jkt.is_some() && row.jkt.as_deref() != proof_jkt {
            RefreshOutcome::KeyMismatch
        } else if row.used {
            revoke_family(&tx, &row.family)?;
            RefreshOutcome::Reused
        } else if row.expires <= now {
            // Expired from its expiry second on, as access tokens are: a lifetime of 0 issues
            // it already expired.
            RefreshOutcome::Expired
        } else if requested_scope.is_some_and(|req| !req.split(' ').all(|s| row.scope.split(' ').any(|g| g == s))) {
            RefreshOutcome::ScopeTooBroad
        } else {
            tx.prepare_cached("UPDATE idp_token SET used = 1 WHERE hash = ?1")?.execute([hash])?;
            let grant = Box::new(parse_grant(&row.grant_json)?);
            let scope = requested_scope.map(str::to_owned).unwrap_or(row.scope);
            RefreshOutcome::Valid { family: row.family, grant, scope }
        };
        tx.commit()?;
        Ok(outcome)
    }

    pub fn access_token(&self, hash: &str, now: i64) -> rusqlite::Result<AccessOutcome> {
        let db = self.db();
        let row: Option<(String, Option<String>, i64, bool, bool, String)> = db
            .prepare_cached(
                "SELECT t.scope, t.jkt, t.expires, t.revoked, f.revoked, f.grant_json
                 FROM idp_token t JOIN idp_family f ON f.id = t.family WHERE t.hash = ?1 AND t.kind = 'access'",
            )?
            .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        let Some((scope, jkt, expires, revoked, family_revoked, grant_json)) = row else {
            return Ok(AccessOutcome::Unknown);
        };
        Ok(if revoked || family_revoked {
            AccessOutcome::Revoked
        } else if expires <= now {
            AccessOutcome::Expired
        } else {
            AccessOutcome::Valid(Box::new(AccessInfo { grant: parse_grant(&grant_json)?, scope, jkt }))
        })
    }

    /// RFC 7009: a refresh token takes its whole family with it; an access token only itself.
    pub fn revoke(&self, hash: &str) -> rusqlite::Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let row: Option<(String, String)> = tx
            .prepare_cached("SELECT kind, family FROM idp_token WHERE hash = ?1")?
            .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((kind, family)) if kind == "refresh" => revoke_family(&tx, &family)?,
            Some(_) => {
                tx.prepare_cached("UPDATE idp_token SET revoked = 1 WHERE hash = ?1")?.execute([hash])?;
            }
            None => {}
        }
        tx.commit()
    }

    pub fn revoke_family(&self, family: &str) -> rusqlite::Result<()> {
        self.db().prepare_cached("UPDATE idp_family SET revoked = 1 WHERE id = ?1")?.execute([family]).map(drop)
    }
}

fn insert_current_key(db: &Connection, kid: &str, alg: &str, pkcs8: &[u8]) -> rusqlite::Result<()> {
    // An RSA fixture comes back after two rotations: it is the same key, so it keeps its kid.
    db.prepare_cached(
        "INSERT INTO idp_key (kid, alg, state, pkcs8, created) VALUES (?1, ?2, 'current', ?3, ?4)
         ON CONFLICT(kid) DO UPDATE SET state = 'current', created = excluded.created",
    )?
    .execute(params![kid, alg, pkcs8, chrono::Utc::now().timestamp_micros()])?;
    Ok(())
}

fn revoke_family(tx: &Transaction<'_>, family: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE idp_family SET revoked = 1 WHERE id = ?1")?.execute([family]).map(drop)
}

fn family_grant(tx: &Transaction<'_>, family: &str) -> rusqlite::Result<Grant> {
    let json: String =
        tx.prepare_cached("SELECT grant_json FROM idp_family WHERE id = ?1")?.query_row([family], |r| r.get(0))?;
    parse_grant(&json)
}

fn parse_grant(json: &str) -> rusqlite::Result<Grant> {
    serde_json::from_str(json).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}
