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
//!
//! Every request goes through the [`transport`](crate::transport); `Identity` gives it the
//! session's credentials, bound to the issuer and portal the session was made for, refreshed
//! once however many callers and processes (sharing the data dir) need it.

pub mod dpop;
pub mod jose;
pub mod pkce;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use url::Url;

pub use crate::config::IdentityConfig;
use crate::config::checked_url;
pub use crate::error::AuthError;
use crate::error::{Error, PortalError, Result};
pub use crate::events::SessionState;
use crate::events::{Event, EventListener};
use crate::owner::Owner;
use crate::platform::{Signer, SoftwareSigner};
use crate::store::UserDb;
use crate::transport::{Access, Answer, Credentials, PortalClient, Prover, Request};
use crate::vault::Vault;
use jose::JwkSet;
use tokens::{Discovery, Expected, IdClaims, TokenResponse};

/// Refresh this long before the access token expires (at most a tenth of its lifetime), so a
/// request never leaves with a token about to lapse.
const REFRESH_MARGIN_SECS: i64 = 30;
const SCOPE: &str = "openid profile cccd offline_access";
const SEALED_SESSION: &str = "session";
const SEALED_LOGIN: &str = "login";
/// Locked (an OS file lock) by whichever process on the data dir replaces the stored session
/// (a refresh, a login), so processes sharing it never refresh with a retired refresh token.
const SESSION_LOCK_FILE: &str = "session.lock";

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
    /// Unix seconds until which the session renews itself (the refresh token's expiry, when the
    /// provider says it); after that the resident logs in again.
    pub refresh_expires_at: Option<i64>,
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

