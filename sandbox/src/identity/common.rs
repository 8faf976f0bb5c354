//! The provider's ground floor: the vocabulary its route modules share (the realm's constants,
//! the modes and faults a tester switches, the token-endpoint counters) and the OAuth answers
//! they all give. It imports nothing from the modules above it, so they can all import it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// What the provider signs tokens with; `keys` holds a current key for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SigningAlg {
    #[default]
    ES256,
    RS256,
}

impl SigningAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::ES256 => "ES256",
            SigningAlg::RS256 => "RS256",
        }
    }

    pub(super) fn parse(text: &str) -> Option<SigningAlg> {
        match text {
            "ES256" => Some(SigningAlg::ES256),
            "RS256" => Some(SigningAlg::RS256),
            _ => None,
        }
    }
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
    /// Seconds; 0 issues access tokens already expired (tests of expiry need no waiting).
    pub access_token_ttl: u64,
    /// Seconds; every rotation starts a new period; 0 issues refresh tokens already expired.
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

/// Token-endpoint calls per `grant_type`: every call, and those that issued tokens; and how
/// many times the JWKS was served.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counters {
    pub calls: BTreeMap<String, u64>,
    pub issued: BTreeMap<String, u64>,
    pub jwks: u64,
}

impl Counters {
    pub(super) fn zero() -> Counters {
        let grants = || ["authorization_code", "refresh_token"].into_iter().map(|g| (g.to_owned(), 0)).collect();
        Counters { calls: grants(), issued: grants(), jwks: 0 }
    }
}

/// Faults a tester can switch on; each applies to every matching response until cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// ID token with `alg: none` and no signature.
    IdTokenAlgNone,
    /// ID token HS256-signed with the current public key's JWK (as /jwks serves it) as secret.
    IdTokenHs256PublicKey,
    /// ID token whose `kid` is in no JWKS (signed with the current key).
    IdTokenUnknownKid,
    IdTokenBadSignature,
    IdTokenWrongIss,
    IdTokenWrongAud,
    /// `aud` = [client, another], `azp` = another.
    IdTokenExtraAudWrongAzp,
    /// `aud` = [client, another], no `azp`.
    IdTokenExtraAudNoAzp,
    IdTokenExpired,
    IdTokenIatFuture,
    IdTokenWrongNonce,
    /// 200 with an HTML body.
    TokenResponseNotJson,
    /// JSON without `access_token`, `refresh_token`, `id_token`.
    TokenResponseMissingFields,
    /// A valid response padded to 1.5 MiB.
    TokenResponseOversized,
    /// The authorization response without `iss`.
    AuthorizeResponseNoIss,
    /// The authorization response with another issuer's `iss`.
    AuthorizeResponseWrongIss,
    /// Discovery whose `issuer` is not the URL's issuer.
    DiscoveryWrongIssuer,
}

impl Fault {
    pub const ALL: [Fault; 17] = [
        Fault::IdTokenAlgNone,
        Fault::IdTokenHs256PublicKey,
        Fault::IdTokenUnknownKid,
        Fault::IdTokenBadSignature,
        Fault::IdTokenWrongIss,
        Fault::IdTokenWrongAud,
        Fault::IdTokenExtraAudWrongAzp,
        Fault::IdTokenExtraAudNoAzp,
        Fault::IdTokenExpired,
        Fault::IdTokenIatFuture,
        Fault::IdTokenWrongNonce,
        Fault::TokenResponseNotJson,
        Fault::TokenResponseMissingFields,
        Fault::TokenResponseOversized,
        Fault::AuthorizeResponseNoIss,
        Fault::AuthorizeResponseWrongIss,
        Fault::DiscoveryWrongIssuer,
    ];

    pub(super) fn parse(name: &str) -> Option<Fault> {
        serde_json::from_value(json!(name)).ok()
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Parses form or query parameters; a repeated parameter is an error (RFC 6749 section 3.1).
pub fn parse_params(raw: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(raw) {
        if params.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(format!("the parameter {name} is repeated"));
        }
    }
    Ok(params)
}

/// A JSON error as OAuth endpoints answer them.
pub fn json_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

pub fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("sandbox identity provider: {e}");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "sandbox database error")
}
