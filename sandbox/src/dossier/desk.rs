//! The officer console's accounts and sessions (sandbox officers, documented in
//! `docs/identity.md`). A session is a random secret in an `HttpOnly; SameSite=Strict` cookie,
//! kept here under its digest with the session's CSRF token, which every form and JSON call of
//! the console must send back. In memory: a restart logs officers out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use ring::rand::{SecureRandom, SystemRandom};

use super::common::hex;
use crate::api_error::ApiError;

/// A sandbox officer account.
pub struct OfficerAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
}

/// The sandbox's officers: test accounts, like the test citizens.
pub const OFFICERS: [OfficerAccount; 2] = [
    OfficerAccount { username: "canbo.motcua", password: "Canbo@123", name: "Phạm Thị Hạnh" },
    OfficerAccount { username: "canbo.xuly", password: "Canbo@123", name: "Vũ Đức Minh" },
];

pub const SESSION_COOKIE: &str = "hd_officer";
/// The login form's own CSRF cookie (double submit: the form carries the same value).
pub const LOGIN_COOKIE: &str = "hd_officer_login";
/// The header JSON callers send the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);
const MAX_SESSIONS: usize = 500;

#[derive(Clone)]
pub struct OfficerSession {
    pub name: &'static str,
    pub csrf: String,
    created: Instant,
}

#[cfg(test)]
impl OfficerSession {
    pub fn for_test(csrf: &str) -> OfficerSession {
        OfficerSession { name: OFFICERS[0].name, csrf: csrf.to_owned(), created: Instant::now() }
    }
}

#[derive(Default)]
pub struct Desk {
    sessions: Mutex<HashMap<String, OfficerSession>>,
}

pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    // The system RNG does not fail on supported platforms.
    let _ = SystemRandom::new().fill(&mut bytes);
    hex(&bytes)
}

fn digest(secret: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, secret.as_bytes()).as_ref())
}

/// Equal strings, in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// The account these credentials open, compared through digests (no timing hint).
pub fn authenticate(username: &str, password: &str) -> Option<&'static OfficerAccount> {
    let (user, pass) = (digest(username), digest(password));
    OFFICERS.iter().find(|o| same(&digest(o.username), &user) & same(&digest(o.password), &pass))
}

impl Desk {
    /// A new session: the cookie's secret and the session's CSRF token.
    pub fn open(&self, officer: &OfficerAccount) -> (String, OfficerSession) {
        let secret = random_hex();
        let session = OfficerSession { name: officer.name, csrf: random_hex(), created: Instant::now() };
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        while sessions.len() >= MAX_SESSIONS {
            let Some(oldest) = sessions.iter().min_by_key(|(_, s)| s.created).map(|(k, _)| k.clone()) else { break };
            sessions.remove(&oldest);
        }
        sessions.insert(digest(&secret), session.clone());
        (secret, session)
    }

    /// The session the request's cookie names, if it is live.
    pub fn session(&self, headers: &HeaderMap) -> Option<OfficerSession> {
        let secret = cookie(headers, SESSION_COOKIE)?;
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.get(&digest(&secret)).filter(|s| s.created.elapsed() < SESSION_LIFETIME).cloned()
    }

    /// The officer behind a JSON call: a live session whose CSRF token the `X-CSRF-Token`
    /// header carries.
    pub fn json_session(&self, headers: &HeaderMap) -> Result<OfficerSession, ApiError> {
        self.checked_session(headers, headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()))
    }

    /// The officer behind a console form: a live session whose CSRF token is `sent` (the
    /// form's `csrf` field).
    pub fn checked_session(&self, headers: &HeaderMap, sent: Option<&str>) -> Result<OfficerSession, ApiError> {
        let session = self.session(headers).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "log in at /officer/login first (a sandbox officer account)",
            )
        })?;
        if !sent.is_some_and(|t| same(t, &session.csrf)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "the console's CSRF token is missing or wrong / thiếu hoặc sai mã chống giả mạo",
            ));
        }
        Ok(session)
    }

    pub fn close(&self, headers: &HeaderMap) {
        if let Some(secret) = cookie(headers, SESSION_COOKIE) {
            self.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&digest(&secret));
        }
    }
}
