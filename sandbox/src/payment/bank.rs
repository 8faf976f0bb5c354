//! The bank simulator: pays a VietQR payload the way a resident's banking app would, into the
//! State Treasury's collection account. The treasury's notification reaches the portal in the
//! same transaction as the transfer, so money moves only for a bill the portal can still take.
//!
//! In the browser: `/bank` lists the bills waiting for payment and takes a pasted payload or a
//! picture of the QR; `/bank/review` and `/bank/upload` show what would be paid; only the
//! confirmation's form (`/bank/pay`) moves money.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use smarthd_model::vietqr::{self, VietQr};

use super::common::{TREASURY_ACCOUNT, TREASURY_BIN, now};
use super::merchant::Payments;
use super::pages::{self, Bill, Lang, Transfer};
use super::store::Credited;

/// A phone photo of a QR fits; anything bigger is not worth decoding.
const MAX_UPLOAD: usize = 4 * 1024 * 1024;
/// Pictures are scaled down to this many pixels on their longer side before the QR search.
const MAX_SIDE: u32 = 1600;

pub fn router() -> Router<Arc<Payments>> {
    Router::new()
        .route("/bank", get(page))
        .route("/bank/qr/{bill}", get(qr_image))
        .route("/bank/review", post(review))
        .route("/bank/upload", post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)))
        .route("/bank/pay", post(pay))
}

#[derive(Deserialize)]
struct PageQuery {
    lang: Option<String>,
}

fn lang_of(tag: Option<&str>) -> Lang {
    Lang::of_locale(tag)
}

async fn page(State(p): State<Arc<Payments>>, Query(q): Query<PageQuery>) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let bills = match p.store.payable_bills(now()) {
        Ok(bills) => bills,
        Err(e) => {
            tracing::error!("sandbox bank: {e}");
            return pages::bank_outcome(StatusCode::INTERNAL_SERVER_ERROR, lang, SERVER_ERROR, None);
        }
    };
    let shown: Vec<Bill<'_>> = bills
        .iter()
        .map(|b| Bill {
            bill_number: &b.bill_number,
            dossier_code: &b.dossier_code,
            amount_vnd: b.amount_vnd,
            expires_at: &b.expires_at,
            payload: &b.payload,
        })
        .collect();
    ([(header::CACHE_CONTROL, "no-store")], pages::bank(lang, &shown)).into_response()
}

/// `GET /bank/qr/{bill}`: a waiting bill's QR code as an SVG picture, as the app draws it (for
/// a phone's banking app or the upload form).
async fn qr_image(State(p): State<Arc<Payments>>, UrlPath(bill): UrlPath<String>) -> Response {
    let bills = p.store.payable_bills(now()).unwrap_or_default();
    match bills.iter().find(|b| b.bill_number == bill).map(|b| vietqr::svg(&b.payload)) {
        Some(Ok(svg)) => {
            ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")], svg).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct PayBody {
    payload: String,
}

/// Why the bank did not pay: a stable code for tools, and the reason in both languages.
struct Rejection {
    status: StatusCode,
    error: &'static str,
    message: (&'static str, &'static str),
}

const SERVER_ERROR: (&str, &str) =
    ("Ngân hàng thử nghiệm gặp lỗi, hãy thử lại.", "The sandbox bank had an error; please try again.");

impl Rejection {
    fn new(status: StatusCode, error: &'static str, vi: &'static str, en: &'static str) -> Rejection {
        Rejection { status, error, message: (vi, en) }
    }

    fn json(&self) -> Response {
        let message = format!("{} / {}", self.message.0, self.message.1);
        (self.status, Json(json!({"status": "rejected", "error": self.error, "message": message}))).into_response()
    }
}

fn not_a_vietqr() -> Rejection {
    Rejection::new(
        StatusCode::BAD_REQUEST,
        "invalid_payload",
        "Đây không phải mã VietQR hợp lệ, hoặc mã đã bị hỏng hay chép thiếu.",
        "This is not a valid VietQR code, or it is damaged or incomplete.",
    )
}

/// The checks a banking app makes before it shows a transfer: a VietQR, to the treasury's
/// account, with an amount and a bill number.
fn readable(payload: &str) -> Result<(VietQr, i64, String), Rejection> {
    let qr = vietqr::decode(payload).map_err(|_| not_a_vietqr())?;
    if qr.bin != TREASURY_BIN || qr.account != TREASURY_ACCOUNT || qr.to_card {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_account",
            "Ngân hàng thử nghiệm chỉ chuyển tiền vào tài khoản thu của Kho bạc Nhà nước.",
            "The sandbox bank only pays into the State Treasury's collection account.",
        ));
    }
    let Some(amount) = qr.amount.and_then(|a| i64::try_from(a).ok()) else {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_amount",
            "Mã QR không ghi số tiền: mã thanh toán phí, lệ phí phải có số tiền.",
            "The QR code has no amount: a fee payment code must have one.",
        ));
    };
    let Some(bill) = qr.bill_number.clone() else {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_bill",
            "Mã QR không ghi mã hóa đơn: mã thanh toán phí, lệ phí phải có mã hóa đơn.",
            "The QR code has no bill number: a fee payment code must have one.",
        ));
    };
    Ok((qr, amount, bill))
}

