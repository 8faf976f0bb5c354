//! The one way out: every request to the portal and to the identity provider goes through
//! [`PortalClient`], which owns what every request needs the same way.
//!
//! - The transport policy on every hop: `https://`, or `http://` to loopback only. Redirects are
//!   never followed (the portal API and the provider's endpoints need none), so a request body
//!   (a dossier with a CCCD) or a token (access, refresh, DPoP proof) is never sent on to
//!   another URL; a redirect answer becomes [`PortalError::Redirected`].
//! - One body limit, read chunk by chunk, so an oversized answer is refused without being held.
//! - Authorization: the access token of a [`Credentials`] provider (the identity module), as a
//!   DPoP-bound token with a proof (and the server's nonce) or as a bearer token, only to the
//!   portal origin the session was made for; one renewal when the token is refused.
//! - Errors that name the path, never the query, a token or personal data.

mod tls;

pub use tls::spki_sha256;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::{Origin, Url};

use crate::config::{Config, check_policy};
use crate::error::{AuthError, Error, ErrorBody, PortalError, Result, path_only};

/// Largest answer the portal may give (a catalog page is the largest); bigger is refused.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A conditional GET's outcome.
pub enum Fetched<T> {
    NotModified,
    Fresh { value: T, etag: Option<String> },
}

/// A request body.
#[derive(Clone, Copy)]
pub struct Body<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// One request; the transport may send it twice (a DPoP nonce, a renewed token), never elsewhere.
pub struct Request<'a> {
    method: Method,
    url: Url,
    body: Option<Body<'a>>,
    if_none_match: Option<&'a str>,
    limit: usize,
}

impl<'a> Request<'a> {
    pub fn new(method: Method, url: Url) -> Request<'a> {
        Request { method, url, body: None, if_none_match: None, limit: MAX_BODY_BYTES }
    }

    pub fn get(url: Url) -> Request<'a> {
        Request::new(Method::GET, url)
    }

    pub fn post(url: Url) -> Request<'a> {
        Request::new(Method::POST, url)
    }

    pub fn body(mut self, content_type: &'a str, bytes: &'a [u8]) -> Request<'a> {
        self.body = Some(Body { content_type, bytes });
        self
    }

    pub fn json(self, bytes: &'a [u8]) -> Request<'a> {
        self.body("application/json", bytes)
    }

    pub fn form(self, encoded: &'a str) -> Request<'a> {
        self.body("application/x-www-form-urlencoded", encoded.as_bytes())
    }

    pub fn if_none_match(mut self, etag: Option<&'a str>) -> Request<'a> {
        self.if_none_match = etag;
        self
    }

    pub fn limit(mut self, bytes: usize) -> Request<'a> {
        self.limit = bytes;
        self
    }
}

/// An answer the server gave (any status but a redirect).
pub struct Answer {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub body: Vec<u8>,
    /// The `error` of a `WWW-Authenticate` challenge.
    challenge: Option<String>,
    /// The server sent a `DPoP-Nonce`.
    gave_nonce: bool,
    path: String,
}

/// Status and path only: the body may hold personal data.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("status", &self.status).field("path", &self.path).finish_non_exhaustive()
    }
}

impl Answer {
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// A refusal naming this answer's status and error code, for an answer that is not a success.
    pub fn refusal(&self) -> PortalError {
        PortalError::refused(self.status.as_u16(), &self.path, &self.body)
    }

    /// The body as JSON when the answer is a success, the refusal otherwise.
    pub fn json<T: DeserializeOwned>(self) -> Result<T> {
        if !self.is_success() {
            return Err(self.refusal().into());
        }
        serde_json::from_slice(&self.body).map_err(|e| PortalError::malformed(&self.path, e).into())
    }

    /// The OAuth `error` code of the body (`{"error": ...}`).
    pub fn oauth_error(&self) -> Option<String> {
        ErrorBody::parse(&self.body).error
    }
}

/// Proves possession of the session's key (RFC 9449 DPoP): a proof for one request.
pub trait Prover: Send + Sync {
    fn proof(&self, method: &Method, url: &Url, nonce: Option<&str>, access_token: Option<&str>) -> Result<String>;
}

/// An access token and where it may go.
pub struct Access {
    pub token: String,
    /// The portal origin the session was made for: the token and its proofs go nowhere else.
    pub portal: Origin,
    /// The key the token is bound to; `None` for a bearer token.
    pub prover: Option<Arc<dyn Prover>>,
}

/// What the transport needs of a session (the identity module provides it).
pub trait Credentials: Sync {
    /// The current access token, renewed first when it has (nearly) expired.
    fn access(&self) -> impl Future<Output = Result<Access>> + Send;
    /// A new access token after `refused` was refused (or the one another caller got meanwhile).
    fn renew(&self, refused: &Access) -> impl Future<Output = Result<Access>> + Send;
}

