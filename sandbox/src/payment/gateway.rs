//! The sandbox's VNPay 2.1.0 gateway: the page a signed pay URL opens (choose a bank, then pay,
//! cancel or fail with a chosen code), the IPN it sends the merchant (with injected faults), the
//! browser's redirect to `vnp_ReturnUrl`, and `querydr`. It knows the merchant by its TmnCode and
//! HashSecret, keeps its transactions in its own table, and pays a TxnRef at most once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::vnpay;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use reqwest::redirect::Policy;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{QUERYDR_PATH, now, random_hex, vnp_params};
use super::pages::{self, BANKS, FAIL_CODES, Lang, PayPage};
use super::store::vnp_date;
use crate::robot::RobotError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS gateway_txn (
    tmn_code TEXT NOT NULL,
    txn_ref TEXT NOT NULL,
    transaction_no TEXT NOT NULL UNIQUE,
    amount INTEGER NOT NULL,             -- vnp_Amount: VND x 100
    order_info TEXT NOT NULL,
    bank_code TEXT NOT NULL,
    bank_tran_no TEXT,
    response_code TEXT NOT NULL,
    transaction_status TEXT NOT NULL,
    pay_date TEXT NOT NULL,
    PRIMARY KEY (tmn_code, txn_ref)
);
";

/// VNPay's transaction numbers are 8 digits.
const FIRST_TRANSACTION_NO: i64 = 14_000_000;
const MERCHANT_NAME: &str = "Cổng Dịch vụ công tỉnh Hải Dương";
const IPN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpnFaultKind {
    /// Sent `delay_ms` later, after the browser has gone back.
    Delay,
    /// Sent twice.
    Duplicate,
    /// Sent, then the gateway's previous IPN is sent again after it.
    Reorder,
    /// Never sent: only `querydr` tells the outcome.
    Drop,
}

