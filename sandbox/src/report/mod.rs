//! Field reports (phản ánh hiện trường) in the sandbox: the published categories and commune
//! boundaries, a submit that is idempotent on the phone's permanent report id, the reporter's
//! feed and one rating, the operations centre's (IOC) actions with deadlines in working hours
//! (as JSON here, as pages in `console`), a public feed of handled reports that never names the reporter, and the ledger tests read.
//! The wire contract is the "Field reports" section of `docs/portal-api.md`.

// Layers: `published` (categories, boundaries, calendar), `photos` and `store`; `state` (what
// the routes are handed); `ioc` (the operations centre's rules); `console` (its pages); this
// file, the JSON routes.
mod console;
mod ioc;
mod photos;
mod published;
mod state;
mod store;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use smarthd_model::report::{
    CommuneArea, GeoPoint, MAX_REPORT_PHOTOS, MAX_REPORT_TEXT, NewReport, ReportCategory, ReportVerdict, ReportView,
};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api_error::{ApiError, json_body};
use crate::dossier::Desk;
use crate::identity::{Authenticated, IdentityProvider};
use crate::openapi::ErrorBody;
use photos::{metadata_free_jpeg, sha256_hex};
#[cfg(test)]
pub(crate) use published::DATA_FILES;
pub use published::{Published, areas, categories};
pub use state::Reports;
use state::{AppState, Shared};
use store::Incoming;

/// Working hours the IOC has to check a report.
const ACCEPT_HOURS: u32 = 8;

/// An officer's answer as JSON: every proof photo at its largest, in base64, and the message.
const MAX_ANSWER_BODY: usize = MAX_REPORT_PHOTOS * ioc::MAX_PROOF_BYTES * 4 / 3 + 64 * 1024;

pub fn router(reports: Arc<Reports>, desk: Arc<Desk>, idp: Arc<IdentityProvider>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(list_categories))
        .routes(routes!(list_areas))
        .routes(routes!(submit, changed_since))
        .routes(routes!(public))
        .routes(routes!(photo))
        .routes(routes!(rate))
        .routes(routes!(ioc_list))
        .routes(routes!(ioc_report))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(assign))
        .routes({
            let (schemas, paths, answer) = routes!(answer);
            (schemas, paths, answer.layer(DefaultBodyLimit::max(MAX_ANSWER_BODY)))
        })
        .routes(routes!(ledger))
        .merge(console::router())
        .with_state(AppState { reports, desk, idp })
}

fn private(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_permanent_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[utoipa::path(get, path = "/api/v1/reports/categories", operation_id = "report_list_categories", tag = "reports",
    responses((status = 200, description = "Lĩnh vực phản ánh / Report categories", body = Vec<ReportCategory>)))]
async fn list_categories() -> Response {
    Json(categories()).into_response()
}

#[utoipa::path(get, path = "/api/v1/reports/areas", operation_id = "report_list_areas", tag = "reports",
    responses((status = 200, description = "Ranh giới xã, phường / Commune boundaries", body = Vec<CommuneArea>)))]
async fn list_areas() -> Response {
    Json(areas()).into_response()
}

#[utoipa::path(post, path = "/api/v1/reports", operation_id = "report_submit", tag = "reports", security(("bearer" = [])), request_body = NewReport,
    responses((status = 201, description = "Đã nhận / Received", body = ReportView), (status = 200, description = "Đã nhận trước đó / Received before", body = ReportView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    let mut report: NewReport = json_body(&body)?;
    if !is_permanent_id(&report.report_id) {
        return Err(ApiError::bad_request("report_id: 1 to 100 letters, digits, '-' or '_'"));
    }
    let category = s
        .reports
        .published
        .category(&report.category)
        .ok_or_else(|| ApiError::validation("category", "không có lĩnh vực này / no such category"))?;
    if !category.in_scope {
        let goes_to = category.goes_to.clone().unwrap_or_default();
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "out_of_scope", goes_to).with_field("category"));
    }
    report.text = report.text.trim().to_owned();
    if report.text.is_empty() || report.text.chars().count() > MAX_REPORT_TEXT {
        return Err(ApiError::validation(
            "text",
            format!("1 đến {MAX_REPORT_TEXT} ký tự / 1 to {MAX_REPORT_TEXT} characters"),
        ));
    }
    if report.address_note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(ApiError::validation("address_note", "tối đa 500 ký tự / at most 500 characters"));
    }
    let commune = smarthd_model::report::locate(areas(), report.location).ok_or_else(|| {
        ApiError::validation("location", "vị trí ngoài địa bàn thành phố / the place is outside the city")
    })?;
    if report.photos.is_empty() || report.photos.len() > MAX_REPORT_PHOTOS {
        return Err(ApiError::validation(
            "photos",
            format!("1 đến {MAX_REPORT_PHOTOS} ảnh / 1 to {MAX_REPORT_PHOTOS} photos"),
        ));
    }
    let mut photos = Vec::with_capacity(report.photos.len());
    for sha in &mut report.photos {
        *sha = sha.to_ascii_lowercase();
        if !is_sha256_hex(sha) || photos.iter().any(|(seen, _)| seen == sha) {
            return Err(ApiError::validation("photos", "each photo once, by its SHA-256 (64 hexadecimal digits)"));
        }
        let (_, bytes) =
            s.reports.store.attachment(&auth.sub, sha)?.ok_or_else(|| ApiError::attachment_missing(sha))?;
        metadata_free_jpeg(&bytes).map_err(|why| ApiError::unprocessable("photos", why))?;
        photos.push((sha.clone(), bytes));
    }
    let canonical = serde_json::to_vec(&(&auth.sub, &report)).map_err(ApiError::internal)?;
    let now = Utc::now();
    let incoming = Incoming {
        report: &report,
        sub: &auth.sub,
        commune_code: Some(&commune.code),
        content_hash: &sha256_hex(&canonical),
        photos,
        now,
        accept_by: s.reports.published.calendar().add_working_hours(now, ACCEPT_HOURS),
    };
    let stored = s.reports.store.submit(&incoming)?;
    let status = if stored.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Json(stored.view)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SinceQuery {
    #[serde(default)]
    since: u64,
}

