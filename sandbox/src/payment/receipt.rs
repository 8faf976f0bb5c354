//! E-receipts (biên lai điện tử): the portal signs the exact bytes of a JSON payload with Ed25519;
//! the key is made once and kept in the sandbox database, so receipts verify across restarts.

use serde::Serialize;

use super::common::FeeLine;

pub const KEY_ID: &str = "r1";
pub const ISSUER: &str = "Cổng Dịch vụ công tỉnh Hải Dương";

/// What a receipt says, in the order it is serialized and signed.
#[derive(Serialize)]
pub struct Payload<'a> {
    pub receipt_id: &'a str,
    pub order_id: &'a str,
    pub dossier_id: &'a str,
    pub dossier_code: &'a str,
    pub amount_vnd: i64,
    pub method: &'a str,
    pub txn_ref: &'a str,
    pub bank_tran_no: &'a str,
    pub paid_at: &'a str,
    pub issuer: &'a str,
    pub fee_lines: &'a [FeeLine],
}

/// The key receipts (and dossier results) are signed with.
pub use crate::signing::SigningKey as Signer;
