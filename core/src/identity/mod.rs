//! E-identity login (VNeID through the province's OpenID Connect provider) for a native app:
//! authorization code with PKCE, PAR when offered, DPoP when supported, RFC 9207 `iss`, full ID
//! token validation, single-flight refresh, step-up to level 2, logout, and a session sealed at
//! rest. Works with any standards-compliant provider: only the issuer, client id and redirect
//! URI are configured.
//!
//! The login is a state machine the app drives: [`Identity::begin_login`] gives the URL to open
//! in the system browser; [`Identity::complete_login`] takes the redirect URL it comes back to.
//! What the browser hop needs (state, nonce, PKCE verifier, DPoP key) is sealed in `user.db`, so
//! it survives the app being killed meanwhile.

pub mod dpop;
pub mod jose;
pub mod pkce;
pub mod tokens;
pub mod vault;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, WWW_AUTHENTICATE};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::checked_url;
use crate::error::{Error, Result};
use crate::events::{Event, EventListener};
use crate::platform::{Signer, SoftwareSigner};
use crate::store::UserDb;
use jose::JwkSet;
use tokens::{Discovery, Expected, IdClaims, TokenResponse};
use vault::Vault;

/// Refresh this long before the access token expires (at most a tenth of its lifetime), so a
/// request never leaves with a token about to lapse.
const REFRESH_MARGIN_SECS: i64 = 30;
const SCOPE: &str = "openid profile cccd offline_access";
const SEALED_SESSION: &str = "session";
const SEALED_LOGIN: &str = "login";

/// Everything the core needs to know of an OpenID provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// Exactly the `issuer` the provider's discovery document names.
    pub issuer: String,
    pub client_id: String,
    /// Private-use scheme on phones (`vn.gov.haiduong.smarthd:/oauth2redirect`), loopback for
    /// the CLI (`http://127.0.0.1:{port}/callback`).
    pub redirect_uri: String,
    /// `acr` values of VNeID level 1 and level 2 at this provider.
    pub acr_level1: String,
    pub acr_level2: String,
}

impl IdentityConfig {
    pub const APP_REDIRECT_URI: &'static str = "vn.gov.haiduong.smarthd:/oauth2redirect";

    /// The layout of the province portal (and of the sandbox): the realm under the portal.
    pub fn for_portal(portal_url: &Url) -> IdentityConfig {
        let issuer = portal_url.join("realms/haiduong").map(|u| u.to_string()).unwrap_or_default();
        IdentityConfig {
            issuer,
            client_id: "smarthd-app".into(),
            redirect_uri: Self::APP_REDIRECT_URI.into(),
            acr_level1: "vneid:level1".into(),
            acr_level2: "vneid:level2".into(),
        }
    }
}

/// Why a login or an authorized call failed; each says what the app should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("the session has ended; log in again")]
    SessionExpired,
    #[error("this needs VNeID level 2; log in again at level 2")]
    NeedsLevel2,
    #[error("no login is in progress")]
    NoPendingLogin,
    #[error("the login was cancelled")]
    Cancelled,
    #[error("the login response does not belong to the login in progress (state mismatch)")]
    StateMismatch,
    #[error("the login response came from another issuer or did not name its issuer (iss)")]
    IssuerMismatch,
    #[error("the provider's discovery document names another issuer than the one configured")]
    DiscoveryIssuerMismatch,
    #[error("the ID token was signed with a key the provider does not publish")]
    UnknownKey,
    #[error("the ID token is not valid: {0}")]
    IdToken(&'static str),
    #[error("the provider's token response is not valid: {0}")]
    TokenResponse(String),
    #[error("the provider refused the grant ({0})")]
    Grant(String),
    #[error("the login response is not valid: {0}")]
    Callback(String),
    #[error("the identity provider misbehaves: {0}")]
    Provider(String),
}

/// Observable session state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionState {
    LoggedOut,
    LoggedIn {
        level: u8,
        expires_at: i64,
    },
    Refreshing,
    /// The provider ended the session (refresh refused): log in again.
    Expired,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginOptions {
    /// VNeID level asked for: 1 or 2.
    pub level: u8,
    /// `vi` or `en` for the provider's pages.
    pub locale: Option<String>,
    /// OIDC `prompt`, e.g. `login`.
    pub prompt: Option<String>,
}

