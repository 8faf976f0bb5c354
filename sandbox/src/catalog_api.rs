//! The catalog routes: the change feed (paged listing, delta, 304), procedure detail,
//! administrative units, and the tester's admin routes that change the catalog while it runs.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smarthd_model::catalog::{AdminUnits, Procedure};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::generator;
use crate::openapi::ErrorBody;
use crate::portal::Portal;

const MAX_PAGE: u32 = 2_000;

pub fn router(portal: Arc<Portal>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(changes))
        .routes(routes!(procedure))
        .routes(routes!(units))
        .routes(routes!(head))
        .routes(routes!(upsert))
        .routes(routes!(remove))
        .routes(routes!(replace))
        .routes(routes!(mutate))
        .with_state(portal)
}

/// Whether the sandbox is up.
#[utoipa::path(get, path = "/healthz", tag = "catalog",
    responses((status = 200, description = "Đang chạy / Up", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

type Shared = State<Arc<Portal>>;

/// Answers a database failure as a 500 that says what failed, without internals.
fn internal(e: rusqlite::Error) -> Response {
    tracing::error!("sandbox database error: {e}");
    (StatusCode::INTERNAL_SERVER_ERROR, "sandbox database error").into_response()
}

fn catalog_etag(head: u64) -> String {
    format!("\"v{head}\"")
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim().trim_start_matches("W/") == etag)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    /// The cursor: the `next_since` of the previous page (0 for everything).
    #[serde(default)]
    since: u64,
    /// Page size, 1 to 2000 (500 by default).
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
struct WireChange {
    seq: u64,
    code: String,
    removed: bool,
    /// The procedure as it is now; absent (null) when removed.
    #[schema(value_type = Option<Procedure>)]
    procedure: Option<Box<RawValue>>,
}

#[derive(Serialize, ToSchema)]
struct WirePage {
    items: Vec<WireChange>,
    next_since: u64,
    has_more: bool,
    remaining: u64,
    head: u64,
}

/// The catalog's change feed: a paged listing from 0, a delta from a cursor; `304` when the
/// `If-None-Match` names the catalog's head.
#[utoipa::path(get, path = "/api/v1/catalog/changes", tag = "catalog", params(ChangesQuery),
    responses(
        (status = 200, description = "Một trang thay đổi / A page of changes", body = WirePage,
            headers(("etag" = String, description = "The catalog head's tag"))),
        (status = 304, description = "Không đổi / Not modified"),
        (status = 400, description = "Tham số sai / Bad query", body = ErrorBody),
    ))]
async fn changes(State(portal): Shared, Query(q): Query<ChangesQuery>, headers: HeaderMap) -> Response {
    let limit = q.limit.unwrap_or(500).clamp(1, MAX_PAGE);
    let slice = match portal.changes(q.since, limit) {
        Ok(slice) => slice,
        Err(e) => return internal(e),
    };
    let etag = catalog_etag(slice.head);
    if matches_etag(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let next_since = match (slice.has_more, slice.items.last()) {
        (true, Some(last)) => last.seq,
        _ => slice.head.max(q.since),
    };
    let page = WirePage {
        items: slice
            .items
            .into_iter()
            .map(|c| WireChange { seq: c.seq, code: c.code, removed: c.removed, procedure: c.record })
            .collect(),
        next_since,
        has_more: slice.has_more,
        remaining: slice.remaining,
        head: slice.head,
    };
    ([(header::ETAG, etag)], Json(page)).into_response()
}

/// One procedure by its code (case-insensitive).
#[utoipa::path(get, path = "/api/v1/catalog/procedures/{code}", tag = "catalog",
    params(("code" = String, Path, description = "The procedure's code, e.g. 1.001193")),
    responses(
        (status = 200, description = "Thủ tục / The procedure", body = Procedure),
        (status = 404, description = "Không có / No such procedure", body = ErrorBody),
    ))]
async fn procedure(State(portal): Shared, Path(code): Path<String>) -> Response {
    match portal.procedure(&code.to_ascii_uppercase()) {
        Ok(Some(json)) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

/// The province's administrative units (after the 2025 merger) with their former names.
#[utoipa::path(get, path = "/api/v1/units", tag = "catalog",
    responses(
        (status = 200, description = "Đơn vị hành chính / Administrative units", body = AdminUnits,
            headers(("etag" = String))),
        (status = 304, description = "Không đổi / Not modified"),
    ))]
async fn units(headers: HeaderMap) -> Response {
    let body = serde_json::to_string(&generator::admin_units()).expect("units serialize");
    let digest = ring::digest::digest(&ring::digest::SHA256, body.as_bytes());
    let etag = format!("\"u{}\"", hex(&digest.as_ref()[..8]));
    if matches_etag(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    ([(header::ETAG, etag), (header::CONTENT_TYPE, "application/json".to_owned())], body).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize, ToSchema)]
struct HeadInfo {
    head: u64,
}

/// The catalog's head sequence number.
#[utoipa::path(get, path = "/admin/catalog/head", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = HeadInfo), (status = 401, body = ErrorBody)))]
async fn head(State(portal): Shared) -> Response {
    match portal.head() {
        Ok(head) => Json(HeadInfo { head }).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Serialize, ToSchema)]
struct Changed {
    seq: u64,
}

/// Adds or replaces a procedure while the sandbox runs.
#[utoipa::path(post, path = "/admin/catalog/procedures", tag = "admin", security(("admin" = [])),
    request_body = Procedure,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upsert(State(portal): Shared, Json(procedure): Json<Procedure>) -> Response {
    match portal.upsert(&procedure) {
        Ok(seq) => Json(Changed { seq }).into_response(),
        Err(e) => internal(e),
    }
}

/// Removes a procedure from the catalog.
#[utoipa::path(delete, path = "/admin/catalog/procedures/{code}", tag = "admin", security(("admin" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Changed), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
async fn remove(State(portal): Shared, Path(code): Path<String>) -> Response {
    match portal.remove(&code.to_ascii_uppercase()) {
        Ok(Some(seq)) => Json(Changed { seq }).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, ToSchema)]
struct ReplaceBody {
    replaced_by: String,
}

/// Marks a procedure replaced by another.
#[utoipa::path(post, path = "/admin/catalog/procedures/{code}/replace", tag = "admin", security(("admin" = [])),
    params(("code" = String, Path)), request_body = ReplaceBody,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn replace(State(portal): Shared, Path(code): Path<String>, Json(body): Json<ReplaceBody>) -> Response {
    match portal.replace(&code.to_ascii_uppercase(), &body.replaced_by) {
        Ok(Some(seq)) => Json(Changed { seq }).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MutateQuery {
    /// How many procedures to change (at most 100,000).
    count: usize,
}

#[derive(Serialize, ToSchema)]
struct Mutated {
    changed: Vec<String>,
}

/// Changes `count` random procedures (a catalog that moves under the app).
#[utoipa::path(post, path = "/admin/catalog/mutate", tag = "admin", security(("admin" = [])), params(MutateQuery),
    responses((status = 200, body = Mutated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
async fn mutate(State(portal): Shared, Query(q): Query<MutateQuery>) -> Response {
    match portal.mutate(q.count.min(100_000)) {
        Ok(changed) => Json(Mutated { changed }).into_response(),
        Err(e) => internal(e),
    }
}
