//! Dossiers (hồ sơ) in the sandbox: content-addressed, chunked, resumable attachments; a submit
//! that is idempotent on the client's permanent dossier id (the dedup record is the dossier row,
//! committed with the ledger count in one transaction); the resident's dossiers changed since a
//! cursor; the public lookup by code; the officer console; and the ledger tests read. The wire
//! contract is the "Dossiers" section of `docs/portal-api.md`.

// Layers, each importing only from those below it: `common` (the shared vocabulary); store and
// desk (the officers' accounts and sessions); `state` (what the routes are handed); officer; this
// file, which holds the resident's routes and assembles the router.
mod common;
mod desk;
mod officer;
mod public;
mod state;
mod store;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use smarthd_model::catalog::{Channel, Procedure, ProcedureStatus, Subject};
use smarthd_model::dossier::Rating;
use smarthd_model::result_doc::{ResultPayload, SignedResult};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api_error::ApiError;
use crate::identity::{Authenticated, IdentityProvider};
use crate::openapi::ErrorBody;
use crate::portal::Portal;
use crate::signing::DocumentSigner;
use common::{hex, json_body};
use state::{AppState, DossierApi, Shared};
use store::{Acceptance, Announce, NewDossier, Store};

pub use desk::{CSRF_HEADER as OFFICER_CSRF_HEADER, Desk, OFFICERS, OfficerAccount, OfficerSession};
pub use store::attachment_content;

/// Who issues results (as on e-receipts).
const RESULT_ISSUER: &str = "Cổng Dịch vụ công tỉnh Hải Dương";
/// Attachments: at most 10 MiB, sent in chunks of at most 1 MiB.
const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;
const MAX_CHUNK: usize = 1024 * 1024;
/// An officer's result as JSON: a PDF of up to 10 MiB in base64, and its name.
const MAX_RESULT_BODY: usize = 10 * 1024 * 1024 * 4 / 3 + 64 * 1024;
const CONTENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The dossier, officer and ledger routes (the batch submit when `batches`); opens the dossier tables in the sandbox database.
pub fn router(
    db_path: &Path,
    batches: bool,
    portal: Arc<Portal>,
    idp: Arc<IdentityProvider>,
    signer: Arc<dyn DocumentSigner>,
    desk: Arc<Desk>,
) -> rusqlite::Result<OpenApiRouter> {
    let api = Arc::new(DossierApi { store: Store::open(db_path)?, portal, signer, desk });
    let router = OpenApiRouter::new();
    let router = if batches { router.routes(routes!(submit_batch)) } else { router };
    Ok(router
        .routes(routes!(announce))
        .routes(routes!(upload_state))
        .routes(routes!(put_chunk))
        .routes(routes!(submit, changed_since))
        .routes(routes!(lookup))
        .routes(routes!(result_document))
        .routes(routes!(signed_result))
        .routes(routes!(supplement))
        .routes(routes!(withdraw))
        .routes(routes!(rate))
        .routes(routes!(public::lookup_page))
        .routes(routes!(officer::ratings))
        .routes(routes!(officer::list))
        .routes(routes!(officer::dossier))
        .routes(routes!(officer::page))
        .routes(routes!(officer::login_page, officer::log_in))
        .routes(routes!(officer::log_out))
        .routes(routes!(officer::set_status))
        .routes({
            let (schemas, paths, result) = routes!(officer::attach_result);
            (schemas, paths, result.layer(DefaultBodyLimit::max(MAX_RESULT_BODY)))
        })
        .routes(routes!(ledger))
        .with_state(AppState { api, idp }))
}

