//! What every answer and every tester's route goes through, as layers on the whole router: the
//! browser security headers on every response, and the admin token and JSON-only rule on
//! `/admin/…` (so that no web page can switch a fault or read the ledger: a cross-site form can
//! send neither a custom header nor `application/json` without a CORS preflight, which the
//! sandbox never grants).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::rand::{SecureRandom, SystemRandom};

/// The header testers and tests send the sandbox's admin token in.
pub const ADMIN_TOKEN_HEADER: &str = "x-sandbox-admin-token";

/// Pages load nothing from elsewhere and run no script; none may be framed (clickjacking).
/// No `form-action`: the login and gateway forms end in redirects to the app's loopback or
/// private-use-scheme URIs, which browsers check against it.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; \
                   frame-ancestors 'none'";

/// Sets the security headers on every response.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The sandbox's admin token: random at each start unless configured.
pub struct AdminToken(String);

impl AdminToken {
    pub fn new(configured: Option<String>) -> AdminToken {
        AdminToken(configured.filter(|t| !t.is_empty()).unwrap_or_else(|| {
            let mut bytes = [0u8; 24];
            // The system RNG does not fail on supported platforms.
            let _ = SystemRandom::new().fill(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant time in the length of the given token.
    fn matches(&self, given: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

fn refuse(status: StatusCode, error: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": error, "message": message});
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// `/admin/…`: the admin token, and a JSON body (`Content-Type: application/json`) on
/// everything but reads.
pub async fn admin_only(State(token): State<Arc<AdminToken>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path != "/admin" && !path.starts_with("/admin/") {
        return next.run(request).await;
    }
    let given = request.headers().get(ADMIN_TOKEN_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
    if !token.matches(given) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the sandbox admin token (printed by `smarthd sandbox serve`) in X-Sandbox-Admin-Token",
        );
    }
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !reads && !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "admin routes take JSON only: Content-Type: application/json",
        );
    }
    next.run(request).await
}
