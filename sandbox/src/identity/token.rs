//! The token endpoint (authorization_code with PKCE S256; refresh_token with rotation and reuse
//! detection), revocation (RFC 7009), and what the tokens contain, including the faults the
//! client's bad-input tests switch on.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::citizens;
use super::common::{CLIENT_ID, Fault, IdentityMode, acr_for_level, internal, json_error, parse_params};
use super::dpop::{Checks, DpopError, request_url};
use super::jose::{b64, now, random_token, sha256_b64};
use super::provider::IdentityProvider;
use super::store::{CodeOutcome, Grant, NewToken, RefreshOutcome};

const ID_TOKEN_TTL: i64 = 600;
/// The audience of access tokens: the portal's own APIs.
const PORTAL_AUDIENCE: &str = "smarthd-portal";
/// The audience the audience faults add; no such client exists.
const OTHER_CLIENT: &str = "another-app";
/// Over the 1 MiB a client should accept from a token endpoint.
const OVERSIZED_BYTES: usize = 1536 * 1024;

type Idp = State<Arc<IdentityProvider>>;
type Params = HashMap<String, String>;

pub fn router() -> OpenApiRouter<Arc<IdentityProvider>> {
    OpenApiRouter::new().routes(routes!(token)).routes(routes!(revoke))
}

/// An error answer of the token endpoint (RFC 6749 section 5.2, RFC 9449 section 8).
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: &'static str,
    /// For `use_dpop_nonce`: the nonce to retry with.
    nonce: Option<String>,
}

impl TokenError {
    fn new(status: StatusCode, error: &'static str, description: &'static str) -> TokenError {
        TokenError { status, error, description, nonce: None }
    }

    fn request(description: &'static str) -> TokenError {
        TokenError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn grant(description: &'static str) -> TokenError {
        TokenError::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    fn proof(description: &'static str) -> TokenError {
        TokenError::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
    }

    fn into_response(self) -> Response {
        let mut response = json_error(self.status, self.error, self.description);
        if let Some(nonce) = self.nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            response.headers_mut().insert("dpop-nonce", nonce);
        }
        response
    }
}

/// A database failure, logged, answered as `server_error` without internals.
fn db_failed(e: rusqlite::Error) -> TokenError {
    tracing::error!("sandbox identity provider: {e}");
    TokenError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "sandbox database error")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Minting {
    CodeExchange,
    Refresh,
}

struct Issued {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
    /// The refresh token's lifetime, as Keycloak says it (`refresh_expires_in`).
    refresh_expires_in: u64,
    id_token: String,
    scope: String,
}

#[utoipa::path(post, path = "/realms/haiduong/token", tag = "identity",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded",
        description = "grant_type authorization_code (PKCE S256) or refresh_token"),
    responses(
        (status = 200, description = "access_token, token_type, expires_in, refresh_token, id_token", body = crate::openapi::Tokens),
        (status = 400, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody),
    ))]