#[utoipa::path(get, path = "/api/v1/reports", operation_id = "report_changed_since", tag = "reports", security(("bearer" = [])), params(SinceQuery),
    responses((status = 200, description = "Phản ánh đã thay đổi / Reports changed since the cursor", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn changed_since(
    State(s): Shared,
    auth: Authenticated,
    query: Result<Query<SinceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(SinceQuery { since }) = query.map_err(|_| ApiError::bad_request("since is a cursor (a number)"))?;
    let (items, next_since) = s.reports.store.changed_since(&auth.sub, since, 500)?;
    Ok(private(Json(json!({ "items": items, "next_since": next_since }))))
}

#[derive(Deserialize)]
struct RateBody {
    rating_id: String,
    verdict: String,
}

#[utoipa::path(post, path = "/api/v1/reports/{report_id}/rating", operation_id = "report_rate", tag = "reports", security(("bearer" = [])), params(("report_id" = String, Path)), request_body = Object,
    responses((status = 201, body = ReportView), (status = 200, body = ReportView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn rate(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(report_id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: RateBody = json_body(&body)?;
    if !is_permanent_id(&body.rating_id) {
        return Err(ApiError::bad_request("rating_id: 1 to 100 letters, digits, '-' or '_'"));
    }
    let verdict = ReportVerdict::parse(&body.verdict)
        .ok_or_else(|| ApiError::validation("verdict", "satisfied, acceptable or not_satisfied"))?;
    let stored = s.reports.store.rate(&auth.sub, &report_id, &body.rating_id, verdict, Utc::now())?;
    let status = if stored.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Json(stored.view)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PublicQuery {
    /// "LAT,LON"
    #[serde(default)]
    near: Option<String>,
    /// Metres around `near` (default 2,000).
    #[serde(default)]
    radius: Option<f64>,
    #[serde(default)]
    commune: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/reports/public", operation_id = "report_public", tag = "reports", params(PublicQuery),
    responses((status = 200, description = "Phản ánh đã xử lý / Handled reports", body = Object), (status = 400, body = ErrorBody)))]
async fn public(State(s): Shared, query: Result<Query<PublicQuery>, QueryRejection>) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::bad_request("near=LAT,LON radius=METRES commune=CODE limit=N"))?;
    let near = match q.near.as_deref() {
        None => None,
        Some(text) => {
            let point = text
                .split_once(',')
                .and_then(|(lat, lon)| Some(GeoPoint { lat: lat.trim().parse().ok()?, lon: lon.trim().parse().ok()? }))
                .filter(|p| p.is_valid())
                .ok_or_else(|| ApiError::validation("near", "LAT,LON in degrees"))?;
            Some(point)
        }
    };
    let radius = q.radius.unwrap_or(2_000.0);
    if !(radius.is_finite() && radius > 0.0) {
        return Err(ApiError::validation("radius", "metres, more than 0"));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut items = Vec::new();
    // Filtered after the query: the sandbox holds hundreds, not millions.
    for (mut report, category) in s.reports.store.public(10_000)? {
        if near.is_some_and(|p| p.distance_m(report.location) > radius)
            || q.commune.as_deref().is_some_and(|c| report.commune_code.as_deref() != Some(c))
        {
            continue;
        }
        report.category_name = s.reports.published.category(&category).map(|c| c.name.clone()).unwrap_or_default();
        report.commune_name = report
            .commune_code
            .as_deref()
            .and_then(|code| areas().iter().find(|a| a.code == code).map(|a| a.name.clone()));
        items.push(report);
        if items.len() == limit as usize {
            break;
        }
    }
    Ok(Json(json!({ "items": items })).into_response())
}

#[utoipa::path(get, path = "/api/v1/reports/photos/{sha256}", operation_id = "report_photo", tag = "reports", params(("sha256" = String, Path)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn photo(State(s): Shared, UrlPath(sha256): UrlPath<String>) -> Result<Response, ApiError> {
    let bytes =
        s.reports.store.public_photo(&sha256.to_ascii_lowercase())?.ok_or_else(|| ApiError::not_found("photo"))?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "public, max-age=86400, immutable")], bytes)
        .into_response())
}

