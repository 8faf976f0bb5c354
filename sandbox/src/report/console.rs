//! The operations centre's (IOC) console: bilingual pages behind the officer login, where a
//! sandbox officer lists field reports by status (with their deadlines and an overdue flag),
//! opens one (text, photos, place, the reporter as IOC staff may see them, timeline) and
//! accepts, rejects, assigns or answers it with proof photos. Every form carries the session's
//! CSRF token and goes through the same rules as the JSON API (`ioc`); a step done answers
//! with a redirect back to the report, a step refused with the report and the reason on top.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::DateTime;
use serde::Deserialize;
use smarthd_model::report::{MAX_REPORT_PHOTOS, MAX_REPORT_TEXT, RejectReason, ReportStatus};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ioc::{self, MAX_PROOF_BYTES};
use super::published::{areas, categories};
use super::state::{AppState, Shared};
use super::store::IocReport;
use crate::api_error::ApiError;
use crate::dossier::OfficerSession;
use crate::html::{self, Theme, both, escape};
use crate::openapi::ErrorBody;

/// The answer form's body: every proof photo at its largest, and the text fields.
const MAX_ANSWER_FORM: usize = MAX_REPORT_PHOTOS * MAX_PROOF_BYTES + 64 * 1024;
const LOGIN: &str = "/officer/login";