fn default_delay_ms() -> u64 {
    2_000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IpnFault {
    pub ipn: IpnFaultKind,
    #[serde(default = "default_delay_ms")]
    pub delay_ms: u64,
}

/// One IPN the gateway sent (or dropped), and the merchant's `RspCode`.
#[derive(Debug, Clone, Serialize)]
pub struct IpnDelivery {
    pub txn_ref: String,
    pub delivered: bool,
    pub rsp_code: Option<String>,
}

/// A transaction at the gateway: the resident paid, cancelled or failed.
struct Txn {
    txn_ref: String,
    transaction_no: String,
    amount: u64,
    order_info: String,
    bank_code: String,
    bank_tran_no: Option<String>,
    response_code: String,
    transaction_status: String,
    pay_date: String,
}

/// A checked pay request.
struct PayRequest {
    txn_ref: String,
    amount: u64,
    order_info: String,
    return_url: String,
    expire_date: Option<String>,
}

enum Refusal {
    BadSignature,
    Invalid(&'static str),
    Expired,
    AlreadyProcessed,
    Internal,
}

impl Refusal {
    fn page(self, lang: Lang) -> Response {
        match self {
            Refusal::BadSignature => pages::notice(
                StatusCode::BAD_REQUEST,
                lang,
                "Sai chữ ký: yêu cầu thanh toán không hợp lệ",
                "Invalid signature: the payment request was altered",
                Some("vnp_SecureHash"),
            ),
            Refusal::Invalid(what) => pages::notice(
                StatusCode::BAD_REQUEST,
                lang,
                "Yêu cầu thanh toán không hợp lệ",
                "Invalid payment request",
                Some(what),
            ),
            Refusal::Expired => pages::notice(
                StatusCode::GONE,
                lang,
                "Giao dịch đã hết hạn thanh toán",
                "This payment request has expired",
                None,
            ),
            Refusal::AlreadyProcessed => pages::notice(
                StatusCode::CONFLICT,
                lang,
                "Giao dịch này đã được xử lý",
                "This transaction has already been processed",
                None,
            ),
            Refusal::Internal => pages::notice(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                "Cổng thanh toán đang gặp sự cố",
                "The gateway had a problem",
                None,
            ),
        }
    }
}

pub struct Gateway {
    db: Mutex<Connection>,
    tmn_code: String,
    secret: Vec<u8>,
    ipn_url: String,
    http: reqwest::Client,
    fault: Mutex<Option<IpnFault>>,
    last_ipn: Mutex<Option<String>>,
    log: Mutex<Vec<IpnDelivery>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Gateway {
    /// The gateway with its one merchant: the portal, its HashSecret and its IPN URL.
    pub fn open(
        path: &Path,
        tmn_code: &str,
        secret: &[u8],
        ipn_url: String,
        http: reqwest::Client,
    ) -> rusqlite::Result<Gateway> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Gateway {
            db: Mutex::new(conn),
            tmn_code: tmn_code.to_owned(),
            secret: secret.to_vec(),
            ipn_url,
            http,
            fault: Mutex::new(None),
            last_ipn: Mutex::new(None),
            log: Mutex::new(Vec::new()),
        })
    }

    pub fn fault(&self) -> Option<IpnFault> {
        lock(&self.fault).clone()
    }

    pub fn set_fault(&self, fault: Option<IpnFault>) {
        *lock(&self.fault) = fault;
    }

    pub fn deliveries(&self) -> Vec<IpnDelivery> {
        lock(&self.log).clone()
    }

    /// Checks a pay request's signature and fields.
    fn check(&self, params: &[(String, String)], now: DateTime<FixedOffset>) -> Result<PayRequest, Refusal> {
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
        if get("vnp_TmnCode") != self.tmn_code {
            return Err(Refusal::Invalid("vnp_TmnCode: unknown merchant"));
        }
        if !vnpay::verify(params, &self.secret) {
            return Err(Refusal::BadSignature);
        }
        if get("vnp_Version") != "2.1.0" || get("vnp_Command") != "pay" {
            return Err(Refusal::Invalid("vnp_Version 2.1.0 and vnp_Command pay"));
        }
        if get("vnp_CurrCode") != "VND" {
            return Err(Refusal::Invalid("vnp_CurrCode"));
        }
        let amount: u64 = get("vnp_Amount").parse().map_err(|_| Refusal::Invalid("vnp_Amount"))?;
        if amount == 0 || !amount.is_multiple_of(100) {
            return Err(Refusal::Invalid("vnp_Amount"));
        }
        let txn_ref = get("vnp_TxnRef");
        if txn_ref.is_empty() || txn_ref.len() > 100 {
            return Err(Refusal::Invalid("vnp_TxnRef"));
        }
        let return_url = get("vnp_ReturnUrl");
        if url::Url::parse(return_url).is_err() {
            return Err(Refusal::Invalid("vnp_ReturnUrl"));
        }
        if parse_vnp_date(get("vnp_CreateDate")).is_none() {
            return Err(Refusal::Invalid("vnp_CreateDate"));
        }
        let expire_date = match get("vnp_ExpireDate") {
            "" => None,
            date if parse_vnp_date(date).is_some() => Some(date.to_owned()),
            _ => return Err(Refusal::Invalid("vnp_ExpireDate")),
        };
        if expire_date.as_deref().is_some_and(|date| vnp_date(now).as_str() > date) {
            return Err(Refusal::Expired);
        }
        Ok(PayRequest {
            txn_ref: txn_ref.to_owned(),
            amount,
            order_info: get("vnp_OrderInfo").to_owned(),
            return_url: return_url.to_owned(),
            expire_date,
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.db)
    }

    fn find(&self, txn_ref: &str) -> rusqlite::Result<Option<Txn>> {
        self.db()
            .query_row(
                "SELECT txn_ref, transaction_no, amount, order_info, bank_code, bank_tran_no, response_code,
                        transaction_status, pay_date
                 FROM gateway_txn WHERE tmn_code = ?1 AND txn_ref = ?2",
                params![self.tmn_code, txn_ref],
                |r| {
                    Ok(Txn {
                        txn_ref: r.get(0)?,
                        transaction_no: r.get(1)?,
                        amount: r.get::<_, i64>(2)?.max(0) as u64,
                        order_info: r.get(3)?,
                        bank_code: r.get(4)?,
                        bank_tran_no: r.get(5)?,
                        response_code: r.get(6)?,
                        transaction_status: r.get(7)?,
                        pay_date: r.get(8)?,
                    })
                },
            )
            .optional()
    }

    /// Records the resident's choice: once per TxnRef, and never after the request expired.
    fn record(
        &self,
        req: &PayRequest,
        (response_code, transaction_status): (&str, &str),
        bank_code: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Txn, Refusal> {
        let internal = |e: rusqlite::Error| {
            tracing::error!("sandbox gateway: {e}");
            Refusal::Internal
        };
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate).map_err(internal)?;
        if req.expire_date.as_deref().is_some_and(|date| vnp_date(now).as_str() > date) {
            return Err(Refusal::Expired);
        }
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM gateway_txn WHERE tmn_code = ?1 AND txn_ref = ?2)",
                params![self.tmn_code, req.txn_ref],
                |r| r.get(0),
            )
            .map_err(internal)?;
        if exists {
            return Err(Refusal::AlreadyProcessed);
        }
        let count: i64 = tx.query_row("SELECT count(*) FROM gateway_txn", [], |r| r.get(0)).map_err(internal)?;
        let transaction_no = (FIRST_TRANSACTION_NO + count + 1).to_string();
        let paid = response_code == "00" && transaction_status == "00";
        let txn = Txn {
            txn_ref: req.txn_ref.clone(),
            bank_tran_no: paid.then(|| format!("VNP{transaction_no}")),
            transaction_no,
            amount: req.amount,
            order_info: req.order_info.clone(),
            bank_code: bank_code.to_owned(),
            response_code: response_code.to_owned(),
            transaction_status: transaction_status.to_owned(),
            pay_date: vnp_date(now),
        };
        tx.execute(
            "INSERT INTO gateway_txn (tmn_code, txn_ref, transaction_no, amount, order_info, bank_code, bank_tran_no,
                response_code, transaction_status, pay_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                self.tmn_code,
                txn.txn_ref,
                txn.transaction_no,
                txn.amount as i64,
                txn.order_info,
                txn.bank_code,
                txn.bank_tran_no,
                txn.response_code,
                txn.transaction_status,
                txn.pay_date
            ],
        )
        .map_err(internal)?;
        tx.commit().map_err(internal)?;
        Ok(txn)
    }

    /// The signed result, as the IPN and the browser's return carry it.
    fn result_query(&self, t: &Txn) -> String {
        let mut params: Vec<(String, String)> = [
            ("vnp_Amount", t.amount.to_string()),
            ("vnp_BankCode", t.bank_code.clone()),
            ("vnp_BankTranNo", t.bank_tran_no.clone().unwrap_or_default()),
            ("vnp_CardType", "ATM".to_owned()),
            ("vnp_OrderInfo", t.order_info.clone()),
            ("vnp_PayDate", t.pay_date.clone()),
            ("vnp_ResponseCode", t.response_code.clone()),
            ("vnp_TmnCode", self.tmn_code.clone()),
            ("vnp_TransactionNo", t.transaction_no.clone()),
            ("vnp_TransactionStatus", t.transaction_status.clone()),
            ("vnp_TxnRef", t.txn_ref.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let hash = vnpay::sign(&params, &self.secret);
        params.push(("vnp_SecureHash".to_owned(), hash));
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
    }

    /// Sends one IPN and logs the merchant's answer.
    async fn deliver(&self, query: &str) {
        let txn_ref = txn_ref_of(query);
        let answer = self.http.get(format!("{}?{query}", self.ipn_url)).timeout(IPN_TIMEOUT).send().await;
        let rsp_code = match answer {
            Ok(response) => response.json::<Value>().await.ok().and_then(|v| v["RspCode"].as_str().map(str::to_owned)),
            Err(e) => {
                tracing::warn!(%txn_ref, "the IPN got no answer: {e}");
                None
            }
        };
        lock(&self.log).push(IpnDelivery { txn_ref, delivered: true, rsp_code });
    }

    /// The `querydr` answer, signed over VNPay's response fields in their order.
    fn querydr_answer(&self, code: &str, message: &str, txn_ref: &str, txn: Option<&Txn>) -> Value {
        let response_id = random_hex(16);
        let amount = txn.map(|t| t.amount.to_string()).unwrap_or_default();
        let field = |f: fn(&Txn) -> &str| txn.map(f).unwrap_or("").to_owned();
        let bank_code = field(|t| &t.bank_code);
        let pay_date = field(|t| &t.pay_date);
        let transaction_no = field(|t| &t.transaction_no);
        let status = field(|t| &t.transaction_status);
        let order_info = field(|t| &t.order_info);
        let transaction_type = if txn.is_some() { "01" } else { "" };
        let hash = vnpay::querydr_hash(
            &[
                &response_id,
                "querydr",
                code,
                message,
                &self.tmn_code,
                txn_ref,
                &amount,
                &bank_code,
                &pay_date,
                &transaction_no,
                transaction_type,
                &status,
                &order_info,
                "",
                "",
            ],
            &self.secret,
        );
        json!({
            "vnp_ResponseId": response_id,
            "vnp_Command": "querydr",
            "vnp_ResponseCode": code,
            "vnp_Message": message,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": txn_ref,
            "vnp_Amount": amount,
            "vnp_BankCode": bank_code,
            "vnp_PayDate": pay_date,
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionType": transaction_type,
            "vnp_TransactionStatus": status,
            "vnp_OrderInfo": order_info,
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
            "vnp_SecureHash": hash,
        })
    }
}

/// The fields `querydr`'s answer is signed over, in VNPay's order.
pub const QUERYDR_RESPONSE_FIELDS: [&str; 15] = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
];

