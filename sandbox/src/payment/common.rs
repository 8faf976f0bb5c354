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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// A parameter appeared twice in a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicated(pub String);

/// The `vnp_` parameters of a query string, as the signature covers them. A parameter given
/// twice is refused: the signature skips empty values, so `vnp_ExpireDate=&…&vnp_ExpireDate=…`
/// would be signed over one value and read as the other.
pub fn vnp_params(query: &str) -> Result<Vec<(String, String)>, Duplicated> {
    let mut params: Vec<(String, String)> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()).into_owned() {
        if params.iter().any(|(k, _)| *k == key) {
            return Err(Duplicated(key));
        }
        params.push((key, value));
    }
    params.retain(|(k, _)| k.starts_with("vnp_"));
    Ok(params)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repeated_parameter_is_refused_even_when_empty() {
        assert_eq!(super::vnp_params("vnp_A=1&x=2&vnp_B=").unwrap().len(), 2);
        assert!(super::vnp_params("vnp_ExpireDate=&vnp_A=1&vnp_ExpireDate=20260101000000").is_err());
        assert!(super::vnp_params("x=1&x=2").is_err());
    }
}
