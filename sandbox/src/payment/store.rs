//! The portal's side of the payments in the sandbox's SQLite file: orders, their attempts, the
//! confirmations that deduplicate gateway and bank notifications, receipts, the treasury
//! account's transfers, and the keys (HashSecret, receipt key) made once and kept.
//!
//! Every change is one transaction: a confirmation (the dedup record, keyed by `TxnRef` and
//! unique on `TransactionNo`), the attempt's new status and the receipt are committed together.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use smarthd_model::receipt::SignedReceipt;

use super::common::FeeLine;
use super::receipt::{self, Signer};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS payment_secret (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_order (
    id TEXT PRIMARY KEY,                 -- PO-000001
    order_key TEXT NOT NULL UNIQUE,      -- the dossier and its fee lines: the dedup key
    dossier_id TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    sub TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    fee_lines_json TEXT NOT NULL,
    return_url TEXT NOT NULL,            -- the newest one asked for: the browser goes back there
    receipt_id TEXT,                     -- set once, when the order is paid
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_order_dossier ON payment_order (dossier_id);
CREATE TABLE IF NOT EXISTS payment_attempt (
    txn_ref TEXT PRIMARY KEY,            -- vnp_TxnRef, or the VietQR bill number
    order_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_code TEXT,
    pay_url TEXT,
    vietqr TEXT,
    create_date TEXT NOT NULL,           -- vnp_CreateDate: querydr's TransactionDate
    expires_at TEXT NOT NULL,
    expires_ts INTEGER NOT NULL,
    UNIQUE (order_id, seq)
);
CREATE TABLE IF NOT EXISTS payment_confirmation (
    txn_ref TEXT PRIMARY KEY,
    transaction_no TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,                -- ipn, querydr or bank
    response_code TEXT NOT NULL,
    transaction_status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_receipt (
    id TEXT PRIMARY KEY,                 -- BL-000001
    order_id TEXT NOT NULL UNIQUE,
    sub TEXT NOT NULL,
    payload TEXT NOT NULL,               -- the signed bytes, served as they are
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_refund (
    txn_ref TEXT PRIMARY KEY,            -- the attempt whose money goes back
    order_id TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    transaction_no TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bank_transfer (
    bank_tran_no TEXT PRIMARY KEY,
    bill_number TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    at TEXT NOT NULL
);
";

/// The gateway's `vnp_ExpireDate` has whole seconds: the portal gives it one more before it
/// takes an attempt for expired, so a payment approved in the last second is not lost.
const EXPIRY_GRACE_SECS: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Gateway,
    Vietqr,
}

impl Method {
    pub fn parse(text: &str) -> Option<Method> {
        match text {
            "gateway" => Some(Method::Gateway),
            "vietqr" => Some(Method::Vietqr),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Gateway => "gateway",
            Method::Vietqr => "vietqr",
        }
    }
}

/// What a payment order needs to know about a dossier.
pub struct DossierRef {
    pub code: String,
    pub procedure_code: String,
    pub applicant: String,
    /// `None` for a status this build does not know.
    pub status: Option<smarthd_model::DossierStatus>,
}

pub struct NewOrder<'a> {
    pub dossier_id: &'a str,
    pub dossier_code: &'a str,
    pub sub: &'a str,
    pub fee_lines: &'a [FeeLine],
    pub amount_vnd: i64,
    pub method: Method,
    pub return_url: &'a str,
    /// The dossier owes nothing now (withdrawn or rejected, or its procedure has no online fee
    /// any more): no order is made, and only one paid or being paid before is answered.
    pub nothing_due: bool,
}

/// A new attempt, for the portal to make its pay URL or VietQR payload.
pub struct AttemptSpec<'a> {
    pub txn_ref: &'a str,
    pub method: Method,
    pub amount_vnd: i64,
    pub dossier_code: &'a str,
    pub created: DateTime<FixedOffset>,
    pub expires: DateTime<FixedOffset>,
}

/// What the resident is given to pay with: a pay URL or a VietQR payload.
pub struct Issued {
    pub pay_url: Option<String>,
    pub vietqr: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub txn_ref: String,
    pub method: String,
    pub pay_url: Option<String>,
    pub vietqr: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub order_id: String,
    pub dossier_id: String,
    pub dossier_code: String,
    pub amount_vnd: i64,
    pub fee_lines: Vec<FeeLine>,
    pub status: String,
    pub failure_code: Option<String>,
    pub expires_at: String,
    pub attempt: AttemptView,
    pub receipt_id: Option<String>,
}

/// An attempt that can still be paid (or is past its time and waits to be settled).
#[derive(Debug, Clone)]
pub struct Live {
    pub txn_ref: String,
    pub method: Method,
    pub transaction_date: String,
    pub expires_ts: i64,
}

impl Live {
    pub fn overdue(&self, now: DateTime<FixedOffset>) -> bool {
        now.timestamp() > self.expires_ts + EXPIRY_GRACE_SECS
    }
}

pub enum Opened {
    Ready {
        view: Box<OrderView>,
        created: bool,
    },
    /// The live attempt is past its time: ask the gateway about it before anything else.
    Settle(Live),
    /// Nothing is due and no order was paid or is being paid: none is made.
    NothingDue,
}

/// A gateway's (or querydr's) word on an attempt.
pub struct Confirmation<'a> {
    pub txn_ref: &'a str,
    pub amount_vnd: i64,
    pub transaction_no: &'a str,
    pub response_code: &'a str,
    pub transaction_status: &'a str,
    pub bank_tran_no: Option<&'a str>,
    pub source: &'static str,
}

impl Confirmation<'_> {
    fn succeeded(&self) -> bool {
        self.response_code == "00" && self.transaction_status == "00"
    }
}

