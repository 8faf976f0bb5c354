//! The gateway's return URL arrives through the browser, so anyone can forge one: parsing must
//! never panic, and what it yields must match the URL's own parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::payment::gateway_return::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(answer) = parse(text) else { return };
    let url = url::Url::parse(text).expect("an accepted return URL is a URL");
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    assert!(!answer.txn_ref.is_empty() && !answer.response_code.is_empty());
    assert_eq!(param("vnp_TxnRef").as_ref(), Some(&answer.txn_ref));
    assert_eq!(param("vnp_ResponseCode").as_ref(), Some(&answer.response_code));
    if let Some(amount) = answer.amount_vnd {
        let xu: u64 = param("vnp_Amount").unwrap().parse().unwrap();
        assert_eq!(amount, xu / 100);
    }
    // Success is claimed only on the protocol's own terms: response code 00 and status 00 (or none).
    if answer.claims_success() {
        assert_eq!(answer.response_code, "00");
        assert!(answer.transaction_status.as_deref().is_none_or(|s| s == "00"));
    }
    assert!(!answer.message_vi.is_empty() && !answer.message_en.is_empty());
});
