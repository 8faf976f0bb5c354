//! The catalog routes: the change feed (paged listing, delta, 304), procedure detail,
//! administrative units, and the tester's admin routes that change the catalog while it runs.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smarthd_model::catalog::Procedure;

use crate::generator;
use crate::portal::Portal;

const MAX_PAGE: u32 = 2_000;

pub fn router(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/catalog/changes", get(changes))
        .route("/api/v1/catalog/procedures/{code}", get(procedure))
        .route("/api/v1/units", get(units))
        .route("/admin/catalog/head", get(head))
        .route("/admin/catalog/procedures", post(upsert))
        .route("/admin/catalog/procedures/{code}", axum::routing::delete(remove))
        .route("/admin/catalog/procedures/{code}/replace", post(replace))
        .route("/admin/catalog/mutate", post(mutate))
        .with_state(portal)
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

#[derive(Deserialize)]
struct ChangesQuery {
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct WireChange {
    seq: u64,
    code: String,
    removed: bool,
    procedure: Option<Box<RawValue>>,
}

#[derive(Serialize)]
struct WirePage {
    items: Vec<WireChange>,
    next_since: u64,
    has_more: bool,
    remaining: u64,
    head: u64,
}

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

async fn procedure(State(portal): Shared, Path(code): Path<String>) -> Response {
    match portal.procedure(&code.to_ascii_uppercase()) {
        Ok(Some(json)) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

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

#[derive(Serialize)]
struct HeadInfo {
    head: u64,
}

async fn head(State(portal): Shared) -> Response {
    match portal.head() {
        Ok(head) => Json(HeadInfo { head }).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Serialize)]
struct Changed {
    seq: u64,
}

async fn upsert(State(portal): Shared, Json(procedure): Json<Procedure>) -> Response {
    match portal.upsert(&procedure) {
        Ok(seq) => Json(Changed { seq }).into_response(),
        Err(e) => internal(e),
    }
}

async fn remove(State(portal): Shared, Path(code): Path<String>) -> Response {
    match portal.remove(&code.to_ascii_uppercase()) {
        Ok(Some(seq)) => Json(Changed { seq }).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct ReplaceBody {
    replaced_by: String,
}

async fn replace(State(portal): Shared, Path(code): Path<String>, Json(body): Json<ReplaceBody>) -> Response {
    match portal.replace(&code.to_ascii_uppercase(), &body.replaced_by) {
        Ok(Some(seq)) => Json(Changed { seq }).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no procedure {code}")).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct MutateQuery {
    count: usize,
}

#[derive(Serialize)]
struct Mutated {
    changed: Vec<String>,
}

async fn mutate(State(portal): Shared, Query(q): Query<MutateQuery>) -> Response {
    match portal.mutate(q.count.min(100_000)) {
        Ok(changed) => Json(Mutated { changed }).into_response(),
        Err(e) => internal(e),
    }
}