/// Who is logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub subject: String,
    pub name: String,
    pub cccd: String,
    pub level: u8,
    /// Unix seconds when the current access token expires.
    pub access_expires_at: i64,
}

impl Profile {
    /// The CCCD as shown on screens and in logs: province code and last three digits.
    pub fn masked_cccd(&self) -> String {
        mask_cccd(&self.cccd)
    }
}

pub fn mask_cccd(cccd: &str) -> String {
    let chars: Vec<char> = cccd.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (3, 3);
    chars[..head]
        .iter()
        .chain(std::iter::repeat_n(&'*', chars.len() - head - tail))
        .chain(&chars[chars.len() - tail..])
        .collect()
}

/// A request body for [`Identity::send`].
pub struct Body<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// What survives the browser hop (sealed in `user.db`).
#[derive(Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    nonce: String,
    verifier: String,
    level: u8,
    /// The software DPoP key, when there is no platform signer.
    dpop_pkcs8: Option<Vec<u8>>,
}

/// The session (sealed in `user.db`).
#[derive(Clone, Serialize, Deserialize)]
struct Session {
    access_token: String,
    dpop_bound: bool,
    expires_at: i64,
    /// Seconds the access token was issued for.
    lifetime: i64,
    refresh_token: Option<String>,
    id_token: String,
    claims: IdClaims,
    level: u8,
    dpop_pkcs8: Option<Vec<u8>>,
}

/// The provider's metadata and keys, fetched once per process.
struct Provider {
    discovery: Discovery,
    keys: JwkSet,
    /// When the keys were last fetched again for an unknown `kid` (rate limit).
    last_refetch_at: Option<i64>,
}

