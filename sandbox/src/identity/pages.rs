//! The provider's HTML: the bilingual login page and the small message pages (errors, signed
//! out). Self-contained (inline CSS, no scripts), readable on a phone, labelled for screen readers.

use super::citizens::{CITIZENS, SANDBOX_OTP};
use super::common::REALM_PATH;

use crate::html::{self, Theme, escape};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// The first supported tag of a `ui_locales` list (`"en-US vi"` -> English); Vietnamese
    /// otherwise.
    pub fn from_ui_locales(locales: Option<&str>) -> Lang {
        locales
            .into_iter()
            .flat_map(str::split_whitespace)
            .find_map(|tag| match tag.split(['-', '_']).next().map(str::to_ascii_lowercase).as_deref() {
                Some("vi") => Some(Lang::Vi),
                Some("en") => Some(Lang::En),
                _ => None,
            })
            .unwrap_or_default()
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn pick(self, vi: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// What went wrong with a login attempt; shown above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    CccdFormat,
    OtpFormat,
    WrongCredentials,
    WrongOtp,
    /// Wrong again; the account is locked after this many more.
    AttemptsLeft(u32),
    /// Too many wrong attempts: the account is locked for a while.
    Locked,
}

impl LoginError {
    /// The message in Vietnamese and English.
    pub fn texts(self) -> (&'static str, &'static str) {
        match self {
            LoginError::CccdFormat => {
                ("Số định danh cá nhân phải gồm đúng 12 chữ số.", "The personal ID number must have exactly 12 digits.")
            }
            LoginError::OtpFormat => ("Mã OTP gồm đúng 6 chữ số.", "The OTP code has exactly 6 digits."),
            LoginError::WrongCredentials => (
                "Số định danh cá nhân hoặc mật khẩu không đúng.",
                "The personal ID number or the password is incorrect.",
            ),
            LoginError::WrongOtp => ("Mã OTP không đúng hoặc đã hết hạn.", "The OTP code is incorrect or has expired."),
            LoginError::AttemptsLeft(_) => (
                "Thông tin đăng nhập không đúng. Tài khoản sẽ bị tạm khóa 15 phút nếu bạn tiếp tục nhập sai.",
                "The sign-in details are incorrect. The account will be locked for 15 minutes if you keep failing.",
            ),
            LoginError::Locked => (
                "Tài khoản tạm thời bị khóa 15 phút do nhập sai nhiều lần. Vui lòng thử lại sau.",
                "The account is locked for 15 minutes after too many failed attempts. Please try again later.",
            ),
        }
    }

    fn message(self, lang: Lang) -> String {
        let (vi, en) = self.texts();
        match self {
            LoginError::AttemptsLeft(n) => match lang {
                Lang::Vi => format!("{vi} Còn {n} lần thử."),
                Lang::En => format!("{en} {n} attempt(s) left."),
            },
            _ => lang.pick(vi, en).to_owned(),
        }
    }

    /// The field to mark invalid and focus.
    fn field(self) -> &'static str {
        match self {
            LoginError::CccdFormat
            | LoginError::WrongCredentials
            | LoginError::AttemptsLeft(_)
            | LoginError::Locked => "cccd",
            LoginError::OtpFormat | LoginError::WrongOtp => "otp",
        }
    }
}

pub struct LoginPage<'a> {
    pub lang: Lang,
    pub handle: &'a str,
    /// The level the app asked for (`acr_values`).
    pub min_level: u8,
    pub cccd: &'a str,
    pub error: Option<LoginError>,
}

fn document(lang: Lang, title: &str, language_links: &str, body: &str) -> String {
    let body = format!(
        "<main>\n<div class=\"top\"><span class=\"brand\">Smart-Hải Dương</span>{language_links}</div>\n\
         {body}\n<p class=\"sandbox\">{sandbox}</p>\n</main>",
        sandbox = lang.pick(
            "Môi trường thử nghiệm: chỉ dùng tài khoản thử nghiệm, không nhập thông tin thật.",
            "Sandbox: test accounts only; never enter real personal data.",
        ),
    );
    html::document(lang.tag(), Theme::Identity, title, &body)
}

