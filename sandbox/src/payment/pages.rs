//! The HTML of the gateway page, the bank simulator and their notices: Vietnamese and English,
//! inline CSS, usable on a phone, with ids on every control a browser test clicks.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use smarthd_model::payment::response_message;

use crate::html::escape;

/// The gateway page's language (`vnp_Locale`); the other language is shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn of_locale(locale: Option<&str>) -> Lang {
        if locale == Some("en") { Lang::En } else { Lang::Vi }
    }

    fn html(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// `primary <span class="alt">other</span>`, escaped.
    fn both(self, vi: &str, en: &str) -> String {
        let (first, second) = if self == Lang::En { (en, vi) } else { (vi, en) };
        format!("{} <span class=\"alt\">{}</span>", escape(first), escape(second))
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

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#eef2f7;color:#1c2733}
main{max-width:560px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:14px;box-shadow:0 2px 10px rgba(0,40,90,.08);padding:20px;margin-bottom:16px}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:12px}
.brand{font-weight:800;color:#005baa;font-size:1.3rem}.brand span{color:#ed1c24}
.tag{font-size:.75rem;background:#fff3cd;color:#7a5b00;border-radius:999px;padding:3px 10px}
h1{font-size:1.2rem;margin:0 0 12px}
.alt{color:#6b7a8c;font-weight:400;font-size:.85em}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:0}
dt{color:#6b7a8c;font-size:.9rem}dd{margin:0;font-weight:600;word-break:break-word}
.amount{font-size:1.4rem;color:#005baa}
fieldset{border:0;padding:0;margin:0 0 16px}legend{font-weight:600;margin-bottom:8px}
.banks{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
.bank{display:flex;gap:8px;align-items:center;border:1px solid #d5dde8;border-radius:10px;padding:10px;cursor:pointer}
.bank:has(input:checked){border-color:#005baa;background:#eaf3fc}
.bank small{display:block;color:#6b7a8c;font-weight:400}
button{font:inherit;border-radius:10px;padding:12px 16px;border:0;cursor:pointer;width:100%;margin-top:8px}
.primary{background:#005baa;color:#fff;font-weight:700}
.secondary{background:#e3e8ef;color:#1c2733}
.danger{background:#fff;color:#b42318;border:1px solid #f1b5ae}
select,textarea{font:inherit;width:100%;padding:10px;border:1px solid #d5dde8;border-radius:10px}
textarea{min-height:120px;font-family:ui-monospace,monospace;font-size:.85rem}
.test h2{font-size:1rem;margin:0 0 8px}
.notice h1{color:#b42318}.notice.ok h1{color:#067647}
code{word-break:break-all}
";

fn document(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        lang.html(),
        escape(title)
    )
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
}

pub fn gateway(p: &PayPage<'_>) -> Html<String> {
    let lang = p.lang;
    let banks: String = BANKS
        .iter()
        .map(|(code, name)| {
            format!(
                "<label class=\"bank\" for=\"bank-{code}\"><input type=\"radio\" name=\"bank\" id=\"bank-{code}\" \
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
        "<div class=\"card\"><header><div class=\"brand\">VN<span>PAY</span></div>\
         <div class=\"tag\">{sandbox}</div></header>\
         <h1>{title}</h1><dl>\
         <dt>{merchant_label}</dt><dd id=\"merchant\">{merchant} ({tmn})</dd>\
         <dt>{amount_label}</dt><dd id=\"amount\" class=\"amount\">{amount}</dd>\
         <dt>{info_label}</dt><dd id=\"order-info\">{info}</dd>\
         <dt>{ref_label}</dt><dd id=\"txn-ref\">{txn_ref}</dd>{expires}</dl></div>\
         <form class=\"card\" method=\"post\" action=\"/gateway/vpcpay.html\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <fieldset><legend>{bank_label}</legend><div class=\"banks\">{banks}</div></fieldset>\
         <button type=\"submit\" id=\"pay\" name=\"action\" value=\"pay\" class=\"primary\">{pay}</button>\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\" class=\"secondary\" formnovalidate>{cancel}</button>\
         <div class=\"test\" style=\"margin-top:20px\"><h2>{fail_title}</h2>\
         <select id=\"fail-code\" name=\"fail_code\" aria-label=\"{fail_aria}\">{codes}</select>\
         <button type=\"submit\" id=\"fail\" name=\"action\" value=\"fail\" class=\"danger\" formnovalidate>{fail}</button>\
         </div></form>",
        sandbox = lang.both("Thử nghiệm", "Sandbox"),
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
        fail_title = lang.both("Giả lập lỗi", "Simulate a failure"),
        fail_aria = if lang == Lang::En { "Response code" } else { "Mã lỗi" },
        fail = lang.both("Giả lập lỗi", "Simulate a failure"),
    );
    Html(document(lang, "Cổng thanh toán / Payment gateway", &body))
}

/// A page that says what went wrong (or right), in both languages.
pub fn notice(status: StatusCode, lang: Lang, vi: &str, en: &str, detail: Option<&str>) -> Response {
    let class = if status.is_success() { "card notice ok" } else { "card notice" };
    let detail = detail.map_or(String::new(), |d| format!("<p><code>{}</code></p>", escape(d)));
    let body = format!("<div class=\"{class}\"><h1>{}</h1>{detail}</div>", lang.both(vi, en));
    (status, Html(document(lang, &format!("{vi} / {en}"), &body))).into_response()
}

/// The bank simulator: paste a VietQR payload, pay it.
pub fn bank() -> Html<String> {
    let body = format!(
        "<form class=\"card\" method=\"post\" action=\"/bank/pay\">\
         <header><div class=\"brand\">Ngân hàng <span>thử nghiệm</span></div><div class=\"tag\">Sandbox bank</div></header>\
         <h1>{}</h1><p>{}</p>\
         <textarea id=\"payload\" name=\"payload\" required placeholder=\"000201010212…\"></textarea>\
         <button type=\"submit\" id=\"pay\" class=\"primary\">{}</button></form>",
        Lang::Vi.both("Chuyển khoản bằng VietQR", "Pay a VietQR"),
        Lang::Vi.both("Dán nội dung mã QR vào đây.", "Paste the QR code's content here."),
        Lang::Vi.both("Chuyển tiền", "Pay"),
    );
    Html(document(Lang::Vi, "Ngân hàng thử nghiệm / Sandbox bank", &body))
}

/// `190.000 đ`, as everywhere.
pub fn vnd(amount: u64) -> String {
    smarthd_model::payment::vnd(i64::try_from(amount).unwrap_or(i64::MAX))
}
