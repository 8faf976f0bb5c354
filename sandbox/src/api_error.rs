//! The portal's one refusal type: its own JSON error (`{"error", "message", "field"?,
//! "received"?}`), or the identity provider's answer for a missing, invalid or too weak token.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::identity::AuthError;

/// A refusal, turned into the portal's answer in one place.
#[derive(Debug)]
pub enum ApiError {
    Portal { status: StatusCode, code: &'static str, message: String, field: Option<String>, received: Option<u64> },
    Auth(AuthError),
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Portal { status, code, message: message.into(), field: None, received: None }
    }

    pub(crate) fn with_field(self, name: &str) -> ApiError {
        match self {
            ApiError::Portal { status, code, message, received, .. } => {
                ApiError::Portal { status, code, message, field: Some(name.to_owned()), received }
            }
            auth => auth,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn validation(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "validation", message).with_field(field)
    }

    /// Well-formed, but a value the route cannot take.
    pub(crate) fn unprocessable(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message).with_field(field)
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no such {what}"))
    }

    pub(crate) fn offset_mismatch(received: u64) -> ApiError {
        ApiError::Portal {
            status: StatusCode::CONFLICT,
            code: "offset_mismatch",
            message: format!("the upload stands at {received} bytes: send the chunk from there"),
            field: None,
            received: Some(received),
        }
    }

    pub(crate) fn digest_mismatch(sha256: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "digest_mismatch",
            "the uploaded bytes do not hash to the attachment's sha256; the upload starts over",
        )
        .with_field(sha256)
    }

    pub(crate) fn attachment_missing(sha256: &str) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "attachment_missing", "an attachment is not fully uploaded")
            .with_field(sha256)
    }

    pub(crate) fn idempotency_conflict() -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_conflict",
            "this dossier id was already submitted with different content",
        )
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!("sandbox: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "sandbox database error")
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError::internal(e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        ApiError::Auth(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Portal { status, code, message, field, received } => {
                let mut body = serde_json::json!({"error": code, "message": message});
                if let Some(field) = field {
                    body["field"] = field.into();
                }
                if let Some(received) = received {
                    body["received"] = received.into();
                }
                (status, Json(body)).into_response()
            }
            ApiError::Auth(e) => e.into_response(),
        }
    }
}

/// Every refusal in JSON: the plain-text answers axum's extractors give for a body, path or
/// query they cannot read (and the few routes that answered text) become the portal's error
/// body, so a client reads one shape whatever refused it (the OpenAPI document says so).
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        s if s.is_server_error() => "server_error",
        _ => "refused",
    };
    let body = serde_json::json!({"error": code, "message": String::from_utf8_lossy(&text)});
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// A path the sandbox does not serve: `404` in the portal's error shape, with its own code so a
/// test can tell it from a route's own "not found".
pub async fn no_route() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route / không có đường dẫn này").into_response()
}

/// Parses a JSON body, answering `400 bad_request` with serde's reason (every route's one way).
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))
}
