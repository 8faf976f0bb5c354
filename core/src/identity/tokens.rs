//! Pure checks of what the provider sends: the discovery document, token responses, ID tokens
//! (OIDC Core 3.1.3.7) and the authorization response on the redirect URI.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::jose::{JoseError, JwkSet, Jws};
use crate::error::AuthError;

/// Signature algorithms accepted for ID tokens: never `none`, never HMAC.
pub const ALLOWED_ALGS: &[&str] = &["ES256", "RS256"];
/// Clock skew tolerated on `exp` and `iat`.
pub const MAX_SKEW_SECS: i64 = 60;
/// Token responses larger than this are refused unparsed.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;
/// An access token living longer than a year is not one a provider means: refused, so that
/// `now + expires_in` always fits.
pub const MAX_TOKEN_LIFETIME_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

impl Discovery {
    /// The document must name exactly the issuer the app was configured with (mix-up defence),
    /// and endpoints the app may go to: https, or http on loopback. An endpoint that is not is
    /// the provider's fault (`Provider`), not the app's configuration's.
    pub fn check(self, configured_issuer: &str) -> Result<Discovery, AuthError> {
        if self.issuer != configured_issuer {
            return Err(AuthError::DiscoveryIssuerMismatch);
        }
        let endpoints = [
            ("authorization_endpoint", Some(&self.authorization_endpoint)),
            ("token_endpoint", Some(&self.token_endpoint)),
            ("jwks_uri", Some(&self.jwks_uri)),
            ("pushed_authorization_request_endpoint", self.pushed_authorization_request_endpoint.as_ref()),
        ];
        for (what, url) in endpoints {
            if let Some(url) = url
                && crate::config::checked_url(url).is_err()
            {
                return Err(AuthError::Provider(format!("its {what} is not an https address")));
            }
        }
        if !self.code_challenge_methods_supported.is_empty()
            && !self.code_challenge_methods_supported.iter().any(|m| m == "S256")
        {
            return Err(AuthError::Provider("the provider does not support PKCE S256".into()));
        }
        Ok(self)
    }

    pub fn supports_dpop(&self) -> bool {
        self.dpop_signing_alg_values_supported.iter().any(|a| a == "ES256")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: Option<i64>,
    pub refresh_token: Option<String>,
    /// Seconds the refresh token lasts (Keycloak's `refresh_expires_in`), when the provider says.
    #[serde(default)]
    pub refresh_expires_in: Option<i64>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
}

impl TokenResponse {
    pub fn parse(body: &[u8]) -> Result<TokenResponse, AuthError> {
        if body.len() > MAX_TOKEN_RESPONSE_BYTES {
            return Err(AuthError::TokenResponse("too large".into()));
        }
        let response: TokenResponse =
            serde_json::from_slice(body).map_err(|e| AuthError::TokenResponse(format!("not a token response: {e}")))?;
        if response.access_token.is_empty() || response.access_token.len() > 16 * 1024 {
            return Err(AuthError::TokenResponse("bad access_token".into()));
        }
        if !["bearer", "dpop"].contains(&response.token_type.to_ascii_lowercase().as_str()) {
            return Err(AuthError::TokenResponse(format!("unknown token_type {:?}", response.token_type)));
        }
        // 0 is a token already expired (the next call refreshes it); negative is nonsense.
        if response.expires_in.is_some_and(|e| e < 0) {
            return Err(AuthError::TokenResponse("expires_in must not be negative".into()));
        }
        if response.expires_in.is_some_and(|e| e > MAX_TOKEN_LIFETIME_SECS) {
            return Err(AuthError::TokenResponse("expires_in is longer than a year".into()));
        }
        Ok(response)
    }

    pub fn is_dpop(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("dpop")
    }
}

/// An OAuth error body: `{"error": "...", "error_description": "..."}`.
pub fn oauth_error(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("error").and_then(Value::as_str).map(str::to_owned)
}

/// What an ID token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent with the authorization request (refreshes need none).
    pub nonce: Option<&'a str>,
    /// Unix seconds.
    pub now: i64,
}

/// The claims the app keeps, from a validated ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    pub acr: Option<String>,
    pub name: Option<String>,
    pub cccd: Option<String>,
    /// The profile claims forms are prefilled from (absent in sessions made by older apps).
    #[serde(default)]
    pub birthdate: Option<String>,
    /// `address.formatted` (OpenID Connect Core 5.1.1), or a plain string.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    pub exp: i64,
    pub auth_time: Option<i64>,
    /// The provider's opaque id of the login session: the logout hint, which (unlike the ID
    /// token) names no one.
    #[serde(default)]
    pub sid: Option<String>,
}

