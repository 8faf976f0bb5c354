//! DPoP proof validation (RFC 9449) for the token endpoint, PAR and the protected resources:
//! the proof's shape and ES256 signature, `htm`/`htu`, the `iat` window, `jti` replay, `ath`,
//! and server nonces when the nonce mode is on.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, Uri};
use ring::rand::SystemRandom;
use serde_json::Value;
use url::Url;

use super::jose::{PublicJwk, now, parse_compact, random_token, sha256_b64};

/// How old a proof may be, and how far ahead of our clock.
const MAX_AGE: i64 = 300;
const MAX_AHEAD: i64 = 60;
/// A server nonce is replaced after this many seconds; the one before stays valid as well.
const NONCE_LIFETIME: i64 = 120;
const MAX_PROOF_LEN: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DpopError {
    Invalid(&'static str),
    /// The proof is fine but lacks the current server nonce: retry with this one.
    UseNonce(String),
}

/// A valid proof: the thumbprint (`jkt`) of the key that signed it.
pub struct Proof {
    pub jkt: String,
}

pub struct Checks<'a> {
    pub method: &'a Method,
    pub url: &'a Url,
    /// The access token presented with the proof, for `ath` (resource requests only).
    pub access_token: Option<&'a str>,
    pub require_nonce: bool,
}

struct Nonces {
    current: String,
    previous: Option<String>,
    since: i64,
}

pub struct Dpop {
    /// Seen `jti`s (per key), with when they can be forgotten: after the `iat` window.
    seen: Mutex<HashMap<String, i64>>,
    nonces: Mutex<Nonces>,
}

impl Dpop {
    pub fn new(rng: &SystemRandom) -> Dpop {
        Dpop {
            seen: Mutex::new(HashMap::new()),
            nonces: Mutex::new(Nonces { current: random_token(rng), previous: None, since: now() }),
        }
    }

    /// The nonce clients should use now.
    pub fn nonce(&self, rng: &SystemRandom) -> String {
        let mut nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        let now = now();
        if now - nonces.since >= NONCE_LIFETIME {
            let fresh = random_token(rng);
            nonces.previous = Some(std::mem::replace(&mut nonces.current, fresh));
            nonces.since = now;
        }
        nonces.current.clone()
    }

    fn nonce_is_valid(&self, nonce: &str, rng: &SystemRandom) -> bool {
        let current = self.nonce(rng);
        let nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        nonce == current || nonces.previous.as_deref() == Some(nonce)
    }

    /// Validates the request's DPoP proof. `Ok(None)` when the request carries none.
    pub fn check(
        &self,
        headers: &HeaderMap,
        checks: Checks<'_>,
        rng: &SystemRandom,
    ) -> Result<Option<Proof>, DpopError> {
        let mut values = headers.get_all("dpop").iter();
        let Some(value) = values.next() else { return Ok(None) };
        if values.next().is_some() {
            return Err(DpopError::Invalid("more than one DPoP header"));
        }
        let token = value.to_str().map_err(|_| DpopError::Invalid("the DPoP header is not ASCII"))?;
        let jws = parse_compact(token, MAX_PROOF_LEN).map_err(|e| DpopError::Invalid(e.0))?;
        if jws.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return Err(DpopError::Invalid("the proof's typ is not dpop+jwt"));
        }
        if jws.header.get("alg").and_then(Value::as_str) != Some("ES256") {
            return Err(DpopError::Invalid("the proof's alg is not ES256"));
        }
        let jwk = jws.header.get("jwk").and_then(Value::as_object).ok_or(DpopError::Invalid("the proof has no jwk"))?;
        let key = PublicJwk::from_json(jwk).map_err(|e| DpopError::Invalid(e.0))?;
        if !matches!(key, PublicJwk::P256 { .. }) {
            return Err(DpopError::Invalid("the proof's key is not a P-256 key"));
        }
        if !key.verify("ES256", jws.signing_input.as_bytes(), &jws.signature) {
            return Err(DpopError::Invalid("the proof's signature does not verify"));
        }
        let claim = |name: &str| jws.claims.get(name).and_then(Value::as_str);
        let jti = claim("jti").filter(|j| !j.is_empty() && j.len() <= 256).ok_or(DpopError::Invalid("bad jti"))?;
        if claim("htm") != Some(checks.method.as_str()) {
            return Err(DpopError::Invalid("htm does not match the request method"));
        }
        let htu = claim("htu").and_then(|u| Url::parse(u).ok()).ok_or(DpopError::Invalid("htu is not a URL"))?;
        if without_query(&htu) != without_query(checks.url) {
            return Err(DpopError::Invalid("htu does not match the request URL"));
        }
        let iat = jws.claims.get("iat").and_then(Value::as_i64).ok_or(DpopError::Invalid("the proof has no iat"))?;
        let now = now();
        if iat < now - MAX_AGE || iat > now + MAX_AHEAD {
            return Err(DpopError::Invalid("the proof's iat is outside the accepted window"));
        }
        if let Some(token) = checks.access_token
            && claim("ath") != Some(sha256_b64(token).as_str())
        {
            return Err(DpopError::Invalid("ath does not match the access token"));
        }
        if checks.require_nonce && !claim("nonce").is_some_and(|n| self.nonce_is_valid(n, rng)) {
            return Err(DpopError::UseNonce(self.nonce(rng)));
        }
        let jkt = key.thumbprint();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, forget_at| *forget_at > now);
        if seen.insert(format!("{jkt} {jti}"), iat + MAX_AGE + MAX_AHEAD).is_some() {
            return Err(DpopError::Invalid("the proof's jti was used before"));
        }
        Ok(Some(Proof { jkt }))
    }
}

/// The URL a request was meant for, for `htu`: the portal's configured public URL and the
/// request's path. Not the Host header, which the sender chooses (a proof made for another
/// server would pass if its Host were sent along).
pub fn request_url(public_base: &str, uri: &Uri) -> Option<Url> {
    Url::parse(&format!("{}{}", public_base.trim_end_matches('/'), uri.path())).ok()
}

/// htu is compared without query and fragment (RFC 9449 section 4.3).
fn without_query(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url
}
