//! Fee payments: orders the portal makes for a dossier's fees, paid through a VNPay-compatible
//! gateway or by VietQR bank transfer, reconciled with the portal, and e-receipts verified
//! offline. The app never holds a merchant secret and never calls a payment "paid" on the
//! gateway's word: only the portal's status counts ([`state`]).
//!
//! Asking for an order is durable like a dossier submission: the request (with a permanent id)
//! is committed first, then sent; the portal keeps one order per dossier's fee lines, so a retry
//! never makes a second order or a second charge.
//!
//! Requests, orders and receipts belong to the resident who made them ([`crate::owner`]): each
//! method takes that `owner` and sees nothing of another resident's. Receipts are sealed at rest.

pub mod client;
pub mod gateway_return;
pub mod handle;
pub mod receipt;
pub use smarthd_model::vietqr;

use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::config::ReceiptKeyPin;
use crate::error::{Error, Result};
use crate::owner::Owner;
use crate::store::UserDb;
use crate::trusted_keys::TrustedKeys;
use crate::vault::Vault;
pub use receipt::{Receipt, SignedReceipt};
pub use smarthd_model::payment::{PaymentEvent, PaymentStatus, response_message, vnd};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// A VNPay-compatible gateway page opened in the browser.
    Gateway,
    /// A bank transfer from any banking app, by scanning a VietQR.
    Vietqr,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Gateway => "gateway",
            PaymentMethod::Vietqr => "vietqr",
        }
    }
}

/// A payment as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentOrder {
    pub order_id: String,
    pub dossier_id: String,
    pub amount_vnd: i64,
    pub status: PaymentStatus,
    pub method: PaymentMethod,
    /// Open this in the browser (gateway).
    pub pay_url: Option<String>,
    /// Show this as a QR code (VietQR).
    pub vietqr: Option<String>,
    pub expires_at: Option<String>,
    /// The gateway's response code of a failed attempt, and what it means.
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub receipt_id: Option<String>,
}

/// The portal's answer about an order (see `docs/portal-api.md`).
#[derive(Debug, Clone, Deserialize)]
pub struct WireOrder {
    pub order_id: String,
    pub dossier_id: String,
    pub amount_vnd: i64,
    pub status: String,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub attempt: Option<WireAttempt>,
    #[serde(default)]
    pub receipt_id: Option<String>,
    #[serde(default)]
    pub failure_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireAttempt {
    pub txn_ref: String,
    pub method: PaymentMethod,
    #[serde(default)]
    pub pay_url: Option<String>,
    #[serde(default)]
    pub vietqr: Option<String>,
}

/// A request for an order that has not reached the portal yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub request_id: String,
    pub dossier_id: String,
    pub method: PaymentMethod,
    pub return_url: String,
}

pub struct Payments {
    db: UserDb,
    /// Seals the kept receipts.
    vault: Arc<Vault>,
    /// The portal's keys: pinned by the configuration, or fetched and sealed.
    keys: TrustedKeys,
}

const SEALED_RECEIPT: &str = "receipt";

fn now() -> String {
    crate::catalog::now()
}

impl Payments {
    /// Opens on `user.db`; receipts kept in the clear by an older app are sealed here, once.
    pub fn open(db: UserDb, vault: Arc<Vault>, pinned_keys: Vec<ReceiptKeyPin>) -> Result<Payments> {
        let keys = TrustedKeys::new(
            db.clone(),
            vault.clone(),
            pinned_keys,
            ("receipt_key", "receipt", "api/v1/receipts/keys"),
        );
        let payments = Payments { db, vault, keys };
        let mut conn = payments.db.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // As bytes: a text value need not be valid UTF-8, and the signature check judges it later.
        let plain: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT receipt_id, payload FROM receipt WHERE typeof(payload) = 'text'")?
            .query_map([], |r| Ok((r.get(0)?, r.get_ref(1)?.as_bytes()?.to_vec())))?
            .collect::<rusqlite::Result<_>>()?;
        for (receipt_id, payload) in plain {
            let sealed = payments.vault.seal(SEALED_RECEIPT, &payload)?;
            tx.execute("UPDATE receipt SET payload = ?2 WHERE receipt_id = ?1", params![receipt_id, sealed])?;
        }
        tx.commit()?;
        drop(conn);
        Ok(payments)
    }

