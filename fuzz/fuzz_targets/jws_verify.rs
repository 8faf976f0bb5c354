//! ID tokens and key sets come from the identity provider, or from whoever sits in the way: the
//! JWS parser, the JWK handling and the ID token checks must never panic, and a token that
//! verifies must stop verifying when one bit of its signature changes.
//!
//! Input: a JWKS (JSON) on the first line, a compact JWS after it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::identity::jose::{JwkSet, Jws, b64, unb64};
use smarthd_core::identity::tokens::{ALLOWED_ALGS, Expected, validate_id_token};

const EXPECTED: Expected<'static> = Expected {
    issuer: "http://127.0.0.1:8443/idp",
    client_id: "smarthd-app",
    nonce: Some("n-0S6_WzA2Mj"),
    now: 1_800_000_000,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (jwks, compact) = text.split_once('\n').unwrap_or((text, ""));
    let keys: JwkSet = serde_json::from_str(jwks).unwrap_or_default();
    for key in &keys.keys {
        if let Some(thumbprint) = key.thumbprint() {
            assert_eq!(unb64(&thumbprint).map(|d| d.len()), Some(32), "a thumbprint is a SHA-256");
        }
    }
    let Ok(jws) = Jws::parse(compact) else {
        assert!(validate_id_token(compact, &keys, &EXPECTED).is_err());
        return;
    };
    let verified = jws.verify(&keys, ALLOWED_ALGS).is_ok();
    if verified {
        assert!(ALLOWED_ALGS.contains(&jws.alg().unwrap()));
        let (input, signature) = compact.rsplit_once('.').unwrap();
        let mut flipped = unb64(signature).unwrap();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        let tampered = format!("{input}.{}", b64(&flipped));
        assert!(Jws::parse(&tampered).unwrap().verify(&keys, ALLOWED_ALGS).is_err(), "a flipped bit still verifies");
    }
    match validate_id_token(compact, &keys, &EXPECTED) {
        Ok(claims) => {
            assert!(verified, "claims accepted from a token that does not verify");
            assert!(!claims.sub.is_empty());
            assert_eq!(jws.claims.get("iss").and_then(|v| v.as_str()), Some(EXPECTED.issuer));
            assert_eq!(jws.claims.get("nonce").and_then(|v| v.as_str()), EXPECTED.nonce);
            assert!(claims.exp.saturating_add(60) > EXPECTED.now);
        }
        Err(_) => {}
    }
});