pub fn router() -> OpenApiRouter<AppState> {
    let (schemas, paths, answer) = routes!(answer_form);
    OpenApiRouter::new()
        .routes(routes!(list_page))
        .routes(routes!(report_page))
        .routes(routes!(report_photo))
        .routes(routes!(accept_form))
        .routes(routes!(reject_form))
        .routes(routes!(assign_form))
        .routes((schemas, paths, answer.layer(DefaultBodyLimit::max(MAX_ANSWER_FORM))))
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn private(status: StatusCode, page: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The refusal's status and its words, for the page.
fn refusal(e: &ApiError) -> (StatusCode, String) {
    match e {
        ApiError::Portal { status, message, .. } => (*status, message.clone()),
        ApiError::Auth(_) => (StatusCode::UNAUTHORIZED, "not allowed".to_owned()),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatusFilter {
    /// waiting, accepted, assigned, handled or rejected; empty or absent: all.
    #[serde(default)]
    status: Option<String>,
}

/// `GET /officer/reports`: the newest reports, filtered by status.
#[utoipa::path(get, path = "/officer/reports", operation_id = "report_console_list", tag = "pages", security(("officer" = [])), params(StatusFilter),
    responses((status = 200, description = "Phản ánh hiện trường / The IOC's reports", content_type = "text/html", body = String),
        (status = 303, description = "Đăng nhập trước / Log in first"),
        (status = 400, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn list_page(
    State(s): Shared,
    headers: HeaderMap,
    query: Result<Query<StatusFilter>, QueryRejection>,
) -> Response {
    let Some(officer) = s.desk.session(&headers) else { return see_other(LOGIN) };
    let filter = query.ok().and_then(|Query(q)| q.status).filter(|f| !f.is_empty());
    match ioc::list(&s.reports, filter.as_deref()) {
        Ok(reports) => private(StatusCode::OK, render_list(&reports, filter.as_deref(), &officer, None)),
        Err(e) => {
            let (status, message) = refusal(&e);
            private(status, render_list(&[], None, &officer, Some(&message)))
        }
    }
}

/// `GET /officer/reports/{code}`: one report whole, with the steps its status allows.
#[utoipa::path(get, path = "/officer/reports/{code}", operation_id = "report_console_report", tag = "pages", security(("officer" = [])), params(("code" = String, Path, description = "The report's code")),
    responses((status = 200, description = "Một phản ánh / One report", content_type = "text/html", body = String),
        (status = 303, description = "Đăng nhập trước / Log in first"),
        (status = 404, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn report_page(State(s): Shared, headers: HeaderMap, UrlPath(code): UrlPath<String>) -> Response {
    let Some(officer) = s.desk.session(&headers) else { return see_other(LOGIN) };
    report_response(&s, &officer, &code, StatusCode::OK, None)
}

/// The report's page with `error` on top (and `status`), or a page saying it does not exist.
fn report_response(
    s: &AppState,
    officer: &OfficerSession,
    code: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    match ioc::show(&s.reports, code, false) {
        Ok(report) => private(status, render_report(&report, officer, error)),
        Err(e) => {
            let (status, message) = refusal(&e);
            let mut page = head(&format!("Phản ánh {code} / Report"));
            page.push_str(&format!(
                "<header class=\"bar\"><h1>Phản ánh {code}</h1><p><a href=\"/officer/reports\">← Danh sách / \
                 <span lang=\"en\">All reports</span></a></p></header><main><div class=\"error\" role=\"alert\">{}</div></main>{}",
                escape(&message),
                html::END,
                code = escape(code),
            ));
            private(status, page)
        }
    }
}

/// `GET /officer/reports/{code}/photos/{sha256}`: a photo of the report or of its answer,
/// whatever its status (the public sees them once it is handled).
#[utoipa::path(get, path = "/officer/reports/{code}/photos/{sha256}", operation_id = "report_console_photo", tag = "officer", security(("officer" = [])),
    params(("code" = String, Path, description = "The report's code"), ("sha256" = String, Path, description = "The photo's SHA-256")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 500, body = ErrorBody)))]
async fn report_photo(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath((code, sha256)): UrlPath<(String, String)>,
) -> Result<Response, ApiError> {
    if s.desk.session(&headers).is_none() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "log in at /officer/login first"));
    }
    let bytes = ioc::photo(&s.reports, &code, &sha256)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response())
}

/// One step from a form: the login page without a session, `403` without its CSRF token; then
/// back to the report, or the report with the refusal on top.
fn step(
    s: &AppState,
    headers: &HeaderMap,
    code: &str,
    csrf: Option<&str>,
    action: impl FnOnce(&'static str) -> Result<IocReport, ApiError>,
) -> Response {
    if s.desk.session(headers).is_none() {
        return see_other(LOGIN);
    }
    let officer = match s.desk.checked_session(headers, csrf) {
        Ok(officer) => officer,
        Err(refused) => return refused.into_response(),
    };
    match action(officer.name) {
        // Done: the code is a stored report's, safe in a URL.
        Ok(report) => see_other(&format!("/officer/reports/{}", report.view.code)),
        Err(e) => {
            let (status, message) = refusal(&e);
            report_response(s, &officer, code, status, Some(&message))
        }
    }
}

/// `POST /officer/reports/{code}/accept` (the page's form).
#[utoipa::path(post, path = "/officer/reports/{code}/accept", operation_id = "report_console_accept", tag = "pages", security(("officer" = [])), params(("code" = String, Path, description = "The report's code")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Về phản ánh / Back to the report"),
        (status = 400, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 401, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 403, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 404, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 409, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 413, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 415, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 422, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn accept_form(State(s): Shared, headers: HeaderMap, UrlPath(code): UrlPath<String>, body: Bytes) -> Response {
    let csrf = form_value(&body, "csrf");
    step(&s, &headers, &code, csrf.as_deref(), |by| ioc::accept(&s.reports, &code, by))
}

/// `POST /officer/reports/{code}/reject` (the page's form: `reason`, `note`).
#[utoipa::path(post, path = "/officer/reports/{code}/reject", operation_id = "report_console_reject", tag = "pages", security(("officer" = [])), params(("code" = String, Path, description = "The report's code")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Về phản ánh / Back to the report"),
        (status = 400, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 401, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 403, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 404, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 409, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 413, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 415, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 422, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn reject_form(State(s): Shared, headers: HeaderMap, UrlPath(code): UrlPath<String>, body: Bytes) -> Response {
    let csrf = form_value(&body, "csrf");
    let reason = form_value(&body, "reason").unwrap_or_default();
    let note = form_value(&body, "note");
    step(&s, &headers, &code, csrf.as_deref(), |by| ioc::reject(&s.reports, &code, &reason, note.as_deref(), by))
}

/// `POST /officer/reports/{code}/assign` (the page's form: `agency`).
#[utoipa::path(post, path = "/officer/reports/{code}/assign", operation_id = "report_console_assign", tag = "pages", security(("officer" = [])), params(("code" = String, Path, description = "The report's code")),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Về phản ánh / Back to the report"),
        (status = 400, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 401, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 403, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 404, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 409, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 413, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 415, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 422, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn assign_form(State(s): Shared, headers: HeaderMap, UrlPath(code): UrlPath<String>, body: Bytes) -> Response {
    let csrf = form_value(&body, "csrf");
    let agency = form_value(&body, "agency").unwrap_or_default();
    step(&s, &headers, &code, csrf.as_deref(), |by| ioc::assign(&s.reports, &code, &agency, by))
}

/// `POST /officer/reports/{code}/answer` (the page's multipart form: `message`, and one
/// `photo` part per proof photo, JPEG).
#[utoipa::path(post, path = "/officer/reports/{code}/answer", operation_id = "report_console_answer", tag = "pages", security(("officer" = [])), params(("code" = String, Path, description = "The report's code")),
    request_body(content = Object, content_type = "multipart/form-data"),
    responses((status = 303, description = "Về phản ánh / Back to the report"),
        (status = 400, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 401, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 403, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 404, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 409, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 413, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 415, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 422, content((ErrorBody = "application/json"), (String = "text/html"))), (status = 500, content((ErrorBody = "application/json"), (String = "text/html")))))]
async fn answer_form(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    mut form: Multipart,
) -> Response {
    let (mut csrf, mut message, mut photos) = (None, String::new(), Vec::new());
    let unreadable = || {
        ApiError::bad_request(format!(
            "không đọc được biểu mẫu (tối đa {MAX_REPORT_PHOTOS} ảnh, mỗi ảnh 5 MiB) / \
             the form could not be read (at most {MAX_REPORT_PHOTOS} photos of 5 MiB)"
        ))
    };
    let mut read = Ok(());
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.ok(),
                Some("message") => message = field.text().await.unwrap_or_default(),
                Some("photo") => match field.bytes().await {
                    // A file input left empty still sends an empty part.
                    Ok(bytes) if bytes.is_empty() => {}
                    Ok(bytes) => photos.push(bytes.to_vec()),
                    Err(_) => read = Err(unreadable()),
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                read = Err(unreadable());
                break;
            }
        }
    }
    step(&s, &headers, &code, csrf.as_deref(), |by| {
        read?;
        ioc::answer(&s.reports, &code, &message, photos, by)
    })
}

fn head(title: &str) -> String {
    html::head("vi", Theme::Officer, title)
}

/// `vi` then `en` on its own line, the English marked as English.
fn pair(vi: &str, en: &str) -> String {
    format!("{}{}", escape(vi), html::en(en))
}

/// An RFC 3339 time as officers read it (Vietnam time): `02/12/2026 15:00`.
fn when(text: &str) -> String {
    DateTime::parse_from_rfc3339(text).map_or_else(|_| escape(text), |t| t.format("%d/%m/%Y %H:%M").to_string())
}

fn category_names(code: &str) -> (String, String) {
    categories()
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| (code.to_owned(), code.to_owned()), |c| (c.name.clone(), c.name_en.clone()))
}