pub enum Confirmed {
    UnknownTxn,
    WrongAmount,
    /// This TxnRef (or TransactionNo) was confirmed before.
    Duplicate,
    /// A success for an order another attempt already paid: recorded, and refunded.
    Refunded,
    Applied,
}

pub enum Credited {
    Paid {
        bank_tran_no: String,
    },
    UnknownBill,
    WrongAmount,
    AlreadyPaid,
    /// The attempt was cancelled, failed or expired: the bank does not move the money.
    Closed,
}

/// A VietQR bill the bank simulator offers to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayableBill {
    pub bill_number: String,
    pub dossier_code: String,
    pub amount_vnd: i64,
    pub expires_at: String,
    pub payload: String,
}

#[derive(Debug, Serialize)]
pub struct LedgerEntry {
    /// Money taken: the gateway's successful transactions and the treasury's transfers.
    pub charges: u64,
    /// Money given back: successes for an order another attempt had already paid.
    pub refunds: u64,
    pub amount_vnd: i64,
    pub attempts: u64,
}

struct AttemptRow {
    txn_ref: String,
    seq: i64,
    method: String,
    status: String,
    create_date: String,
    expires_ts: i64,
}

impl AttemptRow {
    fn live(&self) -> Option<Live> {
        if !is_live(&self.status) {
            return None;
        }
        Some(Live {
            txn_ref: self.txn_ref.clone(),
            method: Method::parse(&self.method)?,
            transaction_date: self.create_date.clone(),
            expires_ts: self.expires_ts,
        })
    }
}

fn is_live(status: &str) -> bool {
    matches!(status, "awaiting_payment" | "processing")
}

pub struct Store {
    db: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Ok(Store { db: crate::db::open(path, SCHEMA)? })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    /// The named secret, made by `make` the first time and kept from then on.
    pub fn secret(&self, name: &str, make: impl FnOnce() -> Option<Vec<u8>>) -> rusqlite::Result<Option<Vec<u8>>> {
        crate::db::secret(&self.db(), "payment_secret", name, make)
    }

