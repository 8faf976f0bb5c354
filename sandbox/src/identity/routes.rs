//! The realm's browser-facing and metadata routes: discovery, JWKS, authorize, the login page,
//! PAR, and end-session. The token endpoint is in `token`, the protected resources in
//! `resources`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use url::{Host, Url};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::citizens::{self, SANDBOX_OTP};
use super::common::{
    ACR_LEVEL1, ACR_LEVEL2, APP_REDIRECT_URI, CLIENT_ID, Fault, REALM_PATH, SigningAlg, internal, json_error, lock,
    parse_params,
};
use super::dpop::{Checks, DpopError, request_url};
use super::jose::{now, parse_compact, random_token, sha256_b64};
use super::keys::verify_own;
use super::pages::{self, Lang, LoginError, LoginPage};
use super::provider::{AuthRequest, IdentityProvider, Lockout, PendingLogin, PendingLogout, Pushed};
use super::store::Grant;

/// How long a login page stays usable, and how many wrong attempts it takes.
const LOGIN_LIFETIME: Duration = Duration::from_secs(600);
const MAX_LOGIN_FAILURES: u32 = 5;
/// At most this many login pages, pushed requests and logout confirmations are kept in memory;
/// beyond it the oldest is dropped, so unauthenticated requests cannot fill the memory.
const MAX_PENDING: usize = 500;
/// An account is warned after this many wrong passwords or OTPs in a row, and locked for
/// `LOCK_SECS` (on the provider's clock) after `LOCK_AFTER`.
const WARN_AFTER: u32 = 3;
const LOCK_AFTER: u32 = 5;
const LOCK_SECS: i64 = 15 * 60;
/// Accounts whose failures are tracked at once (the oldest entries go first).
const MAX_LOCKOUTS: usize = 10_000;
const LOGOUT_LIFETIME: Duration = Duration::from_secs(600);
const LOGOUT_COOKIE: &str = "hd_idp_logout";
/// RFC 9126: a pushed request is short-lived and single-use.
const PAR_LIFETIME: u64 = 60;
const CODE_LIFETIME: i64 = 60;
const SESSION_COOKIE: &str = "hd_idp_session";
const SCOPES: [&str; 4] = ["openid", "profile", "cccd", "offline_access"];

type Idp = State<Arc<IdentityProvider>>;

pub fn router() -> OpenApiRouter<Arc<IdentityProvider>> {
    OpenApiRouter::new()
        .routes(routes!(discovery))
        .routes(routes!(jwks))
        .routes(routes!(authorize))
        .routes(routes!(login_page, login_submit))
        .routes(routes!(par))
        .routes(routes!(logout_get, logout_post))
}

/// RFC 8252: loopback redirect URIs on any port (section 7.3, the port is not compared) and any
/// path, and the app's private-use scheme. `localhost` is refused (section 8.3).
pub fn redirect_allowed(uri: &str) -> bool {
    if uri == APP_REDIRECT_URI {
        return true;
    }
    let Ok(url) = Url::parse(uri) else { return false };
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        _ => false,
    };
    url.scheme() == "http"
        && loopback
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