fn txn_ref_of(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "vnp_TxnRef")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn parse_vnp_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    FixedOffset::east_opt(7 * 3600)?.from_local_datetime(&naive).single()
}

/// Sends the IPN for a transaction, as the injected fault says.
async fn notify(gateway: &Arc<Gateway>, query: String) {
    let previous = lock(&gateway.last_ipn).replace(query.clone());
    match gateway.fault() {
        None => gateway.deliver(&query).await,
        Some(IpnFault { ipn: IpnFaultKind::Duplicate, .. }) => {
            gateway.deliver(&query).await;
            gateway.deliver(&query).await;
        }
        Some(IpnFault { ipn: IpnFaultKind::Reorder, .. }) => {
            gateway.deliver(&query).await;
            if let Some(previous) = previous {
                gateway.deliver(&previous).await;
            }
        }
        Some(IpnFault { ipn: IpnFaultKind::Drop, .. }) => {
            lock(&gateway.log).push(IpnDelivery { txn_ref: txn_ref_of(&query), delivered: false, rsp_code: None });
        }
        Some(IpnFault { ipn: IpnFaultKind::Delay, delay_ms }) => {
            let gateway = gateway.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                gateway.deliver(&query).await;
            });
        }
    }
}

pub fn router() -> OpenApiRouter<Arc<Gateway>> {
    OpenApiRouter::new().routes(routes!(page, act)).routes(routes!(querydr))
}