pub struct Identity {
    config: IdentityConfig,
    http: reqwest::Client,
    user_db: UserDb,
    vault: Arc<Vault>,
    events: Arc<dyn EventListener>,
    platform_signer: Option<Arc<dyn Signer>>,
    provider: tokio::sync::Mutex<Option<Provider>>,
    /// Held across a refresh: concurrent callers wait for the one refresh and use its result.
    session: tokio::sync::Mutex<Option<Session>>,
    /// The last DPoP nonce each server (origin) gave.
    dpop_nonces: Mutex<HashMap<String, String>>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Identity {
    pub fn new(
        config: IdentityConfig,
        http: reqwest::Client,
        user_db: UserDb,
        vault: Arc<Vault>,
        events: Arc<dyn EventListener>,
        platform_signer: Option<Arc<dyn Signer>>,
    ) -> Result<Identity> {
        checked_url(&config.issuer)?;
        Ok(Identity {
            config,
            http,
            user_db,
            vault,
            events,
            platform_signer,
            provider: tokio::sync::Mutex::new(None),
            session: tokio::sync::Mutex::new(None),
            dpop_nonces: Mutex::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }

    // --- the login state machine ---

    /// Starts a login: the URL to open in the system browser (never a WebView).
    pub async fn begin_login(&self, options: &LoginOptions) -> Result<String> {
        let level = match options.level {
            0 | 1 => 1,
            2 => 2,
            other => {
                return Err(Error::Validation {
                    field: "level".into(),
                    reason: format!("VNeID has levels 1 and 2, not {other}"),
                });
            }
        };
        let discovery = self.discovery().await?;
        let software_key = match (&self.platform_signer, discovery.supports_dpop()) {
            (None, true) => Some(SoftwareSigner::generate()?),
            _ => None,
        };
        let pending = PendingLogin {
            state: pkce::random_token(),
            nonce: pkce::random_token(),
            verifier: pkce::random_token(),
            level,
            dpop_pkcs8: software_key.as_ref().map(|k| k.pkcs8().to_vec()),
        };
        let acr = if level == 2 { &self.config.acr_level2 } else { &self.config.acr_level1 };
        let mut request: Vec<(&str, String)> = vec![
            ("response_type", "code".into()),
            ("client_id", self.config.client_id.clone()),
            ("redirect_uri", self.config.redirect_uri.clone()),
            ("scope", SCOPE.into()),
            ("state", pending.state.clone()),
            ("nonce", pending.nonce.clone()),
            ("code_challenge", pkce::challenge(&pending.verifier)),
            ("code_challenge_method", "S256".into()),
            ("acr_values", acr.clone()),
        ];
        if let Some(locale) = &options.locale {
            request.push(("ui_locales", locale.clone()));
        }
        if let Some(prompt) = &options.prompt {
            request.push(("prompt", prompt.clone()));
        }
        let signer = self.signer_for(pending.dpop_pkcs8.as_deref())?;
        if let Some(signer) = &signer {
            // RFC 9449 section 10: binds the authorization code to this key.
            request.push(("dpop_jkt", dpop::public_jwk(signer.as_ref())?.thumbprint().unwrap_or_default()));
        }
        let mut authorize = checked_url(&discovery.authorization_endpoint)?;
        match &discovery.pushed_authorization_request_endpoint {
            Some(par) => {
                let par = checked_url(par)?;
                let body = form(&request);
                let response = self.post_form(&par, &body, signer.as_deref(), None).await?;
                let (status, bytes) = response;
                if !status.is_success() {
                    return Err(AuthError::Provider(format!(
                        "PAR answered {status}: {}",
                        tokens::oauth_error(&bytes).unwrap_or_default()
                    ))
                    .into());
                }
                #[derive(Deserialize)]
                struct ParResponse {
                    request_uri: String,
                }
                let par: ParResponse = serde_json::from_slice(&bytes)
                    .map_err(|_| AuthError::Provider("PAR response without request_uri".into()))?;
                authorize
                    .query_pairs_mut()
                    .append_pair("client_id", &self.config.client_id)
                    .append_pair("request_uri", &par.request_uri);
            }
            None if discovery.require_pushed_authorization_requests => {
                return Err(AuthError::Provider("PAR is required but no PAR endpoint is published".into()).into());
            }
            None => {
                authorize.query_pairs_mut().extend_pairs(request.iter().map(|(k, v)| (*k, v.as_str())));
            }
        }
        let sealed = self.vault.seal(SEALED_LOGIN, &serde_json::to_vec(&pending).map_err(internal)?)?;
        self.user_db.lock().execute(
            "INSERT INTO login_pending (id, sealed, created_at) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at",
            params![sealed, now()],
        )?;
        Ok(authorize.to_string())
    }

    /// Abandons the login in progress.
    pub fn cancel_login(&self) -> Result<()> {
        self.user_db.lock().execute("DELETE FROM login_pending", [])?;
        Ok(())
    }

    /// Finishes the login with the URL the browser was redirected to. On any failure nothing is
    /// stored; a response for another login (wrong `state`) leaves the login in progress alone.
    pub async fn complete_login(&self, callback_url: &str) -> Result<Profile> {
        let sealed: Option<Vec<u8>> = self
            .user_db
            .lock()
            .query_row("SELECT sealed FROM login_pending WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let sealed = sealed.ok_or(AuthError::NoPendingLogin)?;
        let pending: PendingLogin =
            serde_json::from_slice(&self.vault.open_sealed(SEALED_LOGIN, &sealed)?).map_err(internal)?;
        let discovery = self.discovery().await?;
        let callback = tokens::parse_callback(
            callback_url,
            &self.config.redirect_uri,
            &pending.state,
            &self.config.issuer,
            discovery.authorization_response_iss_parameter_supported,
        )?;
        let result = self.exchange_code(&discovery, &pending, &callback.code).await;
        if result.is_err() {
            self.cancel_login()?;
        }
        let session = result?;
        let sealed_session = self.vault.seal(SEALED_SESSION, &serde_json::to_vec(&session).map_err(internal)?)?;
        {
            let mut db = self.user_db.lock();
            let tx = db.transaction()?;
            tx.execute(
                "INSERT INTO session (id, sealed) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed",
                [&sealed_session],
            )?;
            tx.execute("DELETE FROM login_pending", [])?;
            tx.commit()?;
        }
        let profile = profile_of(&session);
        self.events.on_event(Event::SessionChanged { state: state_of(&session) });
        *self.session.lock().await = Some(session);
        Ok(profile)
    }

    async fn exchange_code(&self, discovery: &Discovery, pending: &PendingLogin, code: &str) -> Result<Session> {
        let token_url = checked_url(&discovery.token_endpoint)?;
        let body = form(&[
            ("grant_type", "authorization_code".into()),
            ("code", code.to_owned()),
            ("redirect_uri", self.config.redirect_uri.clone()),
            ("client_id", self.config.client_id.clone()),
            ("code_verifier", pending.verifier.clone()),
        ]);
        let signer = self.signer_for(pending.dpop_pkcs8.as_deref())?;
        let (status, bytes) = self.post_form(&token_url, &body, signer.as_deref(), None).await?;
        if !status.is_success() {
            return Err(AuthError::Grant(tokens::oauth_error(&bytes).unwrap_or_else(|| status.to_string())).into());
        }
        let response = TokenResponse::parse(&bytes)?;
        let id_token = response.id_token.clone().ok_or_else(|| AuthError::TokenResponse("no id_token".into()))?;
        let claims = self.validate_id_token(&id_token, Some(&pending.nonce)).await?;
        let level = self.level_of(&claims);
        if level < pending.level {
            return Err(AuthError::NeedsLevel2.into());
        }
        if response.is_dpop() != signer.is_some() {
            return Err(AuthError::TokenResponse("token_type does not match the DPoP binding".into()).into());
        }
        Ok(Session {
            access_token: response.access_token,
            dpop_bound: response.token_type.eq_ignore_ascii_case("dpop"),
            expires_at: now() + response.expires_in.unwrap_or(300),
            lifetime: response.expires_in.unwrap_or(300),
            refresh_token: response.refresh_token,
            id_token,
            claims,
            level,
            dpop_pkcs8: pending.dpop_pkcs8.clone(),
        })
    }

    // --- the session ---

    pub async fn state(&self) -> Result<SessionState> {
        let mut guard = self.session.lock().await;
        Ok(match self.loaded(&mut guard)? {
            Some(session) => state_of(session),
            None => SessionState::LoggedOut,
        })
    }

    /// Who is logged in, from the validated ID token; `None` when logged out.
    pub async fn whoami(&self) -> Result<Option<Profile>> {
        let mut guard = self.session.lock().await;
        Ok(self.loaded(&mut guard)?.map(profile_of))
    }

    /// Revokes the refresh token (best effort: offline still logs out), wipes the local session,
    /// and gives the provider's end-session URL for the browser, if it has one.
    pub async fn logout(&self, post_logout_redirect_uri: Option<&str>) -> Result<Option<String>> {
        let mut guard = self.session.lock().await;
        let Some(session) = self.loaded(&mut guard)?.cloned() else { return Ok(None) };
        let discovery = self.discovery().await.ok();
        if let (Some(discovery), Some(refresh)) = (&discovery, &session.refresh_token)
            && let Some(revocation) = &discovery.revocation_endpoint
            && let Ok(url) = checked_url(revocation)
        {
            let body = form(&[
                ("token", refresh.clone()),
                ("token_type_hint", "refresh_token".into()),
                ("client_id", self.config.client_id.clone()),
            ]);
            if let Err(e) = self.post_form(&url, &body, None, None).await {
                tracing::info!("revocation failed, logging out locally anyway: {e}");
            }
        }
        self.wipe(&mut guard)?;
        self.events.on_event(Event::SessionChanged { state: SessionState::LoggedOut });
        let end_session = discovery.and_then(|d| d.end_session_endpoint).and_then(|e| checked_url(&e).ok());
        Ok(end_session.map(|mut url| {
            url.query_pairs_mut()
                .append_pair("id_token_hint", &session.id_token)
                .append_pair("client_id", &self.config.client_id)
                .append_pair("post_logout_redirect_uri", post_logout_redirect_uri.unwrap_or(&self.config.redirect_uri));
            url.to_string()
        }))
    }

    /// A request to a resource server with the session's access token (DPoP-bound when it is),
    /// refreshing first when it has expired: however many callers find it expired at once,
    /// exactly one refresh request goes out. Answers other than 401 are the caller's to read.
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &Url,
        body: Option<Body<'_>>,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let mut session = self.fresh_session().await?;
        let mut refreshed = false;
        let mut nonce_retried = false;
        loop {
            let signer = if session.dpop_bound { self.signer_for(session.dpop_pkcs8.as_deref())? } else { None };
            let mut request = self.http.request(method.clone(), url.clone());
            if let Some(body) = &body {
                request = request.header(reqwest::header::CONTENT_TYPE, body.content_type).body(body.bytes.to_vec());
            }
            request = match &signer {
                Some(signer) => {
                    let nonce = self.nonce_for(url);
                    let proof = dpop::proof(
                        signer.as_ref(),
                        method.as_str(),
                        url,
                        now(),
                        nonce.as_deref(),
                        Some(&session.access_token),
                    )?;
                    request.header(AUTHORIZATION, format!("DPoP {}", session.access_token)).header("DPoP", proof)
                }
                None => request.bearer_auth(&session.access_token),
            };
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            self.remember_nonce(url, response.headers());
            if status != StatusCode::UNAUTHORIZED {
                let body = response.bytes().await.map_err(transport)?.to_vec();
                return Ok((status, body));
            }
            let challenge = challenge_error(response.headers());
            match challenge.as_deref() {
                Some("use_dpop_nonce") if !nonce_retried => nonce_retried = true,
                Some("insufficient_user_authentication") => return Err(AuthError::NeedsLevel2.into()),
                Some("invalid_token") if !refreshed => {
                    refreshed = true;
                    session = self.refresh_if_current(&session.access_token).await?;
                }
                _ => return Err(AuthError::SessionExpired.into()),
            }
        }
    }

    /// The session, refreshed first if its access token has (nearly) expired.
    async fn fresh_session(&self) -> Result<Session> {
        let mut guard = self.session.lock().await;
        let session = self.loaded(&mut guard)?.cloned().ok_or(AuthError::NotLoggedIn)?;
        if now() < session.expires_at - REFRESH_MARGIN_SECS.min(session.lifetime / 10) {
            return Ok(session);
        }
        self.refresh_locked(&mut guard, session).await
    }

    /// Refreshes unless another caller already replaced `failed_token` while we waited.
    async fn refresh_if_current(&self, failed_token: &str) -> Result<Session> {
        let mut guard = self.session.lock().await;
        let session = self.loaded(&mut guard)?.cloned().ok_or(AuthError::NotLoggedIn)?;
        if session.access_token != failed_token {
            return Ok(session);
        }
        self.refresh_locked(&mut guard, session).await
    }

    async fn refresh_locked(&self, guard: &mut Option<Session>, session: Session) -> Result<Session> {
        let Some(refresh_token) = session.refresh_token.clone() else {
            self.wipe(guard)?;
            self.events.on_event(Event::SessionChanged { state: SessionState::Expired });
            return Err(AuthError::SessionExpired.into());
        };
        self.events.on_event(Event::SessionChanged { state: SessionState::Refreshing });
        let discovery = self.discovery().await?;
        let token_url = checked_url(&discovery.token_endpoint)?;
        let body = form(&[
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token.clone()),
            ("client_id", self.config.client_id.clone()),
        ]);
        let signer = if session.dpop_bound { self.signer_for(session.dpop_pkcs8.as_deref())? } else { None };
        let (status, bytes) = match self.post_form(&token_url, &body, signer.as_deref(), None).await {
            Ok(answer) => answer,
            Err(e) => {
                // Offline or the provider is down: the session stays; the caller may retry.
                self.events.on_event(Event::SessionChanged { state: state_of(&session) });
                return Err(e);
            }
        };
        if !status.is_success() {
            let error = tokens::oauth_error(&bytes);
            if error.as_deref() == Some("invalid_grant") || status == StatusCode::UNAUTHORIZED {
                // The provider ended the session (revoked, reused, expired): end it here too,
                // once, without retrying.
                self.wipe(guard)?;
                self.events.on_event(Event::SessionChanged { state: SessionState::Expired });
                return Err(AuthError::SessionExpired.into());
            }
            self.events.on_event(Event::SessionChanged { state: state_of(&session) });
            return Err(AuthError::Grant(error.unwrap_or_else(|| status.to_string())).into());
        }
        let response = TokenResponse::parse(&bytes)?;
        let mut renewed = session.clone();
        if let Some(id_token) = &response.id_token {
            let claims = self.validate_id_token(id_token, None).await?;
            if claims.sub != session.claims.sub {
                return Err(AuthError::IdToken("the refreshed ID token names another person").into());
            }
            renewed.id_token = id_token.clone();
            renewed.claims = claims;
        }
        renewed.access_token = response.access_token;
        renewed.expires_at = now() + response.expires_in.unwrap_or(300);
        renewed.lifetime = response.expires_in.unwrap_or(300);
        renewed.refresh_token = response.refresh_token.or(Some(refresh_token));
        // The rotated refresh token is on disk before the new access token is used: a crash
        // now cannot leave the app holding only a refresh token the provider has retired.
        let sealed = self.vault.seal(SEALED_SESSION, &serde_json::to_vec(&renewed).map_err(internal)?)?;
        self.user_db.lock().execute("UPDATE session SET sealed = ?1 WHERE id = 1", [&sealed])?;
        *guard = Some(renewed.clone());
        self.events.on_event(Event::SessionChanged { state: state_of(&renewed) });
        Ok(renewed)
    }

    /// Loads the sealed session into the cache on first use.
    fn loaded<'a>(&self, guard: &'a mut Option<Session>) -> Result<Option<&'a Session>> {
        if guard.is_none() {
            let sealed: Option<Vec<u8>> = self
                .user_db
                .lock()
                .query_row("SELECT sealed FROM session WHERE id = 1", [], |r| r.get(0))
                .optional()?;
            if let Some(sealed) = sealed {
                *guard =
                    Some(serde_json::from_slice(&self.vault.open_sealed(SEALED_SESSION, &sealed)?).map_err(internal)?);
            }
        }
        Ok(guard.as_ref())
    }

