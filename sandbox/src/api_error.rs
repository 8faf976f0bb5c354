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