/// Validates an ID token's signature and claims. `keys` is the provider's JWKS; on
/// [`AuthError::UnknownKey`] the caller refetches it once and tries again.
pub fn validate_id_token(compact: &str, keys: &JwkSet, expected: &Expected<'_>) -> Result<IdClaims, AuthError> {
    let jws = Jws::parse(compact).map_err(AuthError::from_jose)?;
    jws.verify(keys, ALLOWED_ALGS).map_err(AuthError::from_jose)?;
    let claims = &jws.claims;
    let string = |name: &str| claims.get(name).and_then(Value::as_str);
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);

    if string("iss") != Some(expected.issuer) {
        return Err(AuthError::IdToken("wrong issuer"));
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => return Err(AuthError::IdToken("no audience")),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(AuthError::IdToken("not issued to this app (aud)"));
    }
    let azp = string("azp");
    if (audiences.len() > 1 && azp != Some(expected.client_id)) || azp.is_some_and(|a| a != expected.client_id) {
        return Err(AuthError::IdToken("wrong authorized party (azp)"));
    }
    let exp = number("exp").ok_or(AuthError::IdToken("no expiry"))?;
    // Saturating: an `exp` near i64::MAX is far in the future, not an overflow.
    if exp.saturating_add(MAX_SKEW_SECS) <= expected.now {
        return Err(AuthError::IdToken("expired"));
    }
    let iat = number("iat").ok_or(AuthError::IdToken("no issue time"))?;
    if iat > expected.now + MAX_SKEW_SECS {
        return Err(AuthError::IdToken("issued in the future"));
    }
    if let Some(nonce) = expected.nonce
        && string("nonce") != Some(nonce)
    {
        return Err(AuthError::IdToken("wrong nonce"));
    }
    let sub = string("sub").filter(|s| !s.is_empty()).ok_or(AuthError::IdToken("no subject"))?;
    Ok(IdClaims {
        sub: sub.to_owned(),
        acr: string("acr").map(str::to_owned),
        name: string("name").map(str::to_owned),
        cccd: string("cccd").map(str::to_owned),
        birthdate: string("birthdate").map(str::to_owned),
        address: claims
            .get("address")
            .and_then(|a| a.get("formatted").and_then(Value::as_str).or_else(|| a.as_str()))
            .map(str::to_owned),
        gender: string("gender").map(str::to_owned),
        exp,
        auth_time: number("auth_time"),
        sid: string("sid").map(str::to_owned),
    })
}

/// The authorization response the browser brought back to the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub code: String,
}

/// Checks the callback in the order that defends best: the redirect target, then `state`
/// (before anything else is believed), then an error answer, then `iss` (RFC 9207).
pub fn parse_callback(
    callback: &str,
    redirect_uri: &str,
    state: &str,
    issuer: &str,
    iss_required: bool,
) -> Result<Callback, AuthError> {
    let url = Url::parse(callback).map_err(|_| AuthError::Callback("not a URL".into()))?;
    let expected = Url::parse(redirect_uri).map_err(|_| AuthError::Callback("bad redirect URI".into()))?;
    if (url.scheme(), url.host_str(), url.port(), url.path())
        != (expected.scheme(), expected.host_str(), expected.port(), expected.path())
    {
        return Err(AuthError::Callback("not this app's redirect URI".into()));
    }
    let mut params = std::collections::HashMap::new();
    for (key, value) in url.query_pairs() {
        if params.insert(key.into_owned(), value.into_owned()).is_some() {
            return Err(AuthError::Callback("a parameter is repeated".into()));
        }
    }
    let got_state = params.get("state").map(String::as_str).unwrap_or_default();
    if !ring_eq(got_state.as_bytes(), state.as_bytes()) {
        return Err(AuthError::StateMismatch);
    }
    if let Some(error) = params.get("error") {
        return Err(if error == "access_denied" {
            AuthError::Cancelled
        } else {
            AuthError::Callback(format!("the provider answered {error}"))
        });
    }
    match params.get("iss") {
        Some(iss) if iss != issuer => return Err(AuthError::IssuerMismatch),
        None if iss_required => return Err(AuthError::IssuerMismatch),
        _ => {}
    }
    let code = params.get("code").filter(|c| !c.is_empty()).ok_or(AuthError::Callback("no code".into()))?;
    Ok(Callback { code: code.clone() })
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    #[allow(deprecated)] // constant-time comparison; ring keeps it for exactly this use
    ring::constant_time::verify_slices_are_equal(a, b).is_ok()
}

