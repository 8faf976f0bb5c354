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

// Layers, each importing only from those below it: `common` (the shared vocabulary), vnpay, pages;
// receipt; store; gateway; `merchant` (the portal's state); bank; this file, which holds the
// portal's routes and the public face.
mod bank;
mod common;
mod gateway;
mod merchant;
mod pages;
mod receipt;
mod store;
pub mod vnpay;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use smarthd_model::catalog::{Channel, Procedure, Subject};
use smarthd_model::receipt::SignedReceipt;
use url::{Host, Url};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api_error::ApiError;
use crate::identity::{Authenticated, IdentityProvider};
use crate::openapi::ErrorBody;
use crate::portal::Portal;
use common::{FeeLine, IPN_PATH, RETURN_PATH, now, vnp_params};
pub use common::{TMN_CODE, TREASURY_ACCOUNT, TREASURY_BIN};
pub use gateway::{GatewayAction, IpnDelivery, IpnFault, IpnFaultKind, pay_at_gateway};
pub use merchant::{OpenError, PaymentConfig, Payments};
use store::{Method, NewOrder, Opened};

/// The app's private-use scheme: any path under it is a valid return URL.
const APP_SCHEME: &str = "vn.gov.haiduong.smarthd";
/// An order request settles an overdue attempt, then reads again; a few rounds cover races.
const SETTLE_ROUNDS: usize = 3;

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
pub fn router(payments: Arc<Payments>, portal: Arc<Portal>, idp: Arc<IdentityProvider>) -> OpenApiRouter {
    let parties =
        gateway::router().with_state(payments.gateway.clone()).merge(bank::router().with_state(payments.clone()));
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(order))
        .routes(routes!(reconcile))
        .routes(routes!(ipn))
        .routes(routes!(returned))
        .routes(routes!(receipt_keys))
        .routes(routes!(receipt))
        .routes(routes!(ledger))
        .routes(routes!(set_fault, fault, clear_fault))
        .routes(routes!(ipn_log))
        .with_state(AppState { payments, portal, idp })
        .merge(parties)
}

fn private(status: StatusCode, body: impl serde::Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

#[derive(Deserialize, ToSchema)]
struct CreateBody {
    dossier_id: String,
    /// `gateway` (VNPay) or `vietqr`.
    #[schema(pattern = "^(gateway|vietqr)$")]
    method: String,
    /// The app's scheme or a loopback http URL, without a fragment.
    #[schema(example = "vn.gov.haiduong.smarthd:/payment")]
    return_url: String,
    /// `vn` (default) or `en`.
    #[serde(default)]
    #[schema(pattern = "^(vn|en)$")]
    locale: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/payments", tag = "payments", security(("bearer" = [])), request_body = CreateBody,
    responses(
        (status = 201, description = "Lệnh thanh toán mới / A new payment order", body = store::OrderView),
        (status = 200, description = "Lệnh đã có / The existing order", body = store::OrderView),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "Lệnh đang đổi, thử lại / The order is changing: retry", body = ErrorBody)))]
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
    let closed = !dossier.status.is_some_and(|status| status.is_payable());
    let ip = client_ip(&headers);
    let new = NewOrder {
        dossier_id: &body.dossier_id,
        dossier_code: &dossier.code,
        sub: &auth.sub,
        fee_lines: &fee_lines,
        amount_vnd,
        method,
        return_url: &body.return_url,
        nothing_due: closed || amount_vnd <= 0,
    };
    for _ in 0..SETTLE_ROUNDS {
        match p.store.open_order(&new, now(), p.config.order_ttl, |spec| p.issue(spec, locale, &ip))? {
            Opened::Ready { view, created } => {
                let status = if created { StatusCode::CREATED } else { StatusCode::OK };
                return Ok(private(status, view));
            }
            Opened::Settle(live) => p.settle(&live).await?,
            Opened::NothingDue if closed => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "dossier_closed",
                    "hồ sơ đã rút hoặc bị từ chối, không có phí phải nộp / the dossier was withdrawn or rejected: no \
                     fee is due",
                ));
            }
            Opened::NothingDue => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "no_fee",
                    "hồ sơ không có phí nộp trực tuyến / this dossier has no fee to pay online",
                ));
            }
        }
    }
    Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the order is changing; try again"))
}

