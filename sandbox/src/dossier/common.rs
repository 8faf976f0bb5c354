//! The dossiers' ground floor: the vocabulary the store, the officer console and the resident's
//! routes share (the portal's statuses, digests in hex, JSON bodies). It imports nothing from the
//! modules above it, so they can all import it.

use crate::api_error::ApiError;

/// The portal's statuses are the shared model's; only those the portal assigns are accepted.
pub use smarthd_model::DossierStatus as Status;

pub fn portal_status(text: &str) -> Option<Status> {
    Status::parse(text).filter(|s| s.is_at_portal())
}

/// Asking for more documents and rejecting must say what or why.
pub fn needs_message(status: Status) -> bool {
    matches!(status, Status::NeedMoreDocuments | Status::Rejected)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a JSON body, answering `400 bad_request` with serde's reason.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))
}
