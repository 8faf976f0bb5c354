//! The tester's hooks under `/admin/identity/`: modes, token-endpoint counters, key rotation,
//! and fault switches. Sandbox only; documented in `docs/identity.md`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::common::{Counters, Fault, IdentityMode, SigningAlg, internal};
use super::provider::IdentityProvider;

type Idp = State<Arc<IdentityProvider>>;

pub fn router() -> Router<Arc<IdentityProvider>> {
    Router::new()
        .route("/admin/identity/mode", get(mode).post(set_mode))
        .route("/admin/identity/counters", get(counters))
        .route("/admin/identity/counters/reset", post(reset_counters))
        .route("/admin/identity/keys/rotate", post(rotate))
        .route("/admin/identity/faults", get(faults).delete(clear_faults))
        .route("/admin/identity/faults/{name}", post(set_fault).delete(unset_fault))
}

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

async fn counters(State(idp): Idp) -> Json<Counters> {
    Json(idp.counters())
}

async fn reset_counters(State(idp): Idp) -> Json<Counters> {
    idp.reset_counters();
    Json(idp.counters())
}

#[derive(Deserialize)]
struct RotateQuery {
    alg: Option<SigningAlg>,
}

async fn rotate(State(idp): Idp, Query(q): Query<RotateQuery>) -> Response {
    match idp.rotate_keys(q.alg.unwrap_or(idp.mode().signing_alg)) {
        Ok(rotated) => Json(rotated).into_response(),
        Err(e) => internal(e),
    }
}

fn fault_list(idp: &IdentityProvider) -> Json<serde_json::Value> {
    Json(json!({"active": idp.faults(), "available": Fault::ALL}))
}

async fn faults(State(idp): Idp) -> Json<serde_json::Value> {
    fault_list(&idp)
}

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

async fn set_fault(State(idp): Idp, Path(name): Path<String>) -> Response {
    switch(&idp, &name, true)
}

async fn unset_fault(State(idp): Idp, Path(name): Path<String>) -> Response {
    switch(&idp, &name, false)
}