fn commune_name(code: Option<&str>) -> String {
    match code {
        None => "—".to_owned(),
        Some(code) => {
            let name = areas().iter().find(|a| a.code == code).map_or(code, |a| a.name.as_str());
            format!("{} <span class=\"code\">({})</span>", escape(name), escape(code))
        }
    }
}

/// The deadline the report waits for, and the overdue flag.
fn deadline(report: &IocReport) -> String {
    let v = &report.view;
    let text = match v.status {
        ReportStatus::Waiting => pair(&format!("Tiếp nhận trước {}", when(&v.accept_by)), "Accept by"),
        ReportStatus::Accepted | ReportStatus::Assigned => match &v.handle_by {
            Some(by) => pair(&format!("Xử lý trước {}", when(by)), "Handle by"),
            None => "—".to_owned(),
        },
        ReportStatus::Handled => match &v.answer {
            Some(answer) => pair(&format!("Đã trả lời {}", when(&answer.at)), "Answered"),
            None => "—".to_owned(),
        },
        ReportStatus::Rejected => "—".to_owned(),
    };
    if report.overdue {
        format!("{text}<span class=\"badge overdue\">Quá hạn</span> <span class=\"alt\" lang=\"en\">Overdue</span>")
    } else {
        text
    }
}

fn status_badge(status: ReportStatus, id: Option<&str>) -> String {
    let (vi, en) = status.labels();
    let id = id.map(|id| format!(" id=\"{id}\"")).unwrap_or_default();
    format!("<span class=\"badge {}\"{id}>{vi}</span>{}", status.as_str(), html::en(en))
}