    fn wipe(&self, guard: &mut Option<Session>) -> Result<()> {
        self.user_db.lock().execute("DELETE FROM session", [])?;
        *guard = None;
        Ok(())
    }

    // --- the provider ---

    async fn discovery(&self) -> Result<Discovery> {
        Ok(self.provider().await?.0)
    }

    /// Discovery and keys; with `refetch_keys`, the JWKS is fetched again (at most once every
    /// 10 s, so tokens naming unknown keys cannot make the app hammer the provider).
    async fn provider_with(&self, refetch_keys: bool) -> Result<(Discovery, JwkSet)> {
        let mut guard = self.provider.lock().await;
        if guard.is_none() {
            let url =
                checked_url(&format!("{}/.well-known/openid-configuration", self.config.issuer.trim_end_matches('/')))?;
            let discovery: Discovery = self.get_public_json(&url).await?;
            let discovery = discovery.check(&self.config.issuer)?;
            let keys: JwkSet = self.get_public_json(&checked_url(&discovery.jwks_uri)?).await?;
            *guard = Some(Provider { discovery, keys, last_refetch_at: None });
        } else if refetch_keys {
            let provider = guard.as_mut().expect("checked above");
            if provider.last_refetch_at.is_none_or(|at| now() - at >= 10) {
                provider.keys = self.get_public_json(&checked_url(&provider.discovery.jwks_uri)?).await?;
                provider.last_refetch_at = Some(now());
            }
        }
        let provider = guard.as_ref().expect("filled above");
        Ok((provider.discovery.clone(), provider.keys.clone()))
    }