/// The session this process holds, with the sealed row of `user.db` it is: the row is compared
/// at every use, so a change another process made is seen.
struct Held {
    row: Vec<u8>,
    session: Session,
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
    /// When the refresh token expires, if the provider said.
    #[serde(default)]
    refresh_expires_at: Option<i64>,
    id_token: String,
    claims: IdClaims,
    level: u8,
    dpop_pkcs8: Option<Vec<u8>>,
    /// The issuer and the portal origin the session was made for: its tokens go nowhere else.
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    portal: Option<String>,
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
    transport: PortalClient,
    session_lock: PathBuf,
    user_db: UserDb,
    vault: Arc<Vault>,
    events: Arc<dyn EventListener>,
    platform_signer: Option<Arc<dyn Signer>>,
    provider: tokio::sync::Mutex<Option<Provider>>,
    /// Held across a refresh: concurrent callers wait for the one refresh and use its result.
    session: tokio::sync::Mutex<Option<Held>>,
    /// The session's software DPoP key, parsed once: parsing it costs about what a signature
    /// does, and every authorized request signs a proof.
    software_signer: std::sync::Mutex<Option<Arc<SoftwareSigner>>>,
    /// Who the stored session names (as `user.db` knows them: their owner tag), with the sealed
    /// row it was read from: every call asks who owns what it touches, and opening the session
    /// and keying its subject cost more than reading the row. Used only while the row is byte
    /// for byte the same (a login elsewhere writes a new one).
    owner_seen: std::sync::Mutex<Option<(Vec<u8>, Option<Owner>)>>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Identity {
    pub fn new(
        config: IdentityConfig,
        transport: PortalClient,
        data_dir: &Path,
        user_db: UserDb,
        vault: Arc<Vault>,
        events: Arc<dyn EventListener>,
        platform_signer: Option<Arc<dyn Signer>>,
    ) -> Identity {
        Identity {
            config,
            transport,
            session_lock: data_dir.join(SESSION_LOCK_FILE),
            user_db,
            vault,
            events,
            platform_signer,
            provider: tokio::sync::Mutex::new(None),
            session: tokio::sync::Mutex::new(None),
            software_signer: std::sync::Mutex::new(None),
            owner_seen: std::sync::Mutex::new(None),
        }
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
                let answer = self.post_form(&par, &body, signer.clone()).await?;
                if !answer.is_success() {
                    return Err(AuthError::Provider(format!(
                        "PAR answered {}: {}",
                        answer.status,
                        answer.oauth_error().unwrap_or_default()
                    ))
                    .into());
                }
                #[derive(Deserialize)]
                struct ParResponse {
                    request_uri: String,
                }
                let par: ParResponse = serde_json::from_slice(&answer.body)
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
        let sealed = self.vault.seal(SEALED_LOGIN, &serde_json::to_vec(&pending).map_err(encoding)?)?;
        self.user_db
            .lock()
            .prepare_cached(
                "INSERT INTO login_pending (id, sealed, created_at) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at",
            )?
            .execute(params![sealed, now()])?;
        Ok(authorize.to_string())
    }

    /// Abandons the login in progress.
    pub fn cancel_login(&self) -> Result<()> {
        self.user_db.lock().prepare_cached("DELETE FROM login_pending")?.execute([])?;
        Ok(())
    }

    /// Finishes the login with the URL the browser was redirected to. On any failure nothing is
    /// stored; a response for another login (wrong `state`) leaves the login in progress alone.
    pub async fn complete_login(&self, callback_url: &str) -> Result<Profile> {
        let sealed: Option<Vec<u8>> = self
            .user_db
            .lock()
            .prepare_cached("SELECT sealed FROM login_pending WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let sealed = sealed.ok_or(AuthError::NoPendingLogin)?;
        let pending: PendingLogin =
            serde_json::from_slice(&self.vault.open_sealed(SEALED_LOGIN, &sealed)?).map_err(encoding)?;
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
        let sealed_session = self.vault.seal(SEALED_SESSION, &serde_json::to_vec(&session).map_err(encoding)?)?;
        // Not while another process refreshes the old session: its write would replace this one.
        let mut guard = self.session.lock().await;
        let _lock = self.lock_session().await?;
        {
            let mut db = self.user_db.lock();
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.prepare_cached("INSERT INTO session (id, sealed) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed")?.execute([&sealed_session],
            )?;
            tx.prepare_cached("DELETE FROM login_pending")?.execute([])?;
            tx.commit()?;
        }
        let profile = profile_of(&session);
        self.events.on_event(Event::SessionChanged { state: state_of(&session) });
        *guard = Some(Held { row: sealed_session, session });
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
        let answer = self.post_form(&token_url, &body, signer.clone()).await?;
        if !answer.is_success() {
            return Err(AuthError::Grant(answer.oauth_error().unwrap_or_else(|| answer.status.to_string())).into());
        }
        let response = TokenResponse::parse(&answer.body)?;
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
            refresh_expires_at: response.refresh_expires_in.map(|ttl| now() + ttl),
            refresh_token: response.refresh_token,
            id_token,
            claims,
            level,
            dpop_pkcs8: pending.dpop_pkcs8.clone(),
            issuer: Some(self.config.issuer.clone()),
            portal: Some(self.transport.origin().ascii_serialization()),
        })
    }

    // --- the session ---

    /// A session made for another portal counts as logged out here.
    pub async fn state(&self) -> Result<SessionState> {
        let mut guard = self.session.lock().await;
        Ok(match self.loaded(&mut guard)?.filter(|s| self.check_bound(s).is_ok()) {
            Some(session) => state_of(session),
            None => SessionState::LoggedOut,
        })
    }

    /// Who is logged in, from the validated ID token; `None` when logged out.
    pub async fn whoami(&self) -> Result<Option<Profile>> {
        let mut guard = self.session.lock().await;
        Ok(self.loaded(&mut guard)?.filter(|s| self.check_bound(s).is_ok()).map(profile_of))
    }

