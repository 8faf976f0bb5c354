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

fn cookie_of(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let value = v.split(';').next()?.strip_prefix(name)?.strip_prefix('=')?;
        Some((value.to_owned(), v.to_owned()))
    })
}

fn hidden(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.match_indices(&marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            page[start..start + page[start..].find('"').expect("the value ends")].to_owned()
        })
        .collect()
}

/// A dossier at the portal, for the officer to act on (the first procedure of the catalog that
/// takes one online, its form filled by the robot); its code.
async fn received_dossier(sandbox: &Sandbox) -> String {
    let http = client();
    let token = common::access_token(&http, &sandbox.base_url(), common::LEVEL2, 2).await;
    for change in sandbox.portal().changes(0, 50).expect("the catalog").items {
        let record = sandbox.portal().procedure(&change.code).expect("the catalog").expect("a procedure");
        let procedure: smarthd_model::catalog::Procedure = serde_json::from_str(&record).expect("a procedure");
        let fields: serde_json::Map<String, serde_json::Value> = procedure
            .form
            .fields
            .iter()
            .map(|f| (f.key.clone(), smarthd_sandbox::robot::sample_value(f).into()))
            .collect();
        let body = json!({
            "dossier_id": uuid_like(),
            "procedure_code": procedure.code,
            "applicant": "citizen",
            "fields": fields,
        });
        let url = format!("{}api/v1/dossiers", sandbox.base_url());
        let (status, answer) = common::call(&http, &url, Method::POST, Some(&token), Some(body)).await;
        if status.is_success() {
            return answer["code"].as_str().expect("a code").to_owned();
        }
    }
    panic!("no procedure of the catalog takes a dossier online");
}

fn uuid_like() -> String {
    let b = common::random_bytes::<16>();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-4{}-8{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

#[tokio::test]
async fn the_officer_console_needs_an_officer_login_and_csrf_tokens() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = sandbox(&dir).await;
    let http = client();
    let base = sandbox.base_url();
    let code = received_dossier(&sandbox).await;
    let status_url = format!("{base}officer/dossiers/{code}/status");
    let lookup = || async {
        let (_, public) =
            common::call(&http, &format!("{base}api/v1/dossiers/lookup/{code}"), Method::GET, None, None).await;
        public["status"].as_str().expect("a status").to_owned()
    };
    let post_form = |url: String, cookie: Option<String>, body: String| {
        let mut request = http.post(url).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(body);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send()
    };

    // No session: the page sends to the login form; the actions are refused.
    let page = http.get(format!("{base}officer")).send().await.expect("an answer");
    assert_eq!(
        (page.status(), page.headers()[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/officer/login")
    );
    let (status, _) = common::call(&http, &status_url, Method::POST, None, Some(json!({"status": "processing"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let cross_site = post_form(status_url.clone(), None, common::form(&[("status", "rejected"), ("message", "x")]));
    assert_eq!(cross_site.await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(lookup().await, "received");

    // The login form: its CSRF token is also in a SameSite=Strict cookie; without it, refused.
    let login = http.get(format!("{base}officer/login")).send().await.expect("the login page");
    let (login_cookie, attributes) = cookie_of(&login, "hd_officer_login").expect("the login form's cookie");
    assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"), "{attributes}");
    let form_token = hidden(&login.text().await.unwrap(), "csrf").pop().expect("a CSRF field");
    assert_eq!(form_token, login_cookie);
    let account = &smarthd_sandbox::OFFICERS[0];
    let credentials = |csrf: &str, password: &str| {
        common::form(&[("username", account.username), ("password", password), ("csrf", csrf)])
    };
    let login_url = format!("{base}officer/login");
    let forged = post_form(login_url.clone(), None, credentials(&form_token, account.password)).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(cookie_of(&forged, "hd_officer").is_none());
    let jar = Some(format!("hd_officer_login={login_cookie}"));
    let wrong = post_form(login_url.clone(), jar.clone(), credentials(&form_token, "nope")).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = common::call(
        &http,
        &login_url,
        Method::POST,
        None,
        Some(json!({"username": account.username, "password": "nope"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A cross-site form's text/plain body shaped as JSON: not a login (no token, no session).
    let plain = http
        .post(&login_url)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(json!({"username": account.username, "password": account.password}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(cookie_of(&plain, "hd_officer").is_none());
    let logged_in = post_form(login_url.clone(), jar, credentials(&form_token, account.password)).await.unwrap();
    assert_eq!(logged_in.status(), StatusCode::SEE_OTHER);
    let (session, attributes) = cookie_of(&logged_in, "hd_officer").expect("the session cookie");
    assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"), "{attributes}");
    let session = format!("hd_officer={session}");

    // The console: every form carries the session's CSRF token.
    let html =
        http.get(format!("{base}officer")).header(header::COOKIE, &session).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&code) && html.contains(account.name));
    let tokens = hidden(&html, "csrf");
    assert_eq!(tokens.len(), html.matches("<form").count(), "a token in every form");
    let csrf = tokens[0].clone();
    assert!(tokens.iter().all(|t| *t == csrf) && csrf.len() >= 32);

    // The session without the token (or with another): refused, nothing changed.
    for body in [
        common::form(&[("status", "processing"), ("message", "")]),
        common::form(&[("status", "processing"), ("message", ""), ("csrf", &"0".repeat(csrf.len()))]),
    ] {
        let r = post_form(status_url.clone(), Some(session.clone()), body).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = http
        .post(&status_url)
        .header(header::COOKIE, &session)
        .json(&json!({"status": "processing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "JSON needs the X-CSRF-Token header");
    assert_eq!(lookup().await, "received");

    // With it: the form works, and so does JSON with the header.
    let done = post_form(
        status_url.clone(),
        Some(session.clone()),
        common::form(&[("status", "processing"), ("message", ""), ("csrf", &csrf)]),
    )
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(lookup().await, "processing");
    let r = http
        .post(format!("{base}officer/dossiers/{code}/result"))
        .header(header::COOKIE, &session)
        .header(smarthd_sandbox::OFFICER_CSRF_HEADER, &csrf)
        .json(&json!({"name": "Giấy khai sinh"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Logging out ends the session.
    let out = post_form(format!("{base}officer/logout"), Some(session.clone()), common::form(&[("csrf", &csrf)]))
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let page = http.get(format!("{base}officer")).header(header::COOKIE, &session).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let r = post_form(
        status_url,
        Some(session),
        common::form(&[("status", "result_ready"), ("message", ""), ("csrf", &csrf)]),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "back to the login form");
    assert_eq!(lookup().await, "processing");
}