fn bar(title_vi: &str, sub: &str, officer: &OfficerSession) -> String {
    format!(
        "<header class=\"bar\"><h1>{}</h1><p>{sub} · {name}</p>\
         <form method=\"post\" action=\"/officer/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">Đăng xuất / <span lang=\"en\">Log out</span></button></form></header>",
        escape(title_vi),
        name = escape(officer.name),
        csrf = escape(&officer.csrf),
    )
}

fn render_list(reports: &[IocReport], filter: Option<&str>, officer: &OfficerSession, error: Option<&str>) -> String {
    let mut html = head("Phản ánh hiện trường / Field reports");
    html.push_str(&bar(
        "Trung tâm điều hành — phản ánh hiện trường",
        "<span lang=\"en\">Operations centre (IOC) — field reports (sandbox)</span> · \
         <a href=\"/officer\">Hồ sơ / <span lang=\"en\">Dossiers</span></a>",
        officer,
    ));
    html.push_str("<main class=\"wide\">");
    if let Some(error) = error {
        html.push_str(&format!("<div class=\"error\" role=\"alert\">{}</div>", escape(error)));
    }
    let options: String = std::iter::once(("", ("Tất cả", "All")))
        .chain(ReportStatus::ALL.iter().map(|s| (s.as_str(), s.labels())))
        .map(|(value, (vi, en))| {
            let selected = if filter.unwrap_or("") == value { " selected" } else { "" };
            format!("<option value=\"{value}\"{selected}>{vi} / {en}</option>")
        })
        .collect();
    html.push_str(&format!(
        "<form method=\"get\" action=\"/officer/reports\" class=\"card\" id=\"filter\">\
         <label for=\"status-filter\">Trạng thái<span class=\"en\" lang=\"en\">Status</span></label>\
         <select id=\"status-filter\" name=\"status\">{options}</select>\
         <button type=\"submit\">Lọc / <span lang=\"en\">Filter</span></button></form>"
    ));
    if reports.is_empty() {
        html.push_str(&format!(
            "<div class=\"empty\" id=\"no-reports\">{}</div></main>{}",
            pair("Không có phản ánh nào.", "No reports."),
            html::END
        ));
        return html;
    }
    html.push_str(&format!(
        "<table class=\"stack\" id=\"reports\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th></tr></thead><tbody>",
        pair("Mã phản ánh", "Report code"),
        pair("Lĩnh vực", "Category"),
        pair("Trạng thái", "Status"),
        pair("Mức độ", "Urgency"),
        pair("Xã, phường", "Commune"),
        pair("Thời hạn", "Deadline"),
    ));
    for report in reports {
        let v = &report.view;
        let (category_vi, category_en) = category_names(&v.category);
        let (urgency_vi, urgency_en) = v.urgency.labels();
        let code = escape(&v.code);
        html.push_str(&format!(
            "<tr id=\"report-{code}\"><td class=\"code\"><a href=\"/officer/reports/{code}\">{code}</a></td>\
             <td data-label=\"Lĩnh vực / Category\">{category}</td>\
             <td data-label=\"Trạng thái / Status\">{status}</td>\
             <td data-label=\"Mức độ / Urgency\">{urgency}</td>\
             <td data-label=\"Xã, phường / Commune\">{commune}</td>\
             <td data-label=\"Thời hạn / Deadline\">{deadline}</td></tr>",
            category = pair(&category_vi, &category_en),
            status = status_badge(v.status, None),
            urgency = pair(urgency_vi, urgency_en),
            commune = commune_name(v.commune_code.as_deref()),
            deadline = deadline(report),
        ));
    }
    html.push_str("</tbody></table></main>");
    html.push_str(html::END);
    html
}

