//! The sandbox's payments against a real sandbox on loopback, with real level-2 tokens, over HTTP:
//! idempotent orders priced from the catalog, the VNPay gateway page driven through its form, the
//! IPN's checks (signature, order, amount, replay), the browser return without an IPN and the
//! reconciliation through `querydr`, IPN faults, cancel and retry, expiry, VietQR through the
//! bank simulator, and Ed25519 receipts verified with the published key. The ledger never shows
//! two charges for one order.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};
use smarthd_model::catalog::{Channel, Fee, FieldKind, FormField, FormSchema, Procedure, ProcedureStatus, Subject};
use smarthd_model::receipt::{Receipt, SignedReceipt};
use smarthd_model::vietqr;
use smarthd_sandbox::payment::vnpay;
use smarthd_sandbox::payment::{GatewayAction, PaymentConfig, TREASURY_ACCOUNT, TREASURY_BIN, pay_at_gateway};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use common::{LEVEL1, LEVEL2, b64, client, form, random_bytes};

const RETURN_URL: &str = "vn.gov.haiduong.smarthd:/payment-return";
const FREE: &str = "9.000101.H19";
const PAID: &str = "9.000102.H19";
/// The paid procedure's online fees for a citizen: 5,000 + 20,000.
const AMOUNT: i64 = 25_000;

struct World {
    dir: tempfile::TempDir,
    sandbox: Sandbox,
    http: Client,
    base: String,
}

async fn start(dir: &Path, ttl: Duration) -> Sandbox {
    let mut config = SandboxConfig::ephemeral(dir.join("sandbox.db"));
    config.catalog_size = 40;
    config.payment = PaymentConfig { order_ttl: ttl };
    Sandbox::start(config).await.expect("the sandbox starts")
}

impl World {
    async fn new() -> World {
        World::with_ttl(Duration::from_secs(15 * 60)).await
    }

    async fn with_ttl(ttl: Duration) -> World {
        let dir = tempfile::tempdir().expect("a temp dir");
        let sandbox = start(dir.path(), ttl).await;
        add_procedures(&sandbox);
        let base = sandbox.base_url();
        World { dir, sandbox, http: client(), base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        common::admin(&self.http, &self.url(path), method, self.sandbox.admin_token(), body).await
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        common::call(&self.http, &self.url(path), method, token, body).await
    }

    async fn login(&self, who: (&str, &str), level: u8) -> String {
        common::access_token(&self.http, &self.base, who, level).await
    }

    async fn post_form(&self, path: &str, body: String) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("an answer")
    }

