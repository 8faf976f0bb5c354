//! The login callback is a URL anyone can make the browser open: only this app's redirect URI,
//! with the right state (and issuer), may yield an authorization code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::identity::tokens::parse_callback;

const ISSUER: &str = "http://127.0.0.1:8443/idp";
const STATE: &str = "Vh3kq9Zp2xLr";
const REDIRECTS: [&str; 2] = ["vn.gov.haiduong.smarthd:/oauth2redirect", "http://127.0.0.1:4545/callback"];

fuzz_target!(|data: &[u8]| {
    let Ok(callback) = std::str::from_utf8(data) else { return };
    for redirect in REDIRECTS {
        for iss_required in [true, false] {
            let Ok(answer) = parse_callback(callback, redirect, STATE, ISSUER, iss_required) else { continue };
            assert!(!answer.code.is_empty());
            let url = url::Url::parse(callback).expect("an accepted callback is a URL");
            let pairs: Vec<_> = url.query_pairs().collect();
            assert!(pairs.iter().any(|(k, v)| k == "state" && v == STATE), "accepted without our state");
            assert!(pairs.iter().any(|(k, v)| k == "code" && *v == answer.code));
            assert!(!pairs.iter().any(|(k, _)| k == "error"), "an error answer yielded a code");
            if iss_required {
                assert!(pairs.iter().any(|(k, v)| k == "iss" && v == ISSUER));
            }
            assert!(pairs.iter().all(|(k, v)| k != "iss" || v == ISSUER));
            let expected = url::Url::parse(redirect).unwrap();
            assert_eq!(
                (url.scheme(), url.host_str(), url.port(), url.path()),
                (expected.scheme(), expected.host_str(), expected.port(), expected.path())
            );
        }
    }
});
