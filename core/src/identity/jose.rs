//! Just enough JOSE for OpenID Connect clients: base64url, JWKs (EC P-256 and RSA), compact JWS
//! parsing and verification with ring, ES256 signing for DPoP, and RFC 7638 thumbprints.
//! Pure functions; the JWS parser is fuzzed with proptest.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A compact JWS larger than this is refused before parsing (ID tokens are a few KiB).
pub const MAX_JWS_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    #[error("not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("algorithm {0:?} is not allowed")]
    AlgorithmNotAllowed(String),
    #[error("no key with kid {0:?} in the provider's key set")]
    UnknownKey(Option<String>),
    #[error("the key does not fit the algorithm")]
    KeyMismatch,
    #[error("bad signature")]
    BadSignature,
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// A public JSON Web Key as published in a JWKS (only the members verification needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

impl Jwk {
    /// An EC P-256 public key from its uncompressed point (0x04 || x || y).
    pub fn ec_p256(point: &[u8]) -> Option<Jwk> {
        (point.len() == 65 && point[0] == 4).then(|| Jwk {
            kty: "EC".into(),
            kid: None,
            alg: None,
            use_: None,
            crv: Some("P-256".into()),
            x: Some(b64(&point[1..33])),
            y: Some(b64(&point[33..])),
            n: None,
            e: None,
        })
    }