fn page(status: StatusCode, html: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn error_page(status: StatusCode, lang: Lang, vi: &str, en: &str) -> Response {
    page(status, pages::message_page(lang, ("Không thể đăng nhập", "Cannot sign in"), (vi, en)))
}

/// An authorization request the provider cannot go on with.
enum AuthzError {
    /// The client or redirect URI cannot be trusted: tell the person, not the client.
    Page { error: &'static str, vi: &'static str, en: &'static str },
    /// Sent back to the client's redirect URI (RFC 6749 section 4.1.2.1).
    Redirect { redirect_uri: String, state: Option<String>, error: &'static str, description: &'static str },
}

impl AuthzError {
    fn into_response(self, idp: &IdentityProvider, lang: Lang) -> Response {
        match self {
            AuthzError::Page { vi, en, .. } => error_page(StatusCode::BAD_REQUEST, lang, vi, en),
            AuthzError::Redirect { redirect_uri, state, error, description } => idp.redirect_to_client(
                &redirect_uri,
                &[("error", error), ("error_description", description)],
                state.as_deref(),
            ),
        }
    }

    /// PAR answers errors as JSON.
    fn into_json(self) -> Response {
        match self {
            AuthzError::Page { error, en, .. } => json_error(StatusCode::BAD_REQUEST, error, en),
            AuthzError::Redirect { error, description, .. } => json_error(StatusCode::BAD_REQUEST, error, description),
        }
    }
}

const UNKNOWN_CLIENT: AuthzError = AuthzError::Page {
    error: "invalid_client",
    vi: "Ứng dụng này chưa được đăng ký với nhà cung cấp định danh.",
    en: "This app is not registered with the identity provider.",
};

fn validate(p: &HashMap<String, String>) -> Result<AuthRequest, AuthzError> {
    let get = |name: &str| p.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if get("client_id") != Some(CLIENT_ID) {
        return Err(UNKNOWN_CLIENT);
    }
    let Some(redirect_uri) = get("redirect_uri").filter(|u| u.len() <= 2048 && redirect_allowed(u)) else {
        return Err(AuthzError::Page {
            error: "invalid_request",
            vi: "Địa chỉ chuyển hướng (redirect_uri) bị thiếu hoặc chưa được đăng ký.",
            en: "The redirect URI is missing or not registered.",
        });
    };
    let state = get("state").map(str::to_owned);
    let fail = |error, description| AuthzError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
        error,
        description,
    };
    if get("request").is_some() {
        return Err(fail("request_not_supported", "request objects are not supported"));
    }
    if get("response_type") != Some("code") {
        return Err(fail("unsupported_response_type", "only response_type=code is supported"));
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return Err(fail("invalid_request", "only response_mode=query is supported"));
    }
    match get("code_challenge_method") {
        Some("S256") => {}
        Some("plain") => return Err(fail("invalid_request", "PKCE method plain is not allowed: use S256")),
        None => return Err(fail("invalid_request", "PKCE is required: code_challenge_method=S256")),
        Some(_) => return Err(fail("invalid_request", "unsupported code_challenge_method: use S256")),
    }
    let is_b64url = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let Some(code_challenge) = get("code_challenge").filter(|c| c.len() == 43 && is_b64url(c)) else {
        return Err(fail("invalid_request", "code_challenge must be base64url(SHA-256(code_verifier)): 43 characters"));
    };
    let requested: Vec<&str> = get("scope").unwrap_or("").split_whitespace().collect();
    if !requested.contains(&"openid") {
        return Err(fail("invalid_scope", "the openid scope is required"));
    }
    let scope = SCOPES.iter().filter(|s| requested.contains(s)).copied().collect::<Vec<_>>().join(" ");
    let prompt: Vec<&str> = get("prompt").unwrap_or("").split_whitespace().collect();
    if prompt.iter().any(|p| !matches!(*p, "none" | "login" | "consent" | "select_account")) {
        return Err(fail("invalid_request", "unsupported prompt value"));
    }
    if prompt.contains(&"none") && prompt.len() > 1 {
        return Err(fail("invalid_request", "prompt=none cannot be combined with other values"));
    }
    let max_age = match get("max_age").map(str::parse::<i64>) {
        None => None,
        Some(Ok(age)) if age >= 0 => Some(age),
        Some(_) => return Err(fail("invalid_request", "max_age must be a number of seconds")),
    };
    let dpop_jkt = get("dpop_jkt").map(str::to_owned);
    if dpop_jkt.as_deref().is_some_and(|j| j.len() != 43 || !is_b64url(j)) {
        return Err(fail("invalid_request", "dpop_jkt must be a base64url SHA-256 JWK thumbprint"));
    }
    let nonce = get("nonce").map(str::to_owned);
    if nonce.as_deref().is_some_and(|n| n.len() > 512) || state.as_deref().is_some_and(|s| s.len() > 2048) {
        return Err(fail("invalid_request", "nonce or state is too long"));
    }
    let acr_values: Vec<&str> = get("acr_values").unwrap_or("").split_whitespace().collect();
    Ok(AuthRequest {
        redirect_uri: redirect_uri.to_owned(),
        state,
        nonce,
        scope,
        code_challenge: code_challenge.to_owned(),
        min_level: if acr_values.contains(&ACR_LEVEL2) { 2 } else { 1 },
        lang: Lang::from_ui_locales(get("ui_locales")),
        prompt_none: prompt.contains(&"none"),
        prompt_login: prompt.contains(&"login"),
        max_age,
        dpop_jkt,
    })
}

impl IdentityProvider {
    /// 302 to the client with `params`, `state` and `iss` (RFC 9207), unless a fault says
    /// otherwise.
    fn redirect_to_client(&self, redirect_uri: &str, params: &[(&str, &str)], state: Option<&str>) -> Response {
        let Ok(mut url) = Url::parse(redirect_uri) else {
            return error_page(
                StatusCode::BAD_REQUEST,
                Lang::Vi,
                "Địa chỉ chuyển hướng không hợp lệ.",
                "Invalid redirect URI.",
            );
        };
        let wrong_issuer = self.wrong_issuer();
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in params {
                query.append_pair(name, value);
            }
            if let Some(state) = state {
                query.append_pair("state", state);
            }
            if self.fault(Fault::AuthorizeResponseWrongIss) {
                query.append_pair("iss", &wrong_issuer);
            } else if !self.fault(Fault::AuthorizeResponseNoIss) {
                query.append_pair("iss", &self.issuer);
            }
        }
        (StatusCode::FOUND, [(header::LOCATION, url.as_str()), (header::CACHE_CONTROL, "no-store")]).into_response()
    }

    /// The resident is authenticated: a code, and back to the app.
    fn complete_login(&self, request: &AuthRequest, sid: &str, sub: &str, level: u8, auth_time: i64) -> Response {
        let code = random_token(&self.rng);
        let grant = Grant {
            client_id: CLIENT_ID.to_owned(),
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            sub: sub.to_owned(),
            sid: sid.to_owned(),
            level,
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
            auth_time,
            dpop_jkt: request.dpop_jkt.clone(),
        };
        let now = now();
        let family = random_token(&self.rng);
        if let Err(e) = self.store.create_code(&sha256_b64(&code), &family, &grant, now + CODE_LIFETIME, now) {
            return internal(e);
        }
        self.redirect_to_client(&request.redirect_uri, &[("code", &code)], request.state.as_deref())
    }

    fn show_login(&self, handle: &str, request: &AuthRequest, cccd: &str, error: Option<LoginError>) -> Response {
        let status = match error {
            None => StatusCode::OK,
            Some(LoginError::CccdFormat | LoginError::OtpFormat) => StatusCode::BAD_REQUEST,
            Some(LoginError::WrongCredentials | LoginError::WrongOtp | LoginError::AttemptsLeft(_)) => {
                StatusCode::UNAUTHORIZED
            }
            Some(LoginError::Locked) => StatusCode::LOCKED,
        };
        let html =
            pages::login_page(&LoginPage { lang: request.lang, handle, min_level: request.min_level, cccd, error });
        page(status, html)
    }

    fn locked(&self, cccd: &str) -> bool {
        lock(&self.lockouts).get(cccd).is_some_and(|l| l.locked_until > self.clock())
    }

    /// Counts a login attempt against the account: a success clears its failures; a failure
    /// warns after `WARN_AFTER` and locks the account after `LOCK_AFTER`.
    fn count_attempt<T>(&self, cccd: &str, checked: Result<T, LoginError>) -> Result<T, LoginError> {
        let mut lockouts = lock(&self.lockouts);
        let Err(error) = checked else {
            lockouts.remove(cccd);
            return checked;
        };
        if !lockouts.contains_key(cccd) && lockouts.len() >= MAX_LOCKOUTS {
            let now = self.clock();
            lockouts.retain(|_, l| l.locked_until > now);
            if lockouts.len() >= MAX_LOCKOUTS {
                return Err(error);
            }
        }
        let entry = lockouts.entry(cccd.to_owned()).or_default();
        entry.failures += 1;
        if entry.failures >= LOCK_AFTER {
            *entry = Lockout { failures: 0, locked_until: self.clock() + LOCK_SECS };
            tracing::warn!("sandbox identity provider: an account is locked after {LOCK_AFTER} failed logins");
            return Err(LoginError::Locked);
        }
        if entry.failures >= WARN_AFTER {
            return Err(LoginError::AttemptsLeft(LOCK_AFTER - entry.failures));
        }
        Err(error)
    }

    fn pending(&self, handle: &str) -> Option<AuthRequest> {
        let mut logins = lock(&self.logins);
        logins.retain(|_, p| p.created.elapsed() < LOGIN_LIFETIME);
        logins.get(handle).map(|p| p.request.clone())
    }
}