pub fn login_page(page: &LoginPage<'_>) -> String {
    let lang = page.lang;
    let link = |target: Lang, label: &str| {
        let current = if target == lang { " aria-current=\"true\"" } else { "" };
        format!(
            "<a href=\"{REALM_PATH}/login?handle={handle}&amp;ui_locales={tag}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{label}</a>",
            handle = escape(page.handle),
            tag = target.tag(),
        )
    };
    let languages = format!(
        "<nav class=\"lang\" aria-label=\"Ngôn ngữ / Language\">{}{}</nav>",
        link(Lang::Vi, "Tiếng Việt"),
        link(Lang::En, "English")
    );
    let error = page
        .error
        .map(|e| format!("<p class=\"error\" role=\"alert\" id=\"form-error\">{}</p>", escape(&e.message(lang))))
        .unwrap_or_default();
    let level_note = if page.min_level >= 2 {
        format!(
            "<p class=\"note\">{}</p>",
            lang.pick(
                "Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2.",
                "This service requires a level 2 e-identity account.",
            )
        )
    } else {
        String::new()
    };
    let invalid = |field: &str| {
        if page.error.is_some_and(|e| e.field() == field) {
            " aria-invalid=\"true\" aria-describedby=\"form-error\" autofocus"
        } else {
            ""
        }
    };
    let title = lang.pick("Đăng nhập bằng định danh điện tử", "Sign in with your e-identity");
    let body = format!(
        "<div class=\"card\">\n<h1>{title}</h1>\n<p class=\"sub\">{sub}</p>\n{level_note}{error}\
         <form method=\"post\" action=\"{REALM_PATH}/login\" novalidate>\n\
         <input type=\"hidden\" name=\"handle\" value=\"{handle}\">\n\
         <input type=\"hidden\" name=\"lang\" value=\"{tag}\">\n\
         <label for=\"cccd\">{cccd_label}</label>\n\
         <input id=\"cccd\" name=\"cccd\" type=\"text\" inputmode=\"numeric\" autocomplete=\"username\" \
         pattern=\"[0-9]{{12}}\" maxlength=\"12\" required value=\"{cccd}\"{cccd_invalid}>\n\
         <span class=\"hint\">{cccd_hint}</span>\n\
         <label for=\"password\">{password_label}</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
         <label for=\"otp\">{otp_label}</label>\n\
         <input id=\"otp\" name=\"otp\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
         pattern=\"[0-9]{{6}}\" maxlength=\"6\" required{otp_invalid}>\n\
         <span class=\"hint\">{otp_hint}</span>\n\
         <button type=\"submit\">{submit}</button>\n</form>\n</div>\n{personas}",
        personas = personas(page),
        sub = lang.pick(
            "Ứng dụng Smart-Hải Dương đề nghị bạn đăng nhập bằng tài khoản định danh điện tử (VNeID).",
            "The Smart-Hải Dương app asks you to sign in with your e-identity account (VNeID).",
        ),
        handle = escape(page.handle),
        tag = lang.tag(),
        cccd_label = lang.pick("Số định danh cá nhân / CCCD", "Personal ID number (CCCD)"),
        cccd = escape(page.cccd),
        cccd_invalid = invalid("cccd"),
        cccd_hint = lang.pick("12 chữ số trên thẻ căn cước.", "The 12 digits on your citizen ID card."),
        password_label = lang.pick("Mật khẩu", "Password"),
        otp_label = lang.pick("Mã OTP", "OTP code"),
        otp_invalid = invalid("otp"),
        otp_hint = lang.pick(
            "6 chữ số gửi qua tin nhắn SMS đến số điện thoại đã đăng ký.",
            "The 6 digits sent by SMS to your registered phone number.",
        ),
        submit = lang.pick("Đăng nhập", "Sign in"),
    );
    document(lang, title, &languages, &body)
}

