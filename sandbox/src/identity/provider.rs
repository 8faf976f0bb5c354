//! The provider's state, which every route module is handed: its store, keys, modes, faults
//! and counters, and the login pages and pushed requests in progress. Below the route modules,
//! so that they share it without importing each other.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Mutex, RwLock};
use std::time::Instant;

use ring::rand::SystemRandom;

use super::common::{Counters, Fault, IdentityMode, REALM_PATH, SigningAlg, lock};
use super::dpop;
use super::keys::{self, KeyError};
use super::pages::Lang;
use super::store;

#[derive(Debug, Clone, Default)]
pub struct IdentityConfig {
    /// The base URL the issuer is built from, when clients reach the sandbox under another name
    /// than its bound address (an Android emulator's `http://10.0.2.2:PORT`). Default: the bound
    /// address (`http://127.0.0.1:PORT`).
    pub public_url: Option<String>,
    pub mode: IdentityMode,
}

/// A validated authorization request, waiting for the resident to log in.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub(super) redirect_uri: String,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) scope: String,
    pub(super) code_challenge: String,
    pub(super) min_level: u8,
    pub(super) lang: Lang,
    pub(super) prompt_none: bool,
    pub(super) prompt_login: bool,
    pub(super) max_age: Option<i64>,
    pub(super) dpop_jkt: Option<String>,
}

/// A login page in progress: the request it serves, and the wrong attempts so far.
pub struct PendingLogin {
    pub(super) request: AuthRequest,
    pub(super) created: Instant,
    pub(super) failures: u32,
}

/// A logout the resident is asked to confirm: the CSRF token is the map's key, and the
/// browser that was asked must send back the cookie whose digest is `browser`.
pub struct PendingLogout {
    pub(super) browser: String,
    pub(super) sids: Vec<String>,
    pub(super) redirect: Option<String>,
    pub(super) state: Option<String>,
    pub(super) lang: Lang,
    pub(super) created: Instant,
}

/// Wrong passwords (or OTPs) for one CCCD, and until when the account is locked.
#[derive(Default)]
pub struct Lockout {
    pub(super) failures: u32,
    pub(super) locked_until: i64,
}

/// A pushed authorization request (RFC 9126), until `/authorize` takes it or it expires.
pub struct Pushed {
    pub(super) request: AuthRequest,
    pub(super) expires: Instant,
}

pub struct IdentityProvider {
    pub(super) issuer: String,
    pub(super) store: store::Store,
    pub(super) keys: keys::KeyRing,
    pub(super) mode: RwLock<IdentityMode>,
    pub(super) faults: Mutex<BTreeSet<Fault>>,
    pub(super) counters: Mutex<Counters>,
    pub(super) logins: Mutex<HashMap<String, PendingLogin>>,
    pub(super) pushed: Mutex<HashMap<String, Pushed>>,
    pub(super) logouts: Mutex<HashMap<String, PendingLogout>>,
    pub(super) lockouts: Mutex<HashMap<String, Lockout>>,
    /// Seconds the sandbox's clock is ahead of the system's (tests move it instead of sleeping).
    pub(super) clock_offset: Mutex<i64>,
    pub(super) dpop: dpop::Dpop,
    pub(super) rng: SystemRandom,
}

impl IdentityProvider {
    /// Opens the provider's tables in the sandbox database; `base_url` is `http://host:port`.
    pub fn open(db_path: &Path, base_url: &str, config: IdentityConfig) -> Result<IdentityProvider, KeyError> {
        let rng = SystemRandom::new();
        let store = store::Store::open(db_path)?;
        let keys = keys::KeyRing::open(&store, &rng)?;
        let base = config.public_url.as_deref().unwrap_or(base_url).trim_end_matches('/');
        Ok(IdentityProvider {
            issuer: format!("{base}{REALM_PATH}"),
            store,
            keys,
            mode: RwLock::new(config.mode),
            faults: Mutex::new(BTreeSet::new()),
            counters: Mutex::new(Counters::zero()),
            logins: Mutex::new(HashMap::new()),
            pushed: Mutex::new(HashMap::new()),
            logouts: Mutex::new(HashMap::new()),
            lockouts: Mutex::new(HashMap::new()),
            clock_offset: Mutex::new(0),
            dpop: dpop::Dpop::new(&rng),
            rng,
        })
    }

    /// `http://127.0.0.1:PORT/realms/haiduong`
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The portal's public URL (`http://127.0.0.1:PORT`, or the configured `public_url`): what
    /// DPoP proofs' `htu` must name.
    pub(super) fn public_base(&self) -> &str {
        self.issuer.trim_end_matches(REALM_PATH)
    }

    pub fn mode(&self) -> IdentityMode {
        self.mode.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_mode(&self, mode: IdentityMode) {
        *self.mode.write().unwrap_or_else(|p| p.into_inner()) = mode;
    }

    /// Moves the provider's clock forward (account lockouts run on it), so tests need not sleep.
    pub fn advance_clock(&self, by: std::time::Duration) {
        *lock(&self.clock_offset) += i64::try_from(by.as_secs()).unwrap_or(i64::MAX / 2);
    }

    /// Unix seconds on the provider's clock.
    pub(super) fn clock(&self) -> i64 {
        super::jose::now() + *lock(&self.clock_offset)
    }

    pub fn counters(&self) -> Counters {
        lock(&self.counters).clone()
    }

    pub fn reset_counters(&self) {
        *lock(&self.counters) = Counters::zero();
    }

    pub(super) fn count(&self, grant_type: &str, issued: bool) {
        let known = matches!(grant_type, "authorization_code" | "refresh_token");
        let key = if known { grant_type } else { "other" }.to_owned();
        let mut counters = lock(&self.counters);
        let map = if issued { &mut counters.issued } else { &mut counters.calls };
        *map.entry(key).or_default() += 1;
    }

    pub(super) fn count_jwks(&self) {
        lock(&self.counters).jwks += 1;
    }

    pub fn faults(&self) -> BTreeSet<Fault> {
        lock(&self.faults).clone()
    }

    /// Turns a fault on: it applies to every matching response until cleared.
    pub fn set_fault(&self, fault: Fault, on: bool) {
        let mut faults = lock(&self.faults);
        if on {
            faults.insert(fault);
        } else {
            faults.remove(&fault);
        }
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(super) fn fault(&self, fault: Fault) -> bool {
        lock(&self.faults).contains(&fault)
    }

    /// A new current key for `alg`; the old one stays published as the previous key.
    pub fn rotate_keys(&self, alg: SigningAlg) -> Result<keys::Rotated, KeyError> {
        self.keys.rotate(alg, &self.store, &self.rng)
    }

    /// Another realm's issuer on the same server: what the mix-up faults answer with.
    pub(super) fn wrong_issuer(&self) -> String {
        self.issuer.replace(REALM_PATH, "/realms/other")
    }
}