    /// Submits a dossier for `procedure` and returns its id.
    async fn submit(&self, token: &str, procedure: &str) -> String {
        let id = dossier_id();
        let body = json!({
            "dossier_id": id,
            "procedure_code": procedure,
            "applicant": "citizen",
            "fields": {"ho_ten": "Nguyễn Văn An"},
        });
        let (status, answer) = self.call(Method::POST, "/api/v1/dossiers", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        id
    }

    async fn order_for(&self, token: &str, dossier_id: &str, method: &str) -> (StatusCode, Value) {
        let body = json!({
            "request_id": self::dossier_id(),
            "dossier_id": dossier_id,
            "method": method,
            "return_url": RETURN_URL,
            "locale": "vn",
        });
        self.call(Method::POST, "/api/v1/payments", Some(token), Some(body)).await
    }

    /// A new dossier with fees and its order, paid by `method`.
    async fn new_order(&self, token: &str, method: &str) -> Value {
        let dossier = self.submit(token, PAID).await;
        let (status, order) = self.order_for(token, &dossier, method).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        order
    }

    async fn order(&self, token: &str, order_id: &str) -> Value {
        let (status, order) = self.call(Method::GET, &format!("/api/v1/payments/{order_id}"), Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{order}");
        order
    }

    async fn reconcile(&self, token: &str, order_id: &str) -> Value {
        let path = format!("/api/v1/payments/{order_id}/reconcile");
        let (status, order) = self.call(Method::POST, &path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{order}");
        order
    }

    async fn ledger(&self, order_id: &str) -> Value {
        let (status, ledger) = self.admin(Method::GET, "/admin/payments/ledger", None).await;
        assert_eq!(status, StatusCode::OK);
        ledger["orders"][order_id].clone()
    }

    async fn ipn_log(&self) -> Vec<Value> {
        let (_, log) = self.admin(Method::GET, "/admin/payments/ipn", None).await;
        log.as_array().expect("a list").clone()
    }

    async fn ipn_fault(&self, kind: &str, delay_ms: u64) {
        let body = json!({"ipn": kind, "delay_ms": delay_ms});
        let (status, answer) = self.admin(Method::POST, "/admin/payments/faults", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }

    async fn clear_ipn_fault(&self) {
        let (status, _) = self.admin(Method::DELETE, "/admin/payments/faults", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    /// Sends an IPN as the gateway would; returns the portal's `RspCode`.
    async fn ipn(&self, query: &str) -> String {
        let (status, answer) = self.call(Method::GET, &format!("/api/v1/payments/vnpay/ipn?{query}"), None, None).await;
        assert_eq!(status, StatusCode::OK);
        answer["RspCode"].as_str().expect("a RspCode").to_owned()
    }

    fn sign(&self, params: &[(&str, &str)]) -> String {
        let mut params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let hash = vnpay::sign(&params, self.sandbox.payments().hash_secret());
        params.push(("vnp_SecureHash".into(), hash));
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
    }

    /// The receipt, verified with the key the portal publishes.
    async fn verified_receipt(&self, token: &str, receipt_id: &str) -> (Receipt, Value) {
        let (status, signed) =
            self.call(Method::GET, &format!("/api/v1/receipts/{receipt_id}"), Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{signed}");
        let signed: SignedReceipt = serde_json::from_value(signed).expect("a signed receipt");
        let (status, keys) = self.call(Method::GET, "/api/v1/receipts/keys", None, None).await;
        assert_eq!(status, StatusCode::OK);
        let key = &keys["keys"][0];
        assert_eq!((key["key_id"].as_str(), key["alg"].as_str()), (Some(signed.key_id.as_str()), Some("Ed25519")));
        let public_key = unb64(key["public_key"].as_str().expect("a key"));
        assert_eq!(public_key.len(), 32);
        let read = verify_receipt(&signed, &public_key).expect("the receipt verifies");
        let mut tampered = signed.clone();
        tampered.payload = tampered.payload.replace(&AMOUNT.to_string(), "1");
        assert!(verify_receipt(&tampered, &public_key).is_none(), "a tampered receipt is detected");
        (read, serde_json::from_str(&signed.payload).expect("JSON"))
    }
}

/// Checked here with ring directly, independently of the phone's verifier.
fn verify_receipt(signed: &SignedReceipt, public_key: &[u8]) -> Option<Receipt> {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
        .verify(signed.payload.as_bytes(), &unb64(&signed.signature))
        .ok()?;
    serde_json::from_str(&signed.payload).ok()
}

fn location(response: &reqwest::Response) -> &str {
    response.headers()[header::LOCATION].to_str().expect("ASCII")
}

fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..start + page[start..].find('"')?].to_owned())
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

fn dossier_id() -> String {
    let hex: String = random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The query parameters of a URL.
fn query_of(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url).expect("a URL").query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn pay() -> GatewayAction {
    GatewayAction::Pay { bank: "NCB".into() }
}

/// Adds a free procedure and a fee-paying one (two online fee lines for citizens, and fees for
/// paper and for organizations that must not count).
fn add_procedures(sandbox: &Sandbox) {
    let first = sandbox.portal().changes(0, 1).expect("the catalog").items.remove(0);
    let mut base: Procedure = serde_json::from_str(first.record.expect("a record").get()).expect("a procedure");
    base.status = ProcedureStatus::InForce;
    base.replaced_by = None;
    base.subjects = vec![Subject::Citizen, Subject::Organization];
    base.form = FormSchema {
        version: 1,
        fields: vec![FormField {
            label: "Họ tên".into(),
            max_length: Some(100),
            ..FormField::new("ho_ten", FieldKind::Text, true)
        }],
    };
    let fee = |subject, channel, amount_vnd, description: &str| Fee {
        subject,
        channel,
        amount_vnd,
        description: description.into(),
    };
    let procedures = [
        Procedure {
            code: FREE.into(), name: "Thủ tục miễn phí (thử)".into(), fees: Vec::new(), ..base.clone()
        },
        Procedure {
            code: PAID.into(),
            name: "Thủ tục có phí (thử)".into(),
            fees: vec![
                fee(Subject::Citizen, Channel::Online, 5_000, "Lệ phí"),
                fee(Subject::Citizen, Channel::Online, 20_000, "Phí thẩm định"),
                fee(Subject::Citizen, Channel::Paper, 10_000, "Lệ phí (nộp trực tiếp)"),
                fee(Subject::Organization, Channel::Online, 99_000, "Lệ phí (tổ chức)"),
            ],
            ..base
        },
    ];
    for p in &procedures {
        sandbox.portal().upsert(p).expect("added");
    }
}

#[tokio::test]
async fn an_order_is_idempotent_and_priced_from_the_catalog() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let dossier = w.submit(&token, PAID).await;
    let mut body = json!({
        "request_id": "r1", "dossier_id": dossier, "method": "gateway", "return_url": RETURN_URL,
        "amount_vnd": 1, "amount": 1,
    });
    let (status, first) = w.call(Method::POST, "/api/v1/payments", Some(&token), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["amount_vnd"], json!(AMOUNT), "the amount comes from the catalog, not the client");
    assert_eq!(first["status"], "awaiting_payment");
    assert_eq!(first["dossier_id"], json!(dossier));
    assert!(first["dossier_code"].as_str().is_some_and(|c| c.starts_with("H19.25-")));
    assert_eq!(
        first["fee_lines"],
        json!([
            {"description": "Lệ phí", "amount_vnd": 5_000},
            {"description": "Phí thẩm định", "amount_vnd": 20_000},
        ])
    );
    assert_eq!(first["receipt_id"], Value::Null);
    assert!(chrono::DateTime::parse_from_rfc3339(first["expires_at"].as_str().expect("expires_at")).is_ok());
    let attempt = &first["attempt"];
    assert_eq!(attempt["method"], "gateway");
    assert_eq!(attempt["vietqr"], Value::Null);

    // The pay URL: VNPay 2.1.0, signed with the portal's HashSecret.
    let pay_url = attempt["pay_url"].as_str().expect("a pay URL");
    assert!(pay_url.starts_with(&w.url("/gateway/vpcpay.html?")));
    let params = query_of(pay_url);
    assert!(vnpay::verify(&params, w.sandbox.payments().hash_secret()));
    assert_eq!(param(&params, "vnp_Version"), "2.1.0");
    assert_eq!(param(&params, "vnp_Command"), "pay");
    assert_eq!(param(&params, "vnp_TmnCode").len(), 8);
    assert_eq!(param(&params, "vnp_Amount"), (AMOUNT * 100).to_string());
    assert_eq!(param(&params, "vnp_CurrCode"), "VND");
    assert_eq!(param(&params, "vnp_TxnRef"), attempt["txn_ref"].as_str().expect("a TxnRef"));
    assert_eq!(param(&params, "vnp_OrderType"), "billpayment");
    assert_eq!(param(&params, "vnp_Locale"), "vn");
    assert!(param(&params, "vnp_OrderInfo").is_ascii(), "OrderInfo is unaccented");
    assert!(!param(&params, "vnp_IpAddr").is_empty());
    for date in ["vnp_CreateDate", "vnp_ExpireDate"] {
        let value = param(&params, date);
        assert!(value.len() == 14 && value.bytes().all(|b| b.is_ascii_digit()), "{date} = {value}");
    }
    assert!(param(&params, "vnp_ExpireDate") > param(&params, "vnp_CreateDate"));
    assert!(params.iter().all(|(k, _)| k != "vnp_SecureHashType"));

    // Asking again (another request id, even another method) answers the same order and attempt.
    body["request_id"] = json!("r2");
    body["method"] = json!("vietqr");
    let (status, again) = w.call(Method::POST, "/api/v1/payments", Some(&token), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["order_id"], first["order_id"]);
    assert_eq!(again["attempt"], first["attempt"]);
    let order_id = first["order_id"].as_str().expect("an order id");
    assert_eq!(w.order(&token, order_id).await["attempt"], first["attempt"]);
    assert_eq!(w.ledger(order_id).await, json!({"charges": 0, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 1}));

    // Refusals.
    let level1 = w.login(LEVEL1, 1).await;
    let (status, _) = w.order_for(&level1, &dossier, "gateway").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "step-up below level 2");
    // Another resident (level 1 reads are allowed) does not see the order.
    let (status, answer) = w.call(Method::GET, &format!("/api/v1/payments/{order_id}"), Some(&level1), None).await;
    assert_eq!((status, &answer["error"]), (StatusCode::NOT_FOUND, &json!("not_found")), "not the resident's");
    let (status, _) = w.order_for(&token, &dossier_id(), "gateway").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let free = w.submit(&token, FREE).await;
    let (status, answer) = w.order_for(&token, &free, "gateway").await;
    assert_eq!((status, &answer["error"]), (StatusCode::CONFLICT, &json!("no_fee")));
    let (status, answer) = w.order_for(&token, &dossier, "cash").await;
    assert_eq!((status, &answer["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("method")));
    for bad in ["https://evil.example/return", "http://localhost:1234/r", "http://127.0.0.1:1/#x", "javascript:x"] {
        let body = json!({"request_id": "r", "dossier_id": dossier, "method": "gateway", "return_url": bad});
        let (status, answer) = w.call(Method::POST, "/api/v1/payments", Some(&token), Some(body)).await;
        assert_eq!((status, &answer["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("return_url")), "{bad}");
    }
}

#[tokio::test]
async fn approved_on_the_gateway_page_the_order_succeeds_with_a_verified_receipt() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let txn_ref = order["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    let pay_url = order["attempt"]["pay_url"].as_str().expect("a pay URL");

    // The page, in both languages, with the controls a browser test clicks.
    let response = w.http.get(pay_url).send().await.expect("the gateway page");
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("HTML");
    for needle in [
        "id=\"bank-NCB\"",
        "id=\"pay\"",
        "id=\"cancel\"",
        "id=\"fail\"",
        "<select id=\"fail-code\"",
        "Thanh toán",
        "Pay",
        "25.000 đ",
        txn_ref,
        "name=\"viewport\"",
    ] {
        assert!(page.contains(needle), "the page shows {needle}");
    }

    // The resident picks a bank and pays: the page's form, as the browser posts it.
    let request = hidden(&page, "request").expect("the signed request");
    let choice = form(&[("request", &request), ("bank", "NCB"), ("action", "pay")]);
    let posted = w.post_form("/gateway/vpcpay.html", choice).await;
    assert_eq!(posted.status(), StatusCode::FOUND);
    let back = location(&posted).to_owned();
    assert!(back.starts_with(&w.url("/api/v1/payments/vnpay/return?")), "{back}");
    let to_app = w.http.get(&back).send().await.expect("the portal's return");
    assert_eq!(to_app.status(), StatusCode::FOUND);
    let app_url = location(&to_app).to_owned();
    assert!(app_url.starts_with(&format!("{RETURN_URL}?")), "{app_url}");
    let result = query_of(&app_url);
    assert!(vnpay::verify(&result, w.sandbox.payments().hash_secret()), "the result is signed");
    assert_eq!(param(&result, "vnp_ResponseCode"), "00");
    assert_eq!(param(&result, "vnp_TransactionStatus"), "00");
    assert_eq!(param(&result, "vnp_TxnRef"), txn_ref);
    assert_eq!(param(&result, "vnp_Amount"), (AMOUNT * 100).to_string());
    assert_eq!(param(&result, "vnp_BankCode"), "NCB");

    // The IPN came first: the portal says paid.
    let paid = w.order(&token, order_id).await;
    assert_eq!(paid["status"], "succeeded");
    let receipt_id = paid["receipt_id"].as_str().expect("a receipt");
    let log = w.ipn_log().await;
    assert_eq!(log, vec![json!({"txn_ref": txn_ref, "delivered": true, "rsp_code": "00"})]);
    let (receipt, payload) = w.verified_receipt(&token, receipt_id).await;
    assert_eq!((receipt.order_id.as_str(), receipt.amount_vnd), (order_id, AMOUNT));
    assert_eq!((receipt.method.as_str(), receipt.txn_ref.as_str()), ("gateway", txn_ref));
    assert_eq!(receipt.dossier_code.as_deref(), order["dossier_code"].as_str());
    assert_eq!(receipt.bank_tran_no.as_deref(), Some(param(&result, "vnp_BankTranNo")));
    assert_eq!(payload["fee_lines"], order["fee_lines"]);
    assert!(payload["issuer"].as_str().is_some_and(|i| i.contains("Hải Dương")));

    // Replaying the (signed, genuine) notification changes nothing.
    let replay = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&result).finish();
    assert_eq!(w.ipn(&replay).await, "02");
    // The pay URL cannot be paid a second time.
    let again = w.http.get(pay_url).send().await.expect("the gateway page");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Asking for the order again answers it paid: no new attempt.
    let dossier = order["dossier_id"].as_str().expect("a dossier id");
    let (status, same) = w.order_for(&token, dossier, "gateway").await;
    assert_eq!(
        (status, &same["status"], &same["receipt_id"]),
        (StatusCode::OK, &json!("succeeded"), &json!(receipt_id))
    );
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 1}));
    // Someone else's receipt is not found.
    let other = w.login(LEVEL1, 1).await;
    let (status, _) = w.call(Method::GET, &format!("/api/v1/receipts/{receipt_id}"), Some(&other), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The key and the receipt survive a restart.
    let key_before = w.call(Method::GET, "/api/v1/receipts/keys", None, None).await.1;
    let World { dir, sandbox, http, .. } = w;
    sandbox.stop().await;
    let sandbox = start(dir.path(), Duration::from_secs(900)).await;
    let base = sandbox.base_url();
    let w = World { dir, sandbox, http, base };
    assert_eq!(w.call(Method::GET, "/api/v1/receipts/keys", None, None).await.1, key_before);
    let token = w.login(LEVEL2, 2).await;
    w.verified_receipt(&token, receipt_id).await;
}

#[tokio::test]
async fn the_gateway_refuses_a_tampered_pay_url() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let pay_url = order["attempt"]["pay_url"].as_str().expect("a pay URL");
    let cheaper = pay_url.replace(&format!("vnp_Amount={}", AMOUNT * 100), "vnp_Amount=100");
    assert_ne!(cheaper, pay_url);
    for tampered in [
        cheaper,
        pay_url.replace("vnp_Locale=vn", "vnp_Locale=en"),
        pay_url.split("&vnp_SecureHash").next().expect("a URL").to_owned(),
    ] {
        let response = w.http.get(&tampered).send().await.expect("an answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{tampered}");
        let page = response.text().await.expect("HTML");
        assert!(page.contains("chữ ký") && page.contains("signature"), "an error page in both languages");
        assert!(!page.contains("id=\"pay\""));
    }
    // The form's post checks the request again.
    let forged = b64(b"vnp_Amount=100&vnp_TxnRef=x&vnp_TmnCode=HDPORTAL&vnp_SecureHash=00");
    let posted =
        w.post_form("/gateway/vpcpay.html", form(&[("request", &forged), ("action", "pay"), ("bank", "NCB")])).await;
    assert_eq!(posted.status(), StatusCode::BAD_REQUEST);
    // A forged return is refused too and marks nothing.
    let (status, _) =
        w.call(Method::GET, "/api/v1/payments/vnpay/return?vnp_TxnRef=x&vnp_ResponseCode=00", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let order_id = order["order_id"].as_str().expect("an order id");
    assert_eq!(w.order(&token, order_id).await["status"], "awaiting_payment");
    assert_eq!(w.ledger(order_id).await["charges"], 0);
}

#[tokio::test]
async fn the_ipn_checks_signature_order_amount_and_replays() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let txn_ref = order["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    let amount = (AMOUNT * 100).to_string();
    let ipn = |txn_ref: &str, amount: &str, transaction_no: &str| {
        vec![
            ("vnp_Amount", amount.to_owned()),
            ("vnp_BankCode", "NCB".to_owned()),
            ("vnp_PayDate", "20261128101500".to_owned()),
            ("vnp_ResponseCode", "00".to_owned()),
            ("vnp_TmnCode", "HDPORTAL".to_owned()),
            ("vnp_TransactionNo", transaction_no.to_owned()),
            ("vnp_TransactionStatus", "00".to_owned()),
            ("vnp_TxnRef", txn_ref.to_owned()),
        ]
    };
    let signed = |params: Vec<(&str, String)>| {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.sign(&params)
    };
    // Tampered: signed for one amount, sent with another.
    let genuine = signed(ipn(txn_ref, &amount, "99000001"));
    assert_eq!(w.ipn(&genuine.replace(&format!("vnp_Amount={amount}"), "vnp_Amount=100")).await, "97");
    assert_eq!(w.ipn("vnp_TxnRef=x&vnp_Amount=100").await, "97", "no signature");
    let mut forged = genuine.clone();
    forged.truncate(forged.len() - 4);
    forged.push_str("abcd");
    assert_eq!(w.ipn(&forged).await, "97", "a wrong signature");
    // Unknown TxnRef, wrong amount, missing fields.
    assert_eq!(w.ipn(&signed(ipn("PO999999A1", &amount, "99000002"))).await, "01");
    assert_eq!(w.ipn(&signed(ipn(txn_ref, "100", "99000003"))).await, "04");
    assert_eq!(w.ipn(&w.sign(&[("vnp_TxnRef", txn_ref), ("vnp_Amount", &amount)])).await, "99");
    assert_eq!(w.order(&token, order_id).await["status"], "awaiting_payment", "nothing applied so far");

    // The genuine one applies once; its replay and a copy under another TransactionNo answer 02.
    assert_eq!(w.ipn(&genuine).await, "00");
    assert_eq!(w.ipn(&genuine).await, "02");
    assert_eq!(w.ipn(&signed(ipn(txn_ref, &amount, "99000009"))).await, "02");
    let paid = w.order(&token, order_id).await;
    assert_eq!(paid["status"], "succeeded");
    // A late failure for the same attempt (reordered) does not undo it.
    let mut failure = ipn(txn_ref, &amount, "99000010");
    failure[3].1 = "24".into();
    failure[6].1 = "02".into();
    assert_eq!(w.ipn(&signed(failure)).await, "02");
    assert_eq!(w.order(&token, order_id).await["receipt_id"], paid["receipt_id"]);
}

#[tokio::test]
async fn a_return_without_its_ipn_stays_processing_until_reconciled() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    w.ipn_fault("drop", 0).await;
    let back = pay_at_gateway(order["attempt"]["pay_url"].as_str().expect("a pay URL"), &pay()).await.expect("paid");
    let result = query_of(&back);
    assert_eq!(param(&result, "vnp_ResponseCode"), "00", "the return URL says paid");
    let seen = w.order(&token, order_id).await;
    assert_eq!((&seen["status"], &seen["receipt_id"]), (&json!("processing"), &Value::Null), "the portal does not");
    assert_eq!(w.ipn_log().await[0]["delivered"], false);
    assert_eq!(w.ledger(order_id).await["charges"], 1, "the money was taken at the gateway");
    // Reconciliation asks the gateway (querydr) and applies its answer.
    let reconciled = w.reconcile(&token, order_id).await;
    assert_eq!(reconciled["status"], "succeeded");
    let (receipt, _) = w.verified_receipt(&token, reconciled["receipt_id"].as_str().expect("a receipt")).await;
    assert_eq!(receipt.txn_ref, param(&result, "vnp_TxnRef"));
    // The IPN arriving after all is a duplicate.
    w.clear_ipn_fault().await;
    let late = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&result).finish();
    assert_eq!(w.ipn(&late).await, "02");
    assert_eq!(w.reconcile(&token, order_id).await["status"], "succeeded");
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 1}));

    // A failure whose IPN is lost reconciles to failed.
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    w.ipn_fault("drop", 0).await;
    let fail = GatewayAction::Fail { code: "51".into() };
    pay_at_gateway(order["attempt"]["pay_url"].as_str().expect("a pay URL"), &fail).await.expect("failed");
    assert_eq!(w.order(&token, order_id).await["status"], "processing");
    assert_eq!(w.reconcile(&token, order_id).await["status"], "failed");
    assert_eq!(w.ledger(order_id).await["charges"], 0);
}

#[tokio::test]
async fn duplicated_reordered_and_delayed_ipns_charge_once() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;

    // Duplicated.
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let txn_ref = order["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    w.ipn_fault("duplicate", 0).await;
    pay_at_gateway(order["attempt"]["pay_url"].as_str().expect("a pay URL"), &pay()).await.expect("paid");
    let codes: Vec<Value> =
        w.ipn_log().await.iter().filter(|d| d["txn_ref"] == txn_ref).map(|d| d["rsp_code"].clone()).collect();
    assert_eq!(codes, vec![json!("00"), json!("02")]);
    assert_eq!(w.order(&token, order_id).await["status"], "succeeded");
    assert_eq!(w.ledger(order_id).await["charges"], 1);

    // Reordered: a cancelled attempt's IPN arrives again after the retry's success.
    w.clear_ipn_fault().await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let first = order["attempt"]["txn_ref"].as_str().expect("a TxnRef").to_owned();
    pay_at_gateway(order["attempt"]["pay_url"].as_str().expect("a pay URL"), &GatewayAction::Cancel)
        .await
        .expect("cancelled");
    let cancelled = w.order(&token, order_id).await;
    assert_eq!((&cancelled["status"], &cancelled["failure_code"]), (&json!("cancelled"), &json!("24")));
    let (status, retry) = w.order_for(&token, order["dossier_id"].as_str().expect("a dossier"), "gateway").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(retry["order_id"], order["order_id"]);
    let second = retry["attempt"]["txn_ref"].as_str().expect("a TxnRef").to_owned();
    assert_ne!(second, first, "a new attempt");
    assert_eq!(retry["status"], "awaiting_payment");
    w.ipn_fault("reorder", 0).await;
    pay_at_gateway(retry["attempt"]["pay_url"].as_str().expect("a pay URL"), &pay()).await.expect("paid");
    let log = w.ipn_log().await;
    let tail: Vec<(Value, Value)> =
        log[log.len() - 2..].iter().map(|d| (d["txn_ref"].clone(), d["rsp_code"].clone())).collect();
    assert_eq!(tail, vec![(json!(second), json!("00")), (json!(first), json!("02"))]);
    let paid = w.order(&token, order_id).await;
    assert_eq!((&paid["status"], &paid["attempt"]["txn_ref"]), (&json!("succeeded"), &json!(second)));
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 2}));

    // Delayed: back in the app before the IPN; processing, then paid.
    w.ipn_fault("delay", 1_500).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    pay_at_gateway(order["attempt"]["pay_url"].as_str().expect("a pay URL"), &pay()).await.expect("paid");
    assert_eq!(w.order(&token, order_id).await["status"], "processing");
    let deadline = Instant::now() + Duration::from_secs(15);
    while w.order(&token, order_id).await["status"] != "succeeded" {
        assert!(Instant::now() < deadline, "the delayed IPN arrives");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    w.clear_ipn_fault().await;
    assert_eq!(w.ledger(order_id).await["charges"], 1);
}