async fn token(State(idp): Idp, headers: HeaderMap, OriginalUri(uri): OriginalUri, body: Bytes) -> Response {
    let params = match parse_params(&body) {
        Ok(p) => p,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    let grant_type = params.get("grant_type").map(String::as_str).unwrap_or("");
    idp.count(grant_type, false);
    let mode = idp.mode();
    match grant(&idp, &headers, &uri, &params, grant_type, &mode) {
        Ok(issued) => {
            idp.count(grant_type, true);
            idp.token_response(issued, &mode)
        }
        Err(e) => e.into_response(),
    }
}

fn grant(
    idp: &IdentityProvider,
    headers: &HeaderMap,
    uri: &Uri,
    params: &Params,
    grant_type: &str,
    mode: &IdentityMode,
) -> Result<Issued, TokenError> {
    let get = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if get("client_id") != Some(CLIENT_ID) {
        return Err(TokenError::new(StatusCode::UNAUTHORIZED, "invalid_client", "unknown or missing client_id"));
    }
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        let description = "grant_type must be authorization_code or refresh_token";
        return Err(TokenError::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", description));
    }
    // The proof (and its nonce) is checked before the code or refresh token is touched, so a
    // nonce retry does not use them up.
    let url = request_url(idp.public_base(), uri).ok_or(TokenError::request("no Host header"))?;
    let checks = Checks { method: &Method::POST, url: &url, access_token: None, require_nonce: mode.dpop_nonce };
    // A provider without DPoP does not look at the header: the client gets Bearer tokens.
    let result = if mode.offer_dpop { idp.dpop.check(headers, checks, &idp.rng) } else { Ok(None) };
    let proof = match result {
        Ok(proof) => proof,
        Err(DpopError::Invalid(why)) => return Err(TokenError::proof(why)),
        Err(DpopError::UseNonce(nonce)) => {
            let description = "Authorization server requires nonce in DPoP proof";
            let error = TokenError::new(StatusCode::BAD_REQUEST, "use_dpop_nonce", description);
            return Err(TokenError { nonce: Some(nonce), ..error });
        }
    };
    if proof.is_none() && mode.require_dpop && mode.offer_dpop {
        return Err(TokenError::proof("this provider only issues DPoP-bound tokens: send a DPoP proof"));
    }
    let jkt = proof.map(|p| p.jkt);
    let now = now();
    if grant_type == "authorization_code" {
        exchange_code(idp, &get, jkt.as_deref(), mode, now)
    } else {
        refresh(idp, &get, jkt.as_deref(), mode, now)
    }
}

fn exchange_code<'a>(
    idp: &IdentityProvider,
    get: &impl Fn(&str) -> Option<&'a str>,
    jkt: Option<&str>,
    mode: &IdentityMode,
    now: i64,
) -> Result<Issued, TokenError> {
    let code = get("code").ok_or(TokenError::request("code is required"))?;
    let redirect_uri = get("redirect_uri").ok_or(TokenError::request("redirect_uri is required"))?;
    let verifier = get("code_verifier").ok_or(TokenError::request("code_verifier is required (PKCE)"))?;
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(unreserved) {
        return Err(TokenError::request("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]"));
    }
    let (family, grant) = match idp.store.redeem_code(&sha256_b64(code), now).map_err(db_failed)? {
        CodeOutcome::Valid { family, grant } => (family, grant),
        CodeOutcome::Unknown => return Err(TokenError::grant("unknown authorization code")),
        CodeOutcome::Expired => return Err(TokenError::grant("the authorization code has expired")),
        CodeOutcome::Replayed => {
            return Err(TokenError::grant(
                "the authorization code was used before; the tokens issued from it are revoked",
            ));
        }
    };
    let refuse = |description| {
        idp.store.revoke_family(&family).map_err(db_failed)?;
        Err(TokenError::grant(description))
    };
    if grant.redirect_uri != redirect_uri {
        return refuse("redirect_uri does not match the authorization request");
    }
    if sha256_b64(verifier) != grant.code_challenge {
        return refuse("PKCE verification failed: code_verifier does not match code_challenge");
    }
    if grant.dpop_jkt.as_deref().is_some_and(|bound| Some(bound) != jkt) {
        return refuse("the authorization code is bound to another DPoP key");
    }
    idp.mint(Minting::CodeExchange, &family, &grant, &grant.scope, jkt, mode, now)
}

fn refresh<'a>(
    idp: &IdentityProvider,
    get: &impl Fn(&str) -> Option<&'a str>,
    jkt: Option<&str>,
    mode: &IdentityMode,
    now: i64,
) -> Result<Issued, TokenError> {
    let token = get("refresh_token").ok_or(TokenError::request("refresh_token is required"))?;
    let scope = get("scope").map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    match idp.store.use_refresh(&sha256_b64(token), now, jkt, scope.as_deref()).map_err(db_failed)? {
        RefreshOutcome::Valid { family, grant, scope } => {
            idp.mint(Minting::Refresh, &family, &grant, &scope, jkt, mode, now)
        }
        RefreshOutcome::Unknown => Err(TokenError::grant("unknown refresh token")),
        RefreshOutcome::Expired => Err(TokenError::grant("the refresh token has expired")),
        RefreshOutcome::Revoked => Err(TokenError::grant("the refresh token has been revoked")),
        RefreshOutcome::Reused => {
            Err(TokenError::grant("refresh token reuse detected: every token of this login is now revoked"))
        }
        RefreshOutcome::KeyMismatch if jkt.is_none() => {
            Err(TokenError::proof("this refresh token is DPoP-bound: send a proof made with its key"))
        }
        RefreshOutcome::KeyMismatch => Err(TokenError::grant("the refresh token is bound to another DPoP key")),
        RefreshOutcome::ScopeTooBroad => Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "a refresh can only narrow the scope that was granted",
        )),
    }
}

