//! `smarthd pay`, `payments`, `receipts`, `vietqr`: paying a dossier's fees from the terminal.

use std::path::Path;
use std::time::Duration;

use smarthd_core::error::PortalError;
use smarthd_core::payment::vietqr::{self, QrMatrix, VietQr};
use smarthd_core::payment::{PaymentMethod, PaymentOrder, PaymentStatus, Receipt};
use smarthd_core::{Error, SmartHd};

use crate::loopback::{Loopback, back_to_terminal};
use crate::output::{notice, printable, vnd, when};

/// How long to wait for the resident to pay, the browser's return and the settling together.
const PAY_TIMEOUT: Duration = Duration::from_secs(600);

/// Starts the payment, shows the URL or the QR, and waits for the portal's outcome.
pub async fn pay(core: &SmartHd, dossier_id: &str, method: PaymentMethod, json: bool) -> Result<PaymentOrder, Error> {
    let loopback = Loopback::bind().await?;
    let deadline = tokio::time::Instant::now() + PAY_TIMEOUT;
    let order = core.payments().pay(dossier_id, method, &loopback.url("/payment-return")).await?;
    if order.status == PaymentStatus::Succeeded {
        return Ok(order);
    }
    if !json {
        eprintln!("Số tiền / amount: {} ({})", vnd(order.amount_vnd), printable(&order.order_id));
    }
    match (&order.pay_url, &order.vietqr) {
        (Some(url), _) if method == PaymentMethod::Gateway => {
            // The URL alone on stdout's first line (a script opens it); with --json, a notice.
            if json {
                notice(serde_json::json!({"open_url": url, "amount_vnd": order.amount_vnd}));
            } else {
                eprintln!("Mở địa chỉ này để thanh toán / open this URL to pay:");
                out!("{url}");
            }
            let page = back_to_terminal("Đã quay lại từ cổng thanh toán", "Back from the payment gateway");
            let order = match tokio::time::timeout_at(deadline, loopback.wait_for("/payment-return", &page)).await {
                Ok(returned) => core.payments().handle_return(&returned?).await?,
                // The browser never came back (a tab closed after paying, or never paid): the
                // portal says where the payment stands.
                Err(_) => core.payments().refresh(&order.order_id).await?,
            };
            wait_until_settled(core, order, deadline).await
        }
        (_, Some(payload)) => {
            if json {
                notice(serde_json::json!({"vietqr": payload, "amount_vnd": order.amount_vnd}));
            } else {
                eprintln!("Quét mã VietQR bằng ứng dụng ngân hàng / scan with your banking app:");
                eprintln!("{}", draw(&vietqr::matrix(payload).map_err(|e| Error::Internal(e.to_string()))?));
                out!("{payload}");
            }
            wait_until_settled(core, order, deadline).await
        }
        _ => Err(PortalError::malformed("api/v1/payments", "no pay URL or VietQR").into()),
    }
}

/// Polls the portal (which asks the gateway) until the payment is settled, or `deadline`.
async fn wait_until_settled(
    core: &SmartHd,
    mut order: PaymentOrder,
    deadline: tokio::time::Instant,
) -> Result<PaymentOrder, Error> {
    while !order.status.is_terminal() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        order = core.payments().refresh(&order.order_id).await?;
    }
    Ok(order)
}

/// Draws a QR code with half blocks: dark modules as ink, with the quiet zone scanners need.
/// On a terminal it is painted black on white, so it scans on light and dark themes alike;
/// elsewhere (a file, a pipe) it is plain text, dark on the page.
pub fn draw(qr: &QrMatrix) -> String {
    use std::io::IsTerminal;
    let painted = std::io::stdout().is_terminal() || std::io::stderr().is_terminal();
    draw_with(qr, painted)
}

fn draw_with(qr: &QrMatrix, painted: bool) -> String {
    const QUIET: i64 = 2;
    let width = qr.width as i64;
    let dark = |x: i64, y: i64| x >= 0 && y >= 0 && x < width && y < width && qr.modules[(y * width + x) as usize];
    let mut out = String::new();
    let mut y = -QUIET;
    while y < width + QUIET {
        if painted {
            out.push_str("\x1b[30;107m");
        }
        for x in -QUIET..width + QUIET {
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if painted {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
        y += 2;
    }
    out
}

/// A PNG of the QR code: 8 pixels a module, a 4-module quiet zone.
pub fn write_png(qr: &QrMatrix, path: &Path) -> Result<(), Error> {
    const SCALE: u32 = 8;
    const QUIET: u32 = 4;
    let side = (qr.width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; (side * side) as usize];
    for y in 0..qr.width {
        for x in 0..qr.width {
            if qr.modules[(y * qr.width + x) as usize] {
                for dy in 0..SCALE {
                    let row = ((y + QUIET) * SCALE + dy) * side;
                    let start = (row + (x + QUIET) * SCALE) as usize;
                    pixels[start..start + SCALE as usize].fill(0);
                }
            }
        }
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| Error::Internal(format!("PNG: {e}")))?;
    writer.write_image_data(&pixels).map_err(|e| Error::Internal(format!("PNG: {e}")))?;
    Ok(())
}

pub fn show_order(order: &PaymentOrder, json: bool) {
    if json {
        crate::output::json(order);
        return;
    }
    out!(
        "{}  {}  {}  hồ sơ / dossier {}",
        printable(&order.order_id),
        order.status.label(),
        vnd(order.amount_vnd),
        printable(&order.dossier_id)
    );
    if let Some(message) = &order.failure_message {
        out!("    {}", printable(message));
    }
    if let Some(receipt) = &order.receipt_id {
        out!("    biên lai / receipt {}", printable(receipt));
    }
}

pub fn show_receipt(r: &Receipt, json: bool) {
    if json {
        crate::output::json(r);
        return;
    }
    out!("Biên lai điện tử / e-receipt {} ✔ chữ ký hợp lệ / signature verified", printable(&r.receipt_id));
    out!("    Số tiền / amount: {}  ({}, {})", vnd(r.amount_vnd), printable(&r.method), printable(&r.txn_ref));
    out!("    Hồ sơ / dossier: {}", printable(r.dossier_code.as_deref().unwrap_or(&r.dossier_id)));
    out!("    Thời gian / paid at: {}", when(&r.paid_at));
    out!("    Đơn vị thu / issuer: {}", printable(&r.issuer));
}

pub fn show_vietqr(qr: &VietQr, json: bool) {
    if json {
        crate::output::json(qr);
        return;
    }
    out!("Ngân hàng (BIN) / bank BIN: {}", qr.bin);
    out!("{}: {}", if qr.to_card { "Số thẻ / card" } else { "Số tài khoản / account" }, qr.account);
    match qr.amount {
        Some(amount) => out!("Số tiền / amount: {}", vnd(amount as i64)),
        None => out!("Số tiền / amount: (người chuyển nhập / entered by the payer)"),
    }
    if let Some(bill) = &qr.bill_number {
        out!("Mã hóa đơn / bill number: {bill}");
    }
    if let Some(purpose) = &qr.purpose {
        out!("Nội dung / purpose: {purpose}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_qr_is_dark_modules_as_ink_in_a_quiet_zone() {
        let qr = QrMatrix { width: 2, modules: vec![true, false, false, true] };
        let plain = draw_with(&qr, false);
        let lines: Vec<&str> = plain.lines().collect();
        assert_eq!(lines, ["      ", "  ▀▄  ", "      "], "{plain}");
        let painted = draw_with(&qr, true);
        assert!(painted.lines().all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m")));
    }
}
