//! The access-token check the portal's protected routes share: an axum extractor that accepts
//! Bearer tokens and DPoP-bound tokens with a valid proof (RFC 6750, RFC 9449 section 7), and
//! the errors it answers with, including the step-up challenge (RFC 9470).
//!
//! A route takes `auth: Authenticated` (its state must give `Arc<IdentityProvider>` through
//! `FromRef`), then `auth.require_level(2)?` where level 2 is needed.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::common::acr_for_level;
use super::dpop::{Checks, DpopError, request_url};
use super::jose::{now, sha256_b64};
use super::provider::IdentityProvider;
use super::store::AccessOutcome;

/// The authorization scheme a token came with; challenges answer in the same scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    DPoP,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Bearer => "Bearer",
            Scheme::DPoP => "DPoP",
        }
    }
}

/// The resident a valid access token speaks for.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub sub: String,
    /// The VNeID level of the login the token comes from.
    pub level: u8,
    pub scope: String,
    pub scheme: Scheme,
}

impl Authenticated {
    pub fn acr(&self) -> &'static str {
        acr_for_level(self.level)
    }

    /// The RFC 9470 step-up challenge when the login's level is below `level`.
    pub fn require_level(&self, level: u8) -> Result<(), AuthError> {
        if self.level >= level { Ok(()) } else { Err(AuthError::InsufficientLevel { scheme: self.scheme, level }) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No credentials at all: a plain challenge, no error code (RFC 6750 section 3.1).
    Missing,
    Malformed(&'static str),
    InvalidToken {
        scheme: Scheme,
        description: &'static str,
    },
    InvalidDpopProof(&'static str),
    /// Retry with this nonce in the proof.
    UseDpopNonce(String),
    InsufficientLevel {
        scheme: Scheme,
        level: u8,
    },
    Internal,
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let realm = "realm=\"haiduong\"";
        let (status, challenges, error, description) = match &self {
            AuthError::Missing => (
                StatusCode::UNAUTHORIZED,
                vec![format!("Bearer {realm}"), format!("DPoP {realm}, algs=\"ES256\"")],
                "invalid_token",
                "an access token is required",
            ),
            AuthError::Malformed(why) => (
                StatusCode::BAD_REQUEST,
                vec![format!("Bearer {realm}, error=\"invalid_request\", error_description=\"{why}\"")],
                "invalid_request",
                *why,
            ),
            AuthError::InvalidToken { scheme, description } => {
                let algs = if *scheme == Scheme::DPoP { ", algs=\"ES256\"" } else { "" };
                (
                    StatusCode::UNAUTHORIZED,
                    vec![format!(
                        "{} {realm}, error=\"invalid_token\", error_description=\"{description}\"{algs}",
                        scheme.as_str()
                    )],
                    "invalid_token",
                    *description,
                )
            }
            AuthError::InvalidDpopProof(why) => (
                StatusCode::UNAUTHORIZED,
                vec![format!(
                    "DPoP {realm}, error=\"invalid_dpop_proof\", error_description=\"{why}\", algs=\"ES256\""
                )],
                "invalid_dpop_proof",
                *why,
            ),
            AuthError::UseDpopNonce(_) => (
                StatusCode::UNAUTHORIZED,
                vec![format!(
                    "DPoP {realm}, error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\", algs=\"ES256\""
                )],
                "use_dpop_nonce",
                "Resource server requires nonce in DPoP proof",
            ),
            AuthError::InsufficientLevel { scheme, level } => (
                StatusCode::UNAUTHORIZED,
                vec![format!(
                    "{} {realm}, error=\"insufficient_user_authentication\", error_description=\"A level {level} e-identity login is required\", acr_values=\"{}\"",
                    scheme.as_str(),
                    acr_for_level(*level)
                )],
                "insufficient_user_authentication",
                "a higher e-identity level is required",
            ),
            AuthError::Internal => {
                return (StatusCode::INTERNAL_SERVER_ERROR, "sandbox database error").into_response();
            }
        };
        let mut body = json!({"error": error, "error_description": description});
        if let AuthError::InsufficientLevel { level, .. } = &self {
            body["acr_values"] = acr_for_level(*level).into();
        }
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        for challenge in challenges {
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.append(header::WWW_AUTHENTICATE, value);
            }
        }
        if let AuthError::UseDpopNonce(nonce) = self
            && let Ok(value) = HeaderValue::from_str(&nonce)
        {
            headers.insert("dpop-nonce", value);
        }
        response
    }
}

impl<S> FromRequestParts<S> for Authenticated
where
    Arc<IdentityProvider>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let idp = Arc::<IdentityProvider>::from_ref(state);
        // Nested routers see a shortened URI; the proof's htu names the full one.
        let uri = parts.extensions.get::<OriginalUri>().map(|o| &o.0).unwrap_or(&parts.uri);
        idp.authenticate(&parts.method, uri, &parts.headers)
    }
}

