//! The portal contract as OpenAPI 3.1, served at `/openapi.json`. It is generated from the routes
//! themselves: every route is registered through `utoipa_axum::routes!`, which takes the path and
//! method from the handler's `#[utoipa::path]`, so a route cannot be served without its entry
//! (the test `every_route_is_documented` refuses a bare `.route(`). Schemas come from the wire
//! types (`ToSchema`, behind smarthd-model's `openapi` feature).

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every refusal's body: the portal's own (`error`, `message`, and `field` or `received` where
/// they apply) or the identity provider's OAuth one (`error`, `error_description`, and
/// `acr_values` on a step-up challenge).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // a schema only: the answers are built where they are refused
pub struct ErrorBody {
    /// A stable code: `bad_request`, `validation`, `not_found`, `unauthorized`, `invalid_token`...
    pub error: String,
    pub message: Option<String>,
    pub error_description: Option<String>,
    /// The field (or fields, comma-separated) at fault.
    pub field: Option<String>,
    /// An upload's offset the portal holds.
    pub received: Option<u64>,
    pub acr_values: Option<String>,
}

// The shapes of answers the identity provider and the signers build as JSON values (tokens,
// metadata, keys): documentation types, held to the real answers by the contract fuzzing.

/// OpenID Provider Metadata (the fields the app relies on; more may come).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub revocation_endpoint: String,
    pub end_session_endpoint: String,
    pub pushed_authorization_request_endpoint: String,
    pub require_pushed_authorization_requests: bool,
    pub code_challenge_methods_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub acr_values_supported: Vec<String>,
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
}

/// A JSON Web Key Set.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Jwk {
    pub kty: String,
    pub kid: String,
    pub alg: String,
    #[schema(rename = "use")]
    pub use_: Option<String>,
}

/// The token endpoint's answer (RFC 6749 section 5.1).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Tokens {
    pub access_token: String,
    /// `Bearer` or `DPoP`.
    pub token_type: String,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    pub refresh_expires_in: Option<u64>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
}

/// A pushed authorization request's handle (RFC 9126).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Pushed {
    pub request_uri: String,
    pub expires_in: u64,
}

/// The resident as the portal knows them (`/api/v1/me`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Me {
    pub sub: String,
    pub name: String,
    pub cccd: String,
    /// The VNeID level of the login (1 or 2).
    pub level: u8,
    pub acr: String,
    pub birthdate: String,
    pub gender: String,
    pub address: String,
    pub phone: String,
}

/// Public keys that verify what the portal signs (receipts, tickets).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct KeyList {
    pub keys: Vec<PublicKey>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PublicKey {
    pub key_id: String,
    /// `Ed25519`.
    pub alg: String,
    pub public_key: String,
}

/// The merchant's answer to VNPay's IPN.
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct IpnAnswer {
    pub RspCode: String,
    pub Message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Smart-Hải Dương sandbox portal",
        description = "The portal contract the app speaks (catalog, identity, dossiers, uploads, payments, \
                       receipts, results, appointments), as the sandbox implements it, with the officer console \
                       and the tester's admin routes. Generated from the sandbox's routes; see docs/portal-api.md.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "catalog", description = "Danh mục thủ tục / The procedure catalog"),
        (name = "identity", description = "Định danh (OpenID provider) / Identity"),
        (name = "dossiers", description = "Hồ sơ và tệp đính kèm / Dossiers and attachments"),
        (name = "payments", description = "Thanh toán, biên lai / Payments and receipts"),
        (name = "appointments", description = "Đặt lịch / Appointments"),
        (name = "officer", description = "Cán bộ (console) / The officer console"),
        (name = "admin", description = "Công cụ kiểm thử / The tester's admin routes"),
        (name = "pages", description = "Trang HTML / HTML pages"),
    )
)]
struct Base;

/// The ways a caller proves who it is: the resident's access token (Bearer or DPoP), the
/// officer's session cookie, and the sandbox's admin token.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme(
            "admin",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(crate::guard::ADMIN_TOKEN_HEADER))),
        );
        components
            .add_security_scheme("officer", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("hd_officer"))));
    }
}

/// An empty router carrying the base document, for the parts to merge into.
pub fn base() -> OpenApiRouter {
    OpenApiRouter::with_openapi(Base::openapi())
}

/// The document, rendered once after the router is assembled.
#[derive(Clone, Default)]
pub struct Document(Arc<OnceLock<String>>);

impl Document {
    pub fn set(&self, openapi: &utoipa::openapi::OpenApi) {
        let _ = self.0.set(openapi.to_json().expect("the OpenAPI document serializes"));
    }
}

/// `/openapi.json` itself.
pub fn router(document: Document) -> OpenApiRouter {
    OpenApiRouter::new().routes(routes!(openapi_json)).with_state(document)
}

/// The OpenAPI 3.1 description of every route the sandbox serves.
#[utoipa::path(get, path = "/openapi.json", tag = "pages",
    responses((status = 200, description = "Mô tả OpenAPI 3.1 / The OpenAPI 3.1 document", body = Object)))]
async fn openapi_json(State(document): State<Document>) -> Response {
    let body = document.0.get().cloned().unwrap_or_default();
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Raw bytes on the wire (an attachment's chunk, a result's PDF).
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_media_type("application/octet-stream")
            .into()
    }
}

impl ToSchema for Binary {}
