//! E-receipts (biên lai điện tử): signed by the portal with Ed25519 over the exact bytes of the
//! payload, verified on the phone with the portal's cached key, offline (pure).

pub use smarthd_model::receipt::{Receipt, SignedReceipt};

use crate::identity::jose::unb64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error(
        "chữ ký biên lai không hợp lệ: biên lai đã bị sửa hoặc không do cổng cấp / the receipt's signature does not \
         verify: it was altered or not issued by the portal"
    )]
    BadSignature,
    #[error("chưa có khoá {0} của cổng để kiểm tra biên lai / no key {0} from the portal to check the receipt with")]
    UnknownKey(String),
    /// What is wrong goes to the log, not to the resident.
    #[error("biên lai bị hỏng, không đọc được / the receipt is malformed")]
    Malformed(String),
    /// Which fact differs, in both languages.
    #[error(
        "biên lai không khớp với lần thanh toán này ({0}) / the receipt does not match this payment ({0}): it is not \
         its receipt"
    )]
    NotTheOrders(&'static str),
}

/// The facts a receipt must share with its order, as [`ReceiptError::NotTheOrders`] names them.
pub const ORDER: &str = "số đơn / order";
pub const AMOUNT: &str = "số tiền / amount";
pub const DOSSIER: &str = "hồ sơ / dossier";
pub const RECEIPT_ID: &str = "số biên lai / receipt number";

/// What the local order says its receipt must state.
pub struct OrderFacts<'a> {
    pub order_id: &'a str,
    pub dossier_id: &'a str,
    pub amount_vnd: i64,
    /// The receipt the portal named for the order.
    pub receipt_id: Option<&'a str>,
}

/// A genuine receipt of another order, amount or dossier proves nothing about this one.
pub fn check_order(read: &Receipt, order: &OrderFacts<'_>) -> Result<(), ReceiptError> {
    if read.order_id != order.order_id {
        return Err(ReceiptError::NotTheOrders(ORDER));
    }
    if read.amount_vnd != order.amount_vnd {
        return Err(ReceiptError::NotTheOrders(AMOUNT));
    }
    if read.dossier_id != order.dossier_id {
        return Err(ReceiptError::NotTheOrders(DOSSIER));
    }
    if order.receipt_id != Some(read.receipt_id.as_str()) {
        return Err(ReceiptError::NotTheOrders(RECEIPT_ID));
    }
    Ok(())
}

/// Whether `signature` (base64url) is the portal's Ed25519 signature over `payload`'s exact
/// bytes with `public_key`: the one check of everything the portal signs (receipts, results).
pub fn signature_ok(payload: &str, signature: &str, public_key: &[u8]) -> bool {
    unb64(signature).is_some_and(|signature| {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
            .verify(payload.as_bytes(), &signature)
            .is_ok()
    })
}

/// Verifies `receipt` with the portal's Ed25519 `public_key` and reads it.
pub fn verify(receipt: &SignedReceipt, public_key: &[u8]) -> Result<Receipt, ReceiptError> {
    if !signature_ok(&receipt.payload, &receipt.signature, public_key) {
        return Err(ReceiptError::BadSignature);
    }
    let read: Receipt = serde_json::from_str(&receipt.payload).map_err(|e| {
        tracing::info!("receipt payload not read: {e}");
        ReceiptError::Malformed(e.to_string())
    })?;
    if read.receipt_id != receipt.receipt_id {
        return Err(ReceiptError::Malformed("the payload names another receipt".into()));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::jose::b64;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn signed(pair: &Ed25519KeyPair, payload: &str) -> SignedReceipt {
        SignedReceipt {
            receipt_id: "BL-1".into(),
            payload: payload.into(),
            signature: b64(pair.sign(payload.as_bytes()).as_ref()),
            key_id: "r1".into(),
        }
    }

    #[test]
    fn a_receipt_verifies_and_a_tampered_one_does_not() {
        let rng = ring::rand::SystemRandom::new();
        let pair = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
        let payload = r#"{"receipt_id":"BL-1","order_id":"PO-1","dossier_id":"d","dossier_code":"H19","amount_vnd":190000,"method":"gateway","txn_ref":"PO1A1","bank_tran_no":"VNP1","paid_at":"2026-11-28T10:00:00+07:00","issuer":"Cổng Dịch vụ công"}"#;
        let receipt = signed(&pair, payload);
        let read = verify(&receipt, pair.public_key().as_ref()).unwrap();
        assert_eq!(read.amount_vnd, 190_000);
        let mut tampered = receipt.clone();
        tampered.payload = tampered.payload.replace("190000", "19000");
        assert_eq!(verify(&tampered, pair.public_key().as_ref()), Err(ReceiptError::BadSignature));
        let mut broken = receipt.clone();
        broken.signature = b64(&[0u8; 64]);
        assert_eq!(verify(&broken, pair.public_key().as_ref()), Err(ReceiptError::BadSignature));
        let other = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
        assert_eq!(verify(&receipt, other.public_key().as_ref()), Err(ReceiptError::BadSignature));

        let order = OrderFacts { order_id: "PO-1", dossier_id: "d", amount_vnd: 190_000, receipt_id: Some("BL-1") };
        assert_eq!(check_order(&read, &order), Ok(()));
        for (other, what) in [
            (OrderFacts { order_id: "PO-2", ..order }, ORDER),
            (OrderFacts { amount_vnd: 5_000_000, ..order }, AMOUNT),
            (OrderFacts { dossier_id: "e", ..order }, DOSSIER),
            (OrderFacts { receipt_id: None, ..order }, RECEIPT_ID),
        ] {
            assert_eq!(check_order(&read, &other), Err(ReceiptError::NotTheOrders(what)));
        }
    }
}
