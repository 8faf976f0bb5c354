//! The sandbox's front door for testers: `/` lists the test personas with their passwords and
//! links to every page; `/try-login` opens the real login page through a normal authorization
//! request (PKCE S256, state) that comes back to `/try-login/done` on the sandbox itself.

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::OFFICERS;
use crate::html::{self, Theme, both, en, escape};
use crate::identity::{CITIZENS, CLIENT_ID, REALM_PATH, SANDBOX_OTP};

/// The try-out's PKCE verifier: fixed, as the try-out never exchanges its code (an app would
/// make a new one for every login).
const TRY_VERIFIER: &str = "sandbox-try-login-never-exchanged-0123456789abcdef";

pub fn router() -> OpenApiRouter {
    OpenApiRouter::new().routes(routes!(index)).routes(routes!(try_login)).routes(routes!(try_login_done))
}

fn page(title: &str, body: &str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(html::document("vi", Theme::Home, title, body))).into_response()
}

#[utoipa::path(get, path = "/", tag = "pages",
    responses((status = 200, description = "Trang chủ, người dùng thử / The index and test personas", content_type = "text/html", body = String)))]
async fn index() -> Response {
    let personas: String = CITIZENS
        .iter()
        .map(|c| {
            let (kind_vi, kind_en) = match (c.organisation, c.level) {
                (Some(_), _) => ("Tài khoản doanh nghiệp, mức 2", "Business account, level 2"),
                (None, 2) => ("Người dân, định danh mức 2", "Resident, e-identity level 2"),
                _ => ("Người dân, định danh mức 1", "Resident, e-identity level 1"),
            };
            let organisation = c.organisation.map_or(String::new(), |o| {
                format!(
                    "<dt>{}</dt><dd>{} (MST {})</dd>",
                    both("Doanh nghiệp", "Business"),
                    escape(o.name),
                    escape(o.tax_code)
                )
            });
            format!(
                "<li class=\"persona\" id=\"persona-{cccd}\"><h3>{name}</h3><p>{kind}</p><dl>{organisation}\
                 <dt>{id_label}</dt><dd class=\"code\">{cccd}</dd>\
                 <dt>{password_label}</dt><dd class=\"code\">{password}</dd>\
                 <dt>{otp_label}</dt><dd class=\"code\">{SANDBOX_OTP}</dd></dl></li>",
                cccd = c.cccd,
                name = escape(c.name),
                kind = both(kind_vi, kind_en),
                id_label = both("Số định danh", "ID number"),
                password_label = both("Mật khẩu", "Password"),
                password = escape(c.password),
                otp_label = both("Mã OTP", "OTP"),
            )
        })
        .collect();
    let officers: String = OFFICERS
        .iter()
        .map(|o| {
            format!(
                "<li class=\"persona\"><h3>{name}</h3><dl><dt>{user_label}</dt><dd class=\"code\">{user}</dd>\
                 <dt>{password_label}</dt><dd class=\"code\">{password}</dd></dl></li>",
                name = escape(o.name),
                user_label = both("Tên đăng nhập", "Username"),
                user = escape(o.username),
                password_label = both("Mật khẩu", "Password"),
                password = escape(o.password),
            )
        })
        .collect();
    let link = |href: &str, id: &str, vi: &str, en_text: &str, what_vi: &str, what_en: &str| {
        format!(
            "<li><a href=\"{href}\" id=\"{id}\">{}</a>{}{}</li>",
            both(vi, en_text),
            format_args!("<span class=\"hint\">{}</span>", escape(what_vi)),
            en(what_en)
        )
    };
    let links = [
        link(
            "/try-login",
            "link-login",
            "Trang đăng nhập định danh điện tử",
            "E-identity login page",
            "Mở bằng một yêu cầu đăng nhập thật (PKCE); có nút đăng nhập nhanh cho từng tài khoản.",
            "Opened through a real authorization request (PKCE), with one-click sign-in per persona.",
        ),
        link(
            "/bank",
            "link-bank",
            "Ngân hàng thử nghiệm (VietQR)",
            "Sandbox bank (VietQR)",
            "Trả các đơn VietQR đang chờ, bằng danh sách, ảnh mã QR hoặc nội dung mã.",
            "Pays the waiting VietQR orders: from the list, a QR picture or the pasted content.",
        ),
        link(
            "/officer",
            "link-officer",
            "Bàn làm việc cán bộ một cửa",
            "One-stop desk officer console",
            "Tiếp nhận, xử lý, yêu cầu bổ sung và trả kết quả hồ sơ.",
            "Receive, process, ask for documents and return results.",
        ),
        link(
            "/officer/reports",
            "link-reports",
            "Trung tâm điều hành: phản ánh hiện trường",
            "Operations centre: field reports",
            "Tiếp nhận, từ chối, chuyển xử lý và trả lời phản ánh kèm ảnh minh chứng (cần đăng nhập cán bộ).",
            "Accept, reject, assign and answer residents' reports with proof photos (officer login needed).",
        ),
        link(
            "/officer/ratings",
            "link-ratings",
            "Đánh giá mức độ hài lòng",
            "Satisfaction ratings",
            "Đánh giá của người dân theo thủ tục (cần đăng nhập cán bộ).",
            "Residents' ratings per procedure (officer login needed).",
        ),
        link(
            "/lookup",
            "link-lookup",
            "Tra cứu hồ sơ công khai",
            "Public dossier lookup",
            "Trạng thái một hồ sơ theo mã, không cần đăng nhập.",
            "A dossier's status by its code, without signing in.",
        ),
        link(
            &format!("{REALM_PATH}/.well-known/openid-configuration"),
            "link-discovery",
            "Cấu hình OpenID Connect",
            "OpenID Connect discovery",
            "Tài liệu JSON cho ứng dụng.",
            "JSON, for apps.",
        ),
    ]
    .concat();
    let body = format!(
        "<main>\n<div class=\"top\"><span class=\"brand\">Smart-Hải Dương</span><span class=\"tag\">{sandbox}</span></div>\n\
         <div class=\"card\"><h1>{title}</h1><p class=\"sub\">{sub}</p></div>\n\
         <section class=\"card\" aria-labelledby=\"pages-title\"><h2 id=\"pages-title\">{pages_title}</h2>\
         <ul class=\"links\">{links}</ul>\
         <p class=\"hint\">{gateway}</p></section>\n\
         <section class=\"card\" aria-labelledby=\"personas-title\"><h2 id=\"personas-title\">{personas_title}</h2>\
         <ul class=\"plain\" id=\"personas\">{personas}</ul></section>\n\
         <section class=\"card\" aria-labelledby=\"officers-title\"><h2 id=\"officers-title\">{officers_title}</h2>\
         <ul class=\"plain\" id=\"officers\">{officers}</ul></section>\n\
         <p class=\"sandbox\">{footer}</p>\n</main>",
        sandbox = both("Thử nghiệm", "Sandbox"),
        title = both("Cổng dịch vụ công thử nghiệm", "Sandbox public-service portal"),
        sub = both(
            "Thay thế các hệ thống của tỉnh để thử ứng dụng: chỉ dùng dữ liệu thử nghiệm.",
            "Stands in for the province's systems to test the app: test data only.",
        ),
        pages_title = both("Các trang", "Pages"),
        gateway = both(
            "Cổng thanh toán (/gateway/vpcpay.html) chỉ mở từ đường dẫn thanh toán có chữ ký mà ứng dụng nhận được.",
            "The payment gateway (/gateway/vpcpay.html) opens only from the signed pay link the app receives.",
        ),
        personas_title = both("Tài khoản thử nghiệm", "Test personas"),
        officers_title = both("Tài khoản cán bộ", "Officer accounts"),
        footer = both("Không nhập thông tin cá nhân thật.", "Never enter real personal data."),
    );
    page("Smart-Hải Dương — thử nghiệm / sandbox", &body)
}