fn transfer(p: &Payments, payload: &str) -> Result<String, Rejection> {
    let (_, amount, bill) = readable(payload)?;
    let credited = p.store.credit_transfer(&bill, amount, &p.signer, now()).map_err(|e| {
        tracing::error!("sandbox bank: {e}");
        Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", SERVER_ERROR.0, SERVER_ERROR.1)
    })?;
    match credited {
        Credited::Paid { bank_tran_no } => Ok(bank_tran_no),
        Credited::UnknownBill => Err(Rejection::new(
            StatusCode::NOT_FOUND,
            "unknown_bill",
            "Không tìm thấy hóa đơn này ở Kho bạc.",
            "The Treasury has no bill with this number.",
        )),
        Credited::WrongAmount => Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_mismatch",
            "Số tiền trên mã QR khác số tiền của hóa đơn.",
            "The amount in the QR code is not the bill's amount.",
        )),
        Credited::AlreadyPaid => Err(Rejection::new(
            StatusCode::CONFLICT,
            "already_paid",
            "Hóa đơn này đã được thanh toán.",
            "This bill has already been paid.",
        )),
        Credited::Closed => Err(Rejection::new(
            StatusCode::GONE,
            "closed",
            "Hóa đơn này không còn thanh toán được (đã hết hạn, bị hủy hoặc thất bại).",
            "This bill can no longer be paid (it expired, was cancelled or failed).",
        )),
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// `POST /bank/review` (the page's forms): what this payload would pay, with a confirm button.
async fn review(body: Bytes) -> Response {
    let lang = lang_of(form_field(&body, "lang").as_deref());
    let payload = form_field(&body, "payload").unwrap_or_default();
    confirmation(lang, payload.trim())
}

fn confirmation(lang: Lang, payload: &str) -> Response {
    match readable(payload) {
        Ok((qr, amount, bill)) => {
            let transfer = Transfer {
                bank_bin: &qr.bin,
                account: &qr.account,
                amount_vnd: amount,
                bill_number: &bill,
                purpose: qr.purpose.as_deref(),
                payload,
            };
            ([(header::CACHE_CONTROL, "no-store")], pages::confirm(lang, &transfer)).into_response()
        }
        Err(r) => pages::bank_outcome(r.status, lang, r.message, None),
    }
}