fn lang_of(params: &[(String, String)]) -> Lang {
    Lang::of_locale(params.iter().find(|(k, _)| k == "vnp_Locale").map(|(_, v)| v.as_str()))
}

#[utoipa::path(get, path = "/gateway/vpcpay.html", operation_id = "gateway_page", tag = "pages",
    description = "The gateway's pay page for a signed VNPay pay URL (vnp_* in the query).",
    responses((status = 200, content_type = "text/html", body = String), (status = 400, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String), (status = 409, content_type = "text/html", body = String), (status = 410, content_type = "text/html", body = String)))]
async fn page(State(gateway): State<Arc<Gateway>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let Ok(params) = vnp_params(&query) else { return Refusal::Invalid("a parameter is repeated").page(Lang::Vi) };
    // The page's own language switch (`lang`, outside the signed `vnp_` parameters), as on
    // VNPay's page; the app's `vnp_Locale` otherwise.
    let signed: Vec<&str> = query.split('&').filter(|pair| !pair.starts_with("lang=")).collect();
    let signed = signed.join("&");
    let lang = match url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "lang") {
        Some((_, v)) if v == "en" => Lang::En,
        Some((_, v)) if v == "vi" => Lang::Vi,
        _ => lang_of(&params),
    };
    let req = match gateway.check(&params, now()) {
        Ok(req) => req,
        Err(refusal) => return refusal.page(lang),
    };
    match gateway.find(&req.txn_ref) {
        Ok(None) => {}
        Ok(Some(_)) => return Refusal::AlreadyProcessed.page(lang),
        Err(e) => {
            tracing::error!("sandbox gateway: {e}");
            return Refusal::Internal.page(lang);
        }
    }
    let expires =
        req.expire_date.as_deref().and_then(parse_vnp_date).map(|at| at.format("%H:%M:%S %d/%m/%Y").to_string());
    let page = PayPage {
        lang,
        merchant: MERCHANT_NAME,
        tmn_code: &gateway.tmn_code,
        amount_vnd: req.amount / 100,
        order_info: &req.order_info,
        txn_ref: &req.txn_ref,
        expires: expires.as_deref(),
        request: &URL_SAFE_NO_PAD.encode(signed.as_bytes()),
        signed_query: &signed,
    };
    ([(header::CACHE_CONTROL, "no-store")], pages::gateway(&page)).into_response()
}