#[derive(Clone)]
pub struct PortalClient {
    base: Url,
    http: reqwest::Client,
    /// The last DPoP nonce each server (origin) gave.
    nonces: Arc<Mutex<HashMap<String, String>>>,
}

impl PortalClient {
    pub fn new(config: &Config) -> Result<Self> {
        check_policy(&config.portal_url)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::tls_config(&config.pinned_spki_sha256, &config.extra_roots_der)?)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("smarthd-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::HttpClient)?;
        Ok(PortalClient { base: config.portal_url.clone(), http, nonces: Arc::default() })
    }

    /// The portal's origin (scheme, host, port): where its sessions' tokens may go.
    pub fn origin(&self) -> Origin {
        self.base.origin()
    }

    /// A portal URL of `path`. An id placed in `path` goes through [`segment`] first.
    pub fn url(&self, path: &str) -> Result<Url> {
        self.base.join(path).map_err(|source| Error::InvalidUrl { url: path_only(path), source })
    }

    /// A public GET of the portal as JSON; with `etag`, a 304 answer gives [`Fetched::NotModified`].
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, etag: Option<&str>) -> Result<Fetched<T>> {
        Ok(match self.get_answer(path, etag).await? {
            Fetched::NotModified => Fetched::NotModified,
            Fetched::Fresh { value, etag } => Fetched::Fresh { value: value.json()?, etag },
        })
    }

    /// [`PortalClient::get_json`] with the body left unread, for a caller that parses it later.
    pub async fn get_answer(&self, path: &str, etag: Option<&str>) -> Result<Fetched<Answer>> {
        let answer = self.send(Request::get(self.url(path)?).if_none_match(etag)).await?;
        if answer.status == StatusCode::NOT_MODIFIED && etag.is_some() {
            return Ok(Fetched::NotModified);
        }
        let etag = answer.etag.clone();
        Ok(Fetched::Fresh { value: answer, etag })
    }

    /// A request without credentials. A GET that failed on the way, without an answer, is sent
    /// once more: the first try may have gone out on a kept-alive connection the portal had
    /// closed (it restarted, the phone changed networks), and a new connection tells "offline"
    /// from a fault. GET is idempotent (RFC 9110 §9.2.2); browsers do the same.
    pub async fn send(&self, request: Request<'_>) -> Result<Answer> {
        match self.exchange(&request, HeaderMap::new()).await {
            Err(Error::Portal(PortalError::Network(_))) if request.method == Method::GET => {
                self.exchange(&request, HeaderMap::new()).await
            }
            answer => answer,
        }
    }

    /// A request with a DPoP proof when `prover` is given (the provider's token and PAR
    /// endpoints), sent once more with the server's nonce when it answers `use_dpop_nonce`.
    pub async fn send_with_proof(&self, request: Request<'_>, prover: Option<&dyn Prover>) -> Result<Answer> {
        let Some(prover) = prover else { return self.send(request).await };
        let mut retried = false;
        loop {
            let nonce = self.nonce_for(&request.url);
            let mut headers = HeaderMap::new();
            headers.insert("DPoP", secret(&prover.proof(&request.method, &request.url, nonce.as_deref(), None)?)?);
            let answer = self.exchange(&request, headers).await?;
            if !retried
                && answer.status == StatusCode::BAD_REQUEST
                && answer.gave_nonce
                && answer.oauth_error().as_deref() == Some("use_dpop_nonce")
            {
                retried = true;
                continue;
            }
            return Ok(answer);
        }
    }

    /// A request with the session's access token, to the portal origin the session was made for
    /// only. A `401` is handled here (a nonce, one renewal, a step-up); other answers are the
    /// caller's to read. A GET lost on the way is sent once more, as [`PortalClient::send`]
    /// does, with a new proof: the portal may have seen the first one's `jti`.
    pub async fn send_authorized(&self, credentials: &impl Credentials, request: Request<'_>) -> Result<Answer> {
        let mut access = credentials.access().await?;
        let mut renewed = false;
        let mut nonce_retried = false;
        let mut resent = false;
        loop {
            let origin = request.url.origin();
            if origin != access.portal {
                return Err(AuthError::OtherPortal {
                    made_for: access.portal.ascii_serialization(),
                    now_at: origin.ascii_serialization(),
                }
                .into());
            }
            let mut headers = HeaderMap::new();
            match &access.prover {
                Some(prover) => {
                    let nonce = self.nonce_for(&request.url);
                    let proof = prover.proof(&request.method, &request.url, nonce.as_deref(), Some(&access.token))?;
                    headers.insert(AUTHORIZATION, secret(&format!("DPoP {}", access.token))?);
                    headers.insert("DPoP", secret(&proof)?);
                }
                None => {
                    headers.insert(AUTHORIZATION, secret(&format!("Bearer {}", access.token))?);
                }
            }
            let answer = match self.exchange(&request, headers).await {
                Err(Error::Portal(PortalError::Network(_))) if request.method == Method::GET && !resent => {
                    resent = true;
                    continue;
                }
                answer => answer?,
            };
            if answer.status != StatusCode::UNAUTHORIZED {
                return Ok(answer);
            }
            match answer.challenge.as_deref() {
                Some("use_dpop_nonce") if !nonce_retried => nonce_retried = true,
                Some("insufficient_user_authentication") => return Err(AuthError::NeedsLevel2.into()),
                Some("invalid_token") if !renewed => {
                    renewed = true;
                    access = credentials.renew(&access).await?;
                }
                _ => return Err(AuthError::SessionExpired.into()),
            }
        }
    }

    /// An authorized GET of the portal as JSON.
    pub async fn authorized_json<T: DeserializeOwned>(&self, credentials: &impl Credentials, path: &str) -> Result<T> {
        self.send_authorized(credentials, Request::get(self.url(path)?)).await?.json()
    }

    /// One exchange: the policy checked on this URL, no redirect followed, the body limited.
    async fn exchange(&self, request: &Request<'_>, mut headers: HeaderMap) -> Result<Answer> {
        check_policy(&request.url)?;
        let path = request.url.path().to_owned();
        if let Some(body) = &request.body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(body.content_type)?);
        }
        if let Some(etag) = request.if_none_match
            && let Ok(value) = HeaderValue::from_str(etag)
        {
            headers.insert(IF_NONE_MATCH, value);
        }
        let mut builder = self.http.request(request.method.clone(), request.url.clone()).headers(headers);
        if let Some(body) = &request.body {
            builder = builder.body(body.bytes.to_vec());
        }
        let mut response = builder.send().await.map_err(transport_error)?;
        let status = response.status();
        self.remember_nonce(&request.url, response.headers());
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            return Err(PortalError::Redirected { status: status.as_u16(), path }.into());
        }
        let headers = response.headers();
        let etag = headers.get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let challenge = challenge_error(headers);
        let gave_nonce = headers.contains_key("DPoP-Nonce");
        let too_large = || PortalError::TooLarge { path: path.clone(), limit: request.limit };
        if response.content_length().is_some_and(|n| n > request.limit as u64) {
            return Err(too_large().into());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > request.limit {
                return Err(too_large().into());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, etag, body, challenge, gave_nonce, path })
    }

    fn nonce_for(&self, url: &Url) -> Option<String> {
        self.nonces.lock().unwrap_or_else(|p| p.into_inner()).get(&url.origin().ascii_serialization()).cloned()
    }

    fn remember_nonce(&self, url: &Url, headers: &HeaderMap) {
        if let Some(nonce) = headers.get("DPoP-Nonce").and_then(|v| v.to_str().ok()) {
            self.nonces
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(url.origin().ascii_serialization(), nonce.to_owned());
        }
    }
}