fn expired_login(lang: Lang) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        lang,
        "Yêu cầu đăng nhập đã hết hạn hoặc đã được sử dụng. Vui lòng quay lại ứng dụng và thử lại.",
        "This sign-in request has expired or was already used. Please go back to the app and try again.",
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// The SSO session the browser's cookie names. The cookie holds a secret; the session's id
/// (`sid` in ID tokens, the logout hint) is its digest, so knowing the id does not log anyone in.
fn session_id(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).map(|secret| sha256_b64(&secret))
}

/// Keeps `map` under `MAX_PENDING` entries before one is added: the oldest goes.
fn make_room<T>(map: &mut HashMap<String, T>, created: impl Fn(&T) -> Instant) {
    while map.len() >= MAX_PENDING {
        let Some(oldest) = map.iter().min_by_key(|(_, v)| created(v)).map(|(k, _)| k.clone()) else { break };
        map.remove(&oldest);
    }
}

#[utoipa::path(get, path = "/realms/haiduong/.well-known/openid-configuration", tag = "identity",
    responses((status = 200, description = "OpenID Provider Metadata", body = crate::openapi::ProviderMetadata)))]
async fn discovery(State(idp): Idp) -> Response {
    let issuer = &idp.issuer;
    let mode = idp.mode();
    let algs = match mode.signing_alg {
        SigningAlg::ES256 => ["ES256", "RS256"],
        SigningAlg::RS256 => ["RS256", "ES256"],
    };
    let mut body = json!({
        "issuer": if idp.fault(Fault::DiscoveryWrongIssuer) { idp.wrong_issuer() } else { issuer.clone() },
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "pushed_authorization_request_endpoint": format!("{issuer}/par"),
        "require_pushed_authorization_requests": mode.require_par,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "id_token_signing_alg_values_supported": algs,
        "acr_values_supported": [ACR_LEVEL1, ACR_LEVEL2],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": SCOPES,
        "subject_types_supported": ["public"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid",
            "level", "name", "family_name", "given_name", "birthdate", "gender", "address", "cccd"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["vi", "en"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    });
    if mode.offer_dpop {
        body["dpop_signing_alg_values_supported"] = json!(["ES256"]);
    }
    // Modes switch at run time in tests; a client should not cache this for long.
    ([(header::CACHE_CONTROL, "no-cache")], axum::Json(body)).into_response()
}

#[utoipa::path(get, path = "/realms/haiduong/jwks", tag = "identity",
    responses((status = 200, description = "JSON Web Key Set", body = crate::openapi::Jwks, content_type = "application/jwk-set+json")))]