/// The resident's choice on the page: record it, notify the merchant, send the browser back.
#[utoipa::path(post, path = "/gateway/vpcpay.html", tag = "pages",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, content_type = "text/html", body = String), (status = 302, description = "Về cổng / Back to the merchant's return URL"),
        (status = 400, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String), (status = 409, content_type = "text/html", body = String), (status = 410, content_type = "text/html", body = String)))]
async fn act(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    let mut form: HashMap<String, String> = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(&body).into_owned() {
        if form.insert(key, value).is_some() {
            return Refusal::Invalid("a parameter is repeated").page(Lang::Vi);
        }
    }
    let query = form
        .get("request")
        .and_then(|r| URL_SAFE_NO_PAD.decode(r).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(query) = query else { return Refusal::Invalid("request").page(Lang::Vi) };
    let Ok(params) = vnp_params(&query) else { return Refusal::Invalid("a parameter is repeated").page(Lang::Vi) };
    let lang = lang_of(&params);
    let req = match gateway.check(&params, now()) {
        Ok(req) => req,
        Err(refusal) => return refusal.page(lang),
    };
    let bank = form.get("bank").map_or("", String::as_str);
    let known_bank = BANKS.iter().any(|(code, _)| *code == bank);
    let outcome = match (form.get("action").map(String::as_str), form.get("fail_code").map(String::as_str)) {
        (Some("pay"), _) if known_bank => ("00", "00"),
        (Some("pay"), _) => {
            return pages::notice(StatusCode::BAD_REQUEST, lang, "Hãy chọn ngân hàng", "Choose a bank first", None);
        }
        (Some("cancel"), _) => ("24", "02"),
        // 07: debited, but held as suspicious; every other failure is an error.
        (Some("fail"), Some(code)) if FAIL_CODES.contains(&code) => (code, if code == "07" { "07" } else { "02" }),
        _ => return Refusal::Invalid("action").page(lang),
    };
    let bank = if known_bank { bank } else { "" };
    let txn = match gateway.record(&req, outcome, bank, now()) {
        Ok(txn) => txn,
        Err(refusal) => return refusal.page(lang),
    };
    let result = gateway.result_query(&txn);
    notify(&gateway, result.clone()).await;
    let separator = if req.return_url.contains('?') { '&' } else { '?' };
    (StatusCode::FOUND, [(header::LOCATION, format!("{}{separator}{result}", req.return_url))]).into_response()
}

#[derive(Default, Deserialize)]
#[serde(default)]
#[allow(non_snake_case)] // VNPay's field names
struct QueryDr {
    vnp_RequestId: String,
    vnp_Version: String,
    vnp_Command: String,
    vnp_TmnCode: String,
    vnp_TxnRef: String,
    vnp_OrderInfo: String,
    vnp_TransactionDate: String,
    vnp_CreateDate: String,
    vnp_IpAddr: String,
    vnp_SecureHash: String,
}

/// `querydr`: what happened to a TxnRef (`91` when the resident never acted on it).
#[utoipa::path(post, path = QUERYDR_PATH, tag = "payments",
    description = "VNPay's querydr (merchant web API): what happened to a TxnRef. Errors are VNPay response codes.",
    request_body = Object,
    responses((status = 200, description = "vnp_ResponseCode, vnp_TransactionStatus...", body = Object)))]