#[tokio::test]
async fn a_failed_or_cancelled_payment_retries_as_a_new_attempt_with_one_charge() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let dossier = order["dossier_id"].as_str().expect("a dossier id");
    let first_url = order["attempt"]["pay_url"].as_str().expect("a pay URL").to_owned();
    let back = pay_at_gateway(&first_url, &GatewayAction::Fail { code: "51".into() }).await.expect("failed");
    assert_eq!(param(&query_of(&back), "vnp_ResponseCode"), "51");
    let failed = w.order(&token, order_id).await;
    assert_eq!((&failed["status"], &failed["failure_code"]), (&json!("failed"), &json!("51")));

    let (_, second) = w.order_for(&token, dossier, "gateway").await;
    assert_ne!(second["attempt"]["txn_ref"], order["attempt"]["txn_ref"]);
    pay_at_gateway(second["attempt"]["pay_url"].as_str().expect("a pay URL"), &GatewayAction::Cancel)
        .await
        .expect("cancelled");
    assert_eq!(w.order(&token, order_id).await["status"], "cancelled");

    let (_, third) = w.order_for(&token, dossier, "gateway").await;
    let third_url = third["attempt"]["pay_url"].as_str().expect("a pay URL").to_owned();
    pay_at_gateway(&third_url, &pay()).await.expect("paid");
    assert_eq!(w.order(&token, order_id).await["status"], "succeeded");
    // Neither the failed attempt's URL nor the paid one can be paid again.
    for url in [&first_url, &third_url] {
        assert!(pay_at_gateway(url, &pay()).await.is_err());
    }
    let (status, after) = w.order_for(&token, dossier, "gateway").await;
    assert_eq!((status, &after["attempt"]["txn_ref"]), (StatusCode::OK, &third["attempt"]["txn_ref"]));
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 3}));
}

