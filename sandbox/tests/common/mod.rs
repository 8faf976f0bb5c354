//! What the sandbox's HTTP-level tests share: a client that does not follow redirects, form
//! bodies, and a test citizen's login through the provider's real login page.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode, header};
use serde_json::Value;

pub const LEVEL2: (&str, &str) = ("030095001234", "Matkhau@123");
pub const LEVEL1: (&str, &str) = ("030198005678", "Matkhau@123");
pub const REDIRECT_URI: &str = "vn.gov.haiduong.smarthd:/oauth2redirect";

pub fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut bytes).expect("random bytes");
    bytes
}

/// Logs a test citizen in through the provider's real login page (authorization code with
/// PKCE, Bearer tokens) and returns the access token. `base` ends with a slash.
pub async fn access_token(http: &Client, base: &str, (cccd, password): (&str, &str), level: u8) -> String {
    let verifier = b64(&random_bytes::<32>());
    let challenge = b64(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref());
    let mut authorize = url::Url::parse(&format!("{base}realms/haiduong/authorize")).expect("a URL");
    authorize
        .query_pairs_mut()
        .append_pair("client_id", "smarthd-app")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile")
        .append_pair("state", "s")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("acr_values", if level >= 2 { "vneid:level2" } else { "vneid:level1" });
    let page = http.get(authorize).send().await.expect("the login page").text().await.expect("HTML");
    let marker = "name=\"handle\" value=\"";
    let start = page.find(marker).expect("a login form") + marker.len();
    let handle = &page[start..start + page[start..].find('"').expect("the handle ends")];
    let login = form(&[("handle", handle), ("cccd", cccd), ("password", password), ("otp", "123456")]);
    let redirect = post_form(http, &format!("{base}realms/haiduong/login"), login).await;
    assert_eq!(redirect.status(), StatusCode::FOUND);
    let location = redirect.headers()[header::LOCATION].to_str().expect("ASCII").to_owned();
    let location = url::Url::parse(&location).expect("the redirect URL");
    let code = location.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let exchange = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", "smarthd-app"),
        ("code_verifier", &verifier),
    ]);
    let tokens: Value =
        post_form(http, &format!("{base}realms/haiduong/token"), exchange).await.json().await.expect("tokens");
    tokens["access_token"].as_str().expect("an access token").to_owned()
}

/// A tester's call to an `/admin/…` route: the sandbox's admin token, and JSON (an empty
/// object when there is no body). The answer's status and body, as [`call`] gives them.
pub async fn admin(
    http: &Client,
    url: &str,
    method: Method,
    admin_token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let reads = method == Method::GET;
    let mut request = http.request(method, url).header(smarthd_sandbox::ADMIN_TOKEN_HEADER, admin_token);
    if !reads {
        request = request.json(&body.unwrap_or_else(|| serde_json::json!({})));
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A sandbox officer's session at the officer console (the JSON login): the cookie to send
/// (`hd_officer=…`) and the session's CSRF token.
pub async fn officer_login(http: &Client, base: &str) -> (String, String) {
    let account = &smarthd_sandbox::OFFICERS[0];
    let response = http
        .post(format!("{base}officer/login"))
        .json(&serde_json::json!({"username": account.username, "password": account.password}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.starts_with("hd_officer=")).map(str::to_owned))
        .expect("a session cookie");
    let answer: Value = response.json().await.expect("JSON");
    (cookie, answer["csrf"].as_str().expect("a CSRF token").to_owned())
}

/// A JSON call to the officer console as a logged-in officer.
pub async fn officer_call(http: &Client, base: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let (cookie, csrf) = officer_login(http, base).await;
    let response = http
        .post(format!("{base}{}", path.trim_start_matches('/')))
        .header(header::COOKIE, cookie)
        .header(smarthd_sandbox::OFFICER_CSRF_HEADER, csrf)
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub async fn post_form(http: &Client, url: &str, body: String) -> reqwest::Response {
    http.post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("an answer")
}

/// A request with an optional Bearer token and JSON body; the answer's status and body (JSON,
/// or the text as a JSON string when it is not JSON).
pub async fn call(
    http: &Client,
    url: &str,
    method: Method,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