async fn querydr(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Json<Value> {
    let Ok(q) = serde_json::from_slice::<QueryDr>(&body) else {
        return Json(gateway.querydr_answer("99", "Invalid request", "", None));
    };
    let hash = vnpay::querydr_hash(
        &[
            &q.vnp_RequestId,
            &q.vnp_Version,
            &q.vnp_Command,
            &q.vnp_TmnCode,
            &q.vnp_TxnRef,
            &q.vnp_TransactionDate,
            &q.vnp_CreateDate,
            &q.vnp_IpAddr,
            &q.vnp_OrderInfo,
        ],
        &gateway.secret,
    );
    if q.vnp_TmnCode != gateway.tmn_code || !same(&hash, &q.vnp_SecureHash) {
        return Json(gateway.querydr_answer("97", "Invalid Checksum", &q.vnp_TxnRef, None));
    }
    if q.vnp_Command != "querydr" || q.vnp_Version != "2.1.0" || q.vnp_RequestId.is_empty() {
        return Json(gateway.querydr_answer("99", "Invalid request", &q.vnp_TxnRef, None));
    }
    Json(match gateway.find(&q.vnp_TxnRef) {
        Ok(Some(txn)) => gateway.querydr_answer("00", "Query success", &q.vnp_TxnRef, Some(&txn)),
        Ok(None) => gateway.querydr_answer("91", "Transaction not found", &q.vnp_TxnRef, None),
        Err(e) => {
            tracing::error!("sandbox gateway: {e}");
            gateway.querydr_answer("99", "Unknown error", &q.vnp_TxnRef, None)
        }
    })
}

/// Compares two hashes in constant time (of their length).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a resident does on the gateway page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAction {
    /// Choose a bank (`NCB`, `VIETCOMBANK`, …) and pay.
    Pay {
        bank: String,
    },
    Cancel,
    /// Fail with a VNPay response code (`09`, `11`, `24`, `51`, `65`, `75`, `07`).
    Fail {
        code: String,
    },
}

/// A scripted resident at the gateway page, for the demo and the tests: opens `pay_url`, submits
/// the page's form, follows the redirects within the sandbox, and returns the URL the browser is
/// finally sent to (the app's return URL with the signed result).
pub async fn pay_at_gateway(pay_url: &str, action: &GatewayAction) -> Result<String, RobotError> {
    let bad = |e: String| RobotError::Page(e);
    // Plain loopback HTTP only; the provider install is for reqwest's rustls-no-provider build.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().redirect(Policy::none()).build()?;
    let page_url = url::Url::parse(pay_url).map_err(|e| bad(e.to_string()))?;
    let response = client.get(page_url.clone()).send().await?;
    let status = response.status();
    let page = response.text().await?;
    if !status.is_success() {
        return Err(bad(format!("the gateway page answered {status}")));
    }
    let marker = "name=\"request\" value=\"";
    let start = page.find(marker).ok_or_else(|| bad("no payment form".into()))? + marker.len();
    let end = page[start..].find('"').ok_or_else(|| bad("no payment form".into()))?;
    let mut form = vec![("request", &page[start..start + end])];
    match action {
        GatewayAction::Pay { bank } => form.extend([("action", "pay"), ("bank", bank.as_str())]),
        GatewayAction::Cancel => form.push(("action", "cancel")),
        GatewayAction::Fail { code } => form.extend([("action", "fail"), ("fail_code", code.as_str())]),
    }
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut response = client
        .post(page_url.join("/gateway/vpcpay.html").map_err(|e| bad(e.to_string()))?)
        .header(header::CONTENT_TYPE.as_str(), "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    loop {
        if !response.status().is_redirection() {
            return Err(bad(format!("the gateway answered {} instead of a redirect", response.status())));
        }
        let location = response
            .headers()
            .get(header::LOCATION.as_str())
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| bad("a redirect without a location".into()))?;
        let next = page_url.join(location).map_err(|e| bad(e.to_string()))?;
        if next.origin() != page_url.origin() {
            return Ok(next.to_string());
        }
        response = client.get(next).send().await?;
    }
}