#[tokio::test]
async fn an_unpaid_order_expires_and_its_pay_url_with_it() {
    let w = World::with_ttl(Duration::from_secs(1)).await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let qr = w.new_order(&token, "vietqr").await;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert_eq!(w.order(&token, order_id).await["status"], "expired");
    let response =
        w.http.get(order["attempt"]["pay_url"].as_str().expect("a pay URL")).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::GONE);
    let qr_id = qr["order_id"].as_str().expect("an order id");
    assert_eq!(w.order(&token, qr_id).await["status"], "expired");
    let (status, answer) =
        w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": qr["attempt"]["vietqr"]}))).await;
    assert_eq!((status, &answer["error"]), (StatusCode::GONE, &json!("closed")));

    // Asking again makes a new attempt with a new expiry.
    let (status, renewed) = w.order_for(&token, order["dossier_id"].as_str().expect("a dossier"), "gateway").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renewed["status"], "awaiting_payment");
    assert_ne!(renewed["attempt"]["txn_ref"], order["attempt"]["txn_ref"]);
    assert!(renewed["expires_at"].as_str() > order["expires_at"].as_str());
    assert_eq!(w.ledger(order_id).await, json!({"charges": 0, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 2}));
}

#[tokio::test]
async fn a_vietqr_payload_paid_at_the_bank_simulator_succeeds() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "vietqr").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let txn_ref = order["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    assert_eq!(order["attempt"]["pay_url"], Value::Null);
    let payload = order["attempt"]["vietqr"].as_str().expect("a VietQR payload");
    let qr = vietqr::decode(payload).expect("a valid VietQR");
    assert_eq!((qr.bin.as_str(), qr.account.as_str(), qr.to_card), (TREASURY_BIN, TREASURY_ACCOUNT, false));
    assert_eq!(qr.amount, Some(AMOUNT as u64));
    assert_eq!(qr.bill_number.as_deref(), Some(txn_ref));

    let page = w.http.get(w.url("/bank")).send().await.expect("the bank page");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("HTML");
    assert!(page.contains("id=\"payload\"") && page.contains("for=\"payload\"") && page.contains("id=\"review\""));

    // Malformed payloads move no money.
    let bad_crc = format!("{}0000", &payload[..payload.len() - 4]);
    let truncated = &payload[..payload.len() / 2];
    for bad in [bad_crc.as_str(), truncated, "hello"] {
        let (status, answer) = w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": bad}))).await;
        assert_eq!((status, &answer["error"]), (StatusCode::BAD_REQUEST, &json!("invalid_payload")), "{bad}");
    }
    let mut cheaper = qr.clone();
    cheaper.amount = Some(1_000);
    let (status, answer) =
        w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": vietqr::encode(&cheaper)}))).await;
    assert_eq!((status, &answer["error"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("amount_mismatch")));

    // Refusals name the problem in both languages, never the decoder's field numbers.
    let (_, answer) = w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": truncated}))).await;
    let message = answer["message"].as_str().expect("a message");
    assert!(message.contains("VietQR") && message.contains(" / ") && !message.contains("field"), "{message}");

    // The page lists the bill; reviewing it shows the amount and moves no money.
    let listed = w.http.get(w.url("/bank")).send().await.expect("the bank page").text().await.expect("HTML");
    assert!(listed.contains(&format!("id=\"bill-{txn_ref}\"")), "the waiting bill is listed");
    let review = w.post_form("/bank/review", form(&[("payload", payload), ("lang", "en")])).await;
    assert_eq!(review.status(), StatusCode::OK);
    let review = review.text().await.expect("HTML");
    assert!(review.contains(&smarthd_model::payment::vnd(AMOUNT)) && review.contains("id=\"confirm\""));
    assert_eq!(w.order(&token, order_id).await["status"], "awaiting_payment");
    assert_eq!(w.ledger(order_id).await["charges"], 0);

    // The confirmation's form pays it.
    let paid = w.post_form("/bank/pay", form(&[("payload", payload)])).await;
    assert_eq!(paid.status(), StatusCode::OK);
    let done = w.order(&token, order_id).await;
    assert_eq!(done["status"], "succeeded");
    let (receipt, _) = w.verified_receipt(&token, done["receipt_id"].as_str().expect("a receipt")).await;
    assert_eq!((receipt.method.as_str(), receipt.txn_ref.as_str()), ("vietqr", txn_ref));
    assert!(receipt.bank_tran_no.as_deref().is_some_and(|n| n.starts_with("FT")));
    // Paying the same QR again is refused.
    let (status, answer) = w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": payload}))).await;
    assert_eq!((status, &answer["error"]), (StatusCode::CONFLICT, &json!("already_paid")));
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 1}));

    // The JSON endpoint, for another order.
    let order = w.new_order(&token, "vietqr").await;
    let (status, answer) =
        w.call(Method::POST, "/bank/pay", None, Some(json!({"payload": order["attempt"]["vietqr"]}))).await;
    assert_eq!((status, &answer["status"]), (StatusCode::OK, &json!("paid")));
    assert!(answer["bank_tran_no"].as_str().is_some_and(|n| n.starts_with("FT")));
    assert_eq!(w.order(&token, order["order_id"].as_str().expect("an id")).await["status"], "succeeded");
}