fn private(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

#[derive(Deserialize, ToSchema)]
struct AnnounceBody {
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    sha256: String,
    /// At most 10 MiB.
    #[schema(minimum = 1, maximum = 10485760)]
    size: u64,
    #[schema(example = "application/pdf")]
    content_type: String,
    #[serde(default)]
    name: String,
}

#[utoipa::path(post, path = "/api/v1/attachments", tag = "dossiers", security(("bearer" = [])), request_body = AnnounceBody,
    responses((status = 200, description = "Trạng thái tải lên / The upload's state", body = store::Upload), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn announce(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    let a: AnnounceBody = json_body(&body)?;
    let sha256 = a.sha256.to_ascii_lowercase();
    if !is_sha256_hex(&sha256) {
        return Err(ApiError::bad_request("sha256 must be 64 hexadecimal digits"));
    }
    if a.size == 0 {
        return Err(ApiError::bad_request("an attachment cannot be empty"));
    }
    if a.size > MAX_ATTACHMENT {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "an attachment is at most 10 MiB"));
    }
    let content_type = a.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "attachments are JPEG, PNG or PDF",
        ));
    }
    let name: String = a.name.chars().filter(|c| !c.is_control()).take(255).collect();
    let announce = Announce { sub: &auth.sub, sha256: &sha256, size: a.size, content_type: &content_type, name: &name };
    Ok(private(Json(s.api.store.announce(&announce)?)))
}

#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "dossiers", security(("bearer" = [])),
    params(("sha256" = String, Path)),
    responses((status = 200, description = "Trạng thái tải lên / The upload's state", body = store::Upload), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn upload_state(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(sha256): UrlPath<String>,
) -> Result<Response, ApiError> {
    let upload = s
        .api
        .store
        .upload(&auth.sub, &sha256.to_ascii_lowercase())?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok(private(Json(upload)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OffsetQuery {
    offset: u64,
}

#[utoipa::path(put, path = "/api/v1/attachments/{sha256}/content", tag = "dossiers", security(("bearer" = [])),
    params(("sha256" = String, Path), OffsetQuery),
    request_body(content = crate::openapi::Binary, content_type = "application/octet-stream"),
    responses((status = 200, description = "Trạng thái tải lên / The upload's state", body = store::Upload), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Lệch vị trí / Offset mismatch", body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_chunk(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(sha256): UrlPath<String>,
    query: Result<Query<OffsetQuery>, QueryRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    let Query(OffsetQuery { offset }) = query.map_err(|_| ApiError::bad_request("?offset=N is required"))?;
    let data = axum::body::to_bytes(body, MAX_CHUNK).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "a chunk is at most 1 MiB (or the body was cut)")
    })?;
    let sha256 = sha256.to_ascii_lowercase();
    let store_api = s.api.clone();
    // Hashing up to 10 MiB on completion: off the async workers.
    let upload = tokio::task::spawn_blocking(move || store_api.store.put_chunk(&auth.sub, &sha256, offset, &data))
        .await
        .map_err(ApiError::internal)??;
    Ok(private(Json(upload)))
}

#[derive(Deserialize, ToSchema)]
struct SubmitBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,100}$")]
    dossier_id: String,
    #[schema(example = "1.001193")]
    procedure_code: String,
    /// `citizen` or `organization`.
    #[schema(pattern = "^(citizen|organization)$")]
    applicant: String,
    /// Whom the dossier is about (`self`, `child`, `parent`, `spouse`, `other`); the form's
    /// fields say who they are.
    #[serde(default)]
    for_person: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    attachments: Vec<AttachmentRef>,
}

#[derive(Deserialize, ToSchema)]
struct AttachmentRef {
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    sha256: String,
    #[serde(default)]
    name: String,
    /// In a supplement: the requested document it answers.
    #[serde(default)]
    document: Option<String>,
}

/// What the dedup compares: the same resident, procedure, applicant, field values (sorted by
/// key) and attachment digests (sorted) make the same dossier.
#[derive(Serialize)]
struct CanonicalContent<'a> {
    sub: &'a str,
    procedure_code: &'a str,
    applicant: &'a str,
    fields: &'a BTreeMap<String, String>,
    attachments: Vec<&'a str>,
}

/// A permanent id the resident's phone made (a dossier's, a supplement's...): the portal's
/// dedup key.
fn permanent_id(name: &str, id: &str) -> Result<(), ApiError> {
    if !is_dossier_id(id) {
        return Err(ApiError::bad_request(format!("{name}: 1 to 100 letters, digits, '-' or '_'")));
    }
    Ok(())
}

fn is_dossier_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The same rules the app checks offline, from the one implementation in the model: every
/// problem at once, the fields named together.
fn check_form(procedure: &Procedure, fields: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let errors = smarthd_model::form::validate(&procedure.form, fields);
    if errors.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    Err(ApiError::validation(&names.join(", "), smarthd_model::form::describe(&errors)))
}