/// A header value that holds a secret: marked sensitive so it is never logged or shown.
fn secret(value: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(value)?;
    value.set_sensitive(true);
    Ok(value)
}

fn transport_error(err: reqwest::Error) -> Error {
    // reqwest's Display includes the URL, which may carry query input: keep the kind only.
    let err = err.without_url();
    if err.is_connect() {
        PortalError::Unreachable(err).into()
    } else if err.is_timeout() {
        PortalError::Timeout(err).into()
    } else {
        PortalError::Network(err).into()
    }
}

fn challenge_error(headers: &HeaderMap) -> Option<String> {
    headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let start = v.find("error=\"")? + 7;
        let end = v[start..].find('"')? + start;
        Some(v[start..end].to_owned())
    })
}

/// `id` as one path segment of a portal URL: percent-encoded, so an id holding `/`, `?` or `#`
/// cannot reach another route; an empty, `.` or `..` id (which the URL would resolve as a
/// directory) is refused.
pub fn segment(id: &str) -> Result<String> {
    if matches!(id, "" | "." | "..") {
        return Err(Error::Validation { field: "id".into(), reason: "mã không hợp lệ / not a valid id".into() });
    }
    // Everything but RFC 3986's unreserved characters, so a space is %20 (not a form's +).
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    Ok(percent_encoding::utf8_percent_encode(id, SEGMENT).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_one_path_segment_and_reaches_no_other_route() {
        let base = Url::parse("https://portal.example/hd/").unwrap();
        let hostile = "../appointments/b1/cancel?x#y";
        let url = base.join(&format!("api/v1/payments/{}/reconcile", segment(hostile).unwrap())).unwrap();
        assert!(url.path().starts_with("/hd/api/v1/payments/") && url.path().ends_with("/reconcile"), "{url}");
        assert_eq!(url.path_segments().unwrap().count(), 6, "{url}");
        assert_eq!((url.query(), url.fragment()), (None, None));
        for dots in ["", ".", ".."] {
            assert!(matches!(segment(dots), Err(Error::Validation { .. })), "{dots:?}");
        }
        assert_eq!(segment("HD-2026-000123").unwrap(), "HD-2026-000123");
        assert_eq!(segment("a b+c").unwrap(), "a%20b%2Bc");
    }

    #[test]
    fn pinned_client_builds() {
        let mut config = Config::new("https://dichvucong.haiphong.gov.vn", "/tmp").unwrap();
        config.pinned_spki_sha256 = vec![[7; 32]];
        assert!(PortalClient::new(&config).is_ok());
    }

    /// A loopback server that answers every request `{}` but the second, whose connection it
    /// closes without an answer (a kept-alive connection the portal closed). Gives its URL and
    /// the head of each request it read (lower case).
    async fn closes_the_second_request() -> (String, Arc<Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let counted = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = counted.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    loop {
                        let mut chunk = [0u8; 4096];
                        let n = stream.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        // Requests without bodies, or with a small one after the headers.
                        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        if buf.len() < end + 4 + length {
                            continue;
                        }
                        buf.drain(..end + 4 + length);
                        let count = {
                            let mut seen = seen.lock().unwrap();
                            seen.push(head);
                            seen.len()
                        };
                        if count == 2 {
                            return;
                        }
                        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        stream.write_all(answer.as_bytes()).await.unwrap();
                    }
                });
            }
        });
        (url, seen)
    }

    /// A session whose every proof is new (a counter stands in for the `jti`).
    struct CountingSession {
        portal: Origin,
        proofs: Arc<std::sync::atomic::AtomicUsize>,
    }

    impl Prover for std::sync::atomic::AtomicUsize {
        fn proof(&self, _: &Method, _: &Url, _: Option<&str>, _: Option<&str>) -> Result<String> {
            Ok(format!("proof-{}", self.fetch_add(1, std::sync::atomic::Ordering::SeqCst)))
        }
    }

    impl Credentials for CountingSession {
        async fn access(&self) -> Result<Access> {
            Ok(Access { token: "token".into(), portal: self.portal.clone(), prover: Some(self.proofs.clone()) })
        }
        async fn renew(&self, _: &Access) -> Result<Access> {
            self.access().await
        }
    }

    #[tokio::test]
    async fn a_get_lost_with_its_connection_is_sent_once_more_a_post_is_not() {
        for authorized in [false, true] {
            for method in [Method::GET, Method::POST] {
                let (url, seen) = closes_the_second_request().await;
                let portal = PortalClient::new(&Config::new(&url, "/tmp").unwrap()).unwrap();
                let session = CountingSession { portal: portal.base.origin(), proofs: Default::default() };
                let send = async |request: Request<'_>| match authorized {
                    true => portal.send_authorized(&session, request).await,
                    false => portal.send(request).await,
                };
                let request = || Request::new(method.clone(), portal.url("api/v1/x").unwrap()).json(b"{}");
                assert_eq!(send(request()).await.unwrap().status, StatusCode::OK);
                let second = send(request()).await;
                let seen = seen.lock().unwrap().clone();
                if method == Method::GET {
                    assert_eq!(second.unwrap().status, StatusCode::OK, "sent again on a new connection");
                    assert_eq!(seen.len(), 3);
                    if authorized {
                        let proof = |head: &String| head.lines().find(|l| l.starts_with("dpop:")).unwrap().to_owned();
                        assert_eq!(proof(&seen[1]), "dpop: proof-1");
                        assert_eq!(proof(&seen[2]), "dpop: proof-2", "sent again with a new proof");
                    }
                } else {
                    let error = second.unwrap_err();
                    assert!(matches!(error, Error::Portal(PortalError::Network(_))), "{error}");
                    assert_eq!(seen.len(), 2, "a POST is never sent twice by the transport");
                }
            }
        }
    }

    #[test]
    fn challenges_name_their_error() {
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"DPoP realm="x", error="use_dpop_nonce""#));
        assert_eq!(challenge_error(&headers).as_deref(), Some("use_dpop_nonce"));
        assert_eq!(challenge_error(&HeaderMap::new()), None);
    }
}