async fn jwks(State(idp): Idp) -> Response {
    idp.count_jwks();
    let keys: Vec<Value> = idp.keys.published().iter().map(|k| Value::Object(k.public_jwk())).collect();
    let headers = [(header::CACHE_CONTROL, "no-cache"), (header::CONTENT_TYPE, "application/jwk-set+json")];
    (headers, json!({ "keys": keys }).to_string()).into_response()
}

#[utoipa::path(get, path = "/realms/haiduong/authorize", tag = "pages",
    responses(
        (status = 200, description = "Trang đăng nhập / The login page", content_type = "text/html", body = String),
        (status = 302, description = "Về ứng dụng / Back to the app (code or error)"),
        (status = 303, description = "Về ứng dụng / Back to the app (code or error)"),
        (status = 400, description = "Yêu cầu sai / Bad request", content_type = "text/html", body = String),
    ))]
async fn authorize(State(idp): Idp, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = match parse_params(query.unwrap_or_default().as_bytes()) {
        Ok(p) => p,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, Lang::Vi, "Yêu cầu không hợp lệ.", &e),
    };
    let lang = Lang::from_ui_locales(params.get("ui_locales").map(String::as_str));
    let request = if let Some(request_uri) = params.get("request_uri") {
        if params.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
            return UNKNOWN_CLIENT.into_response(&idp, lang);
        }
        let pushed = lock(&idp.pushed).remove(request_uri);
        match pushed.filter(|p| p.expires > Instant::now()) {
            Some(p) => p.request,
            None => return expired_login(lang),
        }
    } else {
        match validate(&params) {
            Ok(request) if idp.mode().require_par => {
                return AuthzError::Redirect {
                    redirect_uri: request.redirect_uri,
                    state: request.state,
                    error: "invalid_request",
                    description: "this provider requires pushed authorization requests (RFC 9126)",
                }
                .into_response(&idp, lang);
            }
            Ok(request) => request,
            Err(e) => return e.into_response(&idp, lang),
        }
    };
    // Single sign-on: a live session that satisfies the request logs in without the form.
    let session = match session_id(&headers).map(|sid| idp.store.session(&sid).map(|s| s.map(|s| (sid, s)))) {
        Some(Ok(found)) => found,
        Some(Err(e)) => return internal(e),
        None => None,
    };
    let now = now();
    if let Some((sid, s)) = &session
        && !request.prompt_login
        && s.level >= request.min_level
        && request.max_age.is_none_or(|age| now - s.auth_time <= age)
    {
        return idp.complete_login(&request, sid, &s.sub, s.level, s.auth_time);
    }
    if request.prompt_none {
        let error = if session.is_some() { "interaction_required" } else { "login_required" };
        let params = [("error", error), ("error_description", "the resident must log in")];
        return idp.redirect_to_client(&request.redirect_uri, &params, request.state.as_deref());
    }
    let handle = random_token(&idp.rng);
    let pending = PendingLogin { request: request.clone(), created: Instant::now(), failures: 0 };
    {
        let mut logins = lock(&idp.logins);
        logins.retain(|_, p| p.created.elapsed() < LOGIN_LIFETIME);
        make_room(&mut logins, |p| p.created);
        logins.insert(handle.clone(), pending);
    }
    idp.show_login(&handle, &request, "", None)
}