fn photos(code: &str, shas: impl Iterator<Item = String>, alt_vi: &str, alt_en: &str) -> String {
    let images: String = shas
        .enumerate()
        .map(|(i, sha)| {
            format!(
                "<a href=\"/officer/reports/{code}/photos/{sha}\"><img src=\"/officer/reports/{code}/photos/{sha}\" \
                 alt=\"{alt_vi} {n} / {alt_en} {n}\" loading=\"lazy\"></a>",
                code = escape(code),
                sha = escape(&sha),
                n = i + 1,
            )
        })
        .collect();
    format!("<div class=\"photos\">{images}</div>")
}

fn render_report(report: &IocReport, officer: &OfficerSession, error: Option<&str>) -> String {
    let v = &report.view;
    let (category_vi, category_en) = category_names(&v.category);
    let mut html = head(&format!("Phản ánh {} / Report", v.code));
    html.push_str(&bar(
        &format!("Phản ánh {}", v.code),
        &format!(
            "{} <span lang=\"en\">{}</span> · <a href=\"/officer/reports\">← Danh sách / <span lang=\"en\">All reports</span></a>",
            escape(&category_vi),
            escape(&category_en)
        ),
        officer,
    ));
    html.push_str("<main class=\"wide\">");
    if let Some(error) = error {
        html.push_str(&format!("<div class=\"error\" role=\"alert\" id=\"error\">{}</div>", escape(error)));
    }
    let overdue = if report.overdue {
        " <span class=\"badge overdue\" id=\"overdue\">Quá hạn</span> <span class=\"alt\" lang=\"en\">Overdue</span>"
    } else {
        ""
    };
    html.push_str(&format!("<p>{}{overdue}</p>", status_badge(v.status, Some("status"))));

    // What was reported.
    let (urgency_vi, urgency_en) = v.urgency.labels();
    let mut facts = vec![
        (both("Lĩnh vực", "Category"), pair(&category_vi, &category_en)),
        (both("Mức độ", "Urgency"), pair(urgency_vi, urgency_en)),
        (both("Gửi lúc", "Sent"), when(&v.created_at)),
        (both("Thời hạn", "Deadline"), deadline(report)),
    ];
    if let Some(agency) = &v.agency {
        facts.push((both("Cơ quan xử lý", "Handling agency"), escape(agency)));
    }
    if let Some(reason) = v.reject_reason {
        let (vi, en) = reason.labels();
        let note = v.reject_note.as_deref().map(|n| format!(": {}", escape(n))).unwrap_or_default();
        facts.push((both("Lý do từ chối", "Rejected because"), format!("{}{note}", pair(vi, en))));
    }
    let dl = |facts: &[(String, String)]| -> String {
        facts.iter().map(|(dt, dd)| format!("<dt>{dt}</dt><dd>{dd}</dd>")).collect()
    };
    html.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"content-title\"><h2 id=\"content-title\">{}</h2>\
         <p id=\"text\">{}</p><dl>{}</dl><h3>{}</h3>{}</section>",
        pair("Nội dung", "Report"),
        escape(&report.text),
        dl(&facts),
        both("Ảnh", "Photos"),
        photos(&v.code, report.photos.iter().map(|p| p.sha256.clone()), "Ảnh phản ánh", "Report photo"),
    ));

    // Where.
    let (lat, lon) = (report.location.lat, report.location.lon);
    let mut place = vec![
        (both("Xã, phường", "Commune"), commune_name(v.commune_code.as_deref())),
        (
            both("Tọa độ", "Coordinates"),
            format!(
                "<a href=\"https://www.openstreetmap.org/?mlat={lat:.6}&amp;mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}\">\
                 {lat:.6}, {lon:.6}</a>"
            ),
        ),
    ];
    if let Some(note) = &report.address_note {
        place.push((both("Ghi chú địa chỉ", "Address note"), escape(note)));
    }
    html.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"place-title\"><h2 id=\"place-title\">{}</h2><dl>{}</dl></section>",
        pair("Địa điểm", "Place"),
        dl(&place),
    ));

    // Who: the IOC sees the reporter; the agency only if they allowed it.
    let mut who = vec![(both("Họ tên", "Name"), escape(report.reporter_name.as_deref().unwrap_or("—")))];
    if let Some(phone) = &report.reporter_phone {
        who.push((both("Điện thoại", "Phone"), escape(phone)));
    }
    if let Some(account) = &report.reporter {
        who.push((both("Tài khoản", "Account"), format!("<span class=\"code\">{}</span>", escape(account))));
    }
    let shared = if report.share_identity {
        pair(
            "Người phản ánh cho phép cơ quan xử lý xem danh tính.",
            "The reporter allows the handling agency to see who they are.",
        )
    } else {
        pair(
            "Người phản ánh không cho phép cơ quan xử lý xem danh tính: chỉ trung tâm điều hành thấy.",
            "The reporter does not allow the handling agency to see who they are: only the IOC does.",
        )
    };
    html.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"reporter-title\" id=\"reporter\"><h2 id=\"reporter-title\">{}</h2>\
         <dl>{}</dl><p class=\"hint\">{shared}</p></section>",
        pair("Người phản ánh", "Reporter"),
        dl(&who),
    ));

    if let Some(answer) = &v.answer {
        html.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"answer-title\" id=\"answered\"><h2 id=\"answer-title\">{}</h2>\
             <p id=\"answer-text\">{}</p><dl>{}</dl><h3>{}</h3>{}</section>",
            pair("Kết quả xử lý", "Answer"),
            escape(&answer.message),
            dl(&[(both("Cơ quan", "Agency"), escape(&answer.agency)), (both("Lúc", "At"), when(&answer.at)),]),
            both("Ảnh minh chứng", "Proof photos"),
            photos(&v.code, answer.photos.iter().map(|p| p.sha256.clone()), "Ảnh minh chứng", "Proof photo"),
        ));
    }

    let timeline: String = report
        .timeline
        .iter()
        .map(|step| {
            let (vi, en) = step.status.labels();
            let detail = step.detail.as_deref().map(|d| format!(": {}", escape(d))).unwrap_or_default();
            let by = step.officer.as_deref().map(|o| format!(" — {}", escape(o))).unwrap_or_default();
            format!("<li>{} — {vi} / <span lang=\"en\">{en}</span>{detail}{by}</li>", when(&step.at))
        })
        .collect();
    html.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"timeline-title\"><h2 id=\"timeline-title\">{}</h2>\
         <ol id=\"timeline\">{timeline}</ol></section>",
        pair("Tiến trình", "Timeline"),
    ));

    html.push_str(&actions(report, officer));
    html.push_str("</main>");
    html.push_str(html::END);
    html
}