    /// RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
    pub fn thumbprint(&self) -> Option<String> {
        let canonical = match self.kty.as_str() {
            "EC" => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                self.crv.as_deref()?,
                self.x.as_deref()?,
                self.y.as_deref()?
            ),
            "RSA" => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, self.e.as_deref()?, self.n.as_deref()?),
            _ => return None,
        };
        Some(b64(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref()))
    }

    /// Verifies `signature` over `message` with this key under `alg` (ES256 or RS256 only).
    pub fn verify(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<(), JoseError> {
        match (alg, self.kty.as_str()) {
            ("ES256", "EC") => {
                if self.crv.as_deref() != Some("P-256") {
                    return Err(JoseError::KeyMismatch);
                }
                let x = self.x.as_deref().and_then(unb64).ok_or(JoseError::KeyMismatch)?;
                let y = self.y.as_deref().and_then(unb64).ok_or(JoseError::KeyMismatch)?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(JoseError::KeyMismatch);
                }
                let point = [&[4u8][..], &x, &y].concat();
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, sig)
                    .map_err(|_| JoseError::BadSignature)
            }
            ("RS256", "RSA") => {
                let n = self.n.as_deref().and_then(unb64).ok_or(JoseError::KeyMismatch)?;
                let e = self.e.as_deref().and_then(unb64).ok_or(JoseError::KeyMismatch)?;
                signature::RsaPublicKeyComponents { n, e }
                    .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                    .map_err(|_| JoseError::BadSignature)
            }
            ("ES256" | "RS256", _) => Err(JoseError::KeyMismatch),
            (other, _) => Err(JoseError::AlgorithmNotAllowed(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// A parsed (not yet verified) compact JWS.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    pub header: Value,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    pub fn parse(compact: &str) -> Result<Jws, JoseError> {
        if compact.len() > MAX_JWS_BYTES {
            return Err(JoseError::Malformed("too large"));
        }
        let mut parts = compact.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(JoseError::Malformed("expected three parts"));
        };
        let header_bytes = unb64(h).ok_or(JoseError::Malformed("header is not base64url"))?;
        let claims_bytes = unb64(c).ok_or(JoseError::Malformed("payload is not base64url"))?;
        let signature = unb64(s).ok_or(JoseError::Malformed("signature is not base64url"))?;
        let header: Value =
            serde_json::from_slice(&header_bytes).map_err(|_| JoseError::Malformed("header is not JSON"))?;
        let claims: Value =
            serde_json::from_slice(&claims_bytes).map_err(|_| JoseError::Malformed("payload is not JSON"))?;
        if !header.is_object() || !claims.is_object() {
            return Err(JoseError::Malformed("header and payload must be JSON objects"));
        }
        Ok(Jws { header, claims, signing_input: format!("{h}.{c}"), signature })
    }

    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Verifies with the key of the set chosen by `kid` (or the only key fitting the algorithm
    /// when the token names none). `alg` must be in `allowed`; `none` and HMAC never are.
    pub fn verify(&self, keys: &JwkSet, allowed: &[&str]) -> Result<(), JoseError> {
        let alg = self.alg().ok_or(JoseError::Malformed("no alg"))?;
        if !allowed.contains(&alg) || alg == "none" || alg.starts_with("HS") {
            return Err(JoseError::AlgorithmNotAllowed(alg.to_owned()));
        }
        let kty = if alg.starts_with("ES") { "EC" } else { "RSA" };
        let candidates: Vec<&Jwk> = keys
            .keys
            .iter()
            .filter(|k| k.kty == kty && k.use_.as_deref().is_none_or(|u| u == "sig"))
            .filter(|k| match self.kid() {
                Some(kid) => k.kid.as_deref() == Some(kid),
                None => true,
            })
            .collect();
        let [key] = candidates.as_slice() else {
            return Err(JoseError::UnknownKey(self.kid().map(str::to_owned)));
        };
        key.verify(alg, self.signing_input.as_bytes(), &self.signature)
    }
}

/// Signs `header` and `claims` as a compact JWS with an ES256 `sign` function (r || s output).
pub fn sign_compact(
    header: &Value,
    claims: &Value,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, crate::error::Error>,
) -> Result<String, crate::error::Error> {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let signature = sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64(&signature)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    fn es256_key() -> (EcdsaKeyPair, Jwk) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let mut jwk = Jwk::ec_p256(pair.public_key().as_ref()).unwrap();
        jwk.kid = Some("k1".into());
        (pair, jwk)
    }

    fn sign_with(pair: &EcdsaKeyPair, header: Value, claims: Value) -> String {
        sign_compact(&header, &claims, |m| Ok(pair.sign(&SystemRandom::new(), m).unwrap().as_ref().to_vec())).unwrap()
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        // RFC 7638 section 3.1.
        let jwk = Jwk {
            kty: "RSA".into(),
            kid: Some("2011-04-29".into()),
            alg: None,
            use_: None,
            crv: None,
            x: None,
            y: None,
            n: Some("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into()),
            e: Some("AQAB".into()),
        };
        assert_eq!(jwk.thumbprint().unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn es256_round_trip_and_tampering() {
        let (pair, jwk) = es256_key();
        let keys = JwkSet { keys: vec![jwk] };
        let token = sign_with(&pair, json!({"alg": "ES256", "kid": "k1"}), json!({"sub": "x"}));
        let jws = Jws::parse(&token).unwrap();
        assert_eq!(jws.verify(&keys, &["ES256", "RS256"]), Ok(()));
        // Change one claim, keep the signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64(br#"{"sub":"y"}"#);
        parts[1] = &forged;
        let forged = parts.join(".");
        assert_eq!(Jws::parse(&forged).unwrap().verify(&keys, &["ES256"]), Err(JoseError::BadSignature));
    }

    #[test]
    fn none_hmac_and_unknown_kid_are_refused() {
        let (pair, jwk) = es256_key();
        let keys = JwkSet { keys: vec![jwk.clone()] };
        let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(br#"{"sub":"x"}"#));
        assert!(matches!(
            Jws::parse(&none).unwrap().verify(&keys, &["ES256", "none"]),
            Err(JoseError::AlgorithmNotAllowed(_))
        ));
        // HS256 keyed with the public key's JSON: the classic confusion attack.
        let input = format!("{}.{}", b64(br#"{"alg":"HS256","kid":"k1"}"#), b64(br#"{"sub":"x"}"#));
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, serde_json::to_string(&jwk).unwrap().as_bytes());
        let hs = format!("{input}.{}", b64(ring::hmac::sign(&key, input.as_bytes()).as_ref()));
        assert!(matches!(
            Jws::parse(&hs).unwrap().verify(&keys, &["ES256", "HS256"]),
            Err(JoseError::AlgorithmNotAllowed(_))
        ));
        let other = sign_with(&pair, json!({"alg": "ES256", "kid": "k2"}), json!({}));
        assert_eq!(
            Jws::parse(&other).unwrap().verify(&keys, &["ES256"]),
            Err(JoseError::UnknownKey(Some("k2".into())))
        );
        // An EC key named by an RS256 token does not verify it.
        let rs = format!("{}.{}.{}", b64(br#"{"alg":"RS256","kid":"k1"}"#), b64(b"{}"), b64(b"sig"));
        assert!(Jws::parse(&rs).unwrap().verify(&keys, &["RS256"]).is_err());
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        for bad in ["", ".", "..", "a.b", "a.b.c.d", "!!.e30.", "e30.!!.", "W10.e30.", "e30.W10.", "e30.e30.***"] {
            assert!(matches!(Jws::parse(bad), Err(JoseError::Malformed(_))), "{bad:?}");
        }
        assert!(matches!(Jws::parse(&"a".repeat(MAX_JWS_BYTES + 1)), Err(JoseError::Malformed("too large"))));
    }

    proptest::proptest! {
        #[test]
        fn the_jws_parser_never_panics(s in "\\PC{0,300}") {
            let _ = Jws::parse(&s);
        }

        #[test]
        fn the_jws_parser_never_panics_on_dotted_base64(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,80}", c in "[A-Za-z0-9_-]{0,80}") {
            if let Ok(jws) = Jws::parse(&format!("{a}.{b}.{c}")) {
                let _ = jws.verify(&JwkSet::default(), &["ES256", "RS256"]);
            }
        }
    }
}