#[derive(Deserialize)]
struct LoginQuery {
    handle: String,
    ui_locales: Option<String>,
}

/// The login page again, in another language.
#[utoipa::path(get, path = "/realms/haiduong/login", tag = "pages",
    params(("handle" = String, Query), ("ui_locales" = Option<String>, Query)),
    responses(
        (status = 200, description = "Trang đăng nhập / The login page", content_type = "text/html", body = String),
        (status = 400, description = "Hết hạn / Expired", content_type = "text/html", body = String),
        (status = 404, description = "Hết hạn / Expired", content_type = "text/html", body = String),
    ))]
async fn login_page(State(idp): Idp, query: Result<Query<LoginQuery>, QueryRejection>) -> Response {
    // A page, so a query it cannot read is the expired-login page, not a JSON refusal.
    let Ok(Query(q)) = query else { return expired_login(Lang::Vi) };
    let lang = Lang::from_ui_locales(q.ui_locales.as_deref());
    let Some(mut request) = idp.pending(&q.handle) else { return expired_login(lang) };
    request.lang = lang;
    if let Some(p) = lock(&idp.logins).get_mut(&q.handle) {
        p.request.lang = lang;
    }
    idp.show_login(&q.handle, &request, "", None)
}

#[utoipa::path(post, path = "/realms/haiduong/login", tag = "pages",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Trang đăng nhập, có lỗi / The login page with an error", content_type = "text/html", body = String),
        (status = 302, description = "Về ứng dụng / Back to the app"),
        (status = 303, description = "Về ứng dụng / Back to the app"),
        (status = 400, description = "Yêu cầu sai / Bad request", content_type = "text/html", body = String),
        (status = 401, description = "Sai thông tin đăng nhập / Wrong credentials", content_type = "text/html", body = String),
        (status = 404, description = "Hết hạn / Expired", content_type = "text/html", body = String),
        (status = 423, description = "Tạm khoá / Locked for a while", content_type = "text/html", body = String),
    ))]
