//! The HTML of the gateway page, the bank simulator and their notices: Vietnamese and English,
//! inline CSS, usable on a phone, with ids on every control a browser test clicks.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use smarthd_model::payment::response_message;

use crate::html::{self, Theme, escape};

/// The gateway page's language (`vnp_Locale`); the other language is shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn pick(self, vi: &'static str, en: &'static str) -> &'static str {
        if self == Lang::En { en } else { vi }
    }

    pub fn of_locale(locale: Option<&str>) -> Lang {
        if locale == Some("en") { Lang::En } else { Lang::Vi }
    }

    pub fn html(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// `primary <span class="alt" lang="other">other</span>`, escaped.
    pub fn both(self, vi: &str, en: &str) -> String {
        let (first, second, other) = if self == Lang::En { (en, vi, "vi") } else { (vi, en, "en") };
        format!("{} <span class=\"alt\" lang=\"{other}\">{}</span>", escape(first), escape(second))
    }
}

/// The banks the sandbox gateway offers (VNPay bank codes).
pub const BANKS: [(&str, &str); 8] = [
    ("NCB", "Ngân hàng Quốc Dân"),
    ("VIETCOMBANK", "Vietcombank"),
    ("VIETINBANK", "VietinBank"),
    ("BIDV", "BIDV"),
    ("AGRIBANK", "Agribank"),
    ("TECHCOMBANK", "Techcombank"),
    ("MBBANK", "MB Bank"),
    ("VPBANK", "VPBank"),
];

/// The failures a tester can ask the gateway for (VNPay response codes).
pub const FAIL_CODES: [&str; 7] = ["09", "11", "24", "51", "65", "75", "07"];

fn document(lang: Lang, title: &str, body: &str) -> String {
    html::document(lang.html(), Theme::Payment, title, &format!("<main>{body}</main>"))
}

/// What the gateway page shows of a pay request.
pub struct PayPage<'a> {
    pub lang: Lang,
    pub merchant: &'a str,
    pub tmn_code: &'a str,
    pub amount_vnd: u64,
    pub order_info: &'a str,
    pub txn_ref: &'a str,
    pub expires: Option<&'a str>,
    /// The signed request, carried to the form's post as it was.
    pub request: &'a str,
    /// The pay URL's query without the page's `lang`: the language links add it back.
    pub signed_query: &'a str,
}

pub fn gateway(p: &PayPage<'_>) -> Html<String> {
    let lang = p.lang;
    let banks: String = BANKS
        .iter()
        .map(|(code, name)| {
            format!(
                "<label class=\"tile\" for=\"bank-{code}\"><input type=\"radio\" name=\"bank\" id=\"bank-{code}\" \
                 value=\"{code}\" required><span>{code}<small>{}</small></span></label>",
                escape(name)
            )
        })
        .collect();
    let codes: String = FAIL_CODES
        .iter()
        .map(|code| {
            let (vi, en) = response_message(code);
            let text = if lang == Lang::En { en } else { vi };
            format!("<option value=\"{code}\">{code} · {}</option>", escape(text))
        })
        .collect();
    let expires = p.expires.map_or(String::new(), |at| {
        format!("<dt>{}</dt><dd id=\"expires\">{}</dd>", lang.both("Hết hạn", "Expires"), escape(at))
    });
    let body = format!(
        "<div class=\"top\"><div class=\"brand\">VNPAY <span class=\"tag\">{sandbox}</span></div>{languages}</div>\
         <div class=\"card\">\
         <h1>{title}</h1><dl>\
         <dt>{merchant_label}</dt><dd id=\"merchant\">{merchant} ({tmn})</dd>\
         <dt>{amount_label}</dt><dd id=\"amount\" class=\"amount\">{amount}</dd>\
         <dt>{info_label}</dt><dd id=\"order-info\">{info}</dd>\
         <dt>{ref_label}</dt><dd id=\"txn-ref\">{txn_ref}</dd>{expires}</dl></div>\
         <form class=\"card\" method=\"post\" action=\"/gateway/vpcpay.html\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <fieldset><legend>{bank_label}</legend><div class=\"tiles\">{banks}</div></fieldset>\
         <button type=\"submit\" id=\"pay\" name=\"action\" value=\"pay\">{pay}</button>\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\" class=\"secondary\" formnovalidate>{cancel}</button>\
         <h2>{fail_title}</h2>\
         <label for=\"fail-code\">{fail_label}</label><select id=\"fail-code\" name=\"fail_code\">{codes}</select>\
         <button type=\"submit\" id=\"fail\" name=\"action\" value=\"fail\" class=\"danger\" formnovalidate>{fail}</button>\
         </form>",
        sandbox = lang.both("Thử nghiệm", "Sandbox"),
        languages = language_links(lang, &format!("/gateway/vpcpay.html?{}", p.signed_query), '&'),
        title = lang.both("Thanh toán trực tuyến", "Online payment"),
        merchant_label = lang.both("Đơn vị", "Merchant"),
        merchant = escape(p.merchant),
        tmn = escape(p.tmn_code),
        amount_label = lang.both("Số tiền", "Amount"),
        amount = vnd(p.amount_vnd),
        info_label = lang.both("Nội dung", "Description"),
        info = escape(p.order_info),
        ref_label = lang.both("Mã giao dịch", "Reference"),
        txn_ref = escape(p.txn_ref),
        request = escape(p.request),
        bank_label = lang.both("Chọn ngân hàng", "Choose your bank"),
        pay = lang.both("Thanh toán", "Pay"),
        cancel = lang.both("Hủy", "Cancel"),
        fail_title = lang.both("Thử nghiệm lỗi", "Test a failure"),
        fail_label = lang.both("Mã lỗi", "Response code"),
        fail = lang.both("Giả lập lỗi", "Simulate a failure"),
    );
    Html(document(lang, "Cổng thanh toán / Payment gateway", &body))
}

