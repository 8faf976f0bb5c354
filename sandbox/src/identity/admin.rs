//! The tester's hooks under `/admin/identity/`: modes, token-endpoint counters, key rotation,
//! and fault switches. Sandbox only; documented in `docs/identity.md`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{Counters, Fault, IdentityMode, SigningAlg, internal};
use super::provider::IdentityProvider;

type Idp = State<Arc<IdentityProvider>>;

pub fn router() -> OpenApiRouter<Arc<IdentityProvider>> {
    OpenApiRouter::new()
        .routes(routes!(mode, set_mode))
        .routes(routes!(counters))
        .routes(routes!(reset_counters))
        .routes(routes!(rotate))
        .routes(routes!(faults, clear_faults))
        .routes(routes!(set_fault, unset_fault))
}

#[utoipa::path(get, path = "/admin/identity/mode", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "The provider's modes", body = Object), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn mode(State(idp): Idp) -> Json<IdentityMode> {
    Json(idp.mode())
}

/// Any subset of the mode's fields; the others stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModePatch {
    signing_alg: Option<SigningAlg>,
    require_par: Option<bool>,
    offer_dpop: Option<bool>,
    require_dpop: Option<bool>,
    dpop_nonce: Option<bool>,
    access_token_ttl: Option<u64>,
    refresh_token_ttl: Option<u64>,
}

#[utoipa::path(post, path = "/admin/identity/mode", tag = "admin", security(("admin" = [])), request_body = Object,
    responses((status = 200, description = "The provider's modes", body = Object), (status = 400, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn set_mode(State(idp): Idp, Json(patch): Json<ModePatch>) -> Json<IdentityMode> {
    let mut mode = idp.mode();
    mode.signing_alg = patch.signing_alg.unwrap_or(mode.signing_alg);
    mode.require_par = patch.require_par.unwrap_or(mode.require_par);
    mode.offer_dpop = patch.offer_dpop.unwrap_or(mode.offer_dpop);
    mode.require_dpop = patch.require_dpop.unwrap_or(mode.require_dpop);
    mode.dpop_nonce = patch.dpop_nonce.unwrap_or(mode.dpop_nonce);
    mode.access_token_ttl = patch.access_token_ttl.unwrap_or(mode.access_token_ttl);
    mode.refresh_token_ttl = patch.refresh_token_ttl.unwrap_or(mode.refresh_token_ttl);
    idp.set_mode(mode.clone());
    Json(mode)
}

#[utoipa::path(get, path = "/admin/identity/counters", operation_id = "identity_counters", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "Token endpoint counters", body = Object), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn counters(State(idp): Idp) -> Json<Counters> {
    Json(idp.counters())
}

#[utoipa::path(post, path = "/admin/identity/counters/reset", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "Token endpoint counters", body = Object), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn reset_counters(State(idp): Idp) -> Json<Counters> {
    idp.reset_counters();
    Json(idp.counters())
}

#[derive(Deserialize)]
struct RotateQuery {
    alg: Option<SigningAlg>,
}

#[utoipa::path(post, path = "/admin/identity/keys/rotate", tag = "admin", security(("admin" = [])),
    params(("alg" = Option<String>, Query, description = "ES256 or RS256")),
    responses((status = 200, description = "The new and retired keys", body = Object), (status = 400, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn rotate(State(idp): Idp, Query(q): Query<RotateQuery>) -> Response {
    match idp.rotate_keys(q.alg.unwrap_or(idp.mode().signing_alg)) {
        Ok(rotated) => Json(rotated).into_response(),
        Err(e) => internal(e),
    }
}

fn fault_list(idp: &IdentityProvider) -> Json<serde_json::Value> {
    Json(json!({"active": idp.faults(), "available": Fault::ALL}))
}

#[utoipa::path(get, path = "/admin/identity/faults", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "Active and available faults", body = Object), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn faults(State(idp): Idp) -> Json<serde_json::Value> {
    fault_list(&idp)
}

#[utoipa::path(delete, path = "/admin/identity/faults", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "Active and available faults", body = Object), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn clear_faults(State(idp): Idp) -> Json<serde_json::Value> {
    idp.clear_faults();
    fault_list(&idp)
}

fn switch(idp: &IdentityProvider, name: &str, on: bool) -> Response {
    match Fault::parse(name) {
        Some(fault) => {
            idp.set_fault(fault, on);
            fault_list(idp).into_response()
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"error": format!("no fault {name}"), "available": Fault::ALL})))
            .into_response(),
    }
}

#[utoipa::path(post, path = "/admin/identity/faults/{name}", operation_id = "identity_set_fault", tag = "admin", security(("admin" = [])), params(("name" = String, Path)),
    responses((status = 200, description = "Active and available faults", body = Object), (status = 404, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn set_fault(State(idp): Idp, Path(name): Path<String>) -> Response {
    switch(&idp, &name, true)
}

#[utoipa::path(delete, path = "/admin/identity/faults/{name}", tag = "admin", security(("admin" = [])), params(("name" = String, Path)),
    responses((status = 200, description = "Active and available faults", body = Object), (status = 404, body = crate::openapi::ErrorBody), (status = 401, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody)))]
async fn unset_fault(State(idp): Idp, Path(name): Path<String>) -> Response {
    switch(&idp, &name, false)
}