    /// Commits the wish to pay before anything is sent; an unsent request for the same dossier
    /// is reused, so its permanent id stays the same across retries.
    pub fn request(
        &self,
        owner: &Owner,
        dossier_id: &str,
        method: PaymentMethod,
        return_url: &str,
    ) -> Result<PendingRequest> {
        // Committed with FULL, as a submitted dossier is: the request is on disk before it is
        // sent, power cut or not.
        let request_id = self.db.durably(|tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT request_id FROM payment_request WHERE dossier_id = ?1 AND owner = ?2",
                    params![dossier_id, owner.tag()],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE payment_request SET method = ?2, return_url = ?3 WHERE request_id = ?1",
                        params![id, method.as_str(), return_url],
                    )?;
                    id
                }
                None => {
                    let id = crate::dossier::new_id();
                    tx.execute(
                        "INSERT INTO payment_request (request_id, dossier_id, method, return_url, created_at, owner)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![id, dossier_id, method.as_str(), return_url, now(), owner.tag()],
                    )?;
                    id
                }
            })
        })?;
        Ok(PendingRequest { request_id, dossier_id: dossier_id.to_owned(), method, return_url: return_url.to_owned() })
    }

    pub fn pending_requests(&self, owner: &Owner) -> Result<Vec<PendingRequest>> {
        let db = self.db.lock();
        let mut stmt = db.prepare(
            "SELECT request_id, dossier_id, method, return_url FROM payment_request WHERE owner = ?1
             ORDER BY created_at",
        )?;
        let rows = stmt.query_map([owner.tag()], |r| {
            Ok(PendingRequest {
                request_id: r.get(0)?,
                dossier_id: r.get(1)?,
                method: if r.get::<_, String>(2)? == "vietqr" { PaymentMethod::Vietqr } else { PaymentMethod::Gateway },
                return_url: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn drop_request(&self, request_id: &str) -> Result<()> {
        self.db.lock().execute("DELETE FROM payment_request WHERE request_id = ?1", [request_id])?;
        Ok(())
    }

    /// Records what the portal says of an order (and takes its request off the queue, in the
    /// same transaction). A success already recorded is never undone.
    pub fn record(&self, owner: &Owner, order: &WireOrder, request_id: Option<&str>) -> Result<PaymentOrder> {
        let portal_status = PaymentStatus::parse(&order.status).ok_or_else(|| Error::UpdateNeeded {
            what: "payment status",
            value: order.status.chars().filter(|c| c.is_ascii_graphic()).take(40).collect(),
        })?;
        // The page the resident types a card number into: https only (loopback http for the
        // sandbox), like every address the app goes to itself.
        if let Some(pay_url) = order.attempt.as_ref().and_then(|a| a.pay_url.as_deref()) {
            crate::config::checked_url(pay_url).map_err(|_| {
                crate::error::PortalError::malformed("api/v1/payments", "a payment page address that is not https")
            })?;
        }
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: Option<(String, String)> = tx
            .query_row("SELECT status, owner FROM payment WHERE order_id = ?1", [&order.order_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if found.as_ref().is_some_and(|(_, found_owner)| found_owner != owner.tag()) {
            return Err(Error::NotFound(format!("payment {}", order.order_id)));
        }
        let current = found.map(|(status, _)| status);
        let status = current
            .as_deref()
            .and_then(PaymentStatus::parse)
            .unwrap_or(PaymentStatus::Created)
            .apply(PaymentEvent::PortalSays(portal_status));
        let attempt = order.attempt.as_ref();
        tx.execute(
            "INSERT INTO payment (order_id, dossier_id, amount_vnd, status, method, txn_ref, pay_url, vietqr, expires_at,
                                  failure_code, receipt_id, updated_at, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(order_id) DO UPDATE SET amount_vnd = excluded.amount_vnd, status = excluded.status,
                method = excluded.method, txn_ref = excluded.txn_ref, pay_url = excluded.pay_url,
                vietqr = excluded.vietqr, expires_at = excluded.expires_at, failure_code = excluded.failure_code,
                receipt_id = coalesce(excluded.receipt_id, payment.receipt_id), updated_at = excluded.updated_at",
            params![
                order.order_id,
                order.dossier_id,
                order.amount_vnd,
                status.as_str(),
                attempt.map(|a| a.method).unwrap_or(PaymentMethod::Gateway).as_str(),
                attempt.map(|a| a.txn_ref.as_str()),
                attempt.and_then(|a| a.pay_url.as_deref()),
                attempt.and_then(|a| a.vietqr.as_deref()),
                order.expires_at,
                order.failure_code,
                order.receipt_id,
                now(),
                owner.tag(),
            ],
        )?;
        if let Some(request_id) = request_id {
            tx.execute("DELETE FROM payment_request WHERE request_id = ?1", [request_id])?;
        }
        tx.commit()?;
        drop(db);
        self.get(owner, &order.order_id)
    }

    /// The resident is back from the gateway: awaiting becomes processing, nothing more. Read
    /// and write are one transaction through the state machine, so a success recorded in
    /// between (another thread, the CLI) is never overwritten.
    pub fn returned(&self, owner: &Owner, txn_ref: &str) -> Result<PaymentOrder> {
        let order_id = {
            let mut db = self.db.lock();
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let (order_id, current): (String, String) = tx
                .query_row(
                    "SELECT order_id, status FROM payment WHERE txn_ref = ?1 AND owner = ?2",
                    params![txn_ref, owner.tag()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| Error::NotFound(format!("payment attempt {txn_ref}")))?;
            let current = PaymentStatus::parse(&current)
                .ok_or_else(|| Error::UpdateNeeded { what: "payment status", value: current.clone() })?;
            let status = current.apply(PaymentEvent::ReturnedFromGateway);
            if status != current {
                tx.execute(
                    "UPDATE payment SET status = ?2, updated_at = ?3 WHERE order_id = ?1",
                    params![order_id, status.as_str(), now()],
                )?;
            }
            tx.commit()?;
            order_id
        };
        self.get(owner, &order_id)
    }

    pub fn get(&self, owner: &Owner, order_id: &str) -> Result<PaymentOrder> {
        self.query(owner, "AND order_id = ?2", [order_id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("payment {order_id}")))
    }

    pub fn list(&self, owner: &Owner) -> Result<Vec<PaymentOrder>> {
        self.query(owner, "ORDER BY updated_at DESC", [])
    }

    /// Payments whose outcome the portal has not settled yet.
    pub fn unsettled(&self, owner: &Owner) -> Result<Vec<PaymentOrder>> {
        self.query(owner, "AND status IN ('created', 'awaiting_payment', 'processing') ORDER BY updated_at", [])
    }

    /// `owner`'s payments; `clause` continues the WHERE, its parameters from `?2`.
    fn query<'a>(
        &self,
        owner: &'a Owner,
        clause: &str,
        args: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<PaymentOrder>> {
        self.db.checked(|| self.query_once(owner, clause, args))
    }

    fn query_once<'a>(
        &self,
        owner: &'a Owner,
        clause: &str,
        args: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<PaymentOrder>> {
        let db = self.db.lock();
        let mut stmt = db.prepare(&format!(
            "SELECT order_id, dossier_id, amount_vnd, status, method, pay_url, vietqr, expires_at, failure_code, receipt_id
             FROM payment WHERE owner = ?1 {clause}"
        ))?;
        let args: Vec<&str> = std::iter::once(owner.tag()).chain(args).collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            let failure_code: Option<String> = r.get(8)?;
            Ok(PaymentOrder {
                order_id: r.get(0)?,
                dossier_id: r.get(1)?,
                amount_vnd: r.get(2)?,
                status: PaymentStatus::parse(&r.get::<_, String>(3)?).unwrap_or(PaymentStatus::Created),
                method: if r.get::<_, String>(4)? == "vietqr" { PaymentMethod::Vietqr } else { PaymentMethod::Gateway },
                pay_url: r.get(5)?,
                vietqr: r.get(6)?,
                expires_at: r.get(7)?,
                failure_message: failure_code.as_deref().map(|c| {
                    let (vi, en) = response_message(c);
                    format!("{vi} / {en}")
                }),
                failure_code,
                receipt_id: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // --- receipts ---

    /// The portal keys receipts (and results) are checked with.
    pub fn keys(&self) -> &TrustedKeys {
        &self.keys
    }

    /// Checks a receipt and keeps it, sealed (the signed payload's exact bytes come back out): it
    /// must verify with a trusted key and be the receipt of the owner's local order `order_id`
    /// (same order, amount and dossier).
    pub fn keep_receipt(&self, owner: &Owner, order_id: &str, receipt: &SignedReceipt) -> Result<Receipt> {
        let read = self.check(owner, order_id, receipt)?;
        let sealed = self.vault.seal(SEALED_RECEIPT, receipt.payload.as_bytes())?;
        self.db.lock().execute(
            "INSERT INTO receipt (receipt_id, order_id, payload, signature, key_id, stored_at, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(receipt_id) DO NOTHING",
            params![receipt.receipt_id, order_id, sealed, receipt.signature, receipt.key_id, now(), owner.tag()],
        )?;
        Ok(read)
    }

    /// The signature with a trusted key, then the local order the receipt claims to pay.
    fn check(&self, owner: &Owner, order_id: &str, signed: &SignedReceipt) -> Result<Receipt> {
        let invalid = |e: receipt::ReceiptError| Error::Validation { field: "receipt".into(), reason: e.to_string() };
        let key = self
            .keys
            .trusted(&signed.key_id)?
            .ok_or_else(|| invalid(receipt::ReceiptError::UnknownKey(signed.key_id.clone())))?;
        let read = receipt::verify(signed, &key).map_err(invalid)?;
        let order =
            self.get(owner, order_id).map_err(|_| invalid(receipt::ReceiptError::NotTheOrders(receipt::ORDER)))?;
        receipt::check_order(
            &read,
            &receipt::OrderFacts {
                order_id: &order.order_id,
                dossier_id: &order.dossier_id,
                amount_vnd: order.amount_vnd,
                receipt_id: order.receipt_id.as_deref(),
            },
        )
        .map_err(invalid)?;
        Ok(read)
    }

    pub fn signed_receipt(&self, owner: &Owner, receipt_id: &str) -> Result<SignedReceipt> {
        let (receipt_id, sealed, signature, key_id) = self
            .db
            .lock()
            .query_row(
                "SELECT receipt_id, payload, signature, key_id FROM receipt WHERE receipt_id = ?1 AND owner = ?2",
                params![receipt_id, owner.tag()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("receipt {receipt_id}")))?;
        let payload = String::from_utf8(self.vault.open_sealed(SEALED_RECEIPT, &sealed)?)
            .map_err(|_| Error::Internal("the stored receipt is not text".into()))?;
        Ok(SignedReceipt { receipt_id, payload, signature, key_id })
    }

    pub fn receipt_ids(&self, owner: &Owner) -> Result<Vec<String>> {
        let db = self.db.lock();
        let mut stmt =
            db.prepare("SELECT receipt_id FROM receipt WHERE owner = ?1 ORDER BY stored_at DESC, receipt_id")?;
        let ids = stmt.query_map([owner.tag()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Verifies a kept receipt again, offline: a trusted key's signature, and the local order
    /// it names.
    pub fn verify_receipt(&self, owner: &Owner, receipt_id: &str) -> Result<Receipt> {
        let signed = self.signed_receipt(owner, receipt_id)?;
        let order_id: String =
            self.db
                .lock()
                .query_row("SELECT order_id FROM receipt WHERE receipt_id = ?1", [receipt_id], |r| r.get(0))?;
        self.check(owner, &order_id, &signed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payments_in(dir: &std::path::Path) -> Payments {
        Payments::open(UserDb::open(dir).unwrap(), Arc::new(Vault::from_key(&[7; 32])), Vec::new()).unwrap()
    }

    fn owner() -> Owner {
        Owner::of(&Vault::from_key(&[7; 32]), "resident-a")
    }

    fn order(status: &str) -> WireOrder {
        WireOrder {
            order_id: "o1".into(),
            dossier_id: "d1".into(),
            amount_vnd: 50_000,
            status: status.into(),
            expires_at: None,
            attempt: Some(WireAttempt {
                txn_ref: "t1".into(),
                method: PaymentMethod::Gateway,
                pay_url: None,
                vietqr: None,
            }),
            receipt_id: None,
            failure_code: None,
        }
    }

    /// Another process (the CLI, the app's background work) records the portal's success while
    /// the resident's return is being handled, at every step of the return in turn: the success
    /// stays.
    #[test]
    fn a_return_never_overwrites_a_success_recorded_meanwhile() {
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        let payments = payments_in(dir.path());
        payments.record(&owner(), &order("awaiting_payment"), None).unwrap();
        let other = crate::store::open_user(dir.path()).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let other = Arc::new(Mutex::new(other));
        let succeed = |conn: &rusqlite::Connection| conn.execute("UPDATE payment SET status = 'succeeded'", []).is_ok();
        for step in 1.. {
            payments.db.lock().execute("UPDATE payment SET status = 'awaiting_payment'", []).unwrap();
            // At the `step`th virtual machine step of the return, the other process writes once.
            let landed: Arc<Mutex<Option<bool>>> = Arc::default();
            let (hook_other, hook_landed, mut steps) = (other.clone(), landed.clone(), 0);
            let hook = move || {
                steps += 1;
                if steps == step {
                    *hook_landed.lock().unwrap() = Some(succeed(&hook_other.lock().unwrap()));
                }
                false
            };
            payments.db.lock().progress_handler(1, Some(hook)).unwrap();
            payments.returned(&owner(), "t1").unwrap();
            payments.db.lock().progress_handler(0, None::<fn() -> bool>).unwrap();
            match *landed.lock().unwrap() {
                Some(true) => {}
                // The return held the write lock: the other process writes once it is done.
                Some(false) => assert!(succeed(&other.lock().unwrap())),
                None => break,
            }
            assert_eq!(
                payments.get(&owner(), "o1").unwrap().status,
                PaymentStatus::Succeeded,
                "written at step {step}"
            );
        }
    }

    #[test]
    fn a_payment_page_that_is_not_https_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let payments = payments_in(dir.path());
        let with_page = |pay_url: &str| {
            let mut order = order("awaiting_payment");
            order.attempt.as_mut().unwrap().pay_url = Some(pay_url.into());
            order
        };
        payments.record(&owner(), &with_page("http://127.0.0.1:8080/gateway/pay?t=1"), None).unwrap();
        for page in ["http://pay.example.vn/gateway?t=1", "javascript:alert(1)", "intent://pay#Intent;end"] {
            let refused = payments.record(&owner(), &with_page(page), None).unwrap_err();
            assert_eq!(refused.kind(), crate::error::ErrorKind::Network, "{page}: {refused}");
            assert!(!refused.to_string().contains(page), "the address is not echoed: {refused}");
        }
        let kept = payments.get(&owner(), "o1").unwrap();
        assert_eq!(kept.pay_url.as_deref(), Some("http://127.0.0.1:8080/gateway/pay?t=1"), "the good page stays");
    }

    #[test]
    fn an_unknown_payment_status_needs_an_update_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let payments = payments_in(dir.path());
        payments.record(&owner(), &order("awaiting_payment"), None).unwrap();
        let error = payments.record(&owner(), &order("refunded_twice"), None).unwrap_err();
        assert_eq!(error.kind(), crate::error::ErrorKind::UpdateNeeded);
        assert_eq!(payments.get(&owner(), "o1").unwrap().status, PaymentStatus::AwaitingPayment);
    }
}
