//! The sandbox is as strict as a real portal at its edges, over loopback: every answer carries
//! the browser security headers, and the tester's `/admin/…` routes need the admin token and
//! JSON, so no web page can switch a fault or read the ledger.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use reqwest::{Method, StatusCode, header};
use serde_json::json;
use smarthd_sandbox::{ADMIN_TOKEN_HEADER, Sandbox, SandboxConfig};

use common::client;

async fn sandbox(dir: &tempfile::TempDir) -> Sandbox {
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 5;
    Sandbox::start(config).await.expect("the sandbox starts")
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let http = client();
    let base = sandbox.base_url();
    for path in [
        "healthz",
        "realms/haiduong/.well-known/openid-configuration",
        "realms/haiduong/logout",
        "realms/haiduong/authorize?client_id=nope",
        "officer",
        "officer/login",
        "bank",
        "gateway/vpcpay.html?vnp_Amount=1",
        "api/v1/catalog/changes?since=0&limit=1",
        "api/v1/me",
        "admin/ledger",
        "no/such/page",
    ] {
        let response = http.get(format!("{base}{path}")).send().await.expect("an answer");
        let headers = response.headers();
        let csp = headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{path}: {csp:?}");
        assert_eq!(headers.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{path}");
        assert_eq!(headers.get(header::REFERRER_POLICY).map(|v| v.as_bytes()), Some(&b"no-referrer"[..]), "{path}");
    }
}

#[tokio::test]
async fn admin_routes_need_the_token_and_json() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let http = client();
    let url = |path: &str| format!("{}{path}", sandbox.base_url());
    let fault = json!({"route": "*", "kind": "error_500", "probability": 1.0}).to_string();
    let token = sandbox.admin_token();
    assert!(token.len() >= 32, "a random token");

    // What a web page can send: a text/plain form post (no preflight), without the token.
    let status = |r: reqwest::Response| r.status();
    let from_a_page = http
        .post(url("admin/faults"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(fault.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(status(from_a_page), StatusCode::UNAUTHORIZED);
    // Even with the token, only JSON.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let r = http
            .post(url("admin/faults"))
            .header(ADMIN_TOKEN_HEADER, token)
            .header(header::CONTENT_TYPE, content_type)
            .body(fault.clone())
            .send()
            .await
            .expect("an answer");
        assert_eq!(status(r), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
    }
    let wrong = http
        .post(url("admin/identity/faults/id_token_alg_none"))
        .header(ADMIN_TOKEN_HEADER, "0".repeat(token.len()))
        .json(&json!({}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(status(wrong), StatusCode::UNAUTHORIZED);
    for path in ["admin/ledger", "admin/payments/ledger", "admin/identity/mode", "admin/faults"] {
        assert_eq!(http.get(url(path)).send().await.expect("an answer").status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // Nothing was switched: the portal still answers.
    assert_eq!(http.get(url("api/v1/catalog/changes?since=0&limit=1")).send().await.unwrap().status(), StatusCode::OK);
    let (status, faults) = common::admin(&http, &url("admin/faults"), Method::GET, token, None).await;
    assert_eq!((status, faults), (StatusCode::OK, json!([])));
    assert!(sandbox.identity().faults().is_empty());

    // The token and JSON: it works.
    let (status, _) =
        common::admin(&http, &url("admin/faults"), Method::POST, token, Some(serde_json::from_str(&fault).unwrap()))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        http.get(url("api/v1/catalog/changes?since=0&limit=1")).send().await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (status, _) = common::admin(&http, &url("admin/faults"), Method::DELETE, token, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_configured_admin_token_is_used() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 5;
    config.admin_token = Some("tester-token-0123456789abcdef0123".into());
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
    assert_eq!(sandbox.admin_token(), "tester-token-0123456789abcdef0123");
    let (status, _) = common::admin(
        &client(),
        &format!("{}admin/ledger", sandbox.base_url()),
        Method::GET,
        "tester-token-0123456789abcdef0123",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
