//! The officer console: a bilingual web page listing dossiers, where a sandbox officer moves a
//! dossier through its statuses and attaches a result, and the same actions as JSON endpoints.
//! The page's forms post to those endpoints, which answer a form with a redirect back to the
//! page. Behind a login (sandbox officer accounts, `desk`): every action needs the session
//! cookie and its CSRF token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::common::{Status, json_body, needs_message, portal_status};
use super::desk::{CSRF_HEADER, LOGIN_COOKIE, OfficerSession, SESSION_COOKIE, authenticate, cookie, random_hex, same};
use super::state::{AppState, Shared};
use super::store::{OfficerRow, ResultFile};
use crate::api_error::ApiError;
use crate::html::{self, Theme, escape};

/// The officer console shows this many of the newest dossiers.
const OFFICER_PAGE: u32 = 200;

#[derive(Deserialize)]
struct StatusBody {
    status: String,
    #[serde(default)]
    message: Option<String>,
    /// With `need_more_documents`: the documents asked for, by name.
    #[serde(default)]
    documents: Vec<String>,
    /// With `need_more_documents`: the last day to supplement (YYYY-MM-DD).
    #[serde(default)]
    deadline: Option<String>,
}

#[derive(Deserialize)]
struct ResultBody {
    name: String,
    /// The result as a PDF the officer uploads (base64); without it the portal draws one.
    #[serde(default)]
    content_base64: Option<String>,
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// `Content-Type: application/json`: what a cross-site form cannot send without the browser
/// asking first (a `text/plain` form can carry a JSON-shaped body, not this header).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn see_other(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn with_cookie(mut response: Response, cookie: String) -> Response {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn session_cookie(secret: &str, max_age: Option<u64>) -> String {
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    format!("{SESSION_COOKIE}={secret}; Path=/officer; HttpOnly; SameSite=Strict{age}")
}

/// The officer behind a console request, whose CSRF token it carries (the form's `csrf` field,
/// or the `X-CSRF-Token` header for JSON callers). Otherwise the answer to give: the login page
/// for a browser without a session, `401`/`403` for the rest (boxed: a response is large).
fn officer_of(s: &AppState, headers: &HeaderMap, form: bool, body: &[u8]) -> Result<OfficerSession, Box<Response>> {
    let Some(session) = s.api.desk.session(headers) else {
        if form {
            return Err(Box::new(see_other("/officer/login")));
        }
        return Err(Box::new(
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "log in at /officer/login first (a sandbox officer account)",
            )
            .into_response(),
        ));
    };
    let sent = if form {
        form_value(body, "csrf")
    } else {
        headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    if !sent.is_some_and(|t| same(&t, &session.csrf)) {
        return Err(Box::new(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "the console's CSRF token is missing or wrong / thiếu hoặc sai mã chống giả mạo",
            )
            .into_response(),
        ));
    }
    Ok(session)
}

