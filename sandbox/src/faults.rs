//! Fault injection for the reliability tests, per route: an injected `500`, a delay, a dropped
//! connection, and the lost acknowledgement (`commit_then_drop`: the request is handled and its
//! effect committed, then the connection closes without an answer). Set at start with
//! `sandbox serve --fault ROUTE:KIND:PROBABILITY[:DELAY_MS]` or at run time with
//! `POST /admin/faults`; kept in memory.
//!
//! Closing a connection without an HTTP answer needs the socket itself: the server accepts
//! through [`FaultListener`], whose streams carry a kill switch, and every request reaches the
//! middleware with its connection's switch ([`Connection`], as connect info). Once the switch is
//! thrown the stream fails every read and write, so hyper gives up on the connection and drops
//! the socket before a byte of the answer is written.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Json;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::ErrorBody;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Which requests a fault applies to. `*` is every `/api/` route (catalog included), never the
/// admin, officer or identity routes, so a test can always clear its faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultRoute {
    /// `POST /api/v1/dossiers` and `POST /api/v1/dossier-batches`
    #[serde(rename = "submit")]
    Submit,
    /// `/api/v1/attachments…`
    #[serde(rename = "attachments")]
    Attachments,
    /// The other `/api/v1/dossiers…` routes: the resident's list and the public lookup.
    #[serde(rename = "dossiers")]
    Dossiers,
    /// `POST /api/v1/appointments`: booking a counter's slot.
    #[serde(rename = "book")]
    Book,
    /// `POST /api/v1/appointments/{booking_id}/cancel`: cancelling a booking.
    #[serde(rename = "cancel")]
    Cancel,
    /// `POST /api/v1/reports…`: sending a field report, rating its answer.
    #[serde(rename = "reports")]
    Reports,
    #[serde(rename = "*")]
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `500` without handling the request.
    #[serde(rename = "error_500")]
    Error500,
    /// Wait `delay_ms`, then handle the request.
    Delay,
    /// Handle the request (its effect is committed), then wait `delay_ms` before answering: a
    /// slow way back, the answer still on its way while the phone does something else.
    AnswerLate,
    /// Close the connection before the request is handled.
    Drop,
    /// Handle the request (its effect is committed), then close the connection unanswered.
    CommitThenDrop,
    /// Handle the request (its effect is committed), then answer `200` with a body that is not
    /// what the route promises: a portal behind a broken proxy.
    Malformed,
    /// Answer an attachment chunk `409 offset_mismatch` naming the very offset it was sent at,
    /// without handling it: an upload that never advances. Other requests are handled.
    OffsetMismatch,
}

const DEFAULT_DELAY_MS: u64 = 3_000;