/// A submitted form: each value as text (see [`field_text`]).
fn form_values(raw: BTreeMap<String, serde_json::Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut fields = BTreeMap::new();
    for (key, value) in raw {
        if let Some(text) = field_text(&key, value)? {
            fields.insert(key, text);
        }
    }
    Ok(fields)
}

/// An attachment's digest as the store keys it (lowercase hex).
fn digest_of(sha256: &str) -> Result<String, ApiError> {
    let sha256 = sha256.to_ascii_lowercase();
    if !is_sha256_hex(&sha256) {
        return Err(ApiError::bad_request("attachments: sha256 must be 64 hexadecimal digits"));
    }
    Ok(sha256)
}

/// Form values are strings; numbers and booleans are taken as their text, null as absent.
fn field_text(key: &str, value: serde_json::Value) -> Result<Option<String>, ApiError> {
    match value {
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Bool(b) => Ok(Some(b.to_string())),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(ApiError::validation(key, "a form value is text / giá trị phải là chuỗi ký tự")),
    }
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", security(("bearer" = [])), request_body = SubmitBody,
    responses(
        (status = 201, description = "Đã nhận / Received", body = store::SubmitAnswer),
        (status = 200, description = "Đã nhận trước đó / Already received (the same bytes)", body = store::SubmitAnswer),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    s.api.store.count_submit_request();
    Ok(replayable(take(&s.api, &auth, json_body(&body)?)?))
}

/// Dossiers one batch holds at most.
const MAX_BATCH: usize = 50;

#[derive(Deserialize, ToSchema)]
struct BatchBody {
    /// 1 to 50 dossiers, each as `POST /api/v1/dossiers` takes it.
    dossiers: Vec<SubmitBody>,
}

#[derive(Serialize, ToSchema)]
struct BatchAnswer {
    /// One per dossier sent, in the order sent.
    results: Vec<BatchResult>,
}

#[derive(Serialize, ToSchema)]
struct BatchResult {
    dossier_id: String,
    /// What `POST /api/v1/dossiers` answers this dossier alone: `201`, `200` (the first answer
    /// replayed), or its refusal's status.
    status: u16,
    /// That answer's body: the receipt, or the error.
    #[schema(value_type = Object)]
    body: Box<serde_json::value::RawValue>,
}

#[utoipa::path(post, path = "/api/v1/dossier-batches", tag = "dossiers", security(("bearer" = [])), request_body = BatchBody,
    responses(
        (status = 200, description = "Mỗi hồ sơ một kết quả / One result per dossier, as the single submit gives it", body = BatchAnswer),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody)))]