/// The pay URL's parameters, re-signed with the merchant's HashSecret after `change`.
fn resigned(w: &World, pay_url: &str, change: &[(&str, &str)]) -> String {
    let url = url::Url::parse(pay_url).expect("a URL");
    let mut params: Vec<(String, String)> =
        url.query_pairs().into_owned().filter(|(k, _)| k != "vnp_SecureHash").collect();
    for (name, value) in change {
        params.iter_mut().filter(|(k, _)| k == name).for_each(|(_, v)| *v = value.to_string());
    }
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    format!("{}{}?{}", w.base, "gateway/vpcpay.html", w.sign(&params))
}

#[tokio::test]
async fn a_repeated_parameter_is_refused_on_every_signed_route() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let order = w.new_order(&token, "gateway").await;
    let order_id = order["order_id"].as_str().expect("an order id");
    let txn_ref = order["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    let pay_url = order["attempt"]["pay_url"].as_str().expect("a pay URL");
    let (page_url, query) = pay_url.split_once('?').expect("a query");

    // The pay URL: an empty copy before the signed one, or any copy after it.
    for repeated in [
        format!("{page_url}?vnp_ExpireDate=&{query}"),
        format!("{pay_url}&vnp_Locale=en"),
        format!("{pay_url}&vnp_TxnRef={txn_ref}"),
    ] {
        let response = w.http.get(&repeated).send().await.expect("an answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{repeated}");
        assert!(!response.text().await.expect("HTML").contains("id=\"pay\""));
        assert!(pay_at_gateway(&repeated, &GatewayAction::Pay { bank: "NCB".into() }).await.is_err());
    }
    // The page's own form, with the request repeated inside it or a field repeated.
    let page = w.http.get(pay_url).send().await.expect("the page").text().await.expect("HTML");
    let request = hidden(&page, "request").expect("the request field");
    let inner = b64(format!("vnp_ExpireDate=&{query}").as_bytes());
    for body in [
        form(&[("request", &inner), ("action", "pay"), ("bank", "NCB")]),
        form(&[("request", &request), ("action", "cancel"), ("action", "pay"), ("bank", "NCB")]),
    ] {
        assert_eq!(w.post_form("/gateway/vpcpay.html", body).await.status(), StatusCode::BAD_REQUEST);
    }

    // The IPN and the return: a signed result with a repeated (empty) field.
    let amount = (AMOUNT * 100).to_string();
    let signed = w.sign(&[
        ("vnp_Amount", &amount),
        ("vnp_BankCode", "NCB"),
        ("vnp_ResponseCode", "00"),
        ("vnp_TmnCode", "HDPORTAL"),
        ("vnp_TransactionNo", "99000001"),
        ("vnp_TransactionStatus", "00"),
        ("vnp_TxnRef", txn_ref),
    ]);
    assert_eq!(w.ipn(&format!("vnp_ResponseCode=&{signed}")).await, "99");
    let (status, _) =
        w.call(Method::GET, &format!("/api/v1/payments/vnpay/return?vnp_TxnRef=&{signed}"), None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // querydr: a JSON body with a repeated member is an invalid request.
    let body = format!(
        r#"{{"vnp_RequestId":"r1","vnp_Version":"2.1.0","vnp_Command":"querydr","vnp_TmnCode":"HDPORTAL",
            "vnp_TxnRef":"x","vnp_TxnRef":"{txn_ref}","vnp_SecureHash":"00"}}"#
    );
    let answer: Value = w
        .http
        .post(w.url("/gateway/merchant_webapi/api/transaction"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["vnp_ResponseCode"], "99");

    assert_eq!(w.order(&token, order_id).await["status"], "awaiting_payment", "nothing was paid");
    assert_eq!(w.ledger(order_id).await["charges"], 0);
}

