//! The sandbox's OpenID Connect provider, standing in for the province's VNeID-connected
//! identity provider: discovery, JWKS (ES256, RS256, rotation), authorization code flow with
//! PKCE S256 and a bilingual login page, PAR (RFC 9126), DPoP (RFC 9449), refresh-token rotation
//! with reuse detection, `iss` in the authorization response (RFC 9207), userinfo, revocation,
//! end-session, and the step-up challenge (RFC 9470) on the portal's own APIs. Test hooks under
//! `/admin/identity/` switch modes and faults at run time. The contract is `docs/identity.md`.
//!
//! Durable (the SQLite file): signing keys, SSO sessions, codes, token families and tokens.
//! In memory (lost on restart, nothing there needs to outlive it): modes, faults, counters,
//! login pages in progress, pushed requests, DPoP `jti`s and nonces.

mod admin;
mod auth;
mod citizens;
mod dpop;
mod jose;
mod keys;
mod pages;
mod resources;
mod routes;
mod store;
mod token;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::Router;
use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};

pub use admin::Fault;
pub use auth::{AuthError, Authenticated, Scheme};
pub use citizens::SANDBOX_OTP;
pub use keys::{KeyError, Rotated, SigningAlg};

/// The realm's path under the sandbox's base URL; the issuer is base URL + this.
pub const REALM_PATH: &str = "/realms/haiduong";
/// The app's client id: a public client (no secret), PKCE and (optionally) DPoP.
pub const CLIENT_ID: &str = "smarthd-app";
/// The app's private-use-scheme redirect URI (RFC 8252 section 7.1).
pub const APP_REDIRECT_URI: &str = "vn.gov.haiduong.smarthd:/oauth2redirect";
/// `acr` values: VNeID level 1 (self-registered) and level 2 (issued in person).
pub const ACR_LEVEL1: &str = "vneid:level1";
pub const ACR_LEVEL2: &str = "vneid:level2";

pub fn acr_for_level(level: u8) -> &'static str {
    if level >= 2 { ACR_LEVEL2 } else { ACR_LEVEL1 }
}

/// What a tester can switch at run time (`POST /admin/identity/mode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMode {
    /// The algorithm ID tokens and access tokens are signed with.
    pub signing_alg: SigningAlg,
    /// `/authorize` only takes a `request_uri` from `/par`.
    pub require_par: bool,
    /// Discovery advertises DPoP and proofs bind tokens. Off: a provider without DPoP, which
    /// ignores proofs and issues Bearer tokens (`require_dpop` then has no effect).
    pub offer_dpop: bool,
    /// The token endpoint only issues DPoP-bound tokens.
    pub require_dpop: bool,
    /// DPoP proofs must carry a server nonce (`use_dpop_nonce` challenges).
    pub dpop_nonce: bool,
    /// Seconds.
    pub access_token_ttl: u64,
    /// Seconds; every rotation starts a new period.
    pub refresh_token_ttl: u64,
}

impl Default for IdentityMode {
    fn default() -> Self {
        IdentityMode {
            signing_alg: SigningAlg::ES256,
            require_par: false,
            offer_dpop: true,
            require_dpop: false,
            dpop_nonce: false,
            access_token_ttl: 300,
            refresh_token_ttl: 30 * 24 * 3600,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct IdentityConfig {
    /// The base URL the issuer is built from, when clients reach the sandbox under another name
    /// than its bound address (an Android emulator's `http://10.0.2.2:PORT`). Default: the bound
    /// address (`http://127.0.0.1:PORT`).
    pub public_url: Option<String>,
    pub mode: IdentityMode,
}

/// Token-endpoint calls per `grant_type`: every call, and those that issued tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counters {
    pub calls: BTreeMap<String, u64>,
    pub issued: BTreeMap<String, u64>,
}

impl Counters {
    fn zero() -> Counters {
        let grants = || ["authorization_code", "refresh_token"].into_iter().map(|g| (g.to_owned(), 0)).collect();
        Counters { calls: grants(), issued: grants() }
    }
}

pub struct IdentityProvider {
    issuer: String,
    store: store::Store,
    keys: keys::KeyRing,
    mode: RwLock<IdentityMode>,
    faults: Mutex<BTreeSet<Fault>>,
    counters: Mutex<Counters>,
    logins: Mutex<HashMap<String, routes::PendingLogin>>,
    pushed: Mutex<HashMap<String, routes::Pushed>>,
    dpop: dpop::Dpop,
    rng: SystemRandom,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
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
            dpop: dpop::Dpop::new(&rng),
            rng,
        })
    }

    /// `http://127.0.0.1:PORT/realms/haiduong`
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn mode(&self) -> IdentityMode {
        self.mode.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_mode(&self, mode: IdentityMode) {
        *self.mode.write().unwrap_or_else(|p| p.into_inner()) = mode;
    }

    pub fn counters(&self) -> Counters {
        lock(&self.counters).clone()
    }

    pub fn reset_counters(&self) {
        *lock(&self.counters) = Counters::zero();
    }

    fn count(&self, grant_type: &str, issued: bool) {
        let known = matches!(grant_type, "authorization_code" | "refresh_token");
        let key = if known { grant_type } else { "other" }.to_owned();
        let mut counters = lock(&self.counters);
        let map = if issued { &mut counters.issued } else { &mut counters.calls };
        *map.entry(key).or_default() += 1;
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

    fn fault(&self, fault: Fault) -> bool {
        lock(&self.faults).contains(&fault)
    }

    /// A new current key for `alg`; the old one stays published as the previous key.
    pub fn rotate_keys(&self, alg: SigningAlg) -> Result<keys::Rotated, KeyError> {
        self.keys.rotate(alg, &self.store, &self.rng)
    }
}

/// The provider's routes: the realm's OpenID endpoints, the portal's `/api/v1/me` routes, and
/// the tester's `/admin/identity/` routes.
pub fn router(idp: Arc<IdentityProvider>) -> Router {
    routes::router().merge(token::router()).merge(resources::router()).merge(admin::router()).with_state(idp)
}
