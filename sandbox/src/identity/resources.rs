//! Routes that take the provider's access tokens: OpenID Connect userinfo, and the portal's own
//! `/api/v1/me` (level 1 is enough) and `/api/v1/me/documents` (level 2: step-up otherwise).

use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{AuthError, Authenticated};
use super::citizens::{self, Citizen};
use super::provider::IdentityProvider;

pub fn router() -> OpenApiRouter<Arc<IdentityProvider>> {
    OpenApiRouter::new().routes(routes!(userinfo, userinfo_post)).routes(routes!(me)).routes(routes!(documents))
}

fn citizen(auth: &Authenticated) -> Result<&'static Citizen, AuthError> {
    // A token whose subject vanished (never, with the fixed test citizens) is no valid token.
    citizens::by_sub(&auth.sub).ok_or(AuthError::InvalidToken { scheme: auth.scheme, description: "unknown subject" })
}

fn private_json(body: Value) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// The claims the token's scopes allow (OpenID Connect Core 5.3).
#[utoipa::path(get, path = "/realms/haiduong/userinfo", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "The claims the token's scopes allow", body = Object), (status = 400, body = crate::openapi::ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required (WWW-Authenticate says why)", body = crate::openapi::ErrorBody)))]
async fn userinfo(auth: Authenticated) -> Result<Response, AuthError> {
    let c = citizen(&auth)?;
    let scopes: Vec<&str> = auth.scope.split(' ').collect();
    let mut body = json!({"sub": c.sub, "level": auth.level, "acr": auth.acr()});
    if scopes.contains(&"profile") {
        body["name"] = c.name.into();
        body["family_name"] = c.family_name.into();
        body["given_name"] = c.given_name.into();
        body["birthdate"] = c.birthdate.into();
        body["gender"] = c.gender.into();
        body["address"] = json!({ "formatted": c.address });
    }
    if scopes.contains(&"cccd") {
        body["cccd"] = c.cccd.into();
    }
    Ok(private_json(body))
}

/// Userinfo by POST (OpenID Connect Core 5.3.1 allows both).
#[utoipa::path(post, path = "/realms/haiduong/userinfo", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "The claims the token's scopes allow", body = Object), (status = 400, body = crate::openapi::ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required (WWW-Authenticate says why)", body = crate::openapi::ErrorBody)))]
async fn userinfo_post(auth: Authenticated) -> Result<Response, AuthError> {
    userinfo(auth).await
}

/// The resident's profile on the portal.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "Người dân / The resident", body = crate::openapi::Me), (status = 400, body = crate::openapi::ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required (WWW-Authenticate says why)", body = crate::openapi::ErrorBody)))]
async fn me(auth: Authenticated) -> Result<Response, AuthError> {
    let c = citizen(&auth)?;
    Ok(private_json(json!({
        "sub": c.sub,
        "name": c.name,
        "cccd": c.cccd,
        "level": auth.level,
        "acr": auth.acr(),
        "birthdate": c.birthdate,
        "gender": c.gender,
        "address": c.address,
        "phone": c.phone,
    })))
}

/// The resident's e-papers: personal documents, so a level-2 login is required.
#[utoipa::path(get, path = "/api/v1/me/documents", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "Giấy tờ / The resident's papers (level 2)", body = Object), (status = 400, body = crate::openapi::ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required (WWW-Authenticate says why)", body = crate::openapi::ErrorBody)))]
async fn documents(auth: Authenticated) -> Result<Response, AuthError> {
    auth.require_level(2)?;
    let c = citizen(&auth)?;
    Ok(private_json(json!({ "documents": c.documents })))
}