    async fn provider(&self) -> Result<(Discovery, JwkSet)> {
        self.provider_with(false).await
    }

    async fn validate_id_token(&self, id_token: &str, nonce: Option<&str>) -> Result<IdClaims> {
        let expected = |now| Expected { issuer: &self.config.issuer, client_id: &self.config.client_id, nonce, now };
        let (_, keys) = self.provider().await?;
        match tokens::validate_id_token(id_token, &keys, &expected(now())) {
            Err(AuthError::UnknownKey) => {
                // The provider may have rotated its keys: one refetch, then decide.
                let (_, keys) = self.provider_with(true).await?;
                Ok(tokens::validate_id_token(id_token, &keys, &expected(now()))?)
            }
            other => Ok(other?),
        }
    }

    fn level_of(&self, claims: &IdClaims) -> u8 {
        if claims.acr.as_deref() == Some(self.config.acr_level2.as_str()) { 2 } else { 1 }
    }

    fn signer_for(&self, software_pkcs8: Option<&[u8]>) -> Result<Option<Arc<dyn Signer>>> {
        if let Some(platform) = &self.platform_signer {
            return Ok(Some(platform.clone()));
        }
        software_pkcs8
            .map(|pkcs8| SoftwareSigner::from_pkcs8(pkcs8).map(|s| Arc::new(s) as Arc<dyn Signer>))
            .transpose()
    }