async fn login_submit(State(idp): Idp, body: Bytes) -> Response {
    let Ok(params) = parse_params(&body) else { return expired_login(Lang::Vi) };
    let field = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    let handle = field("handle");
    let Some(mut request) = idp.pending(handle) else {
        return expired_login(Lang::from_ui_locales(Some(field("lang"))));
    };
    if !field("lang").is_empty() {
        request.lang = Lang::from_ui_locales(Some(field("lang")));
    }
    // People type the number with spaces, as printed on the card.
    let cccd: String = field("cccd").chars().filter(|c| !c.is_whitespace()).collect();
    let otp = field("otp").trim();
    let outcome = if cccd.len() != 12 || !cccd.bytes().all(|b| b.is_ascii_digit()) {
        Err(LoginError::CccdFormat)
    } else if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
        Err(LoginError::OtpFormat)
    } else if idp.locked(&cccd) {
        Err(LoginError::Locked)
    } else {
        let checked = match citizens::authenticate(&cccd, field("password")) {
            None => Err(LoginError::WrongCredentials),
            Some(_) if otp != SANDBOX_OTP => Err(LoginError::WrongOtp),
            Some(citizen) => Ok(citizen),
        };
        idp.count_attempt(&cccd, checked)
    };
    let citizen = match outcome {
        Ok(citizen) => citizen,
        Err(LoginError::Locked) => {
            lock(&idp.logins).remove(handle);
            let (vi, en) = LoginError::Locked.texts();
            return error_page(StatusCode::LOCKED, request.lang, vi, en);
        }
        Err(error) => {
            let exhausted = {
                let mut logins = lock(&idp.logins);
                match logins.get_mut(handle) {
                    Some(p) => {
                        p.failures += 1;
                        p.failures >= MAX_LOGIN_FAILURES
                    }
                    None => true,
                }
            };
            if exhausted {
                lock(&idp.logins).remove(handle);
                return error_page(
                    StatusCode::UNAUTHORIZED,
                    request.lang,
                    "Bạn đã nhập sai quá nhiều lần. Vui lòng quay lại ứng dụng và thử lại.",
                    "Too many failed attempts. Please go back to the app and try again.",
                );
            }
            let shown = if cccd.len() <= 12 { cccd.as_str() } else { "" };
            return idp.show_login(handle, &request, shown, Some(error));
        }
    };
    lock(&idp.logins).remove(handle);
    // A level-1 citizen asked for level 2 still logs in, at level 1: the ID token's acr says so
    // and the app must see that it is not enough (OpenID Connect: acr_values is a request).
    let secret = random_token(&idp.rng);
    let sid = sha256_b64(&secret);
    let auth_time = now();
    if let Err(e) = idp.store.create_session(&sid, citizen.sub, citizen.level, auth_time) {
        return internal(e);
    }
    let mut response = idp.complete_login(&request, &sid, citizen.sub, citizen.level, auth_time);
    let cookie = format!("{SESSION_COOKIE}={secret}; Path={REALM_PATH}; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[utoipa::path(post, path = "/realms/haiduong/par", tag = "identity",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 201, description = "request_uri, expires_in (RFC 9126)", body = crate::openapi::Pushed),
        (status = 400, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody),
    ))]
async fn par(State(idp): Idp, headers: HeaderMap, OriginalUri(uri): OriginalUri, body: Bytes) -> Response {
    let params = match parse_params(&body) {
        Ok(p) => p,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    if params.contains_key("request_uri") {
        return json_error(StatusCode::BAD_REQUEST, "invalid_request", "request_uri cannot be pushed");
    }
    if params.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return json_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client_id");
    }
    let mut request = match validate(&params) {
        Ok(r) => r,
        Err(e) => return e.into_json(),
    };
    // RFC 9449 section 10.1: a proof at PAR binds the code to its key. Nonces are not demanded
    // here (documented), only at the token endpoint and the resources.
    let Some(url) = request_url(idp.public_base(), &uri) else {
        return json_error(StatusCode::BAD_REQUEST, "invalid_request", "no Host header");
    };
    let checks = Checks { method: &Method::POST, url: &url, access_token: None, require_nonce: false };
    let result = if idp.mode().offer_dpop { idp.dpop.check(&headers, checks, &idp.rng) } else { Ok(None) };
    match result {
        Ok(None) => {}
        Ok(Some(proof)) => {
            if request.dpop_jkt.as_ref().is_some_and(|j| *j != proof.jkt) {
                return json_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", "dpop_jkt is not the proof's key");
            }
            request.dpop_jkt = Some(proof.jkt);
        }
        Err(DpopError::Invalid(why)) => return json_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", why),
        Err(DpopError::UseNonce(_)) => {
            return json_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", "unexpected nonce challenge");
        }
    }
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random_token(&idp.rng));
    {
        let mut pushed = lock(&idp.pushed);
        pushed.retain(|_, p| p.expires > Instant::now());
        make_room(&mut pushed, |p| p.expires);
        pushed.insert(
            request_uri.clone(),
            Pushed { request, expires: Instant::now() + Duration::from_secs(PAR_LIFETIME) },
        );
    }
    let body = json!({"request_uri": request_uri, "expires_in": PAR_LIFETIME});
    (StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

#[utoipa::path(get, path = "/realms/haiduong/logout", tag = "pages",
    responses(
        (status = 200, description = "Xác nhận đăng xuất / Confirm the logout", content_type = "text/html", body = String),
        (status = 302, description = "Về ứng dụng / Back to the app"),
        (status = 303, description = "Về ứng dụng / Back to the app"),
        (status = 400, description = "Yêu cầu sai / Bad request", content_type = "text/html", body = String),
    ))]
async fn logout_get(State(idp): Idp, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    logout_request(&idp, &headers, query.unwrap_or_default().as_bytes())
}