/// MockPass-style: one button per test persona that posts the persona's credentials through the
/// same form handler, so the authorization request (PKCE, state, consent) is untouched.
fn personas(page: &LoginPage<'_>) -> String {
    let lang = page.lang;
    let buttons: String = CITIZENS
        .iter()
        .map(|c| {
            let who = match (c.organisation, lang) {
                (Some(org), Lang::Vi) => format!("{} (tài khoản doanh nghiệp {}, mức {})", c.name, org.name, c.level),
                (Some(org), Lang::En) => format!("{} (business account of {}, level {})", c.name, org.name, c.level),
                (None, Lang::Vi) => format!("{} (mức {})", c.name, c.level),
                (None, Lang::En) => format!("{} (level {})", c.name, c.level),
            };
            format!(
                "<form method=\"post\" action=\"{REALM_PATH}/login\" class=\"persona\">\
                 <input type=\"hidden\" name=\"handle\" value=\"{handle}\">\
                 <input type=\"hidden\" name=\"lang\" value=\"{tag}\">\
                 <input type=\"hidden\" name=\"cccd\" value=\"{cccd}\">\
                 <input type=\"hidden\" name=\"password\" value=\"{password}\">\
                 <input type=\"hidden\" name=\"otp\" value=\"{SANDBOX_OTP}\">\
                 <button type=\"submit\" class=\"secondary\" id=\"persona-{cccd}\">{action} {who}</button></form>",
                handle = escape(page.handle),
                tag = lang.tag(),
                cccd = c.cccd,
                password = escape(c.password),
                action = lang.pick("Đăng nhập nhanh:", "Quick sign-in:"),
                who = escape(&who),
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"personas-title\">\n<h2 id=\"personas-title\">{title}</h2>\n\
         <p class=\"sub\">{sub}</p>\n{buttons}\n</section>",
        title = lang.pick("Tài khoản thử nghiệm", "Test personas"),
        sub = lang.pick(
            "Chỉ có trong môi trường thử nghiệm: đăng nhập bằng một tài khoản mẫu với một lần bấm.",
            "Sandbox only: sign in as a sample account with one click.",
        ),
    )
}

/// A page with a heading and a message, in both languages (the person may not read the one
/// the app asked for, and there is no form to switch from).
pub fn message_page(lang: Lang, title: (&str, &str), message: (&str, &str)) -> String {
    let (first, second) = match lang {
        Lang::Vi => ((title.0, message.0, "vi"), (title.1, message.1, "en")),
        Lang::En => ((title.1, message.1, "en"), (title.0, message.0, "vi")),
    };
    let body = format!(
        "<div class=\"card\">\n<h1>{}</h1>\n<p>{}</p>\n</div>\n<div class=\"card\" lang=\"{}\">\n\
         <h1>{}</h1>\n<p>{}</p>\n</div>",
        escape(first.0),
        escape(first.1),
        second.2,
        escape(second.0),
        escape(second.1),
    );
    document(lang, first.0, "", &body)
}

/// The end-session confirmation: a form that POSTs the CSRF token back. Nothing is ended
/// until the resident presses the button, so a cross-site link cannot sign anyone out.
pub fn logout_confirm_page(lang: Lang, csrf: &str) -> String {
    let title = lang.pick("Đăng xuất khỏi định danh điện tử?", "Sign out of your e-identity?");
    let body = format!(
        "<div class=\"card\">\n<h1>{title}</h1>\n<p class=\"sub\">{sub}</p>\n\
         <form method=\"post\" action=\"{REALM_PATH}/logout\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <button type=\"submit\" id=\"confirm-logout\">{submit}</button>\n</form>\n</div>",
        title = escape(title),
        sub = lang.pick(
            "Ứng dụng Smart-Hải Dương đề nghị đăng xuất phiên đăng nhập của bạn trên trình duyệt này. / \
             The Smart-Hải Dương app asks to end your sign-in session in this browser.",
            "The Smart-Hải Dương app asks to end your sign-in session in this browser. / \
             Ứng dụng Smart-Hải Dương đề nghị đăng xuất phiên đăng nhập của bạn trên trình duyệt này.",
        ),
        csrf = escape(csrf),
        submit = lang.pick("Đăng xuất / Sign out", "Sign out / Đăng xuất"),
    );
    document(lang, title, "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_locales_pick_the_first_supported_language() {
        assert_eq!(Lang::from_ui_locales(None), Lang::Vi);
        assert_eq!(Lang::from_ui_locales(Some("fr en-US vi")), Lang::En);
        assert_eq!(Lang::from_ui_locales(Some("vi-VN en")), Lang::Vi);
        assert_eq!(Lang::from_ui_locales(Some("de")), Lang::Vi);
    }

    #[test]
    fn the_login_page_escapes_what_it_echoes() {
        let html = login_page(&LoginPage {
            lang: Lang::En,
            handle: "h\"><script>",
            min_level: 2,
            cccd: "<b>",
            error: Some(LoginError::WrongOtp),
        });
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert!(html.contains("level 2") && html.contains("role=\"alert\""));
    }
}
