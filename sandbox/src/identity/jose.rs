//! The small part of JOSE the provider needs: base64url, compact JWS parsing, public JWKs and
//! their RFC 7638 thumbprints, and ES256 verification (DPoP proofs). Signing lives in `keys`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, UnparsedPublicKey};
use serde_json::{Map, Value};

/// Why a JWS or JWK was refused; the text goes into `error_description`, so it stays generic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoseError(pub &'static str);

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// base64url(SHA-256(text)): PKCE S256, DPoP `ath`, and the keys tokens are stored under.
pub fn sha256_b64(text: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

/// A compact JWS split into its parts; the signature is not checked yet.
pub struct CompactJws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

pub fn parse_compact(token: &str, max_len: usize) -> Result<CompactJws, JoseError> {
    if token.len() > max_len {
        return Err(JoseError("the JWT is too long"));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError("a JWT has three parts separated by dots"));
    };
    let object = |part: &str| -> Result<Map<String, Value>, JoseError> {
        let bytes = unb64(part).ok_or(JoseError("a JWT part is not base64url"))?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(JoseError("a JWT part is not a JSON object")),
        }
    };
    Ok(CompactJws {
        header: object(header)?,
        claims: object(payload)?,
        signing_input: format!("{header}.{payload}"),
        signature: unb64(signature).ok_or(JoseError("the JWT signature is not base64url"))?,
    })
}

/// A public key as a JWK: P-256 or RSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    P256 { x: Vec<u8>, y: Vec<u8> },
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

impl PublicJwk {
    /// Reads a public JWK; a JWK carrying private members (`d`) is refused.
    pub fn from_json(jwk: &Map<String, Value>) -> Result<PublicJwk, JoseError> {
        if jwk.contains_key("d") {
            return Err(JoseError("the JWK contains a private key"));
        }
        let member = |name: &str| -> Result<Vec<u8>, JoseError> {
            jwk.get(name).and_then(Value::as_str).and_then(unb64).ok_or(JoseError("the JWK lacks a member"))
        };
        match jwk.get("kty").and_then(Value::as_str) {
            Some("EC") => {
                if jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
                    return Err(JoseError("only P-256 EC keys are accepted"));
                }
                let (x, y) = (member("x")?, member("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(JoseError("a P-256 coordinate has 32 bytes"));
                }
                Ok(PublicJwk::P256 { x, y })
            }
            Some("RSA") => Ok(PublicJwk::Rsa { n: member("n")?, e: member("e")? }),
            _ => Err(JoseError("unsupported JWK key type")),
        }
    }

    /// The JWK's public members, to which the caller adds `kid`, `alg`, `use`.
    pub fn to_json(&self) -> Map<String, Value> {
        let members = match self {
            PublicJwk::P256 { x, y } => {
                vec![("kty", "EC".into()), ("crv", "P-256".into()), ("x", b64(x)), ("y", b64(y))]
            }
            PublicJwk::Rsa { n, e } => vec![("kty", "RSA".into()), ("n", b64(n)), ("e", b64(e))],
        };
        members.into_iter().map(|(name, value)| (name.to_owned(), Value::String(value))).collect()
    }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    pub fn thumbprint(&self) -> String {
        // base64url never needs JSON escaping, so the canonical form can be written directly.
        let canonical = match self {
            PublicJwk::P256 { x, y } => format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, b64(x), b64(y)),
            PublicJwk::Rsa { n, e } => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n)),
        };
        sha256_b64(&canonical)
    }

    /// Checks a JWS signature made with this key (ES256 or RS256 by key type).
    pub fn verify(&self, alg: &str, message: &[u8], signature: &[u8]) -> bool {
        match (self, alg) {
            (PublicJwk::P256 { x, y }, "ES256") => {
                let point = [&[4u8][..], x, y].concat();
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(message, signature).is_ok()
            }
            (PublicJwk::Rsa { n, e }, "RS256") => signature::RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            _ => false,
        }
    }
}

/// 256 random bits, base64url: codes, tokens, handles, nonces, session ids.
pub fn random_token(rng: &SystemRandom) -> String {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes).expect("the system RNG works");
    b64(&bytes)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc7638_thumbprint_of_the_rfc_example_key() {
        // RFC 7638 section 3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let jwk = PublicJwk::from_json(jwk.as_object().unwrap()).unwrap();
        assert_eq!(jwk.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            sha256_b64("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn private_and_malformed_jwks_are_refused() {
        let with_d = json!({"kty": "EC", "crv": "P-256", "x": b64(&[1; 32]), "y": b64(&[2; 32]), "d": "AA"});
        assert!(PublicJwk::from_json(with_d.as_object().unwrap()).is_err());
        let short = json!({"kty": "EC", "crv": "P-256", "x": b64(&[1; 31]), "y": b64(&[2; 32])});
        assert!(PublicJwk::from_json(short.as_object().unwrap()).is_err());
        let p384 = json!({"kty": "EC", "crv": "P-384", "x": b64(&[1; 48]), "y": b64(&[2; 48])});
        assert!(PublicJwk::from_json(p384.as_object().unwrap()).is_err());
    }

    #[test]
    fn compact_parsing_rejects_garbage() {
        assert!(parse_compact("a.b", 100).is_err());
        assert!(parse_compact("a.b.c.d", 100).is_err());
        assert!(parse_compact(&format!("{}.{}.", b64(b"[]"), b64(b"{}")), 100).is_err());
        assert!(parse_compact(&"x".repeat(200), 100).is_err());
        let ok = parse_compact(&format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"{}")), 100).unwrap();
        assert!(ok.signature.is_empty());
    }
}