#[tokio::test]
async fn an_expired_attempt_stays_unpayable_and_a_second_success_is_refunded() {
    let w = World::with_ttl(Duration::from_secs(1)).await;
    let token = w.login(LEVEL2, 2).await;
    let first = w.new_order(&token, "gateway").await;
    let order_id = first["order_id"].as_str().expect("an order id");
    let dossier_id = first["dossier_id"].as_str().expect("a dossier");
    let old_url = first["attempt"]["pay_url"].as_str().expect("a pay URL").to_owned();
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert_eq!(w.order(&token, order_id).await["status"], "expired");
    // A new attempt, paid.
    let (_, second) = w.order_for(&token, dossier_id, "gateway").await;
    let back = pay_at_gateway(
        second["attempt"]["pay_url"].as_str().expect("a pay URL"),
        &GatewayAction::Pay { bank: "NCB".into() },
    )
    .await
    .expect("paid");
    assert!(back.starts_with(RETURN_URL), "{back}");
    let paid = w.order(&token, order_id).await;
    assert_eq!(paid["status"], "succeeded");

    // The old pay URL with an empty vnp_ExpireDate slipped in front: refused, not paid again.
    let (page_url, query) = old_url.split_once('?').expect("a query");
    let revived = format!("{page_url}?vnp_ExpireDate=&{query}");
    assert_eq!(w.http.get(&revived).send().await.expect("an answer").status(), StatusCode::BAD_REQUEST);
    assert!(pay_at_gateway(&revived, &GatewayAction::Pay { bank: "NCB".into() }).await.is_err());
    assert_eq!(w.http.get(&old_url).send().await.expect("an answer").status(), StatusCode::GONE);
    assert_eq!(w.ledger(order_id).await, json!({"charges": 1, "refunds": 0, "amount_vnd": AMOUNT, "attempts": 2}));

    // Were the gateway to take the old attempt's money anyway (here: a pay URL the merchant
    // re-signed with a later expiry), the portal answers 02 and refunds it: one charge kept.
    let later = (chrono::Utc::now() + chrono::TimeDelta::minutes(10))
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("GMT+7"))
        .format("%Y%m%d%H%M%S")
        .to_string();
    let extended = resigned(&w, &old_url, &[("vnp_ExpireDate", &later)]);
    pay_at_gateway(&extended, &GatewayAction::Pay { bank: "NCB".into() }).await.expect("the gateway takes it");
    let old_txn_ref = first["attempt"]["txn_ref"].as_str().expect("a TxnRef");
    let delivery = w.ipn_log().await.into_iter().rfind(|d| d["txn_ref"] == old_txn_ref).expect("its IPN");
    assert_eq!(delivery["rsp_code"], "02", "Order already confirmed");
    assert_eq!(w.ledger(order_id).await, json!({"charges": 2, "refunds": 1, "amount_vnd": AMOUNT, "attempts": 2}));
    let after = w.order(&token, order_id).await;
    assert_eq!((&after["status"], &after["receipt_id"]), (&paid["status"], &paid["receipt_id"]));
}