    /// The resident's dossier, from the dossier tables.
    pub fn dossier(&self, dossier_id: &str, sub: &str) -> rusqlite::Result<Option<DossierRef>> {
        self.db()
            .query_row(
                "SELECT code, procedure_code, applicant, status FROM dossier WHERE id = ?1 AND sub = ?2",
                params![dossier_id, sub],
                |r| {
                    Ok(DossierRef {
                        code: r.get(0)?,
                        procedure_code: r.get(1)?,
                        applicant: r.get(2)?,
                        status: smarthd_model::DossierStatus::parse(&r.get::<_, String>(3)?),
                    })
                },
            )
            .optional()
    }

    /// The order for `new`'s key, made if there is none, with its live attempt, or a new
    /// attempt when the last one failed, was cancelled or expired. A paid order is answered as
    /// it is.
    pub fn open_order(
        &self,
        new: &NewOrder<'_>,
        now: DateTime<FixedOffset>,
        ttl: Duration,
        issue: impl FnOnce(&AttemptSpec<'_>) -> Issued,
    ) -> rusqlite::Result<Opened> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = order_key(new.dossier_id, new.fee_lines);
        // One payable order per dossier, even if the catalog's fees changed since.
        let payable: Option<String> = tx
            .query_row(
                "SELECT o.id FROM payment_order o WHERE o.dossier_id = ?1 AND (o.receipt_id IS NOT NULL
                    OR EXISTS (SELECT 1 FROM payment_attempt a WHERE a.order_id = o.id
                               AND a.status IN ('awaiting_payment', 'processing')))
                 ORDER BY o.id LIMIT 1",
                [new.dossier_id],
                |r| r.get(0),
            )
            .optional()?;
        if new.nothing_due && payable.is_none() {
            return Ok(Opened::NothingDue);
        }
        let existing = match payable {
            Some(id) => Some(id),
            None => {
                tx.query_row("SELECT id FROM payment_order WHERE order_key = ?1", [&key], |r| r.get(0)).optional()?
            }
        };
        let created = existing.is_none();
        let order_id = match existing {
            Some(id) => id,
            None => {
                let id = format!("PO-{:06}", bump(&tx, "order")?);
                let fee_lines = serde_json::to_string(new.fee_lines).map_err(to_sql_error)?;
                tx.execute(
                    "INSERT INTO payment_order (id, order_key, dossier_id, dossier_code, sub, amount_vnd,
                        fee_lines_json, return_url, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        key,
                        new.dossier_id,
                        new.dossier_code,
                        new.sub,
                        new.amount_vnd,
                        fee_lines,
                        new.return_url,
                        rfc3339(now)
                    ],
                )?;
                id
            }
        };
        // The resident may come back on another loopback port: the newest return URL wins.
        tx.execute("UPDATE payment_order SET return_url = ?2 WHERE id = ?1", params![order_id, new.return_url])?;
        let (paid, amount_vnd, dossier_code): (bool, i64, String) = tx.query_row(
            "SELECT receipt_id IS NOT NULL, amount_vnd, dossier_code FROM payment_order WHERE id = ?1",
            [&order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if !paid {
            let latest = latest_attempt(&tx, &order_id)?;
            match latest.as_ref().and_then(AttemptRow::live) {
                Some(live) if live.overdue(now) => {
                    tx.commit()?;
                    return Ok(Opened::Settle(live));
                }
                Some(_) => {}
                None => {
                    let seq = latest.map_or(1, |a| a.seq + 1);
                    let txn_ref = format!("{}A{seq}", order_id.replace('-', ""));
                    let expires = now + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::minutes(15));
                    let spec = AttemptSpec {
                        txn_ref: &txn_ref,
                        method: new.method,
                        amount_vnd,
                        dossier_code: &dossier_code,
                        created: now,
                        expires,
                    };
                    let issued = issue(&spec);
                    tx.execute(
                        "INSERT INTO payment_attempt (txn_ref, order_id, seq, method, status, pay_url, vietqr,
                            create_date, expires_at, expires_ts)
                         VALUES (?1, ?2, ?3, ?4, 'awaiting_payment', ?5, ?6, ?7, ?8, ?9)",
                        params![
                            txn_ref,
                            order_id,
                            seq,
                            new.method.as_str(),
                            issued.pay_url,
                            issued.vietqr,
                            vnp_date(now),
                            rfc3339(expires),
                            expires.timestamp()
                        ],
                    )?;
                }
            }
        }
        let view = order_view(&tx, &order_id)?;
        tx.commit()?;
        Ok(Opened::Ready { view: Box::new(view), created })
    }

    /// The resident's order and its live attempt, if any.
    pub fn order(&self, order_id: &str, sub: &str) -> rusqlite::Result<Option<(OrderView, Option<Live>)>> {
        let db = self.db();
        let paid: Option<bool> = db
            .query_row(
                "SELECT receipt_id IS NOT NULL FROM payment_order WHERE id = ?1 AND sub = ?2",
                params![order_id, sub],
                |r| r.get(0),
            )
            .optional()?;
        let Some(paid) = paid else { return Ok(None) };
        let live = if paid { None } else { latest_attempt(&db, order_id)?.as_ref().and_then(AttemptRow::live) };
        Ok(Some((order_view(&db, order_id)?, live)))
    }

    /// The resident is back from the gateway: a live attempt waits for the gateway's word. Returns
    /// where to send the browser.
    pub fn returned(&self, txn_ref: &str) -> rusqlite::Result<Option<String>> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let return_url: Option<String> = tx
            .query_row(
                "SELECT o.return_url FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id
                 WHERE a.txn_ref = ?1",
                [txn_ref],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "UPDATE payment_attempt SET status = 'processing' WHERE txn_ref = ?1 AND status = 'awaiting_payment'",
            [txn_ref],
        )?;
        tx.commit()?;
        Ok(return_url)
    }

    /// Nobody paid the attempt in time (and the gateway says so).
    pub fn expire(&self, txn_ref: &str) -> rusqlite::Result<()> {
        self.db().execute(
            "UPDATE payment_attempt SET status = 'expired'
             WHERE txn_ref = ?1 AND status IN ('awaiting_payment', 'processing')
               AND NOT EXISTS (SELECT 1 FROM payment_confirmation c WHERE c.txn_ref = ?1)",
            [txn_ref],
        )?;
        Ok(())
    }

    /// Applies the gateway's word on an attempt once: the confirmation, the attempt's status and
    /// the receipt in one transaction.
    pub fn confirm(
        &self,
        c: &Confirmation<'_>,
        signer: &Signer,
        now: DateTime<FixedOffset>,
    ) -> rusqlite::Result<Confirmed> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let amount: Option<i64> = tx
            .query_row(
                "SELECT o.amount_vnd FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id
                 WHERE a.txn_ref = ?1",
                [c.txn_ref],
                |r| r.get(0),
            )
            .optional()?;
        let Some(amount) = amount else { return Ok(Confirmed::UnknownTxn) };
        if amount != c.amount_vnd {
            return Ok(Confirmed::WrongAmount);
        }
        let seen: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM payment_confirmation WHERE txn_ref = ?1 OR transaction_no = ?2)",
            params![c.txn_ref, c.transaction_no],
            |r| r.get(0),
        )?;
        if seen {
            return Ok(Confirmed::Duplicate);
        }
        record_confirmation(&tx, c, now)?;
        let paid_by_another: Option<String> = tx
            .query_row(
                "SELECT o.id FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id
             WHERE a.txn_ref = ?1 AND o.receipt_id IS NOT NULL",
                [c.txn_ref],
                |r| r.get(0),
            )
            .optional()?;
        if c.succeeded()
            && let Some(order_id) = paid_by_another
        {
            tx.execute(
                "INSERT INTO payment_refund (txn_ref, order_id, amount_vnd, transaction_no, reason, at)
                 VALUES (?1, ?2, ?3, ?4, 'order already paid', ?5)",
                params![c.txn_ref, order_id, c.amount_vnd, c.transaction_no, rfc3339(now)],
            )?;
            tx.execute("UPDATE payment_attempt SET status = 'refunded' WHERE txn_ref = ?1", [c.txn_ref])?;
            tx.commit()?;
            tracing::warn!(%order_id, txn_ref = %c.txn_ref, "a second payment for a paid order: refunded");
            return Ok(Confirmed::Refunded);
        }
        if c.succeeded() {
            succeed(&tx, c.txn_ref, c.bank_tran_no.unwrap_or(c.transaction_no), signer, now)?;
        } else {
            let (status, code) = match c.response_code {
                "24" => ("cancelled", "24"),
                "00" => ("failed", c.transaction_status),
                code => ("failed", code),
            };
            tx.execute(
                "UPDATE payment_attempt SET status = ?2, failure_code = ?3 WHERE txn_ref = ?1",
                params![c.txn_ref, status, code],
            )?;
        }
        tx.commit()?;
        Ok(Confirmed::Applied)
    }

    /// A bank transfer to the treasury account for bill `bill_number`: accepted (and the order
    /// paid) only while its attempt is live, in one transaction with the transfer itself.
    pub fn credit_transfer(
        &self,
        bill_number: &str,
        amount_vnd: i64,
        signer: &Signer,
        now: DateTime<FixedOffset>,
    ) -> rusqlite::Result<Credited> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(i64, bool, String, i64)> = tx
            .query_row(
                "SELECT o.amount_vnd, o.receipt_id IS NOT NULL, a.status, a.expires_ts
                 FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id
                 WHERE a.txn_ref = ?1 AND a.method = 'vietqr'",
                [bill_number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((amount, paid, status, expires_ts)) = row else { return Ok(Credited::UnknownBill) };
        if amount != amount_vnd {
            return Ok(Credited::WrongAmount);
        }
        if paid {
            return Ok(Credited::AlreadyPaid);
        }
        if !is_live(&status) {
            return Ok(Credited::Closed);
        }
        if now.timestamp() > expires_ts {
            tx.execute("UPDATE payment_attempt SET status = 'expired' WHERE txn_ref = ?1", [bill_number])?;
            tx.commit()?;
            return Ok(Credited::Closed);
        }
        let bank_tran_no = format!("FT{}{:06}", now.format("%y%m%d"), bump(&tx, "bank_transfer")?);
        tx.execute(
            "INSERT INTO bank_transfer (bank_tran_no, bill_number, amount_vnd, at) VALUES (?1, ?2, ?3, ?4)",
            params![bank_tran_no, bill_number, amount_vnd, rfc3339(now)],
        )?;
        let confirmation = Confirmation {
            txn_ref: bill_number,
            amount_vnd,
            transaction_no: &bank_tran_no,
            response_code: "00",
            transaction_status: "00",
            bank_tran_no: Some(&bank_tran_no),
            source: "bank",
        };
        record_confirmation(&tx, &confirmation, now)?;
        succeed(&tx, bill_number, &bank_tran_no, signer, now)?;
        tx.commit()?;
        Ok(Credited::Paid { bank_tran_no })
    }

    /// The VietQR bills a bank could still pay (live, not past their expiry), newest first:
    /// what the bank simulator lists. No personal data: the dossier code and the amount.
    pub fn payable_bills(&self, now: DateTime<FixedOffset>) -> rusqlite::Result<Vec<PayableBill>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT a.txn_ref, o.dossier_code, o.amount_vnd, a.expires_at, a.vietqr
             FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id
             WHERE a.method = 'vietqr' AND a.status IN ('awaiting_payment', 'processing')
               AND o.receipt_id IS NULL AND a.expires_ts >= ?1 AND a.vietqr IS NOT NULL
             ORDER BY a.rowid DESC LIMIT 50",
        )?;
        stmt.query_map([now.timestamp()], |r| {
            Ok(PayableBill {
                bill_number: r.get(0)?,
                dossier_code: r.get(1)?,
                amount_vnd: r.get(2)?,
                expires_at: r.get(3)?,
                payload: r.get(4)?,
            })
        })?
        .collect()
    }

    pub fn receipt(&self, receipt_id: &str, sub: &str) -> rusqlite::Result<Option<SignedReceipt>> {
        let row = self
            .db()
            .query_row(
                "SELECT id, payload, signature, key_id FROM payment_receipt WHERE id = ?1 AND sub = ?2",
                params![receipt_id, sub],
                |r| <(String, String, String, String)>::try_from(r),
            )
            .optional()?;
        Ok(row.map(|(receipt_id, payload, signature, key_id)| SignedReceipt { receipt_id, payload, signature, key_id }))
    }

    /// Per order: the money actually taken (the gateway's successful transactions and the
    /// treasury account's transfers for its attempts), its amount and its attempts.
    pub fn ledger(&self) -> rusqlite::Result<BTreeMap<String, LedgerEntry>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT o.id, o.amount_vnd,
                (SELECT count(*) FROM payment_attempt a WHERE a.order_id = o.id),
                (SELECT count(*) FROM gateway_txn g JOIN payment_attempt a ON a.txn_ref = g.txn_ref
                 WHERE a.order_id = o.id AND g.response_code = '00' AND g.transaction_status = '00')
                + (SELECT count(*) FROM bank_transfer b JOIN payment_attempt a ON a.txn_ref = b.bill_number
                   WHERE a.order_id = o.id),
                (SELECT count(*) FROM payment_refund f WHERE f.order_id = o.id)
             FROM payment_order o",
        )?;
        stmt.query_map([], |r| {
            let entry = LedgerEntry {
                amount_vnd: r.get(1)?,
                attempts: r.get::<_, i64>(2)?.max(0) as u64,
                charges: r.get::<_, i64>(3)?.max(0) as u64,
                refunds: r.get::<_, i64>(4)?.max(0) as u64,
            };
            Ok((r.get(0)?, entry))
        })?
        .collect()
    }
}