/// A page that says what went wrong (or right), in both languages.
pub fn notice(status: StatusCode, lang: Lang, vi: &str, en: &str, detail: Option<&str>) -> Response {
    let detail = detail.map_or(String::new(), |d| format!("<p><code>{}</code></p>", escape(d)));
    let (class, role) = if status.is_success() { ("done", "") } else { ("error", " role=\"alert\"") };
    let body = format!(
        "<div class=\"card\"><h1>{}</h1><p class=\"{class}\"{role}>{}</p>{detail}</div>",
        lang.both("Cổng thanh toán", "Payment gateway"),
        lang.both(vi, en)
    );
    (status, Html(document(lang, &format!("{vi} / {en}"), &body))).into_response()
}

/// The bank's name for a BIN the sandbox knows (NAPAS BINs).
pub fn bank_name(bin: &str) -> &'static str {
    match bin {
        "970415" => "VietinBank",
        "970436" => "Vietcombank",
        "970418" => "BIDV",
        "970405" => "Agribank",
        "970407" => "Techcombank",
        "970422" => "MB Bank",
        "970432" => "VPBank",
        "970419" => "NCB",
        _ => "?",
    }
}

/// A VietQR bill the bank lists (no personal data: a dossier code and an amount).
pub struct Bill<'a> {
    pub bill_number: &'a str,
    pub dossier_code: &'a str,
    pub amount_vnd: i64,
    pub expires_at: &'a str,
    pub payload: &'a str,
}

/// "Tiếng Việt | English" links to `here` with `lang=…` appended after `sep` (`?` or `&`).
fn language_links(lang: Lang, here: &str, sep: char) -> String {
    let link = |target: Lang, label: &str| {
        let current = if target == lang { " aria-current=\"true\"" } else { "" };
        format!(
            "<a href=\"{href}{sep}lang={tag}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{label}</a>",
            href = escape(here),
            tag = target.html()
        )
    };
    format!(
        "<nav class=\"lang\" aria-label=\"Ngôn ngữ / Language\">{}{}</nav>",
        link(Lang::Vi, "Tiếng Việt"),
        link(Lang::En, "English")
    )
}

fn bank_top(lang: Lang, here: &str) -> String {
    format!(
        "<div class=\"top\"><div class=\"brand\">{}</div>{}</div>",
        lang.both("Ngân hàng thử nghiệm", "Sandbox bank"),
        language_links(lang, here, '?'),
    )
}

