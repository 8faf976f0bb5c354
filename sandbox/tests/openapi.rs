//! The portal contract at `/openapi.json` cannot drift from what the sandbox serves: it is an
//! OpenAPI 3.1 document, every route in the source is registered through `routes!` (which takes
//! the path and method from the handler's `#[utoipa::path]`), and every operation it lists is
//! routed. The fuzzing against it (schemathesis) is scripts/test-contract.sh.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use std::path::Path;

use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use smarthd_sandbox::{ADMIN_TOKEN_HEADER, Sandbox, SandboxConfig};

use common::client;

async fn document(sandbox: &Sandbox) -> Value {
    let response = client().get(format!("{}openapi.json", sandbox.base_url())).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    response.json().await.expect("JSON")
}

async fn sandbox(dir: &tempfile::TempDir) -> Sandbox {
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 5;
    Sandbox::start(config).await.expect("the sandbox starts")
}

#[tokio::test]
async fn the_document_is_openapi_3_1() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let doc = document(&sandbox).await;
    assert_eq!(doc["openapi"], "3.1.0");
    if let Ok(path) = std::env::var("OPENAPI_DUMP") {
        std::fs::write(path, serde_json::to_vec_pretty(&doc).expect("JSON")).expect("the dump");
    }
    // An independent parser reads it as OpenAPI 3.1 (oas3 refuses other versions).
    let spec = oas3::from_json(doc.to_string()).expect("an OpenAPI 3.1 document");
    let paths = spec.paths.as_ref().map_or(0, |p| p.len());
    assert!(paths > 50, "{paths} paths");
    assert!(spec.operations().count() > 60);
    // Every `$ref` names a schema the document defines.
    let schemas = doc["components"]["schemas"].as_object().expect("component schemas");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("a schema $ref: {r}"));
        assert!(schemas.contains_key(name), "{r} is not defined");
    }
    // Every operation says what it answers, errors included, under its own operationId.
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let id = operation["operationId"].as_str().expect("an operationId");
            assert!(ids.insert(id.to_owned()), "{method} {path}: operationId {id} is used twice");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} documents no answer");
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => refs.push(r.clone()),
                    _ => collect_refs(v, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// No route bypasses the document: the sandbox's source registers routes only with `routes!`,
/// never with axum's `.route(`, `.route_service(`, `.nest_service(` or a bare `Router::new()`.
#[test]
fn every_route_is_documented() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bypasses = Vec::new();
    let mut registered = 0;
    visit(&src, &mut |file, text| {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("").replace("OpenApiRouter", "");
            for bypass in [".route(", ".route_service(", ".nest_service(", "Router::new()", "axum::Router"] {
                if code.contains(bypass) {
                    bypasses.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
            registered += code.matches("routes!(").count();
        }
    });
    assert!(
        bypasses.is_empty(),
        "routes served without an OpenAPI entry (use #[utoipa::path] and routes!):\n{}",
        bypasses.join("\n")
    );
    assert!(registered > 40, "only {registered} routes! calls found");
}

fn visit(dir: &Path, f: &mut dyn FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).expect("the source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            visit(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") {
            f(&path, &std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

/// Every operation the document lists is routed: asked with its method (path parameters
/// filled with a dummy), the sandbox answers from a handler, never the router's `404 no_route` for
/// an unknown path or its `405` for an unknown method.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let doc = document(&sandbox).await;
    let http = client();
    let base = sandbox.base_url();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("an HTTP method");
            let concrete =
                path.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/");
            let mut request = http
                .request(method.clone(), format!("{}{}", base.trim_end_matches('/'), concrete))
                .header(ADMIN_TOKEN_HEADER, sandbox.admin_token());
            if method != Method::GET {
                request = request.header(header::CONTENT_TYPE, "application/json").body("{}");
            }
            if method == Method::DELETE || concrete.contains("/faults") || concrete.ends_with("/mode") {
                // Only reading: switching faults or modes would change the answers after it.
                request = request.header(ADMIN_TOKEN_HEADER, "not-the-token");
            }
            let response = request.send().await.expect("an answer");
            let status = response.status();
            let body = response.bytes().await.expect("a body");
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not routed");
            let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
            assert_ne!(answer["error"], "no_route", "{method} {path} is documented but not routed");
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} operations");
}

/// Every refusal is JSON, as the document says: what axum's extractors refuse (a query it cannot
/// read, a missing body type) and a path the sandbox does not serve.
#[tokio::test]
async fn refusals_are_json() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let http = client();
    let base = sandbox.base_url();
    for (method, path, status, error) in [
        (Method::GET, "api/v1/catalog/changes?since=-1", StatusCode::BAD_REQUEST, "bad_request"),
        (Method::GET, "api/v1/catalog/procedures/NO.SUCH", StatusCode::NOT_FOUND, "not_found"),
        (Method::GET, "api/v1/nothing-here", StatusCode::NOT_FOUND, "no_route"),
        (Method::POST, "admin/catalog/mutate?count=x", StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let response = http
            .request(method.clone(), format!("{base}{path}"))
            .header(ADMIN_TOKEN_HEADER, sandbox.admin_token())
            .header(header::CONTENT_TYPE, "application/json")
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json", "{method} {path}");
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body["error"], error, "{method} {path}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{method} {path}: {body}");
    }
}