/// The permanent dedup key: the dossier and its fee lines, hashed.
fn order_key(dossier_id: &str, fee_lines: &[FeeLine]) -> String {
    let canonical = serde_json::json!([dossier_id, fee_lines]).to_string();
    ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn latest_attempt(db: &Connection, order_id: &str) -> rusqlite::Result<Option<AttemptRow>> {
    db.query_row(
        "SELECT txn_ref, seq, method, status, create_date, expires_ts FROM payment_attempt
         WHERE order_id = ?1 ORDER BY seq DESC LIMIT 1",
        [order_id],
        |r| {
            Ok(AttemptRow {
                txn_ref: r.get(0)?,
                seq: r.get(1)?,
                method: r.get(2)?,
                status: r.get(3)?,
                create_date: r.get(4)?,
                expires_ts: r.get(5)?,
            })
        },
    )
    .optional()
}

/// The order as the API answers it: its paid attempt if any, else its newest attempt.
fn order_view(db: &Connection, order_id: &str) -> rusqlite::Result<OrderView> {
    db.query_row(
        "SELECT o.id, o.dossier_id, o.dossier_code, o.amount_vnd, o.fee_lines_json, o.receipt_id,
                a.txn_ref, a.method, a.status, a.failure_code, a.pay_url, a.vietqr, a.expires_at
         FROM payment_order o JOIN payment_attempt a ON a.order_id = o.id
         WHERE o.id = ?1 ORDER BY a.status = 'succeeded' DESC, a.seq DESC LIMIT 1",
        [order_id],
        |r| {
            let receipt_id: Option<String> = r.get(5)?;
            let attempt_status: String = r.get(8)?;
            let status = if receipt_id.is_some() { "succeeded".to_owned() } else { attempt_status };
            let failure_code = if status == "succeeded" { None } else { r.get(9)? };
            Ok(OrderView {
                order_id: r.get(0)?,
                dossier_id: r.get(1)?,
                dossier_code: r.get(2)?,
                amount_vnd: r.get(3)?,
                fee_lines: serde_json::from_str(&r.get::<_, String>(4)?).map_err(to_sql_error)?,
                status,
                failure_code,
                expires_at: r.get(12)?,
                attempt: AttemptView { txn_ref: r.get(6)?, method: r.get(7)?, pay_url: r.get(10)?, vietqr: r.get(11)? },
                receipt_id,
            })
        },
    )
}

fn record_confirmation(tx: &Transaction<'_>, c: &Confirmation<'_>, now: DateTime<FixedOffset>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO payment_confirmation (txn_ref, transaction_no, source, response_code, transaction_status, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.txn_ref, c.transaction_no, c.source, c.response_code, c.transaction_status, rfc3339(now)],
    )?;
    Ok(())
}