/// The bank simulator: the VietQR bills waiting for payment (click one to review it), a pasted
/// payload, or a photo of the QR; each leads to the confirmation page, not to a payment.
pub fn bank(lang: Lang, bills: &[Bill<'_>]) -> Html<String> {
    let tag = lang.html();
    let pending = if bills.is_empty() {
        format!(
            "<p class=\"empty\" id=\"no-bills\">{}</p>",
            lang.both("Không có đơn nào chờ thanh toán.", "No orders are waiting for payment.")
        )
    } else {
        let rows: String = bills
            .iter()
            .map(|b| {
                format!(
                    "<li class=\"persona\"><form method=\"post\" action=\"/bank/review\">\
                     <input type=\"hidden\" name=\"payload\" value=\"{payload}\"><input type=\"hidden\" name=\"lang\" value=\"{tag}\">\
                     <dl><dt>{ref_label}</dt><dd class=\"code\">{bill}</dd><dt>{dossier_label}</dt><dd class=\"code\">{dossier}</dd>\
                     <dt>{amount_label}</dt><dd>{amount}</dd><dt>{expires_label}</dt><dd>{expires}</dd></dl>\
                     <img src=\"/bank/qr/{bill}\" width=\"160\" height=\"160\" id=\"qr-{bill}\" alt=\"{alt} {bill}\">\
                     <button type=\"submit\" class=\"secondary\" id=\"bill-{bill}\">{open} {bill}</button></form></li>",
                    payload = escape(b.payload),
                    bill = escape(b.bill_number),
                    dossier = escape(b.dossier_code),
                    amount = smarthd_model::payment::vnd(b.amount_vnd),
                    expires = escape(b.expires_at),
                    ref_label = lang.both("Mã hóa đơn", "Bill number"),
                    dossier_label = lang.both("Hồ sơ", "Dossier"),
                    amount_label = lang.both("Số tiền", "Amount"),
                    expires_label = lang.both("Hết hạn", "Expires"),
                    open = lang.pick("Xem và thanh toán", "Review and pay"),
                    alt = lang.pick("Mã VietQR của hóa đơn", "VietQR code of bill"),
                )
            })
            .collect();
        format!("<ul id=\"bills\" class=\"plain\">{rows}</ul>")
    };
    let body = format!(
        "{top}<div class=\"card\"><h1>{title}</h1><p class=\"sub\">{sub}</p></div>\
         <section class=\"card\" aria-labelledby=\"bills-title\"><h2 id=\"bills-title\">{bills_title}</h2>{pending}</section>\
         <section class=\"card\" aria-labelledby=\"upload-title\"><h2 id=\"upload-title\">{upload_title}</h2>\
         <form method=\"post\" action=\"/bank/upload\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"lang\" value=\"{tag}\">\
         <label for=\"qr-image\">{image_label}</label>\
         <input type=\"file\" id=\"qr-image\" name=\"image\" accept=\"image/png,image/jpeg\" required aria-describedby=\"qr-image-hint\">\
         <span class=\"hint\" id=\"qr-image-hint\">{image_hint}</span>\
         <button type=\"submit\" id=\"upload\">{read}</button></form></section>\
         <section class=\"card\" aria-labelledby=\"paste-title\"><h2 id=\"paste-title\">{paste_title}</h2>\
         <form method=\"post\" action=\"/bank/review\">\
         <input type=\"hidden\" name=\"lang\" value=\"{tag}\">\
         <label for=\"payload\">{payload_label}</label>\
         <textarea id=\"payload\" name=\"payload\" class=\"mono\" required spellcheck=\"false\" \
         aria-describedby=\"payload-hint\"></textarea>\
         <span class=\"hint\" id=\"payload-hint\">{payload_hint}</span>\
         <button type=\"submit\" id=\"review\">{read}</button></form></section>",
        top = bank_top(lang, "/bank"),
        title = lang.both("Chuyển khoản bằng VietQR", "Pay a VietQR"),
        sub = lang.both(
            "Ngân hàng giả lập trả tiền vào tài khoản thu của Kho bạc như ứng dụng ngân hàng của người dân.",
            "A simulated bank that pays into the Treasury's collection account as a resident's banking app would.",
        ),
        bills_title = lang.both("Đơn chờ thanh toán", "Orders waiting for payment"),
        upload_title = lang.both("Tải ảnh mã QR lên", "Upload a picture of the QR code"),
        image_label = lang.both("Ảnh mã QR (PNG hoặc JPEG)", "QR code picture (PNG or JPEG)"),
        image_hint = lang.both("Ảnh chụp màn hình hoặc ảnh chụp mã QR.", "A screenshot or a photo of the QR code."),
        paste_title = lang.both("Dán nội dung mã QR", "Paste the QR code's content"),
        payload_label = lang.both("Nội dung mã VietQR", "VietQR content"),
        payload_hint = lang.both("Chuỗi bắt đầu bằng 000201…", "The text starting with 000201…"),
        read = lang.both("Xem trước khi trả", "Review before paying"),
    );
    Html(document(lang, "Ngân hàng thử nghiệm / Sandbox bank", &body))
}

/// What a VietQR asks to pay, shown before any money moves.
pub struct Transfer<'a> {
    pub bank_bin: &'a str,
    pub account: &'a str,
    pub amount_vnd: i64,
    pub bill_number: &'a str,
    pub purpose: Option<&'a str>,
    pub payload: &'a str,
}