#[utoipa::path(post, path = "/realms/haiduong/revoke", tag = "identity",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Đã thu hồi / Revoked (RFC 7009)"), (status = 400, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody)))]
async fn revoke(State(idp): Idp, body: Bytes) -> Response {
    let params = match parse_params(&body) {
        Ok(p) => p,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    if params.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return json_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown or missing client_id");
    }
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return json_error(StatusCode::BAD_REQUEST, "invalid_request", "token is required");
    };
    // RFC 7009 section 2.2: an unknown token is answered like a revoked one.
    match idp.store.revoke(&sha256_b64(token)) {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Err(e) => internal(e),
    }
}

impl IdentityProvider {
    /// Issues an access token (bound to `jkt` when given), a rotated refresh token and an ID
    /// token into `family`. A code exchange with a proof also binds the family's refresh tokens.
    #[allow(clippy::too_many_arguments)]
    fn mint(
        &self,
        kind: Minting,
        family: &str,
        grant: &Grant,
        scope: &str,
        jkt: Option<&str>,
        mode: &IdentityMode,
        now: i64,
    ) -> Result<Issued, TokenError> {
        let key = self.keys.current(mode.signing_alg);
        let ttl = mode.access_token_ttl as i64;
        let mut claims = json!({
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": PORTAL_AUDIENCE,
            "client_id": grant.client_id,
            "scope": scope,
            "acr": acr_for_level(grant.level),
            "level": grant.level,
            "auth_time": grant.auth_time,
            "sid": grant.sid,
            "iat": now,
            "exp": now + ttl,
            "jti": random_token(&self.rng),
        });
        if let Some(jkt) = jkt {
            claims["cnf"] = json!({ "jkt": jkt });
        }
        let access_token = key.sign_jwt("at+jwt", &claims, &self.rng);
        let refresh_token = random_token(&self.rng);
        let tokens = [
            NewToken {
                hash: sha256_b64(&access_token),
                kind: "access",
                scope: scope.to_owned(),
                jkt: jkt.map(str::to_owned),
                expires: now + ttl,
            },
            NewToken {
                hash: sha256_b64(&refresh_token),
                kind: "refresh",
                scope: scope.to_owned(),
                jkt: None,
                expires: now + mode.refresh_token_ttl as i64,
            },
        ];
        // Only a code exchange binds the family: a refresh keeps the binding it has.
        let bind = jkt.filter(|_| kind == Minting::CodeExchange);
        if !self.store.issue(family, bind, &tokens).map_err(db_failed)? {
            return Err(TokenError::grant("this login has been revoked"));
        }
        Ok(Issued {
            access_token,
            token_type: if jkt.is_some() { "DPoP" } else { "Bearer" },
            expires_in: mode.access_token_ttl,
            refresh_token,
            refresh_expires_in: mode.refresh_token_ttl,
            id_token: self.id_token(grant, now, mode),
            scope: scope.to_owned(),
        })
    }

