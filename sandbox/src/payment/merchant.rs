//! The portal as the gateway's merchant: [`Payments`], the state the payment routes and the
//! bank simulator share (the portal's store, its HashSecret and receipt key, the gateway it deals
//! with), and what the portal does with the gateway: pay URLs, `querydr`, the IPN.

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use smarthd_model::vietqr;

use super::common::{
    IPN_PATH, QUERYDR_PATH, RETURN_PATH, TMN_CODE, TREASURY_ACCOUNT, TREASURY_BIN, now, random_hex, vnp_params,
};
use super::gateway;
use super::receipt;
use super::store::{self, AttemptSpec, Confirmation, Confirmed, Issued, Live, Method, Store};
use super::vnpay;
use crate::api_error::ApiError;

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
    pub(super) store: Store,
    /// Shared with the gateway's routes, which need nothing else of the portal.
    pub(super) gateway: Arc<gateway::Gateway>,
    /// The portal's HashSecret; the gateway holds its own copy, as a real one does.
    pub(super) secret: Vec<u8>,
    pub(super) signer: receipt::Signer,
    pub(super) config: PaymentConfig,
    /// Where browsers reach the sandbox (pay URLs), and where its parties call each other.
    public_base: String,
    internal_base: String,
    http: reqwest::Client,
}

/// Dossier results are signed with the receipts' key: one published key for what the portal
/// issues.
impl crate::signing::DocumentSigner for Payments {
    fn key_id(&self) -> &str {
        receipt::KEY_ID
    }

    fn sign(&self, payload: &str) -> String {
        self.signer.sign(payload)
    }
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
        let gateway = Arc::new(gateway::Gateway::open(
            db_path,
            TMN_CODE,
            &secret,
            format!("{internal_base}{IPN_PATH}"),
            http.clone(),
        )?);
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

    /// The receipt-signing key as an app pins it: `KEY_ID:PUBLIC_KEY` (base64url), the same key
    /// `GET /api/v1/receipts/keys` publishes.
    pub fn receipt_key_pin(&self) -> String {
        format!("{}:{}", receipt::KEY_ID, self.signer.public_key())
    }

    /// The pay URL or VietQR payload of a new attempt.
    pub(super) fn issue(&self, spec: &AttemptSpec<'_>, locale: &str, ip: &str) -> Issued {
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
    pub(super) async fn settle(&self, live: &Live) -> Result<(), ApiError> {
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
    pub(super) fn handle_ipn(&self, query: &str) -> (&'static str, &'static str) {
        let Ok(params) = vnp_params(query) else { return ("99", "Duplicated parameter") };
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
            // Another attempt paid the order: this money is refunded, not kept as a second charge.
            Ok(Confirmed::Refunded) => ("02", "Order already confirmed"),
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