/// The confirmation page: the bank, the account, the amount and the reference, and a button
/// that pays (posting the payload to `/bank/pay`) or a way back.
pub fn confirm(lang: Lang, t: &Transfer<'_>) -> Html<String> {
    let purpose = t.purpose.map_or(String::new(), |p| {
        format!("<dt>{}</dt><dd id=\"confirm-purpose\">{}</dd>", lang.both("Nội dung", "Purpose"), escape(p))
    });
    let back = if lang == Lang::En { "/bank?lang=en" } else { "/bank" };
    let body = format!(
        "{top}<div class=\"card\"><h1>{title}</h1><p class=\"note\">{check}</p><dl>\
         <dt>{bank_label}</dt><dd id=\"confirm-bank\">{bank} ({bin})</dd>\
         <dt>{account_label}</dt><dd id=\"confirm-account\">{account}<span class=\"en\">{holder}</span></dd>\
         <dt>{amount_label}</dt><dd id=\"confirm-amount\" class=\"amount\">{amount}</dd>\
         <dt>{ref_label}</dt><dd id=\"confirm-reference\" class=\"code\">{reference}</dd>{purpose}</dl>\
         <form method=\"post\" action=\"/bank/pay\"><input type=\"hidden\" name=\"payload\" value=\"{payload}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{tag}\">\
         <button type=\"submit\" id=\"confirm\">{pay} {amount}</button></form>\
         <p><a href=\"{back}\" id=\"back\">{cancel}</a></p></div>",
        top = bank_top(lang, "/bank"),
        title = lang.both("Xác nhận chuyển tiền", "Confirm the transfer"),
        check = lang.both(
            "Kiểm tra kỹ trước khi xác nhận: tiền đã chuyển không thể lấy lại.",
            "Check before confirming: a transfer cannot be undone."
        ),
        bank_label = lang.both("Ngân hàng nhận", "Receiving bank"),
        bank = bank_name(t.bank_bin),
        bin = escape(t.bank_bin),
        account_label = lang.both("Tài khoản nhận", "To account"),
        account = escape(t.account),
        holder = lang.both("Kho bạc Nhà nước — tài khoản thu", "State Treasury — collection account"),
        amount_label = lang.both("Số tiền", "Amount"),
        amount = smarthd_model::payment::vnd(t.amount_vnd),
        ref_label = lang.both("Mã hóa đơn", "Bill number"),
        reference = escape(t.bill_number),
        payload = escape(t.payload),
        tag = lang.html(),
        pay = lang.pick("Xác nhận chuyển", "Confirm and pay"),
        cancel = lang.both("Quay lại, không chuyển tiền", "Go back without paying"),
    );
    Html(document(lang, "Xác nhận chuyển tiền / Confirm the transfer", &body))
}

/// The bank's answer to a transfer or a review: done (with the transaction number) or why not.
pub fn bank_outcome(status: StatusCode, lang: Lang, (vi, en): (&str, &str), bank_tran_no: Option<&str>) -> Response {
    let back = if lang == Lang::En { "/bank?lang=en" } else { "/bank" };
    let (title, class, role) = if status.is_success() {
        (lang.both("Chuyển tiền thành công", "Payment sent"), "done", "")
    } else {
        (lang.both("Không thể chuyển tiền", "The bank did not pay"), "error", " role=\"alert\"")
    };
    let tran = bank_tran_no.map_or(String::new(), |n| {
        format!(
            "<dl><dt>{}</dt><dd id=\"bank-tran-no\" class=\"code\">{}</dd></dl>",
            lang.both("Mã giao dịch", "Transaction number"),
            escape(n)
        )
    });
    let body = format!(
        "{top}<div class=\"card\"><h1>{title}</h1><p class=\"{class}\" id=\"outcome\"{role}>{message}</p>{tran}\
         <p><a href=\"{back}\">{again}</a></p></div>",
        top = bank_top(lang, "/bank"),
        message = lang.both(vi, en),
        again = lang.both("Về trang ngân hàng", "Back to the bank"),
    );
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(document(lang, "Ngân hàng thử nghiệm / Sandbox bank", &body)),
    )
        .into_response()
}

/// `190.000 đ`, as everywhere.
pub fn vnd(amount: u64) -> String {
    smarthd_model::payment::vnd(i64::try_from(amount).unwrap_or(i64::MAX))
}
