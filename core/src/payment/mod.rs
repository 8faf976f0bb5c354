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
pub mod handle;
pub mod receipt;
pub use smarthd_model::vietqr;

use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::config::ReceiptKeyPin;
use crate::error::{Error, PortalError, Result};
use crate::store::UserDb;
use crate::vault::Vault;
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
    /// Seals the portal's receipt keys fetched on first use, so a row written into `user.db` by
    /// anything else is never trusted.
    vault: Arc<Vault>,
    /// The receipt keys the app's configuration pins; when any, the only ones trusted.
    pinned_keys: Vec<ReceiptKeyPin>,
}

/// The vault purpose of a receipt key names its id: a sealed key cannot pass for another id.
fn key_purpose(key_id: &str) -> String {
    format!("receipt-key:{key_id}")
}

fn now() -> String {
    crate::catalog::now()
}

impl Payments {
    pub fn new(db: UserDb, vault: Arc<Vault>, pinned_keys: Vec<ReceiptKeyPin>) -> Payments {
        Payments { db, vault, pinned_keys }
    }

    /// Commits the wish to pay before anything is sent; an unsent request for the same dossier
    /// is reused, so its permanent id stays the same across retries.
    pub fn request(&self, dossier_id: &str, method: PaymentMethod, return_url: &str) -> Result<PendingRequest> {
        let db = self.db.lock();
        let existing: Option<String> = db
            .query_row("SELECT request_id FROM payment_request WHERE dossier_id = ?1", [dossier_id], |r| r.get(0))
            .optional()?;
        let request_id = match existing {
            Some(id) => {
                db.execute(
                    "UPDATE payment_request SET method = ?2, return_url = ?3 WHERE request_id = ?1",
                    params![id, method.as_str(), return_url],
                )?;
                id
            }
            None => {
                let id = crate::dossier::new_id();
                db.execute(
                    "INSERT INTO payment_request (request_id, dossier_id, method, return_url, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, dossier_id, method.as_str(), return_url, now()],
                )?;
                id
            }
        };
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
        let portal_status = PaymentStatus::parse(&order.status)
            .ok_or_else(|| PortalError::malformed("api/v1/payments", format!("unknown status {}", order.status)))?;
        let mut db = self.db.lock();
        let tx = db.transaction()?;
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

    /// The resident is back from the gateway: awaiting becomes processing, nothing more.
    pub fn returned(&self, txn_ref: &str) -> Result<PaymentOrder> {
        let order_id: String = self
            .db
            .lock()
            .query_row("SELECT order_id FROM payment WHERE txn_ref = ?1", [txn_ref], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("payment attempt {txn_ref}")))?;
        let order = self.get(&order_id)?;
        let status = order.status.apply(PaymentEvent::ReturnedFromGateway);
        self.db.lock().execute(
            "UPDATE payment SET status = ?2, updated_at = ?3 WHERE order_id = ?1",
            params![order_id, status.as_str(), now()],
        )?;
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

    /// Whether receipt keys are fetched from the portal (over the pinned transport) rather than
    /// pinned in the configuration.
    pub fn fetches_keys(&self) -> bool {
        self.pinned_keys.is_empty()
    }

    /// The key a receipt naming `key_id` may be checked with: a pinned one when the configuration
    /// pins keys, otherwise one kept sealed; a stored row that does not open is not a key.
    pub fn trusted_key(&self, key_id: &str) -> Result<Option<Vec<u8>>> {
        if !self.fetches_keys() {
            return Ok(self.pinned_keys.iter().find(|k| k.key_id == key_id).map(|k| k.public_key.to_vec()));
        }
        let sealed: Option<Vec<u8>> = self
            .db
            .lock()
            .query_row("SELECT public_key FROM receipt_key WHERE key_id = ?1", [key_id], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else { return Ok(None) };
        match self.vault.open_sealed(&key_purpose(key_id), &sealed) {
            Ok(key) => Ok(Some(key)),
            Err(_) => {
                tracing::warn!("receipt key {key_id} in user.db was not sealed by this app; ignored");
                Ok(None)
            }
        }
    }

    /// Keeps a key the portal published (fetched over the pinned transport), sealed; it replaces
    /// a row under the same id that did not open.
    pub fn store_key(&self, key_id: &str, public_key: &[u8]) -> Result<()> {
        let sealed = self.vault.seal(&key_purpose(key_id), public_key)?;
        self.db.lock().execute(
            "INSERT INTO receipt_key (key_id, public_key) VALUES (?1, ?2)
             ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key",
            params![key_id, sealed],
        )?;
        Ok(())
    }

    /// Checks a receipt and keeps it: it must verify with a trusted key and be the receipt of the
    /// local order `order_id` (same order, amount and dossier).
    pub fn keep_receipt(&self, order_id: &str, receipt: &SignedReceipt) -> Result<Receipt> {
        let read = self.check(order_id, receipt)?;
        self.db.lock().execute(
            "INSERT INTO receipt (receipt_id, order_id, payload, signature, key_id, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(receipt_id) DO NOTHING",
            params![receipt.receipt_id, order_id, receipt.payload, receipt.signature, receipt.key_id, now()],
        )?;
        Ok(read)
    }

    /// The signature with a trusted key, then the local order the receipt claims to pay.
    fn check(&self, order_id: &str, signed: &SignedReceipt) -> Result<Receipt> {
        let invalid = |e: receipt::ReceiptError| Error::Validation { field: "receipt".into(), reason: e.to_string() };
        let key = self
            .trusted_key(&signed.key_id)?
            .ok_or_else(|| invalid(receipt::ReceiptError::UnknownKey(signed.key_id.clone())))?;
        let read = receipt::verify(signed, &key).map_err(invalid)?;
        let order = self.get(order_id).map_err(|_| invalid(receipt::ReceiptError::NotTheOrders("order")))?;
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

    /// Verifies a kept receipt again, offline: a trusted key's signature, and the local order
    /// it names.
    pub fn verify_receipt(&self, receipt_id: &str) -> Result<Receipt> {
        let signed = self.signed_receipt(receipt_id)?;
        let order_id: String = self.db.lock().query_row(
            "SELECT order_id FROM receipt WHERE receipt_id = ?1",
            [receipt_id],
            |r| r.get(0),
        )?;
        self.check(&order_id, &signed)
    }
}