async fn submit_batch(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    s.api.store.count_submit_request();
    let batch: BatchBody = json_body(&body)?;
    if !(1..=MAX_BATCH).contains(&batch.dossiers.len()) {
        return Err(ApiError::validation("dossiers", format!("1 to {MAX_BATCH} dossiers in a batch")));
    }
    let ids: Vec<String> = batch.dossiers.iter().map(|d| d.dossier_id.clone()).collect();
    // Those whose content could be read are stored together, in one transaction; the others
    // are refused as they are (`refused`, in the batch's order).
    let (mut contents, mut verdicts, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for dossier in batch.dossiers {
        match check(&s.api, &auth, dossier) {
            Ok((content, verdict)) => {
                contents.push(content);
                verdicts.push(verdict);
                refused.push(None);
            }
            Err(error) => refused.push(Some(error)),
        }
    }
    let batch = contents.iter().map(|c| c.new_dossier(&auth)).zip(verdicts).collect();
    let mut stored = s.api.store.submit_all(batch)?.into_iter();
    let mut results = Vec::with_capacity(ids.len());
    for (dossier_id, refused) in ids.into_iter().zip(refused) {
        let answer = match refused {
            None => stored.next().expect("one answer per dossier stored"),
            Some(error) => Err(error),
        };
        let (status, body) = match answer {
            Ok(submitted) => (if submitted.created { 201 } else { 200 }, submitted.body),
            // The refusal the single route would answer, body and status.
            Err(error) => {
                let refusal = error.into_response();
                let status = refusal.status().as_u16();
                let body = axum::body::to_bytes(refusal.into_body(), 64 * 1024).await.map_err(ApiError::internal)?;
                (status, String::from_utf8(body.to_vec()).map_err(ApiError::internal)?)
            }
        };
        let body = serde_json::value::RawValue::from_string(body).map_err(ApiError::internal)?;
        results.push(BatchResult { dossier_id, status, body });
    }
    Ok(private(Json(BatchAnswer { results })))
}

/// Takes one dossier: idempotent on its id.
fn take(api: &DossierApi, auth: &Authenticated, body: SubmitBody) -> Result<store::Submitted, ApiError> {
    let (content, verdict) = check(api, auth, body)?;
    api.store.submit(content.new_dossier(auth), verdict)
}

/// A dossier whose content was read: what is stored, under the resident's `sub`.
struct Content {
    id: String,
    procedure_code: String,
    applicant: String,
    fields: BTreeMap<String, String>,
    attachments: Vec<(String, String)>,
    content_hash: String,
}

impl Content {
    fn new_dossier<'a>(&'a self, auth: &'a Authenticated) -> NewDossier<'a> {
        NewDossier {
            id: &self.id,
            sub: &auth.sub,
            procedure_code: &self.procedure_code,
            applicant: &self.applicant,
            fields: &self.fields,
            attachments: &self.attachments,
            content_hash: &self.content_hash,
        }
    }
}

/// Reads a submitted dossier: its shape refused at once, its content hashed, and what the portal
/// decided about it (which only counts for an id it has not received before).
fn check(
    api: &DossierApi,
    auth: &Authenticated,
    body: SubmitBody,
) -> Result<(Content, Result<Acceptance, ApiError>), ApiError> {
    permanent_id("dossier_id", &body.dossier_id)?;
    if body.for_person.as_deref().is_some_and(|p| smarthd_model::ForPerson::parse(p).is_none()) {
        return Err(ApiError::validation("for_person", "for_person is self, child, parent, spouse or other"));
    }
    let fields = form_values(body.fields)?;
    let mut attachments = Vec::with_capacity(body.attachments.len());
    for a in body.attachments {
        attachments.push((digest_of(&a.sha256)?, a.name));
    }
    let procedure_code = body.procedure_code.trim().to_ascii_uppercase();
    let mut digests: Vec<&str> = attachments.iter().map(|(sha256, _)| sha256.as_str()).collect();
    digests.sort_unstable();
    let canonical = CanonicalContent {
        sub: &auth.sub,
        procedure_code: &procedure_code,
        applicant: &body.applicant,
        fields: &fields,
        attachments: digests,
    };
    let canonical = serde_json::to_vec(&canonical).map_err(ApiError::internal)?;
    let content_hash = hex(ring::digest::digest(&ring::digest::SHA256, &canonical).as_ref());
    let verdict = accept(&api.portal, auth, &procedure_code, &body.applicant, &fields);
    let content =
        Content { id: body.dossier_id, procedure_code, applicant: body.applicant, fields, attachments, content_hash };
    Ok((content, verdict))
}

/// Decides whether a new dossier can be received: the procedure exists and is in force, the
/// token's level suffices (level 2 where there are fees), the applicant may apply, and the form
/// values fit the procedure's e-form.
fn accept(
    portal: &Portal,
    auth: &Authenticated,
    procedure_code: &str,
    applicant: &str,
    fields: &BTreeMap<String, String>,
) -> Result<Acceptance, ApiError> {
    let unknown =
        || ApiError::new(StatusCode::NOT_FOUND, "unknown_procedure", format!("no procedure {procedure_code}"));
    let procedure = portal.parsed_procedure(procedure_code)?.ok_or_else(unknown)?;
    if procedure.status != ProcedureStatus::InForce {
        let message = match &procedure.replaced_by {
            Some(code) => format!("{procedure_code} has been replaced by {code}"),
            None => format!("{procedure_code} is no longer in force"),
        };
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "procedure_not_in_force", message));
    }
    if procedure.fees.iter().any(|f| f.amount_vnd > 0) {
        auth.require_level(2)?;
    }
    let subject = match applicant {
        "citizen" => Subject::Citizen,
        "organization" => Subject::Organization,
        _ => return Err(ApiError::validation("applicant", "applicant is citizen or organization")),
    };
    if !procedure.subjects.contains(&subject) {
        return Err(ApiError::validation("applicant", format!("this procedure does not take a {applicant}")));
    }
    check_form(&procedure, fields)?;
    let fee_vnd = procedure
        .fees
        .iter()
        .filter(|f| f.channel == Channel::Online && f.subject == subject)
        .map(|f| f.amount_vnd)
        .sum();
    Ok(Acceptance { procedure_name: procedure.name.clone(), fee_vnd, processing_days: procedure.processing_days })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SinceQuery {
    #[serde(default)]
    since: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ChangedPage {
    items: Vec<store::DossierView>,
    next_since: u64,
}

#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", security(("bearer" = [])), params(SinceQuery),
    responses((status = 200, description = "Hồ sơ đổi từ con trỏ / Dossiers changed since the cursor", body = ChangedPage), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody)))]
