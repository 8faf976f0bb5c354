//! E-receipts (biên lai điện tử) as the portal sends them: a JSON payload and its Ed25519
//! signature over the payload's exact bytes, with the key's id.

use serde::{Deserialize, Serialize};

/// A receipt as the portal sends it and the phone keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedReceipt {
    pub receipt_id: String,
    pub payload: String,
    pub signature: String,
    pub key_id: String,
}

/// What a verified receipt says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub receipt_id: String,
    pub order_id: String,
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    pub amount_vnd: i64,
    pub method: String,
    pub txn_ref: String,
    pub bank_tran_no: Option<String>,
    pub paid_at: String,
    pub issuer: String,
}
