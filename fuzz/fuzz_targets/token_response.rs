//! What the identity provider's token and discovery endpoints answer, and the error bodies the
//! portal sends: parsing must never panic, and an accepted token response is a usable one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::error::{PortalError, classify};
use smarthd_core::identity::tokens::{
    Discovery, MAX_TOKEN_LIFETIME_SECS, MAX_TOKEN_RESPONSE_BYTES, TokenResponse, oauth_error,
};

const ISSUER: &str = "http://127.0.0.1:8443/idp";

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = TokenResponse::parse(data) {
        assert!(data.len() <= MAX_TOKEN_RESPONSE_BYTES);
        assert!(!response.access_token.is_empty() && response.access_token.len() <= 16 * 1024);
        assert!(["bearer", "dpop"].contains(&response.token_type.to_ascii_lowercase().as_str()));
        // The session stores `now + expires_in`: it must fit for any clock this century.
        assert!(response.expires_in.is_none_or(|e| (0..=MAX_TOKEN_LIFETIME_SECS).contains(&e)));
        assert!(response.expires_in.is_none_or(|e| 4_102_444_800i64.checked_add(e).is_some()));
        let again = serde_json::to_vec(&response).unwrap();
        assert_eq!(TokenResponse::parse(&again).as_ref(), Ok(&response), "a token response does not round-trip");
    }
    let _ = oauth_error(data);
    if let Ok(discovery) = serde_json::from_slice::<Discovery>(data)
        && let Ok(checked) = discovery.check(ISSUER)
    {
        assert_eq!(checked.issuer, ISSUER);
        let _ = checked.supports_dpop();
    }
    for status in [400, 401, 409, 422, 429, 503] {
        let _ = classify(status, data);
        let error = PortalError::refused(status, "api/v1/dossiers?since=1", data);
        let _ = error.class();
        assert!(!error.to_string().contains("since=1"), "an error names the query");
    }
});
