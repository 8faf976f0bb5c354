//! The payments' ground floor: what the portal's routes, the gateway and the bank simulator
//! share (the merchant's constants and paths, fee lines, Vietnam time, the `vnp_` parameters).
//! It imports nothing from the modules above it, so they can all import it.

use chrono::{DateTime, FixedOffset};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// The portal's merchant code at the gateway (`vnp_TmnCode`, 8 characters).
pub const TMN_CODE: &str = "HDPORTAL";
/// The State Treasury's collection account VietQR transfers go to (sandbox values).
pub const TREASURY_BIN: &str = "970415";
pub const TREASURY_ACCOUNT: &str = "3751105542700";
pub const RETURN_PATH: &str = "/api/v1/payments/vnpay/return";
pub const IPN_PATH: &str = "/api/v1/payments/vnpay/ipn";
pub const QUERYDR_PATH: &str = "/gateway/merchant_webapi/api/transaction";

/// One fee of a dossier's procedure, as an order and its receipt list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub description: String,
    pub amount_vnd: i64,
}

/// Now, GMT+7: VNPay's dates and the portal's timestamps are Vietnam time.
pub fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).expect("a valid offset"))
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The system RNG does not fail on supported platforms; zeros would still be unique enough
    // for request ids, and the HashSecret is checked non-empty.
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `vnp_` parameters of a query string, as the signature covers them.
pub fn vnp_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes()).into_owned().filter(|(k, _)| k.starts_with("vnp_")).collect()
}