/// The dossier's fee lines from the catalog: its applicant type, the online channel; none when
/// the procedure left the catalog.
fn fee_lines(portal: &Portal, procedure_code: &str, applicant: &str) -> Result<Vec<FeeLine>, ApiError> {
    let Some(record) = portal.procedure(procedure_code)? else { return Ok(Vec::new()) };
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

#[utoipa::path(get, path = "/api/v1/payments/{order_id}", tag = "payments", security(("bearer" = [])),
    params(("order_id" = String, Path)),
    responses((status = 200, description = "Lệnh thanh toán / The order", body = store::OrderView), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, description = "Cổng thanh toán không trả lời / The gateway did not answer", body = ErrorBody)))]
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

#[utoipa::path(post, path = "/api/v1/payments/{order_id}/reconcile", tag = "payments", security(("bearer" = [])),
    params(("order_id" = String, Path)),
    responses((status = 200, description = "Lệnh sau đối soát / The order after querydr", body = store::OrderView), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, description = "Cổng thanh toán không trả lời / The gateway did not answer", body = ErrorBody)))]
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

#[utoipa::path(get, path = IPN_PATH, tag = "payments",
    description = "VNPay's IPN: the signed vnp_* parameters in the query; the answer is VNPay's.",
    responses((status = 200, description = "RspCode, Message", body = crate::openapi::IpnAnswer)))]
async fn ipn(State(s): State<AppState>, RawQuery(query): RawQuery) -> Json<Value> {
    let (code, message) = s.payments.handle_ipn(query.as_deref().unwrap_or(""));
    Json(json!({"RspCode": code, "Message": message}))
}

/// The browser back from the gateway: the attempt now waits for the gateway's word, and the
/// browser goes on to the app's return URL with the gateway's signed result as it came.
#[utoipa::path(get, path = RETURN_PATH, tag = "pages",
    description = "The browser's return from the gateway (vnp_* in the query), on to the app's return_url.",
    responses((status = 302, description = "Về ứng dụng / On to the app"),
        (status = 400, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String), (status = 500, content_type = "text/html", body = String)))]
async fn returned(State(s): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let params = vnp_params(&query).unwrap_or_default();
    if params.is_empty() || !vnpay::verify(&params, &s.payments.secret) {
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

#[utoipa::path(get, path = "/api/v1/receipts/{receipt_id}", tag = "payments", security(("bearer" = [])),
    params(("receipt_id" = String, Path)),
    responses((status = 200, description = "Biên lai có chữ ký / The signed e-receipt", body = SignedReceipt), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn receipt(
    State(s): State<AppState>,
    auth: Authenticated,
    UrlPath(receipt_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let receipt = s.payments.store.receipt(&receipt_id, &auth.sub)?.ok_or_else(|| ApiError::not_found("receipt"))?;
    Ok(private(StatusCode::OK, receipt))
}

#[utoipa::path(get, path = "/api/v1/receipts/keys", tag = "payments",
    responses((status = 200, description = "The receipts' Ed25519 public keys", body = crate::openapi::KeyList)))]
async fn receipt_keys(State(s): State<AppState>) -> Json<Value> {
    Json(json!({"keys": [{"key_id": receipt::KEY_ID, "alg": "Ed25519", "public_key": s.payments.signer.public_key()}]}))
}

#[utoipa::path(get, path = "/admin/payments/ledger", operation_id = "payments_ledger", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn ledger(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"orders": s.payments.store.ledger()?})))
}

#[utoipa::path(post, path = "/admin/payments/faults", operation_id = "payments_set_fault", tag = "admin", security(("admin" = [])), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
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

#[utoipa::path(get, path = "/admin/payments/faults", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Option<Object>), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn fault(State(s): State<AppState>) -> Json<Option<IpnFault>> {
    Json(s.payments.gateway.fault())
}

#[utoipa::path(delete, path = "/admin/payments/faults", tag = "admin", security(("admin" = [])),
    responses((status = 204, description = "Đã xoá / Cleared"), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn clear_fault(State(s): State<AppState>) -> StatusCode {
    s.payments.gateway.set_fault(None);
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/admin/payments/ipn", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn ipn_log(State(s): State<AppState>) -> Json<Vec<IpnDelivery>> {
    Json(s.payments.gateway.deliveries())
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