/// `POST /officer/dossiers/{code}/status`: JSON `{"status", "message"?}` or the page's form.
#[utoipa::path(post, path = "/officer/dossiers/{code}/status", tag = "officer", security(("officer" = [])), params(("code" = String, Path, description = "The dossier's code")),
    request_body(content((Object = "application/json"), (Object = "application/x-www-form-urlencoded"))),
    responses((status = 200, content((Object = "application/json"), (String = "text/html"))), (status = 303, description = "Về hồ sơ / Back to the dossier"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn set_status(State(s): Shared, UrlPath(code): UrlPath<String>, headers: HeaderMap, body: Bytes) -> Response {
    let form = is_form(&headers);
    let officer = match officer_of(&s, &headers, form, &body) {
        Ok(officer) => officer,
        Err(refused) => return *refused,
    };
    let parsed = if form {
        Ok(StatusBody {
            status: form_value(&body, "status").unwrap_or_default(),
            message: form_value(&body, "message"),
            // One document a line (or separated by ";").
            documents: form_value(&body, "documents")
                .unwrap_or_default()
                .split(['\n', ';'])
                .map(str::to_owned)
                .collect(),
            deadline: form_value(&body, "deadline").filter(|d| !d.trim().is_empty()),
        })
    } else {
        json_body::<StatusBody>(&body)
    };
    let outcome = parsed.and_then(|b| {
        // The officer's choices: a withdrawal is the resident's.
        let status = portal_status(&b.status)
            .filter(|s| Status::PORTAL.contains(s))
            .ok_or_else(|| ApiError::validation("status", "unknown status"))?;
        let message = b.message.as_deref().map(str::trim).filter(|m| !m.is_empty());
        if needs_message(status) && message.is_none() {
            return Err(ApiError::validation("message", "say what is needed, or why / cần ghi nội dung, lý do"));
        }
        if status != Status::NeedMoreDocuments {
            return s.api.store.set_status(&code, status, message);
        }
        let documents: Vec<String> = b
            .documents
            .iter()
            .map(|d| d.trim().chars().filter(|c| !c.is_control()).take(200).collect::<String>())
            .filter(|d| !d.is_empty())
            .take(20)
            .collect();
        let deadline = b.deadline.as_deref().map(str::trim);
        if let Some(deadline) = deadline
            && chrono::NaiveDate::parse_from_str(deadline, "%Y-%m-%d").is_err()
        {
            return Err(ApiError::validation("deadline", "a date as YYYY-MM-DD / ngày theo dạng YYYY-MM-DD"));
        }
        s.api.store.request_supplement(&code, message.unwrap_or_default(), &documents, deadline)
    });
    answer(&s, &officer, form, outcome)
}

/// `POST /officer/dossiers/{code}/result`: JSON `{"name"}` or the page's form.
#[utoipa::path(post, path = "/officer/dossiers/{code}/result", tag = "officer", security(("officer" = [])), params(("code" = String, Path, description = "The dossier's code")),
    request_body(content((Object = "application/json"), (Object = "application/x-www-form-urlencoded"))),
    responses((status = 200, content((Object = "application/json"), (String = "text/html"))), (status = 303, description = "Về hồ sơ / Back to the dossier"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn attach_result(
    State(s): Shared,
    UrlPath(code): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = is_form(&headers);
    let officer = match officer_of(&s, &headers, form, &body) {
        Ok(officer) => officer,
        Err(refused) => return *refused,
    };
    let parsed = if form {
        Ok(ResultBody { name: form_value(&body, "name").unwrap_or_default(), content_base64: None })
    } else {
        json_body::<ResultBody>(&body)
    };
    let outcome = parsed.and_then(|b| {
        let name: String = b.name.trim().chars().filter(|c| !c.is_control()).take(200).collect();
        if name.is_empty() {
            return Err(ApiError::validation("name", "the result document needs a name / cần tên giấy tờ"));
        }
        let pdf = match &b.content_base64 {
            None => None,
            Some(content) => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content.trim())
                    .map_err(|_| ApiError::validation("content_base64", "not base64"))?;
                if !bytes.starts_with(b"%PDF-") || bytes.len() > 10 * 1024 * 1024 {
                    return Err(ApiError::validation(
                        "content_base64",
                        "a PDF of at most 10 MiB / tệp PDF tối đa 10 MiB",
                    ));
                }
                Some(bytes)
            }
        };
        s.api.store.attach_result(&code, &name, pdf.as_deref())
    });
    answer(&s, &officer, form, outcome)
}

/// JSON callers get the dossier as residents see it; the page gets a redirect back, or itself
/// with the error on top.
fn answer(
    s: &AppState,
    officer: &OfficerSession,
    form: bool,
    outcome: Result<super::store::DossierView, ApiError>,
) -> Response {
    match (outcome, form) {
        (Ok(view), false) => Json(view).into_response(),
        (Ok(_), true) => Redirect::to("/officer").into_response(),
        (Err(e), false) => e.into_response(),
        (Err(e), true) => {
            let message = match &e {
                ApiError::Portal { message, .. } => message.clone(),
                ApiError::Auth(_) => "not allowed".to_owned(),
            };
            let status = match &e {
                ApiError::Portal { status, .. } => *status,
                ApiError::Auth(_) => StatusCode::UNAUTHORIZED,
            };
            match s.api.store.officer_list(OFFICER_PAGE) {
                Ok(rows) => (status, private(Html(render(&rows, officer, Some(&message))))).into_response(),
                Err(e) => ApiError::from(e).into_response(),
            }
        }
    }
}

fn private(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// `GET /officer`: the console, for a logged-in officer; the login page otherwise.
#[utoipa::path(get, path = "/officer", operation_id = "officer_page", tag = "pages",
    responses((status = 200, description = "Bảng hồ sơ / The officer console", content_type = "text/html", body = String),
        (status = 303, description = "Đăng nhập trước / Log in first")))]
pub async fn page(State(s): Shared, headers: HeaderMap) -> Response {
    let Some(officer) = s.api.desk.session(&headers) else { return see_other("/officer/login") };
    match s.api.store.officer_list(OFFICER_PAGE) {
        Ok(rows) => private(Html(render(&rows, &officer, None))),
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("application/json"))
}

/// The officer behind a console read (a GET: no CSRF token); otherwise `401` for a JSON caller
/// and the login page for a browser.
fn reader(s: &AppState, headers: &HeaderMap, json: bool) -> Result<OfficerSession, Box<Response>> {
    s.api.desk.session(headers).ok_or_else(|| {
        Box::new(if json {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "log in at /officer/login first").into_response()
        } else {
            see_other("/officer/login")
        })
    })
}