/// `POST /bank/upload` (multipart: `image`, `lang`): reads the QR in a PNG or JPEG picture,
/// then shows the same confirmation as a pasted payload.
async fn upload(mut form: Multipart) -> Response {
    let mut lang = Lang::Vi;
    let mut image: Option<Bytes> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("lang") => lang = lang_of(field.text().await.ok().as_deref()),
                Some("image") => image = field.bytes().await.ok(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                return pages::bank_outcome(
                    StatusCode::BAD_REQUEST,
                    lang,
                    ("Không đọc được tệp đã gửi (tối đa 4 MB).", "The uploaded file could not be read (4 MB at most)."),
                    None,
                );
            }
        }
    }
    let decoded = match image.filter(|b| !b.is_empty()) {
        None => Err(("Hãy chọn một ảnh mã QR.", "Choose a picture of the QR code.")),
        Some(bytes) => tokio::task::spawn_blocking(move || qr_text(&bytes)).await.unwrap_or(Err(SERVER_ERROR)),
    };
    match decoded {
        Ok(payload) => confirmation(lang, payload.trim()),
        Err(message) => pages::bank_outcome(StatusCode::UNPROCESSABLE_ENTITY, lang, message, None),
    }
}

/// The text of the first QR code found in a PNG or JPEG picture.
fn qr_text(bytes: &[u8]) -> Result<String, (&'static str, &'static str)> {
    let picture = image::load_from_memory(bytes).map_err(|_| {
        ("Tệp không phải ảnh PNG hoặc JPEG đọc được.", "The file is not a readable PNG or JPEG picture.")
    })?;
    let picture =
        if picture.width().max(picture.height()) > MAX_SIDE { picture.thumbnail(MAX_SIDE, MAX_SIDE) } else { picture };
    let grey = picture.to_luma8();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(grey.width() as usize, grey.height() as usize, |x, y| {
            grey.get_pixel(x as u32, y as u32).0[0]
        });
    prepared
        .detect_grids()
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .ok_or(("Không tìm thấy mã QR đọc được trong ảnh.", "No readable QR code was found in the picture."))
}

/// `POST /bank/pay`: JSON `{"payload"}` from tests and tools, or the confirmation page's form.
async fn pay(State(p): State<Arc<Payments>>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (payload, lang) = if is_form {
        (form_field(&body, "payload"), lang_of(form_field(&body, "lang").as_deref()))
    } else {
        (serde_json::from_slice::<PayBody>(&body).ok().map(|b| b.payload), Lang::Vi)
    };
    let outcome = match payload {
        Some(payload) => transfer(&p, &payload),
        None => Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Thiếu nội dung mã QR: gửi {\"payload\": \"…\"}.",
            "The QR content is missing: send {\"payload\": \"…\"}.",
        )),
    };
    match (outcome, is_form) {
        (Ok(bank_tran_no), false) => Json(json!({"status": "paid", "bank_tran_no": bank_tran_no})).into_response(),
        (Ok(bank_tran_no), true) => pages::bank_outcome(
            StatusCode::OK,
            lang,
            ("Kho bạc đã nhận tiền; hóa đơn đã được thanh toán.", "The Treasury received the money; the bill is paid."),
            Some(&bank_tran_no),
        ),
        (Err(r), false) => r.json(),
        (Err(r), true) => pages::bank_outcome(r.status, lang, r.message, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `payload`'s QR code: 6 pixels a module, a 4-module quiet zone.
    pub fn qr_png(payload: &str) -> Vec<u8> {
        let qr = vietqr::matrix(payload).expect("a QR");
        let (scale, quiet) = (6u32, 4u32);
        let side = (qr.width + 2 * quiet) * scale;
        let picture = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
            let dark = mx < qr.width && my < qr.width && qr.modules[(my * qr.width + mx) as usize];
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("a PNG");
        png
    }

    #[test]
    fn a_qr_picture_is_read() {
        let payload = "00020101021238570010A000000727012700069704150113375110554270002080208QRIBFTTA";
        assert_eq!(qr_text(&qr_png(payload)).as_deref(), Ok(payload));
        assert!(qr_text(b"not a picture").is_err());
    }
}