fn default_delay_ms() -> u64 {
    DEFAULT_DELAY_MS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub route: FaultRoute,
    pub kind: FaultKind,
    /// 0..=1: the share of matching requests it hits.
    pub probability: f64,
    #[serde(default = "default_delay_ms")]
    pub delay_ms: u64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a fault is ROUTE:KIND:PROBABILITY[:DELAY_MS], as in submit:commit_then_drop:1 or *:delay:0.1:5000: {0}")]
pub struct FaultParseError(String);

impl Fault {
    fn check(self) -> Result<Fault, FaultParseError> {
        if (0.0..=1.0).contains(&self.probability) {
            Ok(self)
        } else {
            Err(FaultParseError(format!("probability {} is not within 0..1", self.probability)))
        }
    }
}

impl FromStr for Fault {
    type Err = FaultParseError;

    /// `submit:commit_then_drop:1`, `*:delay:0.1:5000`
    fn from_str(text: &str) -> Result<Fault, FaultParseError> {
        let bad = || FaultParseError(text.to_owned());
        let parts: Vec<&str> = text.split(':').collect();
        let (route, kind, probability, delay) = match parts.as_slice() {
            [route, kind, probability] => (route, kind, probability, None),
            [route, kind, probability, delay] => (route, kind, probability, Some(delay)),
            _ => return Err(bad()),
        };
        let word = |w: &str| serde_json::Value::String(w.to_owned());
        Fault {
            route: serde_json::from_value(word(route)).map_err(|_| bad())?,
            kind: serde_json::from_value(word(kind)).map_err(|_| bad())?,
            probability: probability.parse().map_err(|_| bad())?,
            delay_ms: delay.map(|d| d.parse()).transpose().map_err(|_| bad())?.unwrap_or(DEFAULT_DELAY_MS),
        }
        .check()
    }
}

/// The faults in effect.
pub struct Faults {
    list: Mutex<Vec<Fault>>,
    rng: SystemRandom,
}

impl Faults {
    pub fn new(initial: Vec<Fault>) -> Faults {
        Faults { list: Mutex::new(initial), rng: SystemRandom::new() }
    }

    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One draw per request over the matching faults, so `error_500` at 0.2 and `drop` at 0.05
    /// hit 20% and 5% of the requests (their sum is capped at 1).
    fn pick(&self, route: RouteClass) -> Option<Fault> {
        let candidates: Vec<Fault> = self.list().iter().filter(|f| route.matches(f.route)).cloned().collect();
        if candidates.is_empty() {
            return None;
        }
        let draw = self.uniform();
        let mut cumulative = 0.0;
        candidates.into_iter().find(|f| {
            cumulative += f.probability;
            draw < cumulative
        })
    }

    /// A uniform draw in [0, 1).
    fn uniform(&self) -> f64 {
        let mut bytes = [0u8; 8];
        // The system RNG does not fail on supported platforms; a zero draw then still works.
        let _ = self.rng.fill(&mut bytes);
        (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The fault route a request belongs to, if faults apply to it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteClass {
    Submit,
    Attachments,
    Dossiers,
    Book,
    Cancel,
    Reports,
    OtherApi,
}

impl RouteClass {
    fn of(method: &Method, path: &str) -> Option<RouteClass> {
        if (path == "/api/v1/dossiers" || path == "/api/v1/dossier-batches") && method == Method::POST {
            Some(RouteClass::Submit)
        } else if path.starts_with("/api/v1/attachments") {
            Some(RouteClass::Attachments)
        } else if path.starts_with("/api/v1/dossiers") {
            Some(RouteClass::Dossiers)
        } else if path == "/api/v1/appointments" && method == Method::POST {
            Some(RouteClass::Book)
        } else if path.starts_with("/api/v1/appointments/") && path.ends_with("/cancel") && method == Method::POST {
            Some(RouteClass::Cancel)
        } else if path.starts_with("/api/v1/reports") && method == Method::POST {
            Some(RouteClass::Reports)
        } else if path.starts_with("/api/") {
            Some(RouteClass::OtherApi)
        } else {
            None
        }
    }

    fn matches(self, route: FaultRoute) -> bool {
        match route {
            FaultRoute::All => true,
            FaultRoute::Submit => self == RouteClass::Submit,
            FaultRoute::Attachments => self == RouteClass::Attachments,
            FaultRoute::Dossiers => self == RouteClass::Dossiers,
            FaultRoute::Book => self == RouteClass::Book,
            FaultRoute::Cancel => self == RouteClass::Cancel,
            FaultRoute::Reports => self == RouteClass::Reports,
        }
    }
}

/// The middleware that applies the faults; the server must run with `Connection` connect info.
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let Some(route) = RouteClass::of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(fault) = faults.pick(route) else {
        return next.run(request).await;
    };
    let connection = request.extensions().get::<ConnectInfo<Connection>>().map(|c| c.0.clone());
    tracing::info!(?fault, path = request.uri().path(), "injecting a fault");
    match fault.kind {
        FaultKind::Error500 => injected_500(),
        FaultKind::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            next.run(request).await
        }
        FaultKind::AnswerLate => {
            let response = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            response
        }
        FaultKind::Drop => match connection {
            Some(connection) => connection.kill(),
            None => injected_500(),
        },
        FaultKind::CommitThenDrop => {
            let response = next.run(request).await;
            match connection {
                Some(connection) => connection.kill(),
                None => response,
            }
        }
        FaultKind::Malformed => {
            let _committed = next.run(request).await;
            (StatusCode::OK, [(axum::http::header::CONTENT_TYPE, "application/json")], "{\"unexpected\": [")
                .into_response()
        }
        FaultKind::OffsetMismatch => match chunk_offset(&request) {
            Some(offset) => {
                let body = serde_json::json!({
                    "error": "offset_mismatch",
                    "message": "injected fault (sandbox)",
                    "received": offset,
                });
                (StatusCode::CONFLICT, Json(body)).into_response()
            }
            None => next.run(request).await,
        },
    }
}

/// The `offset` of an attachment chunk (`PUT .../content?offset=N`).
fn chunk_offset(request: &Request) -> Option<u64> {
    if request.method() != Method::PUT {
        return None;
    }
    request.uri().query()?.split('&').find_map(|pair| pair.strip_prefix("offset=")?.parse().ok())
}

fn injected_500() -> Response {
    let body = serde_json::json!({"error": "server_error", "message": "injected fault (sandbox)"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// `GET`, `POST` and `DELETE /admin/faults`.
pub fn router(faults: Arc<Faults>) -> OpenApiRouter {
    OpenApiRouter::new().routes(routes!(add, list, clear)).with_state(faults)
}

#[utoipa::path(post, path = "/admin/faults", operation_id = "faults_add", tag = "admin", security(("admin" = [])), request_body = Object,
    responses((status = 200, description = "The faults in force", body = Vec<Object>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn add(State(faults): State<Arc<Faults>>, body: axum::body::Bytes) -> Response {
    let fault =
        serde_json::from_slice::<Fault>(&body).map_err(|e| FaultParseError(e.to_string())).and_then(Fault::check);
    match fault {
        Ok(fault) => {
            faults.list().push(fault);
            Json(faults.list().clone()).into_response()
        }
        Err(e) => {
            let body = serde_json::json!({"error": "bad_request", "message": e.to_string()});
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    }
}

#[utoipa::path(get, path = "/admin/faults", operation_id = "faults_list", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "The faults in force", body = Vec<Object>), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn list(State(faults): State<Arc<Faults>>) -> Json<Vec<Fault>> {
    Json(faults.list().clone())
}

#[utoipa::path(delete, path = "/admin/faults", operation_id = "faults_clear", tag = "admin", security(("admin" = [])),
    responses((status = 204, description = "Đã xoá / Cleared"), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn clear(State(faults): State<Arc<Faults>>) -> StatusCode {
    faults.list().clear();
    StatusCode::NO_CONTENT
}

/// A TCP listener whose connections can be closed from a request handler.
pub struct FaultListener(pub TcpListener);

impl Listener for FaultListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (KillableStream, SocketAddr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        (KillableStream { inner: stream, killed: Arc::default() }, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The kill switch of the connection a request came on.
#[derive(Clone)]
pub struct Connection {
    killed: Arc<AtomicBool>,
}

impl Connection {
    /// Closes the connection: the response returned here is never written.
    fn kill(&self) -> Response {
        self.killed.store(true, Ordering::SeqCst);
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Connection {
        stream.io().connection()
    }
}

pub struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableStream {
    /// The kill switch of this connection.
    pub(crate) fn connection(&self) -> Connection {
        Connection { killed: self.killed.clone() }
    }

    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            Err(io::Error::new(io::ErrorKind::ConnectionAborted, "connection dropped by an injected fault"))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_flag() {
        let fault: Fault = "submit:commit_then_drop:1".parse().expect("valid");
        assert_eq!(fault.route, FaultRoute::Submit);
        assert_eq!(fault.kind, FaultKind::CommitThenDrop);
        let fault: Fault = "*:delay:0.1:5000".parse().expect("valid");
        assert_eq!((fault.route, fault.kind, fault.delay_ms), (FaultRoute::All, FaultKind::Delay, 5000));
        let fault: Fault = "dossiers:answer_late:1:800".parse().expect("valid");
        assert_eq!((fault.route, fault.kind, fault.delay_ms), (FaultRoute::Dossiers, FaultKind::AnswerLate, 800));
        assert!("submit:explode:1".parse::<Fault>().is_err());
        assert!("submit:drop:1.5".parse::<Fault>().is_err());
        assert!("submit:drop".parse::<Fault>().is_err());
    }

    #[test]
    fn classifies_routes() {
        assert_eq!(RouteClass::of(&Method::POST, "/api/v1/dossiers"), Some(RouteClass::Submit));
        assert_eq!(RouteClass::of(&Method::GET, "/api/v1/dossiers"), Some(RouteClass::Dossiers));
        assert_eq!(RouteClass::of(&Method::PUT, "/api/v1/attachments/ab/content"), Some(RouteClass::Attachments));
        assert_eq!(RouteClass::of(&Method::GET, "/api/v1/catalog/changes"), Some(RouteClass::OtherApi));
        assert_eq!(RouteClass::of(&Method::POST, "/admin/faults"), None);
        assert!(!RouteClass::OtherApi.matches(FaultRoute::Submit));
        assert_eq!(RouteClass::of(&Method::POST, "/api/v1/dossier-batches"), Some(RouteClass::Submit));
        assert_eq!(RouteClass::of(&Method::POST, "/api/v1/appointments"), Some(RouteClass::Book));
        assert_eq!(RouteClass::of(&Method::POST, "/api/v1/appointments/b1/cancel"), Some(RouteClass::Cancel));
        assert_eq!(RouteClass::of(&Method::GET, "/api/v1/appointments"), Some(RouteClass::OtherApi));
        assert!(RouteClass::OtherApi.matches(FaultRoute::All));
    }
}
