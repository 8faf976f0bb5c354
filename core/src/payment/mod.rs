//! Fee payments: orders the portal makes for a dossier's fees, paid through a VNPay-compatible
//! gateway or by VietQR bank transfer, reconciled with the portal, and e-receipts verified
//! offline. The app never holds a merchant secret and never calls a payment "paid" on the
//! gateway's word: only the portal's status counts ([`state`]).
//!
//! Asking for an order is durable like a dossier submission: the request (with a permanent id)
//! is committed first, then sent; the portal keeps one order per dossier's fee lines, so a retry
//! never makes a second order or a second charge.

pub mod client;
pub mod gateway_return;
pub mod receipt;
pub use smarthd_model::vietqr;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::UserDb;
pub use receipt::{Receipt, SignedReceipt};
pub use smarthd_model::payment::{PaymentEvent, PaymentStatus, response_message};

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
}

fn now() -> String {
    crate::catalog::now()
}

impl Payments {
    pub fn new(db: UserDb) -> Payments {
        Payments { db }
    }

    /// Commits the wish to pay before anything is sent; an unsent request for the same dossier
    /// is reused, so its permanent id stays the same across retries.
    pub fn request(&self, dossier_id: &str, method: PaymentMethod, return_url: &str) -> Result<PendingRequest> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row("SELECT request_id FROM payment_request WHERE dossier_id = ?1", [dossier_id], |r| r.get(0))
            .optional()?;
        let request_id = match existing {
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
                    "INSERT INTO payment_request (request_id, dossier_id, method, return_url, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, dossier_id, method.as_str(), return_url, now()],
                )?;
                id
            }
        };
        tx.commit()?;
        Ok(PendingRequest { request_id, dossier_id: dossier_id.to_owned(), method, return_url: return_url.to_owned() })
    }

    pub fn pending_requests(&self) -> Result<Vec<PendingRequest>> {
        let db = self.db.lock();
        let mut stmt =
            db.prepare("SELECT request_id, dossier_id, method, return_url FROM payment_request ORDER BY created_at")?;
        let rows = stmt.query_map([], |r| {
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
    pub fn record(&self, order: &WireOrder, request_id: Option<&str>) -> Result<PaymentOrder> {
        let portal_status = PaymentStatus::parse(&order.status).ok_or_else(|| Error::UpdateNeeded {
            what: "payment status",
            value: order.status.chars().filter(|c| c.is_ascii_graphic()).take(40).collect(),
        })?;
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: Option<String> = tx
            .query_row("SELECT status FROM payment WHERE order_id = ?1", [&order.order_id], |r| r.get(0))
            .optional()?;
        let status = current
            .as_deref()
            .and_then(PaymentStatus::parse)
            .unwrap_or(PaymentStatus::Created)
            .apply(PaymentEvent::PortalSays(portal_status));
        let attempt = order.attempt.as_ref();
        tx.execute(
            "INSERT INTO payment (order_id, dossier_id, amount_vnd, status, method, txn_ref, pay_url, vietqr, expires_at,
                                  failure_code, receipt_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
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
            ],
        )?;
        if let Some(request_id) = request_id {
            tx.execute("DELETE FROM payment_request WHERE request_id = ?1", [request_id])?;
        }
        tx.commit()?;
        drop(db);
        self.get(&order.order_id)
    }

    /// The resident is back from the gateway: awaiting becomes processing, nothing more. Read
    /// and write are one transaction through the state machine, so a success recorded in
    /// between (another thread, the CLI) is never overwritten.
    pub fn returned(&self, txn_ref: &str) -> Result<PaymentOrder> {
        let order_id = {
            let mut db = self.db.lock();
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let (order_id, current): (String, String) = tx
                .query_row("SELECT order_id, status FROM payment WHERE txn_ref = ?1", [txn_ref], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
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
        self.get(&order_id)
    }

    pub fn get(&self, order_id: &str) -> Result<PaymentOrder> {
        self.query("WHERE order_id = ?1", [order_id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("payment {order_id}")))
    }

    pub fn list(&self) -> Result<Vec<PaymentOrder>> {
        self.query("ORDER BY updated_at DESC", [])
    }

    /// Payments whose outcome the portal has not settled yet.
    pub fn unsettled(&self) -> Result<Vec<PaymentOrder>> {
        self.query("WHERE status IN ('created', 'awaiting_payment', 'processing') ORDER BY updated_at", [])
    }

    fn query<P: rusqlite::Params>(&self, clause: &str, args: P) -> Result<Vec<PaymentOrder>> {
        self.db.checked(|| self.query_once(clause, args))
    }

    fn query_once<P: rusqlite::Params>(&self, clause: &str, args: P) -> Result<Vec<PaymentOrder>> {
        let db = self.db.lock();
        let mut stmt = db.prepare(&format!(
            "SELECT order_id, dossier_id, amount_vnd, status, method, pay_url, vietqr, expires_at, failure_code, receipt_id
             FROM payment {clause}"
        ))?;
        let rows = stmt.query_map(args, |r| {
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

    pub fn key(&self, key_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .db
            .lock()
            .query_row("SELECT public_key FROM receipt_key WHERE key_id = ?1", [key_id], |r| r.get(0))
            .optional()?)
    }

    pub fn store_key(&self, key_id: &str, public_key: &[u8]) -> Result<()> {
        self.db.lock().execute(
            "INSERT INTO receipt_key (key_id, public_key) VALUES (?1, ?2) ON CONFLICT(key_id) DO NOTHING",
            params![key_id, public_key],
        )?;
        Ok(())
    }

    /// Keeps a receipt that verified.
    pub fn store_receipt(&self, order_id: &str, receipt: &SignedReceipt) -> Result<()> {
        self.db.lock().execute(
            "INSERT INTO receipt (receipt_id, order_id, payload, signature, key_id, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(receipt_id) DO NOTHING",
            params![receipt.receipt_id, order_id, receipt.payload, receipt.signature, receipt.key_id, now()],
        )?;
        Ok(())
    }

    pub fn signed_receipt(&self, receipt_id: &str) -> Result<SignedReceipt> {
        self.db
            .lock()
            .query_row(
                "SELECT receipt_id, payload, signature, key_id FROM receipt WHERE receipt_id = ?1",
                [receipt_id],
                |r| {
                    Ok(SignedReceipt {
                        receipt_id: r.get(0)?,
                        payload: r.get(1)?,
                        signature: r.get(2)?,
                        key_id: r.get(3)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("receipt {receipt_id}")))
    }

    pub fn receipt_ids(&self) -> Result<Vec<String>> {
        let db = self.db.lock();
        let mut stmt = db.prepare("SELECT receipt_id FROM receipt ORDER BY stored_at DESC, receipt_id")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Verifies a stored receipt with the stored portal key: offline.
    pub fn verify_receipt(&self, receipt_id: &str) -> Result<Receipt> {
        let signed = self.signed_receipt(receipt_id)?;
        let key = self.key(&signed.key_id)?.ok_or_else(|| Error::Validation {
            field: "receipt".into(),
            reason: receipt::ReceiptError::UnknownKey(signed.key_id.clone()).to_string(),
        })?;
        receipt::verify(&signed, &key).map_err(|e| Error::Validation { field: "receipt".into(), reason: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let payments = Payments::new(UserDb::open(dir.path()).unwrap());
        payments.record(&order("awaiting_payment"), None).unwrap();
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
            payments.returned("t1").unwrap();
            payments.db.lock().progress_handler(0, None::<fn() -> bool>).unwrap();
            match *landed.lock().unwrap() {
                Some(true) => {}
                // The return held the write lock: the other process writes once it is done.
                Some(false) => assert!(succeed(&other.lock().unwrap())),
                None => break,
            }
            assert_eq!(payments.get("o1").unwrap().status, PaymentStatus::Succeeded, "written at step {step}");
        }
    }

    #[test]
    fn an_unknown_payment_status_needs_an_update_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let payments = Payments::new(UserDb::open(dir.path()).unwrap());
        payments.record(&order("awaiting_payment"), None).unwrap();
        let error = payments.record(&order("refunded_twice"), None).unwrap_err();
        assert_eq!(error.kind(), crate::error::ErrorKind::UpdateNeeded);
        assert_eq!(payments.get("o1").unwrap().status, PaymentStatus::AwaitingPayment);
    }
}
