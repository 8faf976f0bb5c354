//! Fee payments in the sandbox: the portal's payment orders (one per dossier's fees, idempotent on
//! the order key), a VNPay 2.1.0 gateway (signed pay URL, bilingual gateway page, IPN to the
//! portal, browser return, `querydr`), VietQR with a bank simulator, Ed25519 e-receipts, the
//! ledger of charges tests read, and IPN faults. The wire contract is the "Payments" section of
//! `docs/portal-api.md`. The VNPay merchant side is the portal's own ([`vnpay`]); the VietQR codec
//! is the shared model's.
//!
//! The portal and the gateway are two parties that share only the merchant's HashSecret and talk
//! over HTTP (IPN, `querydr`), as in production. Business state changes only on the gateway's
//! word (a verified IPN, or `querydr`) or the treasury's (a bank transfer); the browser's return
//! only marks an attempt `processing`.

mod bank;
mod gateway;
mod pages;
mod receipt;
mod store;
pub mod vnpay;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRef, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::{Value, json};
use smarthd_model::catalog::{Channel, Procedure, Subject};
use smarthd_model::vietqr;
use url::{Host, Url};

pub(crate) use crate::api_error::ApiError;
use crate::identity::{Authenticated, IdentityProvider};
use crate::portal::Portal;
pub use gateway::{GatewayAction, IpnDelivery, IpnFault, IpnFaultKind, pay_at_gateway};
use store::{AttemptSpec, Confirmation, Confirmed, FeeLine, Issued, Live, Method, NewOrder, Opened, Store};

/// The portal's merchant code at the gateway (`vnp_TmnCode`, 8 characters).
pub const TMN_CODE: &str = "HDPORTAL";
/// The State Treasury's collection account VietQR transfers go to (sandbox values).
pub const TREASURY_BIN: &str = "970415";
pub const TREASURY_ACCOUNT: &str = "3751105542700";
const RETURN_PATH: &str = "/api/v1/payments/vnpay/return";
const IPN_PATH: &str = "/api/v1/payments/vnpay/ipn";
const QUERYDR_PATH: &str = "/gateway/merchant_webapi/api/transaction";
/// The app's private-use scheme: any path under it is a valid return URL.
const APP_SCHEME: &str = "vn.gov.haiduong.smarthd";
/// An order request settles an overdue attempt, then reads again; a few rounds cover races.
const SETTLE_ROUNDS: usize = 3;
const HASH_SECRET: &str = "vnpay_hash_secret";
const RECEIPT_KEY: &str = "receipt_key_r1";

