//! The bank simulator: pays a VietQR payload the way a resident's banking app would, into the
//! State Treasury's collection account. The treasury's notification reaches the portal in the
//! same transaction as the transfer, so money moves only for a bill the portal can still take.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use smarthd_model::vietqr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{TREASURY_ACCOUNT, TREASURY_BIN, now};
use super::merchant::Payments;
use super::pages::{self, Lang};
use super::store::Credited;

pub fn router() -> OpenApiRouter<Arc<Payments>> {
    OpenApiRouter::new().routes(routes!(page)).routes(routes!(pay))
}

#[utoipa::path(get, path = "/bank", operation_id = "bank_page", tag = "pages",
    responses((status = 200, description = "Ngân hàng giả lập / The bank simulator", content_type = "text/html", body = String)))]
async fn page() -> Response {
    pages::bank().into_response()
}

#[derive(Deserialize)]
struct PayBody {
    payload: String,
}

/// Why the bank did not pay, as JSON or as a page.
struct Rejection {
    status: StatusCode,
    error: &'static str,
    message: String,
}

impl Rejection {
    fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Rejection {
        Rejection { status, error, message: message.into() }
    }
}

/// `POST /bank/pay`: JSON `{"payload"}` from tests and tools, or the page's form.
#[utoipa::path(post, path = "/bank/pay", tag = "payments",
    description = "Pays a VietQR payload into the treasury account, as a banking app would.",
    request_body(content((Object = "application/json"), (Object = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Đã chuyển / Paid", content((Object = "application/json"), (String = "text/html"))),
        (status = 400, content((crate::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 404, content((crate::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 409, content((crate::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 415, content((crate::openapi::ErrorBody = "application/json"), (String = "text/html"))),
        (status = 422, content((crate::openapi::ErrorBody = "application/json"), (String = "text/html"))),
    ))]
async fn pay(State(p): State<Arc<Payments>>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let payload = if is_form {
        url::form_urlencoded::parse(&body).find(|(k, _)| k == "payload").map(|(_, v)| v.into_owned())
    } else {
        serde_json::from_slice::<PayBody>(&body).ok().map(|b| b.payload)
    };
    let outcome = match payload {
        Some(payload) => transfer(&p, &payload),
        None => Err(Rejection::new(StatusCode::BAD_REQUEST, "bad_request", "send {\"payload\": \"…\"}")),
    };
    match (outcome, is_form) {
        (Ok(bank_tran_no), false) => Json(json!({"status": "paid", "bank_tran_no": bank_tran_no})).into_response(),
        (Ok(bank_tran_no), true) => {
            pages::notice(StatusCode::OK, Lang::Vi, "Chuyển tiền thành công", "Payment sent", Some(&bank_tran_no))
        }
        (Err(r), false) => {
            (r.status, Json(json!({"status": "rejected", "error": r.error, "message": r.message}))).into_response()
        }
        (Err(r), true) => {
            pages::notice(r.status, Lang::Vi, "Không thể chuyển tiền", "The bank refused", Some(&r.message))
        }
    }
}

fn transfer(p: &Payments, payload: &str) -> Result<String, Rejection> {
    let qr = vietqr::decode(payload)
        .map_err(|e| Rejection::new(StatusCode::BAD_REQUEST, "invalid_payload", e.to_string()))?;
    if qr.bin != TREASURY_BIN || qr.account != TREASURY_ACCOUNT || qr.to_card {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_account",
            "the sandbox bank only pays the treasury's collection account",
        ));
    }
    let Some(amount) = qr.amount.and_then(|a| i64::try_from(a).ok()) else {
        return Err(Rejection::new(StatusCode::UNPROCESSABLE_ENTITY, "no_amount", "a fee payment QR has an amount"));
    };
    let Some(bill) = qr.bill_number else {
        return Err(Rejection::new(StatusCode::UNPROCESSABLE_ENTITY, "no_bill", "a fee payment QR has a bill number"));
    };
    let credited = p.store.credit_transfer(&bill, amount, &p.signer, now()).map_err(|e| {
        tracing::error!("sandbox bank: {e}");
        Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "sandbox database error")
    })?;
    match credited {
        Credited::Paid { bank_tran_no } => Ok(bank_tran_no),
        Credited::UnknownBill => Err(Rejection::new(StatusCode::NOT_FOUND, "unknown_bill", "no such bill")),
        Credited::WrongAmount => {
            Err(Rejection::new(StatusCode::UNPROCESSABLE_ENTITY, "amount_mismatch", "the amount is not the bill's"))
        }
        Credited::AlreadyPaid => Err(Rejection::new(StatusCode::CONFLICT, "already_paid", "this bill is paid")),
        Credited::Closed => Err(Rejection::new(
            StatusCode::GONE,
            "closed",
            "this bill can no longer be paid (expired, cancelled or failed)",
        )),
    }
}