    /// The resident the session stored for this portal names, read from `user.db` (so a login
    /// by another process on the data dir counts); `None` when logged out. Needs no network: a
    /// resident logged in but offline is still who owns what they do.
    pub fn owner(&self) -> Result<Option<Owner>> {
        let Some(sealed) = self.sealed_session()? else { return Ok(None) };
        let mut seen = self.owner_seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((row, owner)) = seen.as_ref()
            && *row == sealed
        {
            return Ok(owner.clone());
        }
        let owner = self.owner_of(&self.open_session(&sealed)?);
        *seen = Some((sealed, owner.clone()));
        Ok(owner)
    }

    /// The resident the stored session names, made for this portal or another (an app whose
    /// portal address changed since): whose records a wipe at logout deletes. `None` when logged
    /// out, or when the data key cannot open the session (nobody to name).
    pub fn stored_resident(&self) -> Result<Option<Owner>> {
        match self.stored() {
            Ok(session) => Ok(session.map(|session| Owner::of(&self.vault, &session.claims.sub))),
            Err(Error::UserDataUnreadable { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The resident logged in here: `NotLoggedIn`, or `OtherPortal` for a session made for
    /// another portal (the resident logs in again).
    pub fn resident(&self) -> Result<Owner> {
        let session = self.stored()?.ok_or(AuthError::NotLoggedIn)?;
        self.check_bound(&session)?;
        Ok(Owner::of(&self.vault, &session.claims.sub))
    }

    /// The resident `session` names here; `None` for a session made for another portal.
    fn owner_of(&self, session: &Session) -> Option<Owner> {
        self.check_bound(session).is_ok().then(|| Owner::of(&self.vault, &session.claims.sub))
    }

    /// Ends the session of `ending`, the resident the caller found logged in (`None`: nobody, or
    /// a session made for another portal): revokes its refresh token (best effort: offline still
    /// logs out), wipes the local session, and gives the provider's end-session URL for the
    /// browser, if it has one.
    pub async fn logout(
        &self,
        ending: Option<&Owner>,
        post_logout_redirect_uri: Option<&str>,
    ) -> Result<Option<String>> {
        let mut guard = self.session.lock().await;
        // From disk, under the data dir's session lock until it is wiped: another process may
        // have refreshed the session since (its refresh token is the live one to revoke) or
        // logged another resident in (whose session is not this logout's to end).
        let _lock = self.lock_session().await?;
        *guard = None;
        let session = match self.stored() {
            Ok(session) => session,
            // A session the data key cannot open cannot be revoked either: it is kept aside and
            // the resident is logged out here all the same.
            Err(Error::UserDataUnreadable { .. }) => {
                self.keep_aside_unreadable()?;
                self.events.on_event(Event::SessionChanged { state: SessionState::LoggedOut });
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let session = session.filter(|session| self.owner_of(session).as_ref() == ending);
        let Some(session) = session else {
            // Nobody's, or another resident's: only what this process held of the ended one goes.
            self.forget_in_memory();
            return Ok(None);
        };
        // A session of another provider is only forgotten here: its refresh token is not sent
        // to this one.
        let discovery = match self.check_bound(&session) {
            Ok(()) => self.discovery().await.ok(),
            Err(_) => None,
        };
        if let (Some(discovery), Some(refresh)) = (&discovery, &session.refresh_token)
            && let Some(revocation) = &discovery.revocation_endpoint
            && let Ok(url) = checked_url(revocation)
        {
            let body = form(&[
                ("token", refresh.clone()),
                ("token_type_hint", "refresh_token".into()),
                ("client_id", self.config.client_id.clone()),
            ]);
            if let Err(e) = self.post_form(&url, &body, None).await {
                tracing::info!("revocation failed, logging out locally anyway: {e}");
            }
        }
        self.wipe(&mut guard)?;
        self.events.on_event(Event::SessionChanged { state: SessionState::LoggedOut });
        let end_session = discovery.and_then(|d| d.end_session_endpoint).and_then(|e| checked_url(&e).ok());
        // OpenID RP-Initiated Logout 1.0 with `client_id` and the provider's opaque `sid` as
        // `logout_hint`, never `id_token_hint`: this URL is printed and opened in a browser, and
        // the ID token carries the resident's name, CCCD, birth date and address.
        Ok(end_session.map(|mut url| {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.config.client_id);
            if let Some(sid) = &session.claims.sid {
                query.append_pair("logout_hint", sid);
            }
            query
                .append_pair("post_logout_redirect_uri", post_logout_redirect_uri.unwrap_or(&self.config.redirect_uri));
            drop(query);
            url.to_string()
        }))
    }

    /// The session of `owner`, refreshed first if its access token has (nearly) expired.
    async fn fresh_session(&self, owner: &Owner) -> Result<Session> {
        let mut guard = self.session.lock().await;
        let session = self.session_of(&mut guard, owner)?;
        if is_fresh(&session) {
            return Ok(session);
        }
        self.refresh_locked(&mut guard, owner, &session.access_token).await
    }

    /// Refreshes unless another caller already replaced `failed_token` while we waited.
    async fn refresh_if_current(&self, owner: &Owner, failed_token: &str) -> Result<Session> {
        let mut guard = self.session.lock().await;
        let session = self.session_of(&mut guard, owner)?;
        if session.access_token != failed_token {
            return Ok(session);
        }
        self.refresh_locked(&mut guard, owner, failed_token).await
    }

    /// The session stored now, when it is `owner`'s and made for this portal: a request made
    /// for one resident never goes out with another's tokens.
    fn session_of(&self, guard: &mut Option<Held>, owner: &Owner) -> Result<Session> {
        let session = self.loaded(guard)?.cloned().ok_or(AuthError::NotLoggedIn)?;
        self.check_bound(&session)?;
        if Owner::of(&self.vault, &session.claims.sub) != *owner {
            return Err(AuthError::NotLoggedIn.into());
        }
        Ok(session)
    }

    /// The session's tokens go only to the issuer and the portal it was made for: pointed at
    /// another one, the app asks for a new login instead of sending them there.
    fn check_bound(&self, session: &Session) -> Result<(), AuthError> {
        let portal = self.transport.origin().ascii_serialization();
        if session.issuer.as_deref() == Some(self.config.issuer.as_str()) && session.portal.as_deref() == Some(&portal)
        {
            return Ok(());
        }
        let unrecorded = || "an unrecorded portal".to_owned();
        Err(if session.portal.as_deref() == Some(&portal) {
            AuthError::OtherPortal {
                made_for: session.issuer.clone().unwrap_or_else(unrecorded),
                now_at: self.config.issuer.clone(),
            }
        } else {
            AuthError::OtherPortal { made_for: session.portal.clone().unwrap_or_else(unrecorded), now_at: portal }
        })
    }

    /// Refreshes `owner`'s session, whose access token `stale` expired or was refused, holding
    /// the data dir's session lock, so one refresh goes out however many callers and processes
    /// find the token expired at once.
    async fn refresh_locked(&self, guard: &mut Option<Held>, owner: &Owner, stale: &str) -> Result<Session> {
        let _lock = self.lock_session().await?;
        // Read again under the lock: another process on this data dir may have refreshed while
        // this one waited (its tokens are on disk, and the refresh token held here is retired:
        // replaying it would end the session by reuse detection), or logged someone else in.
        let session = self.session_of(guard, owner)?;
        if session.access_token != stale && is_fresh(&session) {
            return Ok(session);
        }
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
        let answer = match self.post_form(&token_url, &body, signer).await {
            Ok(answer) => answer,
            Err(e) => {
                // Offline or the provider is down: the session stays; the caller may retry.
                self.events.on_event(Event::SessionChanged { state: state_of(&session) });
                return Err(e);
            }
        };
        if !answer.is_success() {
            let error = answer.oauth_error();
            if error.as_deref() == Some("invalid_grant") || answer.status == StatusCode::UNAUTHORIZED {
                // The provider ended the session (revoked, reused, expired): end it here too,
                // once, without retrying.
                self.wipe(guard)?;
                self.events.on_event(Event::SessionChanged { state: SessionState::Expired });
                return Err(AuthError::SessionExpired.into());
            }
            self.events.on_event(Event::SessionChanged { state: state_of(&session) });
            return Err(AuthError::Grant(error.unwrap_or_else(|| answer.status.to_string())).into());
        }
        let response = TokenResponse::parse(&answer.body)?;
        let mut renewed = session.clone();
        renewed.access_token = response.access_token;
        renewed.expires_at = now() + response.expires_in.unwrap_or(300);
        renewed.lifetime = response.expires_in.unwrap_or(300);
        // A rotated refresh token comes with its own lifetime; a kept one keeps its expiry.
        if response.refresh_token.is_some() {
            renewed.refresh_expires_at = response.refresh_expires_in.map(|ttl| now() + ttl);
        }
        renewed.refresh_token = response.refresh_token.or(Some(refresh_token));
        // The rotated refresh token is on disk before anything else is awaited: a crash, or a
        // caller that cancels the call, cannot leave the app holding a retired refresh token.
        self.save_session(guard, &renewed)?;
        if let Some(id_token) = &response.id_token {
            let checked = match self.validate_id_token(id_token, None).await {
                Ok(claims) if claims.sub == session.claims.sub => Ok(claims),
                Ok(_) => Err(AuthError::IdToken("the refreshed ID token names another person").into()),
                Err(e) => Err(e),
            };
            let claims = match checked {
                Ok(claims) => claims,
                Err(e) => {
                    // Tokens that come with an ID token we cannot trust are not kept.
                    self.wipe(guard)?;
                    self.events.on_event(Event::SessionChanged { state: SessionState::Expired });
                    return Err(e);
                }
            };
            renewed.id_token = id_token.clone();
            renewed.claims = claims;
            self.save_session(guard, &renewed)?;
        }
        self.events.on_event(Event::SessionChanged { state: state_of(&renewed) });
        Ok(renewed)
    }

    fn save_session(&self, guard: &mut Option<Held>, session: &Session) -> Result<()> {
        let sealed = self.vault.seal(SEALED_SESSION, &serde_json::to_vec(session).map_err(encoding)?)?;
        self.user_db.lock().prepare_cached("UPDATE session SET sealed = ?1 WHERE id = 1")?.execute([&sealed])?;
        *guard = Some(Held { row: sealed, session: session.clone() });
        Ok(())
    }

    /// Waits for the data dir's session lock (an OS file lock, so a crashed holder releases
    /// it); held until the returned file is dropped.
    async fn lock_session(&self) -> Result<std::fs::File> {
        let path = self.session_lock.clone();
        tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
            let file = crate::private_files::options().create(true).truncate(false).write(true).open(path)?;
            file.lock()?;
            Ok(file)
        })
        .await
        .map_err(|_| Error::Internal("the session lock task did not finish".into()))?
    }

    /// The session as stored in `user.db`.
    fn stored(&self) -> Result<Option<Session>> {
        self.sealed_session()?.map(|sealed| self.open_session(&sealed)).transpose()
    }

    fn sealed_session(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .user_db
            .lock()
            .prepare_cached("SELECT sealed FROM session WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?)
    }

    fn open_session(&self, sealed: &[u8]) -> Result<Session> {
        serde_json::from_slice(&self.vault.open_sealed(SEALED_SESSION, sealed)?).map_err(encoding)
    }

    /// What the validated ID token of `owner`'s session says about them, for prefilling forms:
    /// offline, no request. `None` when they are not the one logged in here (any more).
    pub(crate) fn prefill_profile(&self, owner: &Owner) -> Result<Option<smarthd_model::form::IdentityProfile>> {
        let theirs = |session: &Session| self.owner_of(session).as_ref() == Some(owner);
        Ok(self.stored()?.filter(theirs).map(|s| smarthd_model::form::IdentityProfile {
            name: s.claims.name,
            cccd: s.claims.cccd,
            birthdate: s.claims.birthdate,
            address: s.claims.address,
            gender: s.claims.gender,
        }))
    }

    /// The session stored now: the one held when its row has not changed on disk, else read
    /// again (another process on the data dir logged in, refreshed or logged out).
    fn loaded<'a>(&self, guard: &'a mut Option<Held>) -> Result<Option<&'a Session>> {
        let row = self.sealed_session()?;
        if row.as_deref() != guard.as_ref().map(|held| held.row.as_slice()) {
            *guard = None;
            if let Some(row) = row {
                *guard = Some(Held { session: self.open_session(&row)?, row });
            }
        }
        Ok(guard.as_ref().map(|held| &held.session))
    }

    /// Recovery after a lost data key: a session or a waiting login the key cannot open is kept
    /// aside (still sealed) and removed, so the resident can log in again. Answers how many.
    pub fn keep_aside_unreadable(&self) -> Result<u32> {
        let mut db = self.user_db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut kept = 0;
        for (table, purpose) in [("session", SEALED_SESSION), ("login_pending", SEALED_LOGIN)] {
            let sealed: Option<Vec<u8>> = tx
                .prepare_cached(&format!("SELECT sealed FROM {table} WHERE id = 1"))?
                .query_row([], |r| r.get(0))
                .optional()?;
            if let Some(sealed) = sealed.filter(|sealed| self.vault.open_sealed(purpose, sealed).is_err()) {
                crate::store::keep_aside(&tx, table, "1", &sealed)?;
                tx.prepare_cached(&format!("DELETE FROM {table}"))?.execute([])?;
                kept += 1;
            }
        }
        tx.commit()?;
        if kept > 0 {
            self.forget_in_memory();
        }
        Ok(kept)
    }

    fn wipe(&self, guard: &mut Option<Held>) -> Result<()> {
        self.user_db.lock().prepare_cached("DELETE FROM session")?.execute([])?;
        *guard = None;
        self.forget_in_memory();
        Ok(())
    }

    /// What an ended session left in memory (its private key, who it named) does not stay
    /// until the next login.
    fn forget_in_memory(&self) {
        *self.software_signer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        *self.owner_seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
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
        let Some(pkcs8) = software_pkcs8 else { return Ok(None) };
        let mut parsed = self.software_signer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let signer = match parsed.as_ref().filter(|signer| signer.pkcs8() == pkcs8) {
            Some(signer) => signer.clone(),
            None => parsed.insert(Arc::new(SoftwareSigner::from_pkcs8(pkcs8)?)).clone(),
        };
        Ok(Some(signer))
    }

    /// POSTs a form to the provider, with a DPoP proof when `signer` is given.
    async fn post_form(&self, url: &Url, body: &str, signer: Option<Arc<dyn Signer>>) -> Result<Answer> {
        let prover = signer.map(DpopKey);
        let request = Request::post(url.clone()).form(body).limit(tokens::MAX_TOKEN_RESPONSE_BYTES);
        self.transport
            .send_with_proof(request, prover.as_ref().map(|p| p as &dyn Prover))
            .await
            .map_err(too_large_is_a_bad_token_response)
    }

    async fn get_public_json<T: serde::de::DeserializeOwned>(&self, url: &Url) -> Result<T> {
        let request = Request::get(url.clone()).limit(tokens::MAX_TOKEN_RESPONSE_BYTES);
        self.transport.send(request).await.map_err(too_large_is_a_bad_token_response)?.json()
    }

    fn access_of(&self, session: &Session) -> Result<Access> {
        let signer = if session.dpop_bound { self.signer_for(session.dpop_pkcs8.as_deref())? } else { None };
        // The portal the session names (an opaque origin, which matches none, if it names none).
        let portal = session.portal.as_deref().and_then(|p| Url::parse(p).ok()).map(|u| u.origin());
        Ok(Access {
            token: session.access_token.clone(),
            portal: portal.unwrap_or_else(url::Origin::new_opaque),
            prover: signer.map(|s| Arc::new(DpopKey(s)) as Arc<dyn Prover>),
        })
    }
}

/// The transport's credentials for one resident's requests: the session's access token,
/// refreshed once for however many callers (and processes) need it, and only while the session
/// is that resident's. Another process on the data dir may log someone else in between any two
/// requests of a sync: what is done for a resident goes out with their session or not at all
/// (`NotLoggedIn`).
#[derive(Clone, Copy)]
pub struct ResidentCredentials<'a> {
    identity: &'a Identity,
    owner: &'a Owner,
}

impl Identity {
    pub fn acting_for<'a>(&'a self, owner: &'a Owner) -> ResidentCredentials<'a> {
        ResidentCredentials { identity: self, owner }
    }
}

impl Credentials for ResidentCredentials<'_> {
    async fn access(&self) -> Result<Access> {
        self.identity.access_of(&self.identity.fresh_session(self.owner).await?)
    }