impl AuthError {
    fn from_jose(e: JoseError) -> AuthError {
        match e {
            JoseError::UnknownKey(_) => AuthError::UnknownKey,
            JoseError::AlgorithmNotAllowed(_) => AuthError::IdToken("algorithm not allowed"),
            JoseError::BadSignature | JoseError::KeyMismatch => AuthError::IdToken("bad signature"),
            JoseError::Malformed(_) => AuthError::IdToken("malformed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::jose::{Jwk, sign_compact};
    use super::*;

    #[test]
    fn a_discovery_naming_a_plain_http_endpoint_is_the_providers_fault() {
        let discovery = |token_endpoint: &str| Discovery {
            issuer: "https://sso.haiphong.gov.vn/realms/hp".into(),
            authorization_endpoint: "https://sso.haiphong.gov.vn/realms/hp/auth".into(),
            token_endpoint: token_endpoint.into(),
            jwks_uri: "https://sso.haiphong.gov.vn/realms/hp/certs".into(),
            userinfo_endpoint: None,
            revocation_endpoint: None,
            end_session_endpoint: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
            dpop_signing_alg_values_supported: Vec::new(),
            authorization_response_iss_parameter_supported: true,
            code_challenge_methods_supported: vec!["S256".into()],
        };
        let issuer = "https://sso.haiphong.gov.vn/realms/hp";
        discovery("https://sso.haiphong.gov.vn/realms/hp/token").check(issuer).unwrap();
        let refused = discovery("http://sso.haiphong.gov.vn/realms/hp/token").check(issuer).unwrap_err();
        assert!(matches!(&refused, AuthError::Provider(why) if why.contains("token_endpoint")), "{refused:?}");
    }
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    const ISS: &str = "https://id.haiphong.gov.vn/realms/haiduong";
    const NOW: i64 = 1_800_000_000;

    fn key() -> (EcdsaKeyPair, JwkSet) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let mut jwk = Jwk::ec_p256(pair.public_key().as_ref()).unwrap();
        jwk.kid = Some("k1".into());
        (pair, JwkSet { keys: vec![jwk] })
    }

    fn token(pair: &EcdsaKeyPair, claims: Value) -> String {
        sign_compact(&json!({"alg": "ES256", "kid": "k1"}), &claims, |m| {
            Ok(pair.sign(&SystemRandom::new(), m).unwrap().as_ref().to_vec())
        })
        .unwrap()
    }

    fn good_claims() -> Value {
        json!({"iss": ISS, "sub": "u1", "aud": "smarthd-app", "exp": NOW + 300, "iat": NOW, "nonce": "n1",
               "acr": "vneid:level2", "name": "Nguyễn Văn An", "cccd": "030095001234"})
    }

    fn expected() -> Expected<'static> {
        Expected { issuer: ISS, client_id: "smarthd-app", nonce: Some("n1"), now: NOW }
    }

    #[test]
    fn a_good_token_validates() {
        let (pair, keys) = key();
        let claims = validate_id_token(&token(&pair, good_claims()), &keys, &expected()).unwrap();
        assert_eq!((claims.sub.as_str(), claims.acr.as_deref()), ("u1", Some("vneid:level2")));
    }

    #[test]
    fn each_bad_claim_is_refused() {
        let (pair, keys) = key();
        let cases: Vec<(&str, Value)> = vec![
            ("iss", json!("https://evil.example")),
            ("aud", json!("other-app")),
            ("aud", json!(["smarthd-app", "other-app"])), // several audiences and no azp
            ("azp", json!("other-app")),
            ("exp", json!(NOW - MAX_SKEW_SECS - 1)),
            ("iat", json!(NOW + MAX_SKEW_SECS + 5)),
            ("nonce", json!("n2")),
            ("sub", json!("")),
        ];
        for (claim, value) in cases {
            let mut claims = good_claims();
            claims[claim] = value.clone();
            let err = validate_id_token(&token(&pair, claims), &keys, &expected()).unwrap_err();
            assert!(matches!(err, AuthError::IdToken(_)), "{claim}={value}: {err:?}");
        }
        let mut several = good_claims();
        several["aud"] = json!(["smarthd-app", "other-app"]);
        several["azp"] = json!("smarthd-app");
        assert!(validate_id_token(&token(&pair, several), &keys, &expected()).is_ok());
    }

    #[test]
    fn an_expiry_at_the_end_of_time_does_not_overflow() {
        let (pair, keys) = key();
        let mut claims = good_claims();
        claims["exp"] = json!(i64::MAX);
        assert_eq!(validate_id_token(&token(&pair, claims), &keys, &expected()).unwrap().exp, i64::MAX);
    }

    #[test]
    fn unknown_key_is_reported_for_a_refetch() {
        let (pair, _) = key();
        let (_, other_keys) = key();
        let mut other_keys = other_keys;
        other_keys.keys[0].kid = Some("k9".into());
        assert_eq!(
            validate_id_token(&token(&pair, good_claims()), &other_keys, &expected()),
            Err(AuthError::UnknownKey)
        );
    }

    #[test]
    fn token_responses_are_checked() {
        assert!(
            TokenResponse::parse(br#"{"access_token":"a","token_type":"DPoP","expires_in":300}"#).unwrap().is_dpop()
        );
        for bad in [
            &b"not json"[..],
            br#"{"token_type":"Bearer"}"#,
            br#"{"access_token":"","token_type":"Bearer"}"#,
            br#"{"access_token":"a","token_type":"mac"}"#,
            br#"{"access_token":"a","token_type":"Bearer","expires_in":-5}"#,
            // Would overflow `now + expires_in` when the session is stored.
            br#"{"access_token":"a","token_type":"Bearer","expires_in":9223372036854775807}"#,
            br#"{"access_token":"a","token_type":"Bearer","expires_in":31536001}"#,
        ] {
            assert!(
                matches!(TokenResponse::parse(bad), Err(AuthError::TokenResponse(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let huge = format!(r#"{{"access_token":"{}","token_type":"Bearer"}}"#, "a".repeat(MAX_TOKEN_RESPONSE_BYTES));
        assert!(matches!(TokenResponse::parse(huge.as_bytes()), Err(AuthError::TokenResponse(_))));
    }

    #[test]
    fn callbacks_check_state_first_then_iss() {
        let redirect = "http://127.0.0.1:4545/callback";
        let ok = format!(
            "{redirect}?code=c1&state=s1&iss={}",
            url::form_urlencoded::byte_serialize(ISS.as_bytes()).collect::<String>()
        );
        assert_eq!(parse_callback(&ok, redirect, "s1", ISS, true).unwrap().code, "c1");
        assert_eq!(parse_callback(&ok, redirect, "s2", ISS, true), Err(AuthError::StateMismatch));
        let no_iss = format!("{redirect}?code=c1&state=s1");
        assert_eq!(parse_callback(&no_iss, redirect, "s1", ISS, true), Err(AuthError::IssuerMismatch));
        assert!(parse_callback(&no_iss, redirect, "s1", ISS, false).is_ok());
        let wrong_iss = format!("{redirect}?code=c1&state=s1&iss=https%3A%2F%2Fevil.example");
        assert_eq!(parse_callback(&wrong_iss, redirect, "s1", ISS, false), Err(AuthError::IssuerMismatch));
        let denied = format!("{redirect}?error=access_denied&state=s1");
        assert_eq!(parse_callback(&denied, redirect, "s1", ISS, true), Err(AuthError::Cancelled));
        let elsewhere = "http://127.0.0.1:9999/callback?code=c1&state=s1";
        assert!(matches!(parse_callback(elsewhere, redirect, "s1", ISS, false), Err(AuthError::Callback(_))));
        let twice = format!("{redirect}?code=c1&state=s1&state=s2");
        assert!(matches!(parse_callback(&twice, redirect, "s1", ISS, false), Err(AuthError::Callback(_))));
    }

    proptest::proptest! {
        #[test]
        fn the_callback_parser_never_panics(s in "\\PC{0,200}") {
            let _ = parse_callback(&s, "vn.gov.haiduong.smarthd:/oauth2redirect", "s", ISS, true);
            let _ = parse_callback(&format!("http://127.0.0.1:1/cb?{s}"), "http://127.0.0.1:1/cb", "s", ISS, true);
        }
    }
}