/// `GET /officer/dossiers` (JSON): the newest dossiers, as the console lists them.
#[utoipa::path(get, path = "/officer/dossiers", operation_id = "officer_list", tag = "officer", security(("officer" = [])),
    responses((status = 200, description = "Hồ sơ mới nhất / The latest dossiers", body = Object), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn list(State(s): Shared, headers: HeaderMap) -> Response {
    if let Err(refused) = reader(&s, &headers, true) {
        return *refused;
    }
    match s.api.store.officer_list(OFFICER_PAGE) {
        Ok(rows) => private(Json(serde_json::json!({"dossiers": rows}))),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /officer/dossiers/{code}`: one dossier whole (form values, attachments, every round,
/// the timeline, the rating), as a page with the officer's forms, or JSON.
#[utoipa::path(get, path = "/officer/dossiers/{code}", tag = "officer", security(("officer" = [])), params(("code" = String, Path, description = "The dossier's code")),
    responses((status = 200, content((Object = "application/json"), (String = "text/html"))), (status = 303, description = "Đăng nhập trước / Log in first"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn dossier(State(s): Shared, UrlPath(code): UrlPath<String>, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    let officer = match reader(&s, &headers, json) {
        Ok(officer) => officer,
        Err(refused) => return *refused,
    };
    let dossier = match s.api.store.officer_dossier(code.trim()) {
        Ok(Some(dossier)) => dossier,
        Ok(None) => return ApiError::not_found("dossier").into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if json {
        return private(Json(dossier));
    }
    private(Html(render_dossier(&dossier, &officer)))
}

fn render_dossier(d: &super::store::OfficerDossier, officer: &OfficerSession) -> String {
    let csrf = format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(&officer.csrf));
    let code = escape(&d.code);
    let (vi, en) = d.status.labels();
    let mut html = head(&format!("Hồ sơ {code} / Dossier"));
    html.push_str(&format!(
        "<header class=\"bar\"><h1>Hồ sơ {code}</h1><p>{name} <span class=\"en code\">{procedure}</span> · \
         <a href=\"/officer\">← Danh sách / <span lang=\"en\">All dossiers</span></a></p></header><main class=\"wide\">\
         <p><span class=\"badge {status}\" id=\"status\">{vi}</span><span class=\"en\" lang=\"en\">{en}</span></p>",
        name = escape(&d.procedure_name),
        procedure = escape(&d.procedure_code),
        status = d.status.as_str(),
    ));
    html.push_str(
        "<h2>Thông tin tờ khai<span class=\"en\" lang=\"en\">Form values</span></h2><table id=\"fields\"><tbody>",
    );
    for (key, value) in &d.fields {
        html.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", escape(key), escape(value)));
    }
    html.push_str(
        "</tbody></table><h2>Giấy tờ đính kèm<span class=\"en\" lang=\"en\">Attachments</span></h2><ul id=\"attachments\">",
    );
    for a in &d.attachments {
        let name = a["name"].as_str().unwrap_or("");
        let document = a["document"].as_str().map(|doc| format!(" → {}", escape(doc))).unwrap_or_default();
        html.push_str(&format!("<li>{}{document}</li>", escape(name)));
    }
    html.push_str(
        "</ul><h2>Yêu cầu bổ sung<span class=\"en\" lang=\"en\">Supplement rounds</span></h2><ol id=\"rounds\">",
    );
    for r in &d.rounds {
        let answered = match &r.answered_at {
            Some(at) => format!("đã bổ sung / answered {} ({} tệp / files)", escape(at), r.attachments.len()),
            None => format!("chờ bổ sung đến / awaited until {}", escape(&r.deadline)),
        };
        html.push_str(&format!("<li>{}: {} — {answered}</li>", escape(&r.message), escape(&r.documents.join("; ")),));
    }
    html.push_str("</ol><h2>Tiến trình<span class=\"en\" lang=\"en\">Timeline</span></h2><ul id=\"timeline\">");
    for e in &d.timeline {
        let (svi, sen) = e.status.labels();
        let message = e.message.as_deref().map(|m| format!(": {}", escape(m))).unwrap_or_default();
        html.push_str(&format!("<li>{} — {svi} / {sen}{message}</li>", escape(&e.at)));
    }
    html.push_str("</ul>");
    if let Some(rating) = &d.rating {
        let (rvi, ren) = rating.verdict.labels();
        let comment = rating.comment.as_deref().map(|c| format!(" — {}", escape(c))).unwrap_or_default();
        html.push_str(&format!(
            "<h2>Đánh giá<span class=\"en\" lang=\"en\">Rating</span></h2><p id=\"rating\">{rvi} / {ren}{comment}</p>"
        ));
    }
    let options: String = Status::PORTAL
        .iter()
        .map(|s| {
            let (svi, sen) = s.labels();
            let selected = if *s == d.status { " selected" } else { "" };
            format!("<option value=\"{}\"{selected}>{svi} / {sen}</option>", s.as_str())
        })
        .collect();
    html.push_str(&format!(
        "<h2>Xử lý<span class=\"en\" lang=\"en\">Handle</span></h2>\
         <form method=\"post\" action=\"/officer/dossiers/{code}/status\" id=\"handle\" class=\"row\">{csrf}\
         <select name=\"status\" aria-label=\"Trạng thái / Status\">{options}</select>\
         <input type=\"text\" name=\"message\" placeholder=\"Nội dung / Message\" aria-label=\"Nội dung / Message\">\
         <textarea name=\"documents\" rows=\"3\" placeholder=\"Giấy tờ cần bổ sung, mỗi dòng một loại / Documents to supplement, one a line\" \
         aria-label=\"Giấy tờ cần bổ sung / Documents to supplement\"></textarea>\
         <input type=\"date\" name=\"deadline\" aria-label=\"Hạn bổ sung / Deadline\">\
         <button type=\"submit\">Cập nhật / Update</button></form>\
         <form method=\"post\" action=\"/officer/dossiers/{code}/result\" class=\"row\">{csrf}\
         <input type=\"text\" name=\"name\" placeholder=\"Tên giấy tờ kết quả / Result document\" \
         aria-label=\"Tên giấy tờ kết quả / Result document\" required>\
         <button type=\"submit\">Đính kèm kết quả / Attach result</button></form></main></body></html>"
    ));
    html
}

/// `GET /officer/ratings`: the residents' ratings per procedure (count, verdicts, the mean of
/// the criteria scores), as a page, or JSON for `Accept: application/json`.
#[utoipa::path(get, path = "/officer/ratings", tag = "officer", security(("officer" = [])),
    responses((status = 200, content((Object = "application/json"), (String = "text/html"))), (status = 303, description = "Đăng nhập trước / Log in first"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn ratings(State(s): Shared, headers: HeaderMap) -> Response {
    let wants_json = wants_json(&headers);
    if let Err(refused) = reader(&s, &headers, wants_json) {
        return *refused;
    }
    let summaries = match s.api.store.rating_summaries() {
        Ok(summaries) => summaries,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if wants_json {
        return private(Json(serde_json::json!({"procedures": summaries})));
    }
    let mut html = head("Đánh giá / Ratings");
    html.push_str(
        "<header class=\"bar\"><h1>Đánh giá mức độ hài lòng</h1><p><span lang=\"en\">Residents' ratings per procedure (sandbox)</span> · \
         <a href=\"/officer\">Hồ sơ / <span lang=\"en\">Dossiers</span></a></p></header><main class=\"wide\">",
    );
    if summaries.is_empty() {
        html.push_str(
            "<div class=\"empty\">Chưa có đánh giá nào.<span class=\"en\" lang=\"en\">No ratings yet.</span></div>",
        );
    } else {
        html.push_str(
            "<table id=\"ratings\" class=\"stack\"><thead><tr><th>Thủ tục<span class=\"en\" lang=\"en\">Procedure</span></th>\
             <th>Lượt<span class=\"en\" lang=\"en\">Ratings</span></th>\
             <th>Điểm TB (0–2)<span class=\"en\" lang=\"en\">Mean score</span></th>\
             <th>Không hài lòng<span class=\"en\" lang=\"en\">Not satisfied</span></th>\
             <th>Hài lòng<span class=\"en\" lang=\"en\">Satisfied</span></th>\
             <th>Rất hài lòng<span class=\"en\" lang=\"en\">Very satisfied</span></th></tr></thead><tbody>",
        );
        for r in &summaries {
            html.push_str(&format!(
                "<tr><td>{name}<span class=\"en code\">{code}</span></td><td data-label=\"Lượt / Ratings\">{count}</td>\
                 <td data-label=\"Điểm TB / Mean score\">{mean}</td><td data-label=\"Không hài lòng / Not satisfied\">{no}</td>\
                 <td data-label=\"Hài lòng / Satisfied\">{yes}</td><td data-label=\"Rất hài lòng / Very satisfied\">{very}</td></tr>",
                name = escape(&r.procedure_name),
                code = escape(&r.procedure_code),
                count = r.count,
                mean = r.average_score.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into()),
                no = r.not_satisfied,
                yes = r.satisfied,
                very = r.very_satisfied,
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</main></body></html>");
    private(Html(html))
}

/// `GET /officer/login`: the login form, with its own CSRF token (double submit: the same value
/// in a `SameSite=Strict` cookie and in the form).
#[utoipa::path(get, path = "/officer/login", operation_id = "officer_login_page", tag = "pages",
    responses((status = 200, description = "Đăng nhập cán bộ / The officer login", content_type = "text/html", body = String),
        (status = 303, description = "Đã đăng nhập / Already logged in")))]
pub async fn login_page(State(s): Shared, headers: HeaderMap) -> Response {
    if s.api.desk.session(&headers).is_some() {
        return see_other("/officer");
    }
    login_form(&headers, StatusCode::OK, None)
}

fn login_form(headers: &HeaderMap, status: StatusCode, error: Option<&str>) -> Response {
    let token = cookie(headers, LOGIN_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(random_hex);
    let response = (status, private(Html(render_login(&token, error)))).into_response();
    with_cookie(response, format!("{LOGIN_COOKIE}={token}; Path=/officer; HttpOnly; SameSite=Strict; Max-Age=3600"))
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// `POST /officer/login`: the page's form (with its CSRF token), or JSON `{"username",
/// "password"}` for scripts (sent as `application/json`, which a cross-site form cannot), answered
/// `{"officer": NAME, "csrf": TOKEN}`. Either way the session cookie is set.
#[utoipa::path(post, path = "/officer/login", tag = "officer",
    request_body(content((Object = "application/json"), (Object = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Phiên và CSRF / The session and its CSRF token", content((Object = "application/json"), (String = "text/html"))),
        (status = 303, description = "Vào bảng hồ sơ / To the console"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html"))), (status = 429, content((Object = "application/json"), (String = "text/html")))))]
pub async fn log_in(State(s): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = is_form(&headers);
    let credentials = if form {
        let sent = form_value(&body, "csrf").unwrap_or_default();
        if !cookie(&headers, LOGIN_COOKIE).is_some_and(|c| same(&c, &sent)) {
            return login_form(
                &headers,
                StatusCode::FORBIDDEN,
                Some("Phiên đăng nhập đã hết hạn, vui lòng thử lại. / The form expired; please try again."),
            );
        }
        Ok(LoginBody {
            username: form_value(&body, "username").unwrap_or_default(),
            password: form_value(&body, "password").unwrap_or_default(),
        })
    } else if is_json(&headers) {
        json_body::<LoginBody>(&body)
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the login takes the page's form or application/json / đăng nhập nhận biểu mẫu hoặc JSON",
        ))
    };
    let credentials = match credentials {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(account) = authenticate(credentials.username.trim(), &credentials.password) else {
        if form {
            return login_form(
                &headers,
                StatusCode::UNAUTHORIZED,
                Some("Tên đăng nhập hoặc mật khẩu không đúng. / Wrong username or password."),
            );
        }
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "tên đăng nhập hoặc mật khẩu không đúng / wrong username or password",
        )
        .into_response();
    };
    let (secret, session) = s.api.desk.open(account);
    let response = if form {
        with_cookie(
            see_other("/officer"),
            format!("{LOGIN_COOKIE}=; Path=/officer; HttpOnly; SameSite=Strict; Max-Age=0"),
        )
    } else {
        private(Json(serde_json::json!({"officer": session.name, "csrf": session.csrf})))
    };
    with_cookie(response, session_cookie(&secret, None))
}

/// `POST /officer/logout` (the page's form, with the session's CSRF token).
#[utoipa::path(post, path = "/officer/logout", tag = "officer", security(("officer" = [])),
    request_body(content((Object = "application/json"), (Object = "application/x-www-form-urlencoded"))),
    responses((status = 200, content((Object = "application/json"), (String = "text/html"))), (status = 204, description = "Đã đăng xuất / Logged out"),
        (status = 303, description = "Về trang đăng nhập / To the login page"), (status = 400, content((Object = "application/json"), (String = "text/html"))), (status = 401, content((Object = "application/json"), (String = "text/html"))), (status = 403, content((Object = "application/json"), (String = "text/html"))), (status = 404, content((Object = "application/json"), (String = "text/html"))), (status = 409, content((Object = "application/json"), (String = "text/html"))), (status = 415, content((Object = "application/json"), (String = "text/html"))), (status = 422, content((Object = "application/json"), (String = "text/html")))))]
pub async fn log_out(State(s): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = is_form(&headers);
    if let Err(refused) = officer_of(&s, &headers, form, &body) {
        return *refused;
    }
    s.api.desk.close(&headers);
    let response = if form { see_other("/officer/login") } else { StatusCode::NO_CONTENT.into_response() };
    with_cookie(response, session_cookie("", Some(0)))
}

fn head(title: &str) -> String {
    html::head("vi", Theme::Officer, title)
}

fn render_login(csrf: &str, error: Option<&str>) -> String {
    let mut html = head("Đăng nhập cán bộ / Officer login");
    html.push_str(
        "<header class=\"bar\"><h1>Bộ phận một cửa — đăng nhập cán bộ</h1>\
         <p lang=\"en\">One-stop desk — officer login (sandbox accounts)</p></header><main>",
    );
    if let Some(error) = error {
        html.push_str(&format!("<div class=\"error\" role=\"alert\">{}</div>", escape(error)));
    }
    html.push_str(&format!(
        "<form method=\"post\" action=\"/officer/login\" class=\"card\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"username\">Tên đăng nhập<span class=\"en\" lang=\"en\">Username</span></label>\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required>\
         <label for=\"password\">Mật khẩu<span class=\"en\" lang=\"en\">Password</span></label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" id=\"officer-login\">Đăng nhập / Log in</button></form></main></body></html>",
        csrf = escape(csrf),
    ));
    html
}

fn render(rows: &[OfficerRow], officer: &OfficerSession, error: Option<&str>) -> String {
    let csrf = format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(&officer.csrf));
    let mut html = head("Cán bộ một cửa / Officer console");
    html.push_str(&format!(
        "<header class=\"bar\"><h1>Bộ phận một cửa — xử lý hồ sơ</h1>\
         <p><span lang=\"en\">One-stop desk — dossier processing (sandbox)</span> · {name} · <a href=\"/officer/ratings\">Đánh giá / <span lang=\"en\">Ratings</span></a> · \
         <a href=\"/officer/reports\" id=\"link-reports\">Phản ánh / <span lang=\"en\">Field reports</span></a></p>\
         <form method=\"post\" action=\"/officer/logout\">{csrf}\
         <button type=\"submit\" id=\"officer-logout\">Đăng xuất / <span lang=\"en\">Log out</span></button></form></header><main class=\"wide\">",
        name = escape(officer.name),
    ));
    if let Some(error) = error {
        html.push_str(&format!("<div class=\"error\" role=\"alert\">{}</div>", escape(error)));
    }
    if rows.is_empty() {
        html.push_str(
            "<div class=\"empty\">Chưa có hồ sơ nào.<span class=\"en\" lang=\"en\">No dossiers yet.</span></div>",
        );
        html.push_str("</main></body></html>");
        return html;
    }
    html.push_str(
        "<table class=\"stack\" id=\"dossiers\"><thead><tr>\
         <th>Mã hồ sơ<span class=\"en\" lang=\"en\">Dossier code</span></th>\
         <th>Thủ tục<span class=\"en\" lang=\"en\">Procedure</span></th>\
         <th>Người nộp<span class=\"en\" lang=\"en\">Applicant</span></th>\
         <th>Trạng thái<span class=\"en\" lang=\"en\">Status</span></th>\
         <th>Cập nhật<span class=\"en\" lang=\"en\">Updated</span></th>\
         <th>Thao tác<span class=\"en\" lang=\"en\">Actions</span></th>\
         </tr></thead><tbody>",
    );
    for row in rows {
        let (vi, en) = row.status.labels();
        let message = row.last_message.as_deref().map(|m| format!("<div>{}</div>", escape(m))).unwrap_or_default();
        let result = row
            .result_name
            .as_deref()
            .map(|r| format!("<div>Kết quả / Result: {}</div>", escape(r)))
            .unwrap_or_default();
        let options: String = Status::PORTAL
            .iter()
            .map(|s| {
                let (svi, sen) = s.labels();
                let selected = if *s == row.status { " selected" } else { "" };
                format!("<option value=\"{}\"{selected}>{svi} / {sen}</option>", s.as_str())
            })
            .collect();
        let code = escape(&row.code);
        html.push_str(&format!(
            "<tr><td class=\"code\"><a href=\"/officer/dossiers/{code}\">{code}</a></td>\
             <td data-label=\"Thủ tục / Procedure\">{name}<span class=\"en code\">{procedure_code}</span></td>\
             <td data-label=\"Người nộp / Applicant\">{applicant}</td>\
             <td data-label=\"Trạng thái / Status\"><span class=\"badge {status}\">{vi}</span><span class=\"en\" lang=\"en\">{en}</span>{message}{result}</td>\
             <td data-label=\"Cập nhật / Updated\">{updated}</td>\
             <td data-label=\"Thao tác / Actions\"><form method=\"post\" action=\"/officer/dossiers/{code}/status\" class=\"row\">{csrf}\
             <select name=\"status\" aria-label=\"Trạng thái / Status\">{options}</select>\
             <input type=\"text\" name=\"message\" placeholder=\"Nội dung / Message\" aria-label=\"Nội dung / Message\">\
             <textarea name=\"documents\" rows=\"2\" placeholder=\"Giấy tờ cần bổ sung, mỗi dòng một loại / Documents to supplement, one a line\" \
             aria-label=\"Giấy tờ cần bổ sung / Documents to supplement\"></textarea>\
             <input type=\"date\" name=\"deadline\" aria-label=\"Hạn bổ sung / Deadline\">\
             <button type=\"submit\">Cập nhật / Update</button></form>\
             <form method=\"post\" action=\"/officer/dossiers/{code}/result\" class=\"row\">{csrf}\
             <input type=\"text\" name=\"name\" placeholder=\"Tên giấy tờ kết quả / Result document\" \
             aria-label=\"Tên giấy tờ kết quả / Result document\" required>\
             <button type=\"submit\">Đính kèm / Attach</button></form></td></tr>",
            name = escape(&row.procedure_name),
            procedure_code = escape(&row.procedure_code),
            applicant = escape(row.applicant_name.as_deref().unwrap_or("—")),
            status = row.status.as_str(),
            updated = escape(&row.updated_at),
        ));
    }
    html.push_str("</tbody></table></main></body></html>");
    html
}

/// Text for the PDF's built-in font (WinAnsi): diacritics dropped, đ as d.
fn pdf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        let c = match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => continue,
        };
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The result document: a one-page PDF naming the dossier and the result.
pub fn result_pdf(file: &ResultFile) -> Vec<u8> {
    if let Some(pdf) = &file.pdf {
        return pdf.clone();
    }
    let lines = [
        "UBND THANH PHO HAI PHONG - KET QUA GIAI QUYET THU TUC HANH CHINH".to_owned(),
        "Result of an administrative procedure (Smart Hai Duong sandbox)".to_owned(),
        String::new(),
        format!("Ma ho so / Dossier code: {}", file.code),
        format!("Thu tuc / Procedure: {}", file.procedure_name),
        format!("Giay to ket qua / Result document: {}", file.name),
        format!("So / Number: {}", file.result_id),
        format!("Ngay / Date: {}", file.issued_at),
    ];
    let mut content = String::from("BT /F1 12 Tf 56 780 Td 16 TL\n");
    for line in &lines {
        content.push_str(&format!("({}) Tj T*\n", pdf_text(line)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_text_is_plain_ascii_and_escaped() {
        assert_eq!(pdf_text("Giấy khai sinh (bản sao) Đà"), "Giay khai sinh \\(ban sao\\) Da");
    }

    #[test]
    fn the_page_escapes_what_it_shows() {
        let row = OfficerRow {
            code: "H19.25-261128-0001".into(),
            procedure_code: "1.001193.H19".into(),
            procedure_name: "Đăng ký khai sinh".into(),
            applicant_name: Some("<script>".into()),
            status: Status::Received,
            updated_at: "2026-11-28T10:00:00+07:00".into(),
            result_name: None,
            last_message: None,
        };
        let officer = OfficerSession::for_test("tok\"en");
        let html = render(&[row], &officer, Some("a & b"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("a &amp; b"));
        assert!(html.contains("action=\"/officer/dossiers/H19.25-261128-0001/status\""));
        // Every form carries the session's CSRF token, escaped.
        assert_eq!(html.matches("<form").count(), html.matches("name=\"csrf\" value=\"tok&quot;en\"").count());
    }
}