/// The forms for the steps the report's status allows.
fn actions(report: &IocReport, officer: &OfficerSession) -> String {
    let v = &report.view;
    let code = escape(&v.code);
    let csrf = format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(&officer.csrf));
    let can = |next| v.status.can_become(next);
    let mut forms = String::new();
    if can(ReportStatus::Accepted) {
        forms.push_str(&format!(
            "<form method=\"post\" action=\"/officer/reports/{code}/accept\" id=\"accept\">{csrf}\
             <button type=\"submit\">Tiếp nhận / <span lang=\"en\">Accept</span></button></form>"
        ));
    }
    if can(ReportStatus::Rejected) {
        let reasons: String = RejectReason::ALL
            .iter()
            .map(|r| {
                let (vi, en) = r.labels();
                format!("<option value=\"{}\">{vi} / {en}</option>", r.as_str())
            })
            .collect();
        forms.push_str(&format!(
            "<form method=\"post\" action=\"/officer/reports/{code}/reject\" id=\"reject\">{csrf}\
             <h3>{}</h3>\
             <label for=\"reason\">Lý do<span class=\"en\" lang=\"en\">Reason</span></label>\
             <select id=\"reason\" name=\"reason\">{reasons}</select>\
             <label for=\"note\">Ghi chú<span class=\"en\" lang=\"en\">Note</span></label>\
             <input id=\"note\" name=\"note\" type=\"text\" maxlength=\"500\" aria-describedby=\"note-hint\">\
             <span class=\"hint\" id=\"note-hint\">Trùng: ghi mã phản ánh bị trùng. \
             <span lang=\"en\">Duplicate: the code of the report it repeats.</span></span>\
             <button type=\"submit\" class=\"danger\">Từ chối / <span lang=\"en\">Reject</span></button></form>",
            both("Từ chối", "Reject"),
        ));
    }
    if can(ReportStatus::Assigned) {
        let (category_agency, current) =
            (categories().iter().find(|c| c.code == v.category).map(|c| c.agency.as_str()), v.agency.as_deref());
        let chosen = current.or(category_agency);
        let agencies: String = ioc::agencies()
            .into_iter()
            .map(|a| {
                let selected = if Some(a) == chosen { " selected" } else { "" };
                format!("<option{selected}>{}</option>", escape(a))
            })
            .collect();
        forms.push_str(&format!(
            "<form method=\"post\" action=\"/officer/reports/{code}/assign\" id=\"assign\">{csrf}\
             <h3>{}</h3>\
             <label for=\"agency\">Cơ quan xử lý<span class=\"en\" lang=\"en\">Handling agency</span></label>\
             <select id=\"agency\" name=\"agency\">{agencies}</select>\
             <button type=\"submit\">Chuyển xử lý / <span lang=\"en\">Assign</span></button></form>",
            both("Chuyển cơ quan xử lý", "Assign to an agency"),
        ));
    }
    if can(ReportStatus::Handled) {
        forms.push_str(&format!(
            "<form method=\"post\" action=\"/officer/reports/{code}/answer\" id=\"answer\" enctype=\"multipart/form-data\">{csrf}\
             <h3>{}</h3>\
             <label for=\"message\">Nội dung trả lời<span class=\"en\" lang=\"en\">What was done</span></label>\
             <textarea id=\"message\" name=\"message\" required maxlength=\"{MAX_REPORT_TEXT}\"></textarea>\
             <label for=\"proof\">Ảnh minh chứng<span class=\"en\" lang=\"en\">Proof photos</span></label>\
             <input id=\"proof\" name=\"photo\" type=\"file\" accept=\"image/jpeg\" multiple required aria-describedby=\"proof-hint\">\
             <span class=\"hint\" id=\"proof-hint\">JPEG, 1 đến {MAX_REPORT_PHOTOS} ảnh, mỗi ảnh tối đa 5 MiB, không còn siêu dữ liệu (EXIF, GPS). \
             <span lang=\"en\">JPEG, 1 to {MAX_REPORT_PHOTOS} photos of at most 5 MiB each, without metadata (EXIF, GPS).</span></span>\
             <button type=\"submit\">Trả lời / <span lang=\"en\">Answer</span></button></form>",
            both("Trả lời kèm minh chứng", "Answer with proof"),
        ));
    }
    if forms.is_empty() {
        forms = format!("<p class=\"note\">{}</p>", pair("Phản ánh đã kết thúc.", "This report is closed."));
    }
    format!(
        "<section class=\"card\" aria-labelledby=\"actions-title\" id=\"actions\"><h2 id=\"actions-title\">{}</h2>{forms}</section>",
        pair("Xử lý", "Handle"),
    )
}