/// The attempt is paid: the order gets its receipt, unless another attempt paid it already.
fn succeed(
    tx: &Transaction<'_>,
    txn_ref: &str,
    bank_tran_no: &str,
    signer: &Signer,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    tx.execute("UPDATE payment_attempt SET status = 'succeeded', failure_code = NULL WHERE txn_ref = ?1", [txn_ref])?;
    let (order_id, dossier_id, dossier_code, sub, amount_vnd, fee_lines, receipt_id, method): (
        String,
        String,
        String,
        String,
        i64,
        String,
        Option<String>,
        String,
    ) = tx.query_row(
        "SELECT o.id, o.dossier_id, o.dossier_code, o.sub, o.amount_vnd, o.fee_lines_json, o.receipt_id, a.method
         FROM payment_attempt a JOIN payment_order o ON o.id = a.order_id WHERE a.txn_ref = ?1",
        [txn_ref],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
    )?;
    if let Some(receipt_id) = receipt_id {
        // Cannot happen while attempts never overlap; if it does, it must be seen and refunded.
        tracing::error!(%order_id, %txn_ref, %receipt_id, "an order was paid twice: a refund is due");
        return Ok(());
    }
    let fee_lines: Vec<FeeLine> = serde_json::from_str(&fee_lines).map_err(to_sql_error)?;
    let receipt_id = format!("BL-{:06}", bump(tx, "receipt")?);
    let payload = receipt::Payload {
        receipt_id: &receipt_id,
        order_id: &order_id,
        dossier_id: &dossier_id,
        dossier_code: &dossier_code,
        amount_vnd,
        method: &method,
        txn_ref,
        bank_tran_no,
        paid_at: &rfc3339(now),
        issuer: receipt::ISSUER,
        fee_lines: &fee_lines,
    };
    let payload = serde_json::to_string(&payload).map_err(to_sql_error)?;
    tx.execute(
        "INSERT INTO payment_receipt (id, order_id, sub, payload, signature, key_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![receipt_id, order_id, sub, payload, signer.sign(&payload), receipt::KEY_ID],
    )?;
    tx.execute("UPDATE payment_order SET receipt_id = ?2 WHERE id = ?1", params![order_id, receipt_id])?;
    Ok(())
}

fn to_sql_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Takes the next number of a counter.
fn bump(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "INSERT INTO payment_counter (name, value) VALUES (?1, 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
        [name],
        |r| r.get(0),
    )
}

pub fn rfc3339(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// VNPay's dates: `yyyyMMddHHmmss`, GMT+7.
pub fn vnp_date(at: DateTime<FixedOffset>) -> String {
    at.format("%Y%m%d%H%M%S").to_string()
}
