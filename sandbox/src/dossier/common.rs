//! The dossiers' ground floor: the vocabulary the store, the officer console and the resident's
//! routes share (the portal's statuses, digests in hex, JSON bodies). It imports nothing from the
//! modules above it, so they can all import it.

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

pub(crate) use crate::api_error::json_body;
