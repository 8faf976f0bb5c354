//! The gateway's redirect back to the app, parsed into a typed result (pure). It is for the
//! screen only: a payment is paid when the portal says so.

use serde::Serialize;
use url::Url;

use smarthd_model::payment::response_message;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayReturn {
    pub txn_ref: String,
    pub response_code: String,
    pub transaction_status: Option<String>,
    pub amount_vnd: Option<u64>,
    pub bank_code: Option<String>,
    pub transaction_no: Option<String>,
    /// What the gateway says happened, for a resident: Vietnamese, then English.
    pub message_vi: String,
    pub message_en: String,
}

impl GatewayReturn {
    /// What the gateway claims; the portal still has to confirm it.
    pub fn claims_success(&self) -> bool {
        self.response_code == "00" && self.transaction_status.as_deref().is_none_or(|s| s == "00")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("not a URL")]
    NotAUrl,
    #[error("the gateway's answer lacks {0}")]
    Missing(&'static str),
    #[error("the gateway's answer repeats {0}")]
    Repeated(String),
    #[error("the gateway's amount is not a number of xu")]
    BadAmount,
}

/// Parses the return URL; unknown extra parameters are tolerated.
pub fn parse(url: &str) -> Result<GatewayReturn, ReturnError> {
    let url = Url::parse(url).map_err(|_| ReturnError::NotAUrl)?;
    let mut params = std::collections::HashMap::new();
    for (k, v) in url.query_pairs() {
        if k.starts_with("vnp_") && params.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(ReturnError::Repeated(k.into_owned()));
        }
    }
    let take = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let txn_ref = take("vnp_TxnRef").ok_or(ReturnError::Missing("vnp_TxnRef"))?;
    let response_code = take("vnp_ResponseCode").ok_or(ReturnError::Missing("vnp_ResponseCode"))?;
    // VNPay sends amounts in xu (đồng x 100).
    let amount_vnd = match take("vnp_Amount") {
        Some(a) => Some(a.parse::<u64>().map_err(|_| ReturnError::BadAmount)? / 100),
        None => None,
    };
    let (vi, en) = response_message(&response_code);
    Ok(GatewayReturn {
        txn_ref,
        response_code,
        transaction_status: take("vnp_TransactionStatus"),
        amount_vnd,
        bank_code: take("vnp_BankCode"),
        transaction_no: take("vnp_TransactionNo"),
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_url_with_extra_parameters() {
        let r = parse("vn.gov.haiduong.smarthd:/payment-return?vnp_Amount=19000000&vnp_BankCode=NCB&vnp_ResponseCode=00&vnp_TransactionStatus=00&vnp_TxnRef=PO1A1&vnp_TransactionNo=1400&vnp_SecureHash=ab&utm=x").unwrap();
        assert_eq!((r.txn_ref.as_str(), r.amount_vnd, r.claims_success()), ("PO1A1", Some(190_000), true));
        let cancelled = parse("http://127.0.0.1:5/r?vnp_TxnRef=PO1A2&vnp_ResponseCode=24").unwrap();
        assert!(!cancelled.claims_success());
        assert_eq!(cancelled.message_en, "You cancelled the payment");
    }

    #[test]
    fn bad_return_urls_are_typed_errors() {
        assert_eq!(parse("::"), Err(ReturnError::NotAUrl));
        assert_eq!(parse("http://127.0.0.1/r?vnp_ResponseCode=00"), Err(ReturnError::Missing("vnp_TxnRef")));
        assert_eq!(
            parse("http://127.0.0.1/r?vnp_TxnRef=a&vnp_ResponseCode=00&vnp_Amount=1e9"),
            Err(ReturnError::BadAmount)
        );
        assert!(matches!(
            parse("http://127.0.0.1/r?vnp_TxnRef=a&vnp_TxnRef=b&vnp_ResponseCode=00"),
            Err(ReturnError::Repeated(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn the_return_url_parser_never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
            let _ = parse(&format!("vn.gov.haiduong.smarthd:/payment-return?{s}"));
        }
    }
}