#[cfg(test)]
mod tests {
    use smarthd_model::report::{GeoPoint, PhotoLink, ReportView, Urgency};

    use super::super::store::Step;
    use super::*;

    fn report(status: ReportStatus) -> IocReport {
        IocReport {
            view: ReportView {
                report_id: "r-1".into(),
                code: "PA-2026-000001".into(),
                status,
                category: "chieu_sang".into(),
                commune_code: Some("10507".into()),
                urgency: Urgency::Urgent,
                created_at: "2026-12-02T09:00:00+07:00".into(),
                accept_by: "2026-12-02T17:00:00+07:00".into(),
                handle_by: None,
                agency: None,
                reject_reason: None,
                reject_note: None,
                answer: None,
                verdict: None,
                seq: 1,
            },
            text: "Đèn hỏng <script>alert(1)</script>".into(),
            location: GeoPoint { lat: 20.82, lon: 106.22 },
            address_note: Some("Ngõ \"34\"".into()),
            photos: vec![PhotoLink { sha256: "ab".repeat(32), url: String::new() }],
            reporter: Some("sub-1".into()),
            reporter_name: Some("Nguyễn Văn An".into()),
            reporter_phone: None,
            share_identity: false,
            overdue: true,
            timeline: vec![Step {
                at: "2026-12-02T09:00:00+07:00".into(),
                status: ReportStatus::Waiting,
                detail: None,
                officer: None,
            }],
        }
    }