    fn nonce_for(&self, url: &Url) -> Option<String> {
        self.dpop_nonces.lock().unwrap_or_else(|p| p.into_inner()).get(&url.origin().ascii_serialization()).cloned()
    }

    fn remember_nonce(&self, url: &Url, headers: &HeaderMap) {
        if let Some(nonce) = headers.get("DPoP-Nonce").and_then(|v| v.to_str().ok()) {
            self.dpop_nonces
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(url.origin().ascii_serialization(), nonce.to_owned());
        }
    }

    /// POSTs a form, with a DPoP proof when `signer` is given, retrying once with the server's
    /// nonce when it answers `use_dpop_nonce`.
    async fn post_form(
        &self,
        url: &Url,
        body: &str,
        signer: Option<&dyn Signer>,
        access_token: Option<&str>,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let mut retried = false;
        loop {
            let mut request = self
                .http
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.to_owned());
            if let Some(signer) = signer {
                let nonce = self.nonce_for(url);
                request =
                    request.header("DPoP", dpop::proof(signer, "POST", url, now(), nonce.as_deref(), access_token)?);
            }
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            self.remember_nonce(url, response.headers());
            let has_nonce = response.headers().contains_key("DPoP-Nonce");
            let bytes = read_limited(response).await?;
            if signer.is_some()
                && !retried
                && has_nonce
                && status == StatusCode::BAD_REQUEST
                && tokens::oauth_error(&bytes).as_deref() == Some("use_dpop_nonce")
            {
                retried = true;
                continue;
            }
            return Ok((status, bytes));
        }
    }

    async fn get_public_json<T: serde::de::DeserializeOwned>(&self, url: &Url) -> Result<T> {
        let response = self.http.get(url.clone()).send().await.map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Http { status: status.as_u16(), path: url.path().to_owned() });
        }
        let bytes = read_limited(response).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::MalformedResponse { path: url.path().to_owned(), reason: e.to_string() })
    }
}