/// A POST with the confirmation's CSRF token ends the session; any other POST is a logout
/// request (OpenID RP-Initiated Logout allows both methods) and gets the confirmation page.
#[utoipa::path(post, path = "/realms/haiduong/logout", tag = "pages",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Xác nhận đăng xuất / Confirm the logout", content_type = "text/html", body = String),
        (status = 302, description = "Về ứng dụng / Back to the app"),
        (status = 303, description = "Về ứng dụng / Back to the app"),
        (status = 400, description = "Yêu cầu sai / Bad request", content_type = "text/html", body = String),
    ))]
async fn logout_post(State(idp): Idp, headers: HeaderMap, body: Bytes) -> Response {
    match parse_params(&body) {
        Ok(params) if params.contains_key("csrf") => logout_confirmed(&idp, &headers, &params),
        _ => logout_request(&idp, &headers, &body),
    }
}

/// RP-initiated logout, step one: checks the request and asks the resident to confirm. The app
/// sends `client_id` and `logout_hint` (the `sid` of its ID token, an opaque id), never the ID
/// token itself; `id_token_hint` is still understood for other clients.
fn logout_request(idp: &IdentityProvider, headers: &HeaderMap, raw: &[u8]) -> Response {
    let Ok(params) = parse_params(raw) else {
        return error_page(StatusCode::BAD_REQUEST, Lang::Vi, "Yêu cầu không hợp lệ.", "Invalid request.");
    };
    let get = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let lang = Lang::from_ui_locales(get("ui_locales"));
    let bad = |vi, en| {
        page(StatusCode::BAD_REQUEST, pages::message_page(lang, ("Không thể đăng xuất", "Cannot sign out"), (vi, en)))
    };
    let mut client = get("client_id").map(str::to_owned);
    if client.as_deref().is_some_and(|c| c != CLIENT_ID) {
        return bad("Ứng dụng này chưa được đăng ký.", "Unknown client_id.");
    }
    let mut sids: Vec<String> = session_id(headers).into_iter().collect();
    if let Some(hint) = get("logout_hint") {
        // The hint is the `sid` this provider issued: a digest, 43 base64url characters.
        if hint.len() != 43 || !hint.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return bad("logout_hint không hợp lệ.", "The logout_hint is not a session id from this provider.");
        }
        sids.push(hint.to_owned());
    }
    if let Some(hint) = get("id_token_hint") {
        let Some(claims) = idp.verify_id_token_hint(hint) else {
            return bad("id_token_hint không hợp lệ.", "The id_token_hint is not a valid ID token from this provider.");
        };
        if let Some(sid) = claims.get("sid").and_then(Value::as_str) {
            sids.push(sid.to_owned());
        }
        let azp = claims.get("azp").or_else(|| claims.get("aud")).and_then(Value::as_str).map(str::to_owned);
        if client.is_some() && azp.is_some() && client != azp {
            return bad("client_id không khớp với id_token_hint.", "client_id does not match the id_token_hint.");
        }
        client = client.or(azp);
    }
    let redirect = get("post_logout_redirect_uri");
    if let Some(uri) = redirect
        && (client.as_deref() != Some(CLIENT_ID) || !redirect_allowed(uri))
    {
        return bad(
            "Địa chỉ chuyển hướng sau đăng xuất không hợp lệ.",
            "The post_logout_redirect_uri is not registered for this client (send client_id).",
        );
    }
    if get("state").is_some_and(|s| s.len() > 2048) {
        return bad("Yêu cầu không hợp lệ.", "The state is too long.");
    }
    sids.dedup();
    // The browser is bound to the confirmation by a cookie of its own: a token fetched by
    // someone else does not work in the resident's browser, and the other way round.
    let browser = cookie(headers, LOGOUT_COOKIE).filter(|c| c.len() == 43).unwrap_or_else(|| random_token(&idp.rng));
    let csrf = random_token(&idp.rng);
    {
        let mut logouts = lock(&idp.logouts);
        logouts.retain(|_, l| l.created.elapsed() < LOGOUT_LIFETIME);
        make_room(&mut logouts, |l| l.created);
        logouts.insert(
            csrf.clone(),
            PendingLogout {
                browser: sha256_b64(&browser),
                sids,
                redirect: redirect.map(str::to_owned),
                state: get("state").map(str::to_owned),
                lang,
                created: Instant::now(),
            },
        );
    }
    let mut response = page(StatusCode::OK, pages::logout_confirm_page(lang, &csrf));
    let set = format!(
        "{LOGOUT_COOKIE}={browser}; Path={REALM_PATH}/logout; HttpOnly; SameSite=Strict; Max-Age={}",
        LOGOUT_LIFETIME.as_secs()
    );
    if let Ok(value) = HeaderValue::from_str(&set) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// RP-initiated logout, step two: the resident confirmed. Ends the SSO sessions (and the tokens