impl IdentityProvider {
    pub fn authenticate(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<Authenticated, AuthError> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let Some(value) = values.next() else { return Err(AuthError::Missing) };
        if values.next().is_some() {
            return Err(AuthError::Malformed("more than one Authorization header"));
        }
        let text = value.to_str().map_err(|_| AuthError::Malformed("the Authorization header is not ASCII"))?;
        let (scheme, token) = text.split_once(' ').ok_or(AuthError::Malformed("malformed Authorization header"))?;
        let scheme = if scheme.eq_ignore_ascii_case("bearer") {
            Scheme::Bearer
        } else if scheme.eq_ignore_ascii_case("dpop") {
            Scheme::DPoP
        } else {
            return Err(AuthError::Missing);
        };
        let token = token.trim();
        if token.is_empty() || token.contains(' ') {
            return Err(AuthError::Malformed("malformed access token"));
        }
        let invalid = |description| AuthError::InvalidToken { scheme, description };
        let info = match self.store.access_token(&sha256_b64(token), now()) {
            Ok(AccessOutcome::Valid(info)) => info,
            Ok(AccessOutcome::Unknown) => return Err(invalid("unknown access token")),
            Ok(AccessOutcome::Expired) => return Err(invalid("the access token has expired")),
            Ok(AccessOutcome::Revoked) => return Err(invalid("the access token has been revoked")),
            Err(e) => {
                tracing::error!("sandbox identity provider: {e}");
                return Err(AuthError::Internal);
            }
        };
        match (&info.jkt, scheme) {
            (Some(jkt), Scheme::DPoP) => {
                let url = request_url(self.public_base(), uri).ok_or(AuthError::Malformed("no Host header"))?;
                let require_nonce = self.mode().dpop_nonce;
                let checks = Checks { method, url: &url, access_token: Some(token), require_nonce };
                match self.dpop.check(headers, checks, &self.rng) {
                    Ok(Some(proof)) if proof.jkt == *jkt => {}
                    Ok(Some(_)) => return Err(AuthError::InvalidDpopProof("the proof's key is not the token's key")),
                    Ok(None) => return Err(AuthError::InvalidDpopProof("a DPoP proof is required")),
                    Err(DpopError::Invalid(why)) => return Err(AuthError::InvalidDpopProof(why)),
                    Err(DpopError::UseNonce(nonce)) => return Err(AuthError::UseDpopNonce(nonce)),
                }
            }
            // RFC 9449 section 7.2: a bound token presented as a bearer token is refused.
            (Some(_), Scheme::Bearer) => {
                return Err(AuthError::InvalidToken {
                    scheme: Scheme::DPoP,
                    description: "this token is DPoP-bound: send it as Authorization: DPoP with a proof",
                });
            }
            (None, Scheme::DPoP) => {
                return Err(AuthError::InvalidToken {
                    scheme: Scheme::Bearer,
                    description: "this token is not DPoP-bound: send it as Authorization: Bearer",
                });
            }
            (None, Scheme::Bearer) => {}
        }
        Ok(Authenticated { sub: info.grant.sub, level: info.grant.level, scope: info.scope, scheme })
    }
}