async fn changed_since(
    State(s): Shared,
    auth: Authenticated,
    query: Result<Query<SinceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(SinceQuery { since }) = query.map_err(|_| ApiError::bad_request("since is a cursor (a number)"))?;
    let (items, next_since) = s.api.store.changed_since(&auth.sub, since)?;
    Ok(private(Json(ChangedPage { items, next_since })))
}

#[utoipa::path(get, path = "/api/v1/dossiers/lookup/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "The dossier's code (mã hồ sơ)")),
    responses((status = 200, description = "Trạng thái hồ sơ / The dossier's status", body = store::PublicStatus), (status = 404, body = ErrorBody)))]
async fn lookup(State(s): Shared, UrlPath(code): UrlPath<String>) -> Result<Response, ApiError> {
    let status = s.api.store.lookup(code.trim())?.ok_or_else(|| ApiError::not_found("dossier"))?;
    Ok(private(Json(status)))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{dossier_id}/result", tag = "dossiers", security(("bearer" = [])), params(("dossier_id" = String, Path, description = "The dossier id the phone made")),
    responses((status = 200, description = "Kết quả (PDF) / The result", body = crate::openapi::Binary, content_type = "application/pdf"),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn result_document(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(dossier_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let file = s.api.store.result_file(&auth.sub, &dossier_id)?.ok_or_else(|| ApiError::not_found("result"))?;
    let pdf = officer::result_pdf(&file);
    Ok(private(([(header::CONTENT_TYPE, "application/pdf")], pdf)))
}

/// The result's metadata, signed with the portal's published key; the payload names the PDF
/// (`GET …/result`) by its SHA-256.
#[utoipa::path(get, path = "/api/v1/dossiers/{dossier_id}/result/signed", tag = "dossiers", security(("bearer" = [])), params(("dossier_id" = String, Path, description = "The dossier id the phone made")),
    responses((status = 200, description = "Kết quả có chữ ký / The signed result", body = SignedResult),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn signed_result(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(dossier_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let file = s.api.store.result_file(&auth.sub, &dossier_id)?.ok_or_else(|| ApiError::not_found("result"))?;
    let pdf = officer::result_pdf(&file);
    let payload = serde_json::to_string(&ResultPayload {
        result_id: file.result_id.clone(),
        dossier_id: file.dossier_id.clone(),
        dossier_code: file.code.clone(),
        procedure_code: file.procedure_code.clone(),
        procedure_name: file.procedure_name.clone(),
        name: file.name.clone(),
        sha256: hex(ring::digest::digest(&ring::digest::SHA256, &pdf).as_ref()),
        size: pdf.len() as u64,
        issued_at: file.issued_at.clone(),
        issuer: RESULT_ISSUER.to_owned(),
    })
    .map_err(ApiError::internal)?;
    let signature = s.api.signer.sign(&payload);
    let key_id = s.api.signer.key_id().to_owned();
    Ok(private(Json(SignedResult { result_id: file.result_id, payload, signature, key_id })))
}

#[derive(Deserialize, ToSchema)]
struct SupplementBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,100}$")]
    supplement_id: String,
    round: u32,
    #[serde(default)]
    fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    attachments: Vec<AttachmentRef>,
}

/// `POST /api/v1/dossiers/{id}/supplements`: the resident's answer to the open round, once per
/// supplement id; the whole form again (checked like a new dossier's) and the new attachments.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier_id}/supplements", tag = "dossiers", security(("bearer" = [])), params(("dossier_id" = String, Path, description = "The dossier id the phone made")),
    request_body = SupplementBody,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn supplement(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(dossier_id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: SupplementBody = json_body(&body)?;
    permanent_id("supplement_id", &body.supplement_id)?;
    let fields = form_values(body.fields)?;
    let mut attachments = Vec::with_capacity(body.attachments.len());
    for a in body.attachments {
        attachments.push((digest_of(&a.sha256)?, a.name, a.document));
    }
    let procedure_code =
        s.api.store.procedure_of(&auth.sub, &dossier_id)?.ok_or_else(|| ApiError::not_found("dossier"))?;
    // Judged by the store after its replay check: a retry is answered as the first was even
    // when the procedure left the catalog or its form changed since.
    let form_checked = (|| {
        let record = s.api.portal.procedure(&procedure_code)?.ok_or_else(|| ApiError::not_found("procedure"))?;
        let procedure: Procedure = serde_json::from_str(&record).map_err(ApiError::internal)?;
        check_form(&procedure, &fields)
    })();
    let submitted = s.api.store.supplement(
        &store::Supplement {
            dossier_id: &dossier_id,
            sub: &auth.sub,
            supplement_id: &body.supplement_id,
            round: body.round,
            fields: &fields,
            attachments: &attachments,
        },
        form_checked,
    )?;
    Ok(replayable(submitted))
}

#[derive(Deserialize, ToSchema)]
struct WithdrawBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,100}$")]
    withdrawal_id: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/dossiers/{id}/withdrawal`: the resident withdraws it, once per withdrawal id.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier_id}/withdrawal", tag = "dossiers", security(("bearer" = [])), params(("dossier_id" = String, Path, description = "The dossier id the phone made")),
    request_body = WithdrawBody,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(dossier_id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: WithdrawBody = json_body(&body)?;
    permanent_id("withdrawal_id", &body.withdrawal_id)?;
    let reason: Option<String> = body
        .reason
        .map(|r| r.trim().chars().filter(|c| !c.is_control()).take(500).collect())
        .filter(|r: &String| !r.is_empty());
    Ok(replayable(s.api.store.withdraw(&dossier_id, &auth.sub, &body.withdrawal_id, reason.as_deref())?))
}

#[derive(Deserialize, ToSchema)]
struct RatingBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,100}$")]
    rating_id: String,
    #[serde(flatten)]
    rating: Rating,
}

/// `POST /api/v1/dossiers/{id}/rating`: once per dossier, after its result; once per rating id.
#[utoipa::path(post, path = "/api/v1/dossiers/{dossier_id}/rating", tag = "dossiers", security(("bearer" = [])), params(("dossier_id" = String, Path, description = "The dossier id the phone made")),
    request_body = RatingBody,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(dossier_id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: RatingBody = json_body(&body)?;
    permanent_id("rating_id", &body.rating_id)?;
    let rating = body.rating.checked().map_err(|(field, reason)| ApiError::validation(field, reason))?;
    Ok(replayable(s.api.store.rate(&dossier_id, &auth.sub, &body.rating_id, &rating)?))
}

/// `201` with the first answer, `200` with the same bytes to a retry.
fn replayable(submitted: store::Submitted) -> Response {
    let status = if submitted.created { StatusCode::CREATED } else { StatusCode::OK };
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], submitted.body)
        .into_response()
}

#[utoipa::path(get, path = "/admin/ledger", operation_id = "dossiers_ledger", tag = "admin", security(("admin" = [])),
    responses((status = 200, description = "The dossier ledger", body = Object), (status = 401, body = ErrorBody)))]
async fn ledger(State(s): Shared) -> Result<Response, ApiError> {
    Ok(Json(s.api.store.ledger()?).into_response())
}