/// issued in them), then goes back to the app or shows a page.
fn logout_confirmed(idp: &IdentityProvider, headers: &HeaderMap, params: &HashMap<String, String>) -> Response {
    let csrf = params.get("csrf").map(String::as_str).unwrap_or("");
    let browser = cookie(headers, LOGOUT_COOKIE).map(|c| sha256_b64(&c));
    let pending = {
        let mut logouts = lock(&idp.logouts);
        match logouts.get(csrf) {
            Some(l) if Some(&l.browser) == browser.as_ref() && l.created.elapsed() < LOGOUT_LIFETIME => {
                logouts.remove(csrf)
            }
            _ => None,
        }
    };
    let Some(pending) = pending else {
        return page(
            StatusCode::FORBIDDEN,
            pages::message_page(
                Lang::Vi,
                ("Không thể đăng xuất", "Cannot sign out"),
                (
                    "Yêu cầu đăng xuất không hợp lệ hoặc đã hết hạn. Vui lòng đăng xuất lại từ ứng dụng.",
                    "This sign-out request is invalid or has expired. Please sign out again from the app.",
                ),
            ),
        );
    };
    let mut sids = pending.sids;
    sids.extend(session_id(headers));
    for sid in &sids {
        if let Err(e) = idp.store.end_session(sid) {
            return internal(e);
        }
    }
    let lang = pending.lang;
    let mut response = match pending.redirect.as_deref().map(Url::parse) {
        Some(Ok(mut url)) => {
            if let Some(state) = &pending.state {
                url.query_pairs_mut().append_pair("state", state);
            }
            (StatusCode::FOUND, [(header::LOCATION, url.as_str())]).into_response()
        }
        _ => page(
            StatusCode::OK,
            pages::message_page(
                lang,
                ("Bạn đã đăng xuất", "You have signed out"),
                (
                    "Bạn đã đăng xuất khỏi tài khoản định danh điện tử. Bạn có thể đóng trang này và quay lại ứng dụng.",
                    "You have signed out of your e-identity account. You can close this page and go back to the app.",
                ),
            ),
        ),
    };
    for clear in [
        format!("{SESSION_COOKIE}=; Path={REALM_PATH}; HttpOnly; SameSite=Lax; Max-Age=0"),
        format!("{LOGOUT_COOKIE}=; Path={REALM_PATH}/logout; HttpOnly; SameSite=Strict; Max-Age=0"),
    ] {
        if let Ok(value) = HeaderValue::from_str(&clear) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl IdentityProvider {
    /// The claims of an ID token this provider signed, expired or not (OpenID Connect
    /// RP-Initiated Logout accepts expired hints).
    fn verify_id_token_hint(&self, token: &str) -> Option<serde_json::Map<String, Value>> {
        let jws = parse_compact(token, 16 * 1024).ok()?;
        verify_own(&self.keys, &jws.header, &jws.signing_input, &jws.signature).ok()?;
        (jws.claims.get("iss").and_then(Value::as_str) == Some(self.issuer.as_str())).then_some(jws.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_follow_rfc8252() {
        assert!(redirect_allowed("http://127.0.0.1:49152/callback"));
        assert!(redirect_allowed("http://127.0.0.1:1/"));
        assert!(redirect_allowed("http://127.0.0.1/any/path?x=1"));
        assert!(redirect_allowed("http://[::1]:8080/cb"));
        assert!(redirect_allowed(APP_REDIRECT_URI));
        assert!(!redirect_allowed("http://localhost:8080/cb"));
        assert!(!redirect_allowed("https://127.0.0.1:8080/cb"));
        assert!(!redirect_allowed("http://127.0.0.2:8080/cb"));
        assert!(!redirect_allowed("http://127.0.0.1:8080/cb#frag"));
        assert!(!redirect_allowed("http://user@127.0.0.1:8080/cb"));
        assert!(!redirect_allowed("http://evil.example/cb"));
        assert!(!redirect_allowed("vn.gov.haiduong.smarthd:/other"));
        assert!(!redirect_allowed("vn.gov.haiduong.smarthd://oauth2redirect"));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(parse_params(b"a=1&b=2").is_ok());
        assert!(parse_params(b"a=1&a=2").is_err());
    }
}