/// Reads at most one byte past the token-response limit, so an oversized answer is refused
/// without being held in memory.
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        body.extend_from_slice(&chunk);
        if body.len() > tokens::MAX_TOKEN_RESPONSE_BYTES {
            return Err(AuthError::TokenResponse("too large".into()).into());
        }
    }
    Ok(body)
}

fn challenge_error(headers: &HeaderMap) -> Option<String> {
    headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let start = v.find("error=\"")? + 7;
        let end = v[start..].find('"')? + start;
        Some(v[start..end].to_owned())
    })
}

fn state_of(session: &Session) -> SessionState {
    SessionState::LoggedIn { level: session.level, expires_at: session.expires_at }
}

fn profile_of(session: &Session) -> Profile {
    Profile {
        subject: session.claims.sub.clone(),
        name: session.claims.name.clone().unwrap_or_default(),
        cccd: session.claims.cccd.clone().unwrap_or_default(),
        level: session.level,
        access_expires_at: session.expires_at,
    }
}

fn form(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

fn transport(e: reqwest::Error) -> Error {
    crate::http::transport_error(e)
}

fn internal(e: serde_json::Error) -> Error {
    Error::Internal(format!("session encoding: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cccd_is_masked_to_province_and_last_digits() {
        assert_eq!(super::mask_cccd("030095001234"), "030******234");
        assert_eq!(super::mask_cccd("12"), "**");
    }
}
