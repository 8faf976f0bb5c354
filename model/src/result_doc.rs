//! A dossier's result as the portal issues it electronically (bản điện tử của kết quả giải quyết
//! thủ tục hành chính): a PDF and its metadata, the metadata signed with Ed25519 like e-receipts
//! (the same published keys). The signature covers the payload's exact bytes; the payload names
//! the PDF by its SHA-256, so one check covers both.

use serde::{Deserialize, Serialize};

/// The signed metadata as the portal sends it and the phone keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedResult {
    pub result_id: String,
    /// JSON of [`ResultPayload`], signed as these exact bytes.
    pub payload: String,
    pub signature: String,
    pub key_id: String,
}

/// What a result says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultPayload {
    pub result_id: String,
    pub dossier_id: String,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The result document's name ("Phiếu lý lịch tư pháp số 1").
    pub name: String,
    /// Lowercase hex SHA-256 of the PDF.
    pub sha256: String,
    pub size: u64,
    pub issued_at: String,
    pub issuer: String,
}