    async fn renew(&self, refused: &Access) -> Result<Access> {
        self.identity.access_of(&self.identity.refresh_if_current(self.owner, &refused.token).await?)
    }
}

/// DPoP proofs signed with the session's key (RFC 9449).
struct DpopKey(Arc<dyn Signer>);

impl Prover for DpopKey {
    fn proof(&self, method: &Method, url: &Url, nonce: Option<&str>, access_token: Option<&str>) -> Result<String> {
        dpop::proof(self.0.as_ref(), method.as_str(), url, now(), nonce, access_token)
    }
}

/// The provider's answers are small; a huge one is a bad token response, not a network fault.
fn too_large_is_a_bad_token_response(error: Error) -> Error {
    match error {
        Error::Portal(PortalError::TooLarge { .. }) => AuthError::TokenResponse("too large".into()).into(),
        other => other,
    }
}

fn is_fresh(session: &Session) -> bool {
    now() < session.expires_at - REFRESH_MARGIN_SECS.min(session.lifetime / 10)
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
        refresh_expires_at: session.refresh_expires_at,
    }
}

fn form(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

fn encoding(source: serde_json::Error) -> Error {
    Error::Encoding { what: "session", source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_session_leaves_nothing_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::Config::new("http://127.0.0.1:9", dir.path()).unwrap();
        let user_db = UserDb::open(dir.path()).unwrap();
        let storage = crate::platform::KeyFileStorage::new(dir.path());
        let vault = Arc::new(Vault::open(&storage, &user_db).unwrap());
        let identity = Identity::new(
            IdentityConfig::for_portal(&Url::parse("http://127.0.0.1:9").unwrap()),
            PortalClient::new(&config).unwrap(),
            dir.path(),
            user_db,
            vault,
            Arc::new(crate::events::NoEvents),
            None,
        );
        let key = SoftwareSigner::generate().unwrap();
        let held = || identity.software_signer.lock().unwrap().is_some();
        identity.signer_for(Some(key.pkcs8())).unwrap();
        *identity.owner_seen.lock().unwrap() = Some((b"sealed".to_vec(), Some(Owner::of(&identity.vault, "subject"))));
        assert!(held(), "the key is parsed once and kept while the session lasts");
        identity.wipe(&mut None).unwrap();
        assert!(!held(), "logging out drops the parsed key");
        assert!(identity.owner_seen.lock().unwrap().is_none(), "and who the session named");
    }

    #[test]
    fn cccd_is_masked_to_province_and_last_digits() {
        assert_eq!(super::mask_cccd("030095001234"), "030******234");
        assert_eq!(super::mask_cccd("12"), "**");
    }
}
