//! VNPay 2.1.0 merchant side (`protocols.md` section 2): the pay URL signature and the IPN and
//! querydr checks, with the portal's HashSecret. Only the portal signs; the phone never holds the
//! secret, so this lives here and not in the core. Checked against the known-answer vectors.

use ring::hmac;

const HASH_PARAMS: [&str; 2] = ["vnp_SecureHash", "vnp_SecureHashType"];

/// Drops empty values and the hash parameters, sorts by key, form-urlencodes keys and values
/// (space as `+`), and joins `k=v` with `&`.
pub fn signing_string(params: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> =
        params.iter().filter(|(k, v)| !v.is_empty() && !HASH_PARAMS.contains(&k.as_str())).collect();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn hmac_hex(secret: &[u8], data: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA512, secret);
    hmac::sign(&key, data).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// `vnp_SecureHash` for `params`: HMAC-SHA512 of the signing string, lowercase hex.
pub fn sign(params: &[(String, String)], secret: &[u8]) -> String {
    hmac_hex(secret, signing_string(params).as_bytes())
}

/// Checks the `vnp_SecureHash` among `params`, in constant time. Parameters given twice never
/// verify: the signing string would cover one of them and a reader might take the other.
pub fn verify(params: &[(String, String)], secret: &[u8]) -> bool {
    if params.iter().enumerate().any(|(i, (k, _))| params[..i].iter().any(|(seen, _)| seen == k)) {
        return false;
    }
    let Some((_, given)) = params.iter().find(|(k, _)| k == "vnp_SecureHash") else { return false };
    let Some(given) = hex_decode(given) else { return false };
    let key = hmac::Key::new(hmac::HMAC_SHA512, secret);
    hmac::verify(&key, signing_string(params).as_bytes(), &given).is_ok()
}

/// The `querydr` hash: HMAC-SHA512 over the pipe-joined fields
/// (`RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo`).
pub fn querydr_hash(fields: &[&str], secret: &[u8]) -> String {
    hmac_hex(secret, fields.join("|").as_bytes())
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn known_answer_vector_from_protocols_md() {
        let params = p(&[
            ("vnp_TnxRef", "1234567890"),
            ("vnp_OrderInfo", "Payment for order #1234567890"),
            ("vnp_Amount", "10000"),
            ("vnp_Empty", ""),
            ("vnp_SecureHashType", "HmacSHA512"),
        ]);
        assert_eq!(
            signing_string(&params),
            "vnp_Amount=10000&vnp_OrderInfo=Payment+for+order+%231234567890&vnp_TnxRef=1234567890"
        );
        assert_eq!(
            sign(&params, b"YOUR_SECURE_SECRET"),
            "7bb8160a5d2085a85b3267817a40ee4f770a335282f19714726e6fc6f28a64c75a1e7e9c1aa96f3cbda5ce44095088fb4cb2af66c596d2f655b0b53966312089"
        );
    }

    #[test]
    fn verification_accepts_the_signature_and_rejects_tampering() {
        let mut params = p(&[("vnp_Amount", "19000000"), ("vnp_TxnRef", "PO1A1"), ("vnp_ResponseCode", "00")]);
        let hash = sign(&params, b"s3cret");
        params.push(("vnp_SecureHash".into(), hash.clone()));
        assert!(verify(&params, b"s3cret"));
        assert!(!verify(&params, b"other"));
        let mut upper = params.clone();
        upper.last_mut().unwrap().1 = hash.to_uppercase();
        assert!(verify(&upper, b"s3cret"), "hex case does not matter");
        params[0].1 = "1900000".into();
        assert!(!verify(&params, b"s3cret"));
        assert!(!verify(&p(&[("vnp_Amount", "1")]), b"s3cret"), "no hash, no trust");
        assert!(!verify(&p(&[("vnp_SecureHash", "zz")]), b"s3cret"));
        let mut twice = p(&[("vnp_ExpireDate", ""), ("vnp_Amount", "100"), ("vnp_ExpireDate", "20260101000000")]);
        let hash = sign(&twice, b"s3cret");
        twice.push(("vnp_SecureHash".into(), hash));
        assert!(!verify(&twice, b"s3cret"), "a repeated parameter never verifies");
    }
}