// The operations centre (IOC): JSON for the console and for `smarthd officer reports`.

/// An officer's action: a live session and its CSRF token; the officer's name.
fn officer(s: &AppState, headers: &HeaderMap) -> Result<&'static str, ApiError> {
    s.desk.json_session(headers).map(|session| session.name)
}

/// An officer reading (a safe method): a live session is enough.
fn reader(s: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    s.desk.session(headers).map(|_| ()).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in at /officer/login first (a sandbox officer account)",
        )
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
}

#[utoipa::path(get, path = "/officer/api/reports", operation_id = "report_ioc_list", tag = "officer", security(("officer" = [])), params(ListQuery),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn ioc_list(
    State(s): Shared,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    reader(&s, &headers)?;
    let Query(q) = query.map_err(|_| ApiError::bad_request("status=waiting|accepted|assigned|handled|rejected"))?;
    Ok(private(Json(json!({ "items": ioc::list(&s.reports, q.status.as_deref())? }))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ViewQuery {
    /// `agency`: the handling agency's view (the reporter only if they allowed it).
    #[serde(default)]
    view: Option<String>,
}

#[utoipa::path(get, path = "/officer/api/reports/{code}", operation_id = "report_ioc_report", tag = "officer", security(("officer" = [])), params(("code" = String, Path), ViewQuery),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn ioc_report(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    query: Result<Query<ViewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    reader(&s, &headers)?;
    let Query(q) = query.map_err(|_| ApiError::bad_request("view=agency"))?;
    Ok(private(Json(ioc::show(&s.reports, &code, q.view.as_deref() == Some("agency"))?)))
}

#[utoipa::path(post, path = "/officer/api/reports/{code}/accept", operation_id = "report_accept", tag = "officer", security(("officer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept(State(s): Shared, headers: HeaderMap, UrlPath(code): UrlPath<String>) -> Result<Response, ApiError> {
    let by = officer(&s, &headers)?;
    Ok(private(Json(ioc::accept(&s.reports, &code, by)?)))
}

#[derive(Deserialize)]
struct RejectBody {
    reason: String,
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(post, path = "/officer/api/reports/{code}/reject", operation_id = "report_reject", tag = "officer", security(("officer" = [])), params(("code" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reject(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let by = officer(&s, &headers)?;
    let body: RejectBody = json_body(&body)?;
    Ok(private(Json(ioc::reject(&s.reports, &code, &body.reason, body.note.as_deref(), by)?)))
}

#[derive(Deserialize)]
struct AssignBody {
    agency: String,
}

#[utoipa::path(post, path = "/officer/api/reports/{code}/assign", operation_id = "report_assign", tag = "officer", security(("officer" = [])), params(("code" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let by = officer(&s, &headers)?;
    let body: AssignBody = json_body(&body)?;
    Ok(private(Json(ioc::assign(&s.reports, &code, &body.agency, by)?)))
}

#[derive(Deserialize)]
struct AnswerBody {
    message: String,
    /// The proof: JPEG photos, base64, without metadata.
    photos_base64: Vec<String>,
}

#[utoipa::path(post, path = "/officer/api/reports/{code}/answer", operation_id = "report_answer", tag = "officer", security(("officer" = [])), params(("code" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer(
    State(s): Shared,
    headers: HeaderMap,
    UrlPath(code): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let by = officer(&s, &headers)?;
    let body: AnswerBody = json_body(&body)?;
    let photos = body
        .photos_base64
        .iter()
        .map(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::validation("photos_base64", "base64 of a JPEG"))?;
    Ok(private(Json(ioc::answer(&s.reports, &code, &body.message, photos, by)?)))
}

#[utoipa::path(get, path = "/admin/reports/ledger", operation_id = "reports_ledger", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn ledger(State(s): Shared) -> Result<Response, ApiError> {
    Ok(Json(s.reports.store.ledger()?).into_response())
}
