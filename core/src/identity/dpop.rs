//! DPoP proofs (RFC 9449): a JWS per request, signed by the app's key, naming the method and URL,
//! the access token's hash on resource requests, and the server's nonce when it asks for one.

use serde_json::{Value, json};
use url::Url;

use super::jose::{Jwk, b64, sign_compact};
use super::pkce::random_token;
use crate::error::{Error, Result};
use crate::platform::Signer;

/// The public JWK of a signer.
pub fn public_jwk(signer: &dyn Signer) -> Result<Jwk> {
    Jwk::ec_p256(&signer.public_key()?).ok_or_else(|| Error::Internal("the DPoP key is not a P-256 key".into()))
}

/// `htu`: the request URL without query and fragment.
pub fn htu(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// `ath`: base64url(SHA-256(access token)).
pub fn ath(access_token: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, access_token.as_bytes()).as_ref())
}

pub fn proof(
    signer: &dyn Signer,
    method: &str,
    url: &Url,
    now: i64,
    nonce: Option<&str>,
    access_token: Option<&str>,
) -> Result<String> {
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(signer)?});
    let mut claims = json!({"jti": random_token(), "htm": method, "htu": htu(url), "iat": now});
    if let Some(nonce) = nonce {
        claims["nonce"] = Value::from(nonce);
    }
    if let Some(token) = access_token {
        claims["ath"] = Value::from(ath(token));
    }
    sign_compact(&header, &claims, |m| signer.sign(m))
}

#[cfg(test)]
mod tests {
    use super::super::jose::{JwkSet, Jws};
    use super::*;
    use crate::platform::SoftwareSigner;

    #[test]
    fn a_proof_verifies_with_its_own_key_and_names_the_request() {
        let signer = SoftwareSigner::generate().unwrap();
        let url = Url::parse("https://id.example.vn/token?x=1#f").unwrap();
        let proof = proof(&signer, "POST", &url, 1_800_000_000, Some("n-1"), Some("tok")).unwrap();
        let jws = Jws::parse(&proof).unwrap();
        assert_eq!(jws.header["typ"], "dpop+jwt");
        let jwk: Jwk = serde_json::from_value(jws.header["jwk"].clone()).unwrap();
        jws.verify(&JwkSet { keys: vec![jwk] }, &["ES256"]).unwrap();
        assert_eq!(jws.claims["htu"], "https://id.example.vn/token");
        assert_eq!(jws.claims["htm"], "POST");
        assert_eq!(jws.claims["nonce"], "n-1");
        assert_eq!(jws.claims["ath"], ath("tok"));
        assert_eq!(jws.claims["iat"], 1_800_000_000);
        assert!(jws.header["jwk"].get("d").is_none(), "no private key material in the header");
    }
}