/// `GET /try-login`: an authorization request as an app would make it, back to this sandbox.
#[utoipa::path(get, path = "/try-login", tag = "pages",
    responses((status = 200, content_type = "text/html", body = String), (status = 302, description = "Đến trang đăng nhập / To the login page"),
        (status = 303, description = "Đến trang đăng nhập / To the login page")))]
async fn try_login(headers: HeaderMap) -> Response {
    // The provider takes loopback redirect URIs on any port: name the port this page came on.
    let port = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(80);
    let digest = ring::digest::digest(&ring::digest::SHA256, TRY_VERIFIER.as_bytes());
    let challenge = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, digest.as_ref());
    let redirect = format!("http://127.0.0.1:{port}/try-login/done");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", &redirect)
        .append_pair("scope", "openid profile")
        .append_pair("state", "try-login")
        // Always the login page, even with a provider session in this browser.
        .append_pair("prompt", "login")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    Redirect::to(&format!("{REALM_PATH}/authorize?{query}")).into_response()
}

#[derive(Deserialize)]
struct Done {
    code: Option<String>,
    error: Option<String>,
}

/// `GET /try-login/done`: where the try-out's login comes back; says what an app would get.
#[utoipa::path(get, path = "/try-login/done", tag = "pages",
    params(("code" = Option<String>, Query), ("error" = Option<String>, Query)),
    responses((status = 200, content_type = "text/html", body = String), (status = 400, description = "Tham số sai / Bad query, or the login's error", content((crate::openapi::ErrorBody = "application/json"), (String = "text/html")))))]
async fn try_login_done(Query(done): Query<Done>) -> Response {
    let (class, message) = match (&done.code, &done.error) {
        (Some(_), None) => (
            "done",
            both(
                "Đăng nhập thành công: nhà cung cấp định danh đã trả mã ủy quyền; ứng dụng sẽ đổi mã này lấy token.",
                "Signed in: the identity provider returned an authorization code; an app would exchange it for tokens.",
            ),
        ),
        _ => (
            "error",
            both(
                "Đăng nhập không thành công: nhà cung cấp định danh trả về lỗi.",
                "Sign-in failed: the identity provider answered with an error.",
            ),
        ),
    };
    let status = if class == "done" { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let role = if class == "done" { "status" } else { "alert" };
    let body = format!(
        "<main><div class=\"card\"><h1>{title}</h1><p class=\"{class}\" id=\"outcome\" role=\"{role}\">{message}</p>\
         <p><a href=\"/\">{back}</a></p></div></main>",
        title = both("Thử đăng nhập", "Login try-out"),
        back = both("Về trang chủ thử nghiệm", "Back to the sandbox index"),
    );
    (status, page("Thử đăng nhập / Login try-out", &body)).into_response()
}