#[derive(Debug, Clone)]
pub struct PaymentConfig {
    /// How long an attempt can be paid: the order's `expires_at`, the pay URL's `vnp_ExpireDate`.
    pub order_ttl: Duration,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        PaymentConfig { order_ttl: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("payments database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("payments HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the receipt signing key could not be made or read")]
    Key,
    #[error("no random bytes for the HashSecret")]
    Random,
}

/// The payment side of the sandbox: the portal's orders, and the gateway and bank it deals with.
pub struct Payments {
    store: Store,
    gateway: gateway::Gateway,
    /// The portal's HashSecret; the gateway holds its own copy, as a real one does.
    secret: Vec<u8>,
    signer: receipt::Signer,
    config: PaymentConfig,
    /// Where browsers reach the sandbox (pay URLs), and where its parties call each other.
    public_base: String,
    internal_base: String,
    http: reqwest::Client,
}

impl Payments {
    /// Opens the payment tables in the sandbox database; the HashSecret and the receipt key are
    /// made the first time and kept, so pay URLs and receipts stay valid across restarts.
    pub fn open(
        db_path: &Path,
        public_base: &str,
        internal_base: &str,
        config: PaymentConfig,
    ) -> Result<Payments, OpenError> {
        // Plain loopback HTTP only; the provider install is for reqwest's rustls-no-provider build.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        let store = Store::open(db_path)?;
        let secret = store.secret(HASH_SECRET, || Some(random_hex(16).to_ascii_uppercase().into_bytes()))?;
        let secret = secret.filter(|s| !s.is_empty()).ok_or(OpenError::Random)?;
        let pkcs8 = store.secret(RECEIPT_KEY, receipt::Signer::generate)?.ok_or(OpenError::Key)?;
        let signer = receipt::Signer::from_pkcs8(&pkcs8).ok_or(OpenError::Key)?;
        let internal_base = internal_base.trim_end_matches('/').to_owned();
        let gateway =
            gateway::Gateway::open(db_path, TMN_CODE, &secret, format!("{internal_base}{IPN_PATH}"), http.clone())?;
        Ok(Payments {
            store,
            gateway,
            secret,
            signer,
            config,
            public_base: public_base.trim_end_matches('/').to_owned(),
            internal_base,
            http,
        })
    }

    /// The merchant's HashSecret, for tests that sign IPNs as the gateway would.
    pub fn hash_secret(&self) -> &[u8] {
        &self.secret
    }

    /// The pay URL or VietQR payload of a new attempt.
    fn issue(&self, spec: &AttemptSpec<'_>, locale: &str, ip: &str) -> Issued {
        match spec.method {
            Method::Gateway => {
                let params: Vec<(String, String)> = [
                    ("vnp_Version", "2.1.0".to_owned()),
                    ("vnp_Command", "pay".to_owned()),
                    ("vnp_TmnCode", TMN_CODE.to_owned()),
                    ("vnp_Amount", (spec.amount_vnd * 100).to_string()),
                    ("vnp_CurrCode", "VND".to_owned()),
                    ("vnp_TxnRef", spec.txn_ref.to_owned()),
                    ("vnp_OrderInfo", format!("Thanh toan le phi ho so {}", spec.dossier_code)),
                    ("vnp_OrderType", "billpayment".to_owned()),
                    ("vnp_Locale", locale.to_owned()),
                    ("vnp_ReturnUrl", format!("{}{RETURN_PATH}", self.public_base)),
                    ("vnp_IpAddr", ip.to_owned()),
                    ("vnp_CreateDate", store::vnp_date(spec.created)),
                    ("vnp_ExpireDate", store::vnp_date(spec.expires)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                let hash = vnpay::sign(&params, &self.secret);
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params)
                    .append_pair("vnp_SecureHash", &hash)
                    .finish();
                Issued { pay_url: Some(format!("{}/gateway/vpcpay.html?{query}", self.public_base)), vietqr: None }
            }
            Method::Vietqr => {
                let qr = vietqr::VietQr {
                    bin: TREASURY_BIN.to_owned(),
                    account: TREASURY_ACCOUNT.to_owned(),
                    to_card: false,
                    amount: u64::try_from(spec.amount_vnd).ok(),
                    bill_number: Some(spec.txn_ref.to_owned()),
                    // EMVCo purpose is at most 25 characters: the dossier code fits.
                    purpose: Some(format!("HS {}", spec.dossier_code)),
                };
                Issued { pay_url: None, vietqr: Some(vietqr::encode(&qr)) }
            }
        }
    }

    /// Asks the gateway about a live attempt and applies its answer; an attempt past its time
    /// that nobody paid expires. A VietQR attempt has nobody to ask: the bank notifies.
    async fn settle(&self, live: &Live) -> Result<(), ApiError> {
        if live.method == Method::Gateway {
            let answer = self.query_gateway(live).await.map_err(|e| {
                tracing::warn!(txn_ref = %live.txn_ref, "querydr failed: {e}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "gateway_unavailable", "the gateway did not answer")
            })?;
            if let Some(found) = answer {
                let confirmation = Confirmation {
                    txn_ref: &live.txn_ref,
                    amount_vnd: found.amount / 100,
                    transaction_no: &found.transaction_no,
                    response_code: &found.transaction_status,
                    transaction_status: &found.transaction_status,
                    bank_tran_no: None,
                    source: "querydr",
                };
                if let Confirmed::WrongAmount = self.store.confirm(&confirmation, &self.signer, now())? {
                    tracing::error!(txn_ref = %live.txn_ref, "querydr reports another amount; not applied");
                }
                return Ok(());
            }
        }
        if live.overdue(now()) {
            self.store.expire(&live.txn_ref)?;
        }
        Ok(())
    }

    /// `querydr` for a live attempt: the gateway's transaction, or `None` if the resident has
    /// not acted on it yet.
    async fn query_gateway(&self, live: &Live) -> Result<Option<Found>, String> {
        let request_id = random_hex(16);
        let create_date = store::vnp_date(now());
        let order_info = format!("Truy van giao dich {}", live.txn_ref);
        let ip = Ipv4Addr::LOCALHOST.to_string();
        let fields = [
            request_id.as_str(),
            "2.1.0",
            "querydr",
            TMN_CODE,
            &live.txn_ref,
            &live.transaction_date,
            &create_date,
            &ip,
            &order_info,
        ];
        let body = json!({
            "vnp_RequestId": request_id,
            "vnp_Version": "2.1.0",
            "vnp_Command": "querydr",
            "vnp_TmnCode": TMN_CODE,
            "vnp_TxnRef": live.txn_ref,
            "vnp_OrderInfo": order_info,
            "vnp_TransactionDate": live.transaction_date,
            "vnp_CreateDate": create_date,
            "vnp_IpAddr": ip,
            "vnp_SecureHash": vnpay::querydr_hash(&fields, &self.secret),
        });
        let answer: Value = self
            .http
            .post(format!("{}{QUERYDR_PATH}", self.internal_base))
            .json(&body)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let field = |name: &str| answer[name].as_str().unwrap_or("").to_owned();
        let signed: Vec<String> = gateway::QUERYDR_RESPONSE_FIELDS.iter().map(|f| field(f)).collect();
        let signed: Vec<&str> = signed.iter().map(String::as_str).collect();
        if !gateway::same(&vnpay::querydr_hash(&signed, &self.secret), &field("vnp_SecureHash")) {
            return Err("the querydr answer's signature does not verify".into());
        }
        match (field("vnp_ResponseCode").as_str(), field("vnp_TransactionStatus").as_str()) {
            ("91", _) | ("00", "01") => Ok(None),
            ("00", status) => Ok(Some(Found {
                amount: field("vnp_Amount").parse().map_err(|_| "querydr: bad vnp_Amount".to_owned())?,
                transaction_no: field("vnp_TransactionNo"),
                transaction_status: status.to_owned(),
            })),
            (code, _) => Err(format!("querydr answered {code}: {}", field("vnp_Message"))),
        }
    }

    /// The IPN: verify, find, check the amount, apply once. Answers VNPay's `RspCode`.
    fn handle_ipn(&self, query: &str) -> (&'static str, &'static str) {
        let params = vnp_params(query);
        if !vnpay::verify(&params, &self.secret) {
            return ("97", "Invalid Checksum");
        }
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
        let (Some(txn_ref), Some(amount), Some(response_code), Some(transaction_status), Some(transaction_no)) = (
            get("vnp_TxnRef"),
            get("vnp_Amount"),
            get("vnp_ResponseCode"),
            get("vnp_TransactionStatus"),
            get("vnp_TransactionNo"),
        ) else {
            return ("99", "Input data required");
        };
        let amount_vnd = match amount.parse::<i64>() {
            Ok(amount) if amount % 100 == 0 => amount / 100,
            _ => return ("04", "Invalid amount"),
        };
        let confirmation = Confirmation {
            txn_ref,
            amount_vnd,
            transaction_no,
            response_code,
            transaction_status,
            bank_tran_no: get("vnp_BankTranNo"),
            source: "ipn",
        };
        match self.store.confirm(&confirmation, &self.signer, now()) {
            Ok(Confirmed::UnknownTxn) => ("01", "Order not found"),
            Ok(Confirmed::WrongAmount) => ("04", "Invalid amount"),
            Ok(Confirmed::Duplicate) => ("02", "Order already confirmed"),
            Ok(Confirmed::Applied) => ("00", "Confirm Success"),
            Err(e) => {
                tracing::error!("sandbox IPN: {e}");
                ("99", "Unknown error")
            }
        }
    }
}

/// What `querydr` says the gateway did with a TxnRef.
struct Found {
    /// `vnp_Amount`: VND x 100.
    amount: i64,
    transaction_no: String,
    transaction_status: String,
}

#[derive(Clone)]
struct AppState {
    payments: Arc<Payments>,
    portal: Arc<Portal>,
    idp: Arc<IdentityProvider>,
}

impl FromRef<AppState> for Arc<IdentityProvider> {
    fn from_ref(state: &AppState) -> Arc<IdentityProvider> {
        state.idp.clone()
    }
}

impl FromRef<AppState> for Arc<Payments> {
    fn from_ref(state: &AppState) -> Arc<Payments> {
        state.payments.clone()
    }
}

/// The portal's payment and receipt routes, the gateway, the bank simulator and the admin routes.
pub fn router(payments: Arc<Payments>, portal: Arc<Portal>, idp: Arc<IdentityProvider>) -> Router {
    let parties = gateway::router().merge(bank::router()).with_state(payments.clone());
    Router::new()
        .route("/api/v1/payments", post(create))
        .route("/api/v1/payments/{order_id}", get(order))
        .route("/api/v1/payments/{order_id}/reconcile", post(reconcile))
        .route(IPN_PATH, get(ipn))
        .route(RETURN_PATH, get(returned))
        .route("/api/v1/receipts/keys", get(receipt_keys))
        .route("/api/v1/receipts/{receipt_id}", get(receipt))
        .route("/admin/payments/ledger", get(ledger))
        .route("/admin/payments/faults", post(set_fault).get(fault).delete(clear_fault))
        .route("/admin/payments/ipn", get(ipn_log))
        .with_state(AppState { payments, portal, idp })
        .merge(parties)
}

fn private(status: StatusCode, body: impl serde::Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

#[derive(Deserialize)]
struct CreateBody {
    dossier_id: String,
    method: String,
    return_url: String,
    #[serde(default)]
    locale: Option<String>,
}

async fn create(
    State(s): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth.require_level(2)?;
    let body: CreateBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("invalid body: {e}")))?;
    let method =
        Method::parse(&body.method).ok_or_else(|| ApiError::unprocessable("method", "method is gateway or vietqr"))?;
    if !return_url_allowed(&body.return_url) {
        return Err(ApiError::unprocessable(
            "return_url",
            "return_url is the app's scheme or a loopback http URL, without a fragment",
        ));
    }
    let locale = match body.locale.as_deref() {
        None | Some("vn") => "vn",
        Some("en") => "en",
        Some(_) => return Err(ApiError::unprocessable("locale", "locale is vn or en")),
    };
    let p = &s.payments;
    let dossier = p.store.dossier(&body.dossier_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("dossier"))?;
    let fee_lines = fee_lines(&s.portal, &dossier.procedure_code, &dossier.applicant)?;
    let amount_vnd = fee_lines.iter().map(|f| f.amount_vnd).sum();
    if amount_vnd <= 0 {
        return Err(ApiError::new(StatusCode::CONFLICT, "no_fee", "this dossier has no fee to pay online"));
    }
    let ip = client_ip(&headers);
    let new = NewOrder {
        dossier_id: &body.dossier_id,
        dossier_code: &dossier.code,
        sub: &auth.sub,
        fee_lines: &fee_lines,
        amount_vnd,
        method,
        return_url: &body.return_url,
    };
    for _ in 0..SETTLE_ROUNDS {
        match p.store.open_order(&new, now(), p.config.order_ttl, |spec| p.issue(spec, locale, &ip))? {
            Opened::Ready { view, created } => {
                let status = if created { StatusCode::CREATED } else { StatusCode::OK };
                return Ok(private(status, view));
            }
            Opened::Settle(live) => p.settle(&live).await?,
        }
    }
    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the order is changing; try again"))
}

/// The dossier's fee lines from the catalog: its applicant type, the online channel.
fn fee_lines(portal: &Portal, procedure_code: &str, applicant: &str) -> Result<Vec<FeeLine>, ApiError> {
    let no_fee = || ApiError::new(StatusCode::CONFLICT, "no_fee", "the dossier's procedure has no fee to pay");
    let record = portal.procedure(procedure_code)?.ok_or_else(no_fee)?;
    let procedure: Procedure = serde_json::from_str(&record).map_err(|e| {
        tracing::error!("sandbox payments: procedure {procedure_code}: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "the catalog record is unreadable")
    })?;
    let subject = if applicant == "organization" { Subject::Organization } else { Subject::Citizen };
    Ok(procedure
        .fees
        .into_iter()
        .filter(|f| f.channel == Channel::Online && f.subject == subject && f.amount_vnd > 0)
        .map(|f| FeeLine { description: f.description, amount_vnd: f.amount_vnd })
        .collect())
}

/// `vnp_IpAddr`: the resident's address as a proxy in front of the portal reports it.
fn client_ip(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map_or_else(|| Ipv4Addr::LOCALHOST.to_string(), str::to_owned)
}

/// Checked like a redirect URI (RFC 8252): the app's private-use scheme, or loopback HTTP on any
/// port; no fragment, no credentials.
fn return_url_allowed(text: &str) -> bool {
    let Ok(url) = Url::parse(text) else { return false };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        APP_SCHEME => true,
        "http" => match url.host() {
            Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
            Some(Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
            _ => false,
        },
        _ => false,
    }
}

async fn order(
    State(s): State<AppState>,
    auth: Authenticated,
    UrlPath(order_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let p = &s.payments;
    let (view, live) = p.store.order(&order_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("order"))?;
    match live {
        Some(live) if live.overdue(now()) => {
            p.settle(&live).await?;
            let (view, _) = p.store.order(&order_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("order"))?;
            Ok(private(StatusCode::OK, view))
        }
        _ => Ok(private(StatusCode::OK, view)),
    }
}

async fn reconcile(
    State(s): State<AppState>,
    auth: Authenticated,
    UrlPath(order_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let p = &s.payments;
    let (_, live) = p.store.order(&order_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("order"))?;
    if let Some(live) = live {
        p.settle(&live).await?;
    }
    let (view, _) = p.store.order(&order_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("order"))?;
    Ok(private(StatusCode::OK, view))
}

async fn ipn(State(s): State<AppState>, RawQuery(query): RawQuery) -> Json<Value> {
    let (code, message) = s.payments.handle_ipn(query.as_deref().unwrap_or(""));
    Json(json!({"RspCode": code, "Message": message}))
}

/// The browser back from the gateway: the attempt now waits for the gateway's word, and the
/// browser goes on to the app's return URL with the gateway's signed result as it came.
async fn returned(State(s): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let params = vnp_params(&query);
    if !vnpay::verify(&params, &s.payments.secret) {
        return pages::notice(
            StatusCode::BAD_REQUEST,
            pages::Lang::Vi,
            "Kết quả thanh toán không hợp lệ",
            "The payment result was altered",
            Some("vnp_SecureHash"),
        );
    }
    let txn_ref = params.iter().find(|(k, _)| k == "vnp_TxnRef").map_or("", |(_, v)| v.as_str());
    let return_url = match s.payments.store.returned(txn_ref) {
        Ok(Some(url)) => url,
        Ok(None) => {
            return pages::notice(
                StatusCode::NOT_FOUND,
                pages::Lang::Vi,
                "Không tìm thấy giao dịch",
                "No such payment",
                None,
            );
        }
        Err(e) => {
            tracing::error!("sandbox payments: {e}");
            return pages::notice(
                StatusCode::INTERNAL_SERVER_ERROR,
                pages::Lang::Vi,
                "Cổng dịch vụ công đang gặp sự cố",
                "The portal had a problem",
                None,
            );
        }
    };
    let mut target = match Url::parse(&return_url) {
        Ok(url) => url,
        Err(_) => return pages::notice(StatusCode::INTERNAL_SERVER_ERROR, pages::Lang::Vi, "Lỗi", "Error", None),
    };
    target.query_pairs_mut().extend_pairs(url::form_urlencoded::parse(query.as_bytes()));
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

async fn receipt(
    State(s): State<AppState>,
    auth: Authenticated,
    UrlPath(receipt_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let receipt = s.payments.store.receipt(&receipt_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("receipt"))?;
    Ok(private(StatusCode::OK, receipt))
}

async fn receipt_keys(State(s): State<AppState>) -> Json<Value> {
    Json(json!({"keys": [{"key_id": receipt::KEY_ID, "alg": "Ed25519", "public_key": s.payments.signer.public_key()}]}))
}

async fn ledger(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"orders": s.payments.store.ledger()?})))
}

async fn set_fault(State(s): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<IpnFault>(&body) {
        Ok(fault) => {
            s.payments.gateway.set_fault(Some(fault.clone()));
            Json(fault).into_response()
        }
        Err(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{{\"ipn\": \"delay|duplicate|reorder|drop\", \"delay_ms\": N}}: {e}"),
        )
        .into_response(),
    }
}

async fn fault(State(s): State<AppState>) -> Json<Option<IpnFault>> {
    Json(s.payments.gateway.fault())
}

async fn clear_fault(State(s): State<AppState>) -> StatusCode {
    s.payments.gateway.set_fault(None);
    StatusCode::NO_CONTENT
}

async fn ipn_log(State(s): State<AppState>) -> Json<Vec<IpnDelivery>> {
    Json(s.payments.gateway.deliveries())
}

/// Now, GMT+7: VNPay's dates and the portal's timestamps are Vietnam time.
fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).expect("a valid offset"))
}

/// `n` random bytes as lowercase hex.
fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The system RNG does not fail on supported platforms; zeros would still be unique enough
    // for request ids, and the HashSecret is checked non-empty.
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `vnp_` parameters of a query string, as the signature covers them.
fn vnp_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes()).into_owned().filter(|(k, _)| k.starts_with("vnp_")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls_are_checked_like_redirect_uris() {
        assert!(return_url_allowed("vn.gov.haiduong.smarthd:/payment-return"));
        assert!(return_url_allowed("http://127.0.0.1:53682/payment-return"));
        assert!(return_url_allowed("http://[::1]:8080/"));
        assert!(!return_url_allowed("http://localhost:8080/"));
        assert!(!return_url_allowed("https://evil.example/"));
        assert!(!return_url_allowed("http://127.0.0.1:1/#frag"));
        assert!(!return_url_allowed("http://user@127.0.0.1:1/"));
        assert!(!return_url_allowed("not a url"));
    }
}