    fn form_ids(html: &str) -> Vec<&str> {
        html.match_indices("<form method=\"post\" action=\"/officer/reports/")
            .filter_map(|(at, _)| html[at..].split("id=\"").nth(1)?.split('"').next())
            .collect()
    }

    #[test]
    fn a_report_page_escapes_what_residents_wrote_and_offers_only_the_allowed_steps() {
        let officer = OfficerSession::for_test("tok\"en");
        let html = render_report(&report(ReportStatus::Waiting), &officer, Some("a & b"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("Ngõ &quot;34&quot;") && html.contains("a &amp; b"));
        assert!(html.contains("id=\"overdue\"") && html.contains("Nguyễn Văn An"));
        assert_eq!(form_ids(&html), ["accept", "reject"]);
        // Every form carries the session's CSRF token, escaped.
        assert_eq!(html.matches("<form").count(), html.matches("name=\"csrf\" value=\"tok&quot;en\"").count());
        assert_eq!(form_ids(&render_report(&report(ReportStatus::Accepted), &officer, None)), ["assign"]);
        let assigned = render_report(&report(ReportStatus::Assigned), &officer, None);
        assert_eq!(form_ids(&assigned), ["assign", "answer"]);
        assert!(assigned.contains("enctype=\"multipart/form-data\""));
        // The category's own agency is chosen first.
        assert!(assigned.contains("<option selected>Công ty Chiếu sáng đô thị</option>"), "{assigned}");
        assert!(form_ids(&render_report(&report(ReportStatus::Handled), &officer, None)).is_empty());
    }

    #[test]
    fn the_list_shows_labels_in_both_languages_deadlines_and_the_overdue_flag() {
        let officer = OfficerSession::for_test("t");
        let html = render_list(&[report(ReportStatus::Waiting)], Some("waiting"), &officer, None);
        assert!(html.contains("<a href=\"/officer/reports/PA-2026-000001\">PA-2026-000001</a>"));
        assert!(html.contains("Chờ tiếp nhận") && html.contains("lang=\"en\">Waiting</span>"));
        assert!(html.contains("Tiếp nhận trước 02/12/2026 17:00") && html.contains("Quá hạn"));
        assert!(html.contains("<option value=\"waiting\" selected>"));
        assert!(html.contains("Khẩn cấp") && html.contains("Chiếu sáng công cộng"));
        assert!(render_list(&[], None, &officer, None).contains("id=\"no-reports\""));
    }
}