    /// The ID token (OpenID Connect Core 2), bent by whichever ID-token faults are on.
    fn id_token(&self, grant: &Grant, now: i64, mode: &IdentityMode) -> String {
        let faults = self.faults();
        let on = |f: Fault| faults.contains(&f);
        let (iat, exp) = if on(Fault::IdTokenExpired) {
            (now - 900, now - 300)
        } else if on(Fault::IdTokenIatFuture) {
            (now + 600, now + 600 + ID_TOKEN_TTL)
        } else {
            (now, now + ID_TOKEN_TTL)
        };
        let two_audiences = on(Fault::IdTokenExtraAudWrongAzp) || on(Fault::IdTokenExtraAudNoAzp);
        let mut claims = Map::new();
        let mut put = |name: &str, value: Value| {
            claims.insert(name.to_owned(), value);
        };
        put("iss", if on(Fault::IdTokenWrongIss) { self.wrong_issuer() } else { self.issuer.clone() }.into());
        put("sub", grant.sub.clone().into());
        put(
            "aud",
            if on(Fault::IdTokenWrongAud) {
                OTHER_CLIENT.into()
            } else if two_audiences {
                json!([CLIENT_ID, OTHER_CLIENT])
            } else {
                CLIENT_ID.into()
            },
        );
        if on(Fault::IdTokenExtraAudWrongAzp) {
            put("azp", OTHER_CLIENT.into());
        } else if !on(Fault::IdTokenExtraAudNoAzp) {
            put("azp", CLIENT_ID.into());
        }
        put("iat", iat.into());
        put("exp", exp.into());
        put("auth_time", grant.auth_time.into());
        if on(Fault::IdTokenWrongNonce) {
            put("nonce", random_token(&self.rng).into());
        } else if let Some(nonce) = &grant.nonce {
            put("nonce", nonce.clone().into());
        }
        put("acr", acr_for_level(grant.level).into());
        put("amr", json!(["pwd", "otp"]));
        put("sid", grant.sid.clone().into());
        put("level", grant.level.into());
        let scopes: Vec<&str> = grant.scope.split(' ').collect();
        if let Some(c) = citizens::by_sub(&grant.sub) {
            if scopes.contains(&"profile") {
                put("name", c.name.into());
                put("family_name", c.family_name.into());
                put("given_name", c.given_name.into());
                put("birthdate", c.birthdate.into());
                put("gender", c.gender.into());
                put("address", json!({ "formatted": c.address }));
            }
            if scopes.contains(&"cccd") {
                put("cccd", c.cccd.into());
            }
        }
        let claims = Value::Object(claims);
        let key = self.keys.current(mode.signing_alg);
        if on(Fault::IdTokenAlgNone) {
            let header = json!({"alg": "none", "typ": "JWT"});
            return format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        }
        if on(Fault::IdTokenHs256PublicKey) {
            // The classic key-confusion attack: HMAC keyed with the provider's public key, here
            // the bytes of its JWK exactly as /jwks serves it.
            let header = json!({"alg": "HS256", "typ": "JWT", "kid": key.kid});
            let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
            let secret = Value::Object(key.public_jwk()).to_string();
            let tag =
                ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes()), input.as_bytes());
            return format!("{input}.{}", b64(tag.as_ref()));
        }
        if on(Fault::IdTokenUnknownKid) {
            let header = json!({"alg": key.alg.as_str(), "typ": "JWT", "kid": format!("unknown-{}", &random_token(&self.rng)[..12])});
            return key.sign_jws(&header, &claims, &self.rng);
        }
        let token = key.sign_jwt("JWT", &claims, &self.rng);
        if on(Fault::IdTokenBadSignature) {
            return corrupt_signature(&token);
        }
        token
    }

    fn token_response(&self, issued: Issued, mode: &IdentityMode) -> Response {
        let faults = self.faults();
        let mut response = if faults.contains(&Fault::TokenResponseNotJson) {
            let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        } else {
            let mut body = if faults.contains(&Fault::TokenResponseMissingFields) {
                json!({"token_type": issued.token_type, "expires_in": issued.expires_in})
            } else {
                json!({
                    "access_token": issued.access_token,
                    "token_type": issued.token_type,
                    "expires_in": issued.expires_in,
                    "refresh_token": issued.refresh_token,
                    "refresh_expires_in": issued.refresh_expires_in,
                    "id_token": issued.id_token,
                    "scope": issued.scope,
                })
            };
            if faults.contains(&Fault::TokenResponseOversized) {
                body["padding"] = "A".repeat(OVERSIZED_BYTES).into();
            }
            axum::Json(body).into_response()
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if mode.dpop_nonce
            && let Ok(nonce) = HeaderValue::from_str(&self.dpop.nonce(&self.rng))
        {
            headers.insert("dpop-nonce", nonce);
        }
        response
    }
}

/// Flips a bit of the signature: the token still parses, but does not verify.
fn corrupt_signature(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap_or((token, ""));
    let mut bytes = super::jose::unb64(sig).unwrap_or_default();
    if let Some(first) = bytes.first_mut() {
        *first ^= 0x01;
    }
    format!("{input}.{}", b64(&bytes))
}
