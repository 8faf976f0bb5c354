//! The sandbox's OpenID provider over loopback, driven the way any OpenID client (or a person
//! at the login page) would: discovery, the code flow with PKCE by filling the HTML form, PAR,
//! DPoP with nonces, refresh rotation and reuse detection, step-up, ES256/RS256 and rotation,
//! counters, revocation, logout, a restart, and every fault switch.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use smarthd_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;
use url::Url;

const LEVEL2_CCCD: &str = "030095001234";
const LEVEL1_CCCD: &str = "030198005678";
const PASSWORD: &str = "Matkhau@123";
const OTP: &str = "123456";
const CLIENT_ID: &str = "smarthd-app";
const REDIRECT_URI: &str = "http://127.0.0.1:53682/callback";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256_b64(text: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

fn random(rng: &SystemRandom) -> String {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes).unwrap();
    b64(&bytes)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// (header, claims) of a JWT, unverified.
fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    (decode_part(parts.next().unwrap()), decode_part(parts.next().unwrap()))
}

/// Verifies a JWS against a JWKS with ring, as a client would: by `kid`, ES256 or RS256 only.
fn verify_with_jwks(jwks: &Value, token: &str) -> Result<Value, String> {
    let (header, claims) = jwt_parts(token);
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|e| e.to_string())?;
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).ok_or("unknown kid")?;
    let member = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap();
    let ok = match header["alg"].as_str() {
        Some("ES256") if key["kty"] == "EC" => {
            let point = [vec![4u8], member("x"), member("y")].concat();
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(input.as_bytes(), &sig)
                .is_ok()
        }
        Some("RS256") if key["kty"] == "RSA" => signature::RsaPublicKeyComponents { n: member("n"), e: member("e") }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
            .is_ok(),
        other => return Err(format!("refused alg {other:?}")),
    };
    if ok { Ok(claims) } else { Err("bad signature".into()) }
}

/// A client's DPoP key and proofs.
struct DpopKey {
    pair: EcdsaKeyPair,
    jwk: Value,
    rng: SystemRandom,
}

impl DpopKey {
    fn new() -> DpopKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
        DpopKey { pair, jwk, rng }
    }

    fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.jwk["x"].as_str().unwrap(),
            self.jwk["y"].as_str().unwrap()
        );
        sha256_b64(&canonical)
    }

    fn proof_with(&self, claims: Value) -> String {
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk});
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let sig = self.pair.sign(&self.rng, input.as_bytes()).unwrap();
        format!("{input}.{}", b64(sig.as_ref()))
    }

    fn proof(&self, htm: &str, htu: &str, access_token: Option<&str>, nonce: Option<&str>) -> String {
        let mut claims = json!({"jti": random(&self.rng), "htm": htm, "htu": htu, "iat": now()});
        if let Some(token) = access_token {
            claims["ath"] = sha256_b64(token).into();
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        self.proof_with(claims)
    }
}

/// What the client keeps during the browser hop.
struct Login {
    verifier: String,
    state: String,
    nonce: String,
}

impl Login {
    fn new() -> Login {
        let rng = SystemRandom::new();
        Login { verifier: random(&rng), state: random(&rng), nonce: random(&rng) }
    }

    fn params(&self) -> Vec<(String, String)> {
        [
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile cccd offline_access"),
            ("state", &self.state),
            ("nonce", &self.nonce),
            ("code_challenge", &sha256_b64(&self.verifier)),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

fn with(mut params: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    for (name, value) in extra {
        params.retain(|(k, _)| k != name);
        if !value.is_empty() {
            params.push((name.to_string(), value.to_string()));
        }
    }
    params
}

fn handle_of(html: &str) -> String {
    let start = html.find("name=\"handle\" value=\"").expect("a login form") + "name=\"handle\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn location(headers: &HeaderMap) -> Url {
    Url::parse(headers.get(LOCATION).expect("a redirect").to_str().unwrap()).unwrap()
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

struct Env {
    _dir: TempDir,
    sandbox: Sandbox,
    http: reqwest::Client,
    issuer: String,
    base: String,
}

impl Env {
    async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
        config.catalog_size = 5;
        Env::on(dir, config).await
    }

    async fn on(dir: TempDir, config: SandboxConfig) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start(config).await.unwrap();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let issuer = sandbox.issuer().to_owned();
        let base = sandbox.base_url().trim_end_matches('/').to_owned();
        Env { _dir: dir, sandbox, http, issuer, base }
    }

    fn endpoint(&self, name: &str) -> String {
        format!("{}/{name}", self.issuer)
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/admin/identity/{path}", self.base))
            .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, self.sandbox.admin_token())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn fault(&self, name: &str, on: bool) {
        let url = format!("{}/admin/identity/faults/{name}", self.base);
        let r = if on { self.http.post(url) } else { self.http.delete(url) }
            .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, self.sandbox.admin_token())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "fault {name}");
    }

    async fn admin_get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}/admin/identity/{path}", self.base))
            .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, self.sandbox.admin_token())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn jwks(&self) -> Value {
        self.http.get(self.endpoint("jwks")).send().await.unwrap().json().await.unwrap()
    }

    async fn authorize(&self, params: &[(String, String)]) -> reqwest::Response {
        self.http.get(self.endpoint("authorize")).query(params).send().await.unwrap()
    }

    async fn submit(&self, handle: &str, cccd: &str, password: &str, otp: &str) -> reqwest::Response {
        let body = form(&[("handle", handle), ("cccd", cccd), ("password", password), ("otp", otp), ("lang", "")]);
        self.http
            .post(self.endpoint("login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Fills the login page and returns where it redirects to.
    async fn login_with(&self, params: &[(String, String)], cccd: &str) -> reqwest::Response {
        let page = self.authorize(params).await;
        assert_eq!(page.status(), StatusCode::OK);
        let handle = handle_of(&page.text().await.unwrap());
        let done = self.submit(&handle, cccd, PASSWORD, OTP).await;
        assert_eq!(done.status(), StatusCode::FOUND);
        done
    }

    /// A code for `cccd`, after checking the redirect's state and iss.
    async fn code(&self, login: &Login, extra: &[(&str, &str)], cccd: &str) -> String {
        let done = self.login_with(&with(login.params(), extra), cccd).await;
        let back = location(done.headers());
        let q = query(&back);
        assert_eq!(q["state"], login.state);
        assert_eq!(q["iss"], self.issuer);
        q["code"].clone()
    }

    async fn token(&self, params: &[(&str, &str)], dpop: Option<String>) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.endpoint("token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(params));
        if let Some(proof) = dpop {
            request = request.header("DPoP", proof);
        }
        request.send().await.unwrap()
    }

    async fn exchange(&self, login: &Login, code: &str, dpop: Option<String>) -> reqwest::Response {
        let params = [
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &login.verifier),
        ];
        self.token(&params, dpop).await
    }

    async fn refresh(&self, refresh_token: &str, dpop: Option<String>) -> reqwest::Response {
        let params = [("grant_type", "refresh_token"), ("client_id", CLIENT_ID), ("refresh_token", refresh_token)];
        self.token(&params, dpop).await
    }

    /// A full login with Bearer tokens: the token response.
    async fn tokens(&self, cccd: &str) -> (Login, Value) {
        let login = Login::new();
        let code = self.code(&login, &[], cccd).await;
        let r = self.exchange(&login, &code, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        (login, r.json().await.unwrap())
    }

    async fn get_api(&self, path: &str, auth: &str, dpop: Option<String>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base)).header("authorization", auth);
        if let Some(proof) = dpop {
            request = request.header("DPoP", proof);
        }
        request.send().await.unwrap()
    }
}

async fn error_of(r: reqwest::Response) -> (StatusCode, String, String) {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or("").to_owned(),
        body["error_description"].as_str().unwrap_or("").to_owned(),
    )
}

fn www_authenticate(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    let env = Env::start().await;
    assert_eq!(env.issuer, format!("{}/realms/haiduong", env.base));
    let d: Value =
        env.http.get(env.endpoint(".well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["issuer"], env.issuer);
    for (name, path) in [
        ("authorization_endpoint", "authorize"),
        ("token_endpoint", "token"),
        ("userinfo_endpoint", "userinfo"),
        ("jwks_uri", "jwks"),
        ("revocation_endpoint", "revoke"),
        ("end_session_endpoint", "logout"),
        ("pushed_authorization_request_endpoint", "par"),
    ] {
        assert_eq!(d[name], env.endpoint(path), "{name}");
    }
    assert_eq!(d["require_pushed_authorization_requests"], false);
    assert_eq!(d["dpop_signing_alg_values_supported"], json!(["ES256"]));
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert_eq!(d["id_token_signing_alg_values_supported"], json!(["ES256", "RS256"]));
    assert_eq!(d["acr_values_supported"], json!(["vneid:level1", "vneid:level2"]));
    assert_eq!(d["grant_types_supported"], json!(["authorization_code", "refresh_token"]));
    assert_eq!(d["response_types_supported"], json!(["code"]));
    assert_eq!(d["token_endpoint_auth_methods_supported"], json!(["none"]));
    assert_eq!(d["scopes_supported"], json!(["openid", "profile", "cccd", "offline_access"]));

    let jwks = env.jwks().await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k["alg"] == "ES256" && k["kty"] == "EC" && k["crv"] == "P-256"));
    assert!(keys.iter().any(|k| k["alg"] == "RS256" && k["kty"] == "RSA" && k["e"] == "AQAB"));
    assert!(keys.iter().all(|k| k.get("d").is_none() && k["use"] == "sig" && k["kid"].is_string()));
}

#[tokio::test]
async fn the_code_flow_with_pkce_through_the_login_page() {
    let env = Env::start().await;
    let login = Login::new();
    let page = env.authorize(&login.params()).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"vi\">"));
    for text in ["Số định danh cá nhân / CCCD", "Mật khẩu", "Mã OTP", "Đăng nhập", "English"] {
        assert!(html.contains(text), "{text}");
    }
    let handle = handle_of(&html);

    // The language switch re-renders the same request in English.
    let en =
        env.http.get(env.endpoint("login")).query(&[("handle", &handle), ("ui_locales", &"en".into())]).send().await;
    let en = en.unwrap().text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Personal ID number (CCCD)") && en.contains("Tiếng Việt"));

    // Mistakes re-render the form with an error in the page's language (English now).
    let wrong = env.submit(&handle, LEVEL2_CCCD, "wrong", OTP).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("The personal ID number or the password is incorrect."));
    let wrong = env.submit(&handle, LEVEL2_CCCD, PASSWORD, "654321").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("The OTP code is incorrect"));
    let body = form(&[("handle", &handle), ("cccd", "0300"), ("password", PASSWORD), ("otp", OTP), ("lang", "vi")]);
    let short = env.http.post(env.endpoint("login")).body(body).send().await.unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(short.text().await.unwrap().contains("Số định danh cá nhân phải gồm đúng 12 chữ số."));

    // Spaces as printed on the card are fine.
    let done = env.submit(&handle, "030 095 001 234", PASSWORD, OTP).await;
    assert_eq!(done.status(), StatusCode::FOUND);
    assert!(done.headers().get("set-cookie").is_some());
    let back = location(done.headers());
    assert_eq!(format!("{}://{}{}", back.scheme(), back.host_str().unwrap(), back.path()), "http://127.0.0.1/callback");
    assert_eq!(back.port(), Some(53682));
    let q = query(&back);
    assert_eq!(q["state"], login.state);
    assert_eq!(q["iss"], env.issuer);
    // The handle is used up.
    assert_eq!(env.submit(&handle, LEVEL2_CCCD, PASSWORD, OTP).await.status(), StatusCode::BAD_REQUEST);

    let r = env.exchange(&login, &q["code"], None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 300);
    assert_eq!(t["scope"], "openid profile cccd offline_access");
    assert!(t["refresh_token"].is_string() && t["access_token"].is_string());

    let jwks = env.jwks().await;
    let (header, _) = jwt_parts(t["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "ES256");
    let claims = verify_with_jwks(&jwks, t["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["iss"], env.issuer);
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["azp"], CLIENT_ID);
    assert_eq!(claims["nonce"], login.nonce);
    assert_eq!(claims["acr"], "vneid:level2");
    assert_eq!(claims["level"], 2);
    assert_eq!(claims["name"], "Nguyễn Văn An");
    assert_eq!(claims["cccd"], LEVEL2_CCCD);
    assert!(claims["sid"].is_string() && claims["auth_time"].is_i64());
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!((iat - now()).abs() < 5 && exp > iat);

    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let info: Value = env.get_api("/realms/haiduong/userinfo", &bearer, None).await.json().await.unwrap();
    assert_eq!(
        (info["name"].as_str(), info["cccd"].as_str(), info["level"].as_i64()),
        (Some("Nguyễn Văn An"), Some(LEVEL2_CCCD), Some(2))
    );
    assert_eq!(info["sub"], claims["sub"]);
    let me = env.get_api("/api/v1/me", &bearer, None).await;
    assert_eq!(me.status(), StatusCode::OK);
    let docs = env.get_api("/api/v1/me/documents", &bearer, None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    let docs: Value = docs.json().await.unwrap();
    assert!(docs["documents"].as_array().unwrap().iter().any(|d| d["name"] == "Giấy khai sinh"));

    // No token, or a made-up one.
    let none = env.http.get(format!("{}/api/v1/me", env.base)).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&none).contains("Bearer realm=\"haiduong\""));
    let fake = env.get_api("/api/v1/me", "Bearer nope", None).await;
    assert_eq!(fake.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&fake).contains("error=\"invalid_token\""));

    // SSO: the session cookie logs in again without the form, unless prompt=login.
    let cookie = done.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let again = Login::new();
    let sso = env.http.get(env.endpoint("authorize")).query(&again.params()).header("cookie", &cookie).send().await;
    assert_eq!(sso.as_ref().unwrap().status(), StatusCode::FOUND);
    assert!(query(&location(sso.unwrap().headers())).contains_key("code"));
    let forced = with(again.params(), &[("prompt", "login")]);
    let page = env.http.get(env.endpoint("authorize")).query(&forced).header("cookie", &cookie).send().await;
    assert_eq!(page.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_authorization_requests() {
    let env = Env::start().await;
    let login = Login::new();
    // Untrusted client or redirect: an error page, no redirect.
    for extra in [
        [("client_id", "someone-else")],
        [("redirect_uri", "http://localhost:8080/cb")],
        [("redirect_uri", "https://evil.example/cb")],
        [("redirect_uri", "")],
    ] {
        let r = env.authorize(&with(login.params(), &extra)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{extra:?}");
        assert!(r.headers().get(LOCATION).is_none());
    }
    // Loopback on any port, IPv6 loopback and the app's scheme are all fine.
    for uri in ["http://127.0.0.1:1/x", "http://[::1]:61000/cb", "vn.gov.haiduong.smarthd:/oauth2redirect"] {
        assert_eq!(
            env.authorize(&with(login.params(), &[("redirect_uri", uri)])).await.status(),
            StatusCode::OK,
            "{uri}"
        );
    }
    // Everything else goes back to the client with an error, the state and iss.
    for (extra, error) in [
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("response_type", "token")], "unsupported_response_type"),
        (vec![("scope", "profile")], "invalid_scope"),
        (vec![("prompt", "none")], "login_required"),
    ] {
        let r = env.authorize(&with(login.params(), &extra)).await;
        assert_eq!(r.status(), StatusCode::FOUND, "{extra:?}");
        let q = query(&location(r.headers()));
        assert_eq!(
            (q["error"].as_str(), q["state"].as_str(), q["iss"].as_str()),
            (error, login.state.as_str(), env.issuer.as_str())
        );
    }
}

#[tokio::test]
async fn pkce_mismatch_and_code_replay() {
    let env = Env::start().await;
    // A wrong verifier fails, and uses the code up.
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;
    let thief = Login { verifier: Login::new().verifier, ..Login::new() };
    let (status, error, description) = error_of(env.exchange(&thief, &code, None).await).await;
    assert_eq!((status, error.as_str()), (StatusCode::BAD_REQUEST, "invalid_grant"));
    assert!(description.contains("PKCE"));
    assert_eq!(error_of(env.exchange(&login, &code, None).await).await.1, "invalid_grant");

    // A wrong redirect_uri fails too.
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;
    let params = [
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT_ID),
        ("code", &code),
        ("redirect_uri", "http://127.0.0.1:1/other"),
        ("code_verifier", &login.verifier),
    ];
    assert_eq!(error_of(env.token(&params, None).await).await.1, "invalid_grant");

    // A replayed code fails and revokes what the first exchange issued.
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;
    let first: Value = env.exchange(&login, &code, None).await.json().await.unwrap();
    let bearer = format!("Bearer {}", first["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::OK);
    let (status, error, _) = error_of(env.exchange(&login, &code, None).await).await;
    assert_eq!((status, error.as_str()), (StatusCode::BAD_REQUEST, "invalid_grant"));
    let r = env.get_api("/api/v1/me", &bearer, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&r).contains("invalid_token"));
    assert_eq!(error_of(env.refresh(first["refresh_token"].as_str().unwrap(), None).await).await.1, "invalid_grant");

    // Other malformed token requests.
    let (status, error, _) =
        error_of(env.token(&[("grant_type", "password"), ("client_id", CLIENT_ID)], None).await).await;
    assert_eq!((status, error.as_str()), (StatusCode::BAD_REQUEST, "unsupported_grant_type"));
    let (status, error, _) = error_of(env.token(&[("grant_type", "authorization_code")], None).await).await;
    assert_eq!((status, error.as_str()), (StatusCode::UNAUTHORIZED, "invalid_client"));
    let repeated = env.http.post(env.endpoint("token")).body("grant_type=a&grant_type=b").send().await.unwrap();
    assert_eq!(error_of(repeated).await.1, "invalid_request");
}

#[tokio::test]
async fn refresh_rotation_reuse_detection_and_expiry() {
    let env = Env::start().await;
    env.admin("mode", json!({"access_token_ttl": 1})).await;
    let (_, first) = env.tokens(LEVEL2_CCCD).await;
    assert_eq!(first["expires_in"], 1);
    let old_refresh = first["refresh_token"].as_str().unwrap();

    // The access token expires; a refresh rotates both tokens.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = env.get_api("/api/v1/me", &format!("Bearer {}", first["access_token"].as_str().unwrap()), None).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&expired).contains("expired"));
    let r = env.refresh(old_refresh, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second: Value = r.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let claims = verify_with_jwks(&env.jwks().await, second["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["acr"], "vneid:level2");
    let bearer = format!("Bearer {}", second["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::OK);

    // Reusing the old refresh token revokes the whole family: the new tokens die too.
    let (_, error, description) = error_of(env.refresh(old_refresh, None).await).await;
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("reuse"));
    assert_eq!(error_of(env.refresh(second["refresh_token"].as_str().unwrap(), None).await).await.1, "invalid_grant");
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::UNAUTHORIZED);

    // Another login's family is untouched.
    env.admin("mode", json!({"access_token_ttl": 300})).await;
    let (_, other) = env.tokens(LEVEL1_CCCD).await;
    assert_eq!(env.refresh(other["refresh_token"].as_str().unwrap(), None).await.status(), StatusCode::OK);
    // A refresh may narrow the scope, never widen it.
    let (_, t) = env.tokens(LEVEL2_CCCD).await;
    let params = [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ("scope", "openid admin"),
    ];
    assert_eq!(error_of(env.token(&params, None).await).await.1, "invalid_scope");
    let mut narrower = params;
    narrower[3] = ("scope", "openid");
    let narrowed: Value = env.token(&narrower, None).await.json().await.unwrap();
    assert_eq!(narrowed["scope"], "openid");
}

#[tokio::test]
async fn pushed_authorization_requests_when_required() {
    let env = Env::start().await;
    env.admin("mode", json!({"require_par": true})).await;
    let d: Value =
        env.http.get(env.endpoint(".well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["require_pushed_authorization_requests"], true);

    let login = Login::new();
    let r = env.authorize(&login.params()).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(query(&location(r.headers()))["error"], "invalid_request");

    let pushed = |params: Vec<(String, String)>| {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        env.http.post(env.endpoint("par")).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    let bad = pushed(with(login.params(), &[("code_challenge_method", "plain")])).await.unwrap();
    assert_eq!(error_of(bad).await.1, "invalid_request");
    let r = pushed(login.params()).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let par: Value = r.json().await.unwrap();
    assert_eq!(par["expires_in"], 60);
    let request_uri = par["request_uri"].as_str().unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));

    let by_reference = vec![("client_id".to_owned(), CLIENT_ID.to_owned()), ("request_uri".to_owned(), request_uri)];
    let done = env.login_with(&by_reference, LEVEL2_CCCD).await;
    let q = query(&location(done.headers()));
    assert_eq!((q["state"].as_str(), q["iss"].as_str()), (login.state.as_str(), env.issuer.as_str()));
    assert_eq!(env.exchange(&login, &q["code"], None).await.status(), StatusCode::OK);
    // Single use.
    assert_eq!(env.authorize(&by_reference).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn dpop_bound_tokens_with_nonces() {
    let env = Env::start().await;
    env.admin("mode", json!({"require_dpop": true, "dpop_nonce": true})).await;
    let key = DpopKey::new();
    let token_url = env.endpoint("token");
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;

    // Without a proof: refused. Without the nonce: a challenge, the code still unused.
    assert_eq!(error_of(env.exchange(&login, &code, None).await).await.1, "invalid_dpop_proof");
    let r = env.exchange(&login, &code, Some(key.proof("POST", &token_url, None, None))).await;
    let nonce = r.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    assert_eq!(error_of(r).await.1, "use_dpop_nonce");
    // Proofs for another URL or method are refused.
    let wrong_htu = key.proof("POST", &env.endpoint("userinfo"), None, Some(&nonce));
    assert_eq!(error_of(env.exchange(&login, &code, Some(wrong_htu)).await).await.1, "invalid_dpop_proof");
    let wrong_htm = key.proof("GET", &token_url, None, Some(&nonce));
    assert_eq!(error_of(env.exchange(&login, &code, Some(wrong_htm)).await).await.1, "invalid_dpop_proof");
    let stale =
        key.proof_with(json!({"jti": "x", "htm": "POST", "htu": token_url, "iat": now() - 3600, "nonce": nonce}));
    assert_eq!(error_of(env.exchange(&login, &code, Some(stale)).await).await.1, "invalid_dpop_proof");

    let proof = key.proof("POST", &format!("{token_url}?ignored=query"), None, Some(&nonce));
    let r = env.exchange(&login, &code, Some(proof.clone())).await;
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["token_type"], "DPoP");
    let access = t["access_token"].as_str().unwrap();
    let (header, claims) = jwt_parts(access);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["cnf"]["jkt"], key.thumbprint());
    // The same proof cannot be replayed.
    let login2 = Login::new();
    let code2 = env.code(&login2, &[], LEVEL2_CCCD).await;
    let (_, error, description) = error_of(env.exchange(&login2, &code2, Some(proof)).await).await;
    assert_eq!(error, "invalid_dpop_proof");
    assert!(description.contains("jti"));

    // Resources: a bound token is not a bearer token; a proof needs ath and the nonce.
    let me_url = format!("{}/api/v1/me", env.base);
    let dpop_auth = format!("DPoP {access}");
    let r = env.get_api("/api/v1/me", &format!("Bearer {access}"), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&r).starts_with("DPoP ") && www_authenticate(&r).contains("invalid_token"));
    let r = env.get_api("/api/v1/me", &dpop_auth, Some(key.proof("GET", &me_url, Some(access), None))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(www_authenticate(&r).contains("error=\"use_dpop_nonce\""));
    let nonce = r.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    let no_ath = key.proof("GET", &me_url, None, Some(&nonce));
    assert!(
        www_authenticate(&env.get_api("/api/v1/me", &dpop_auth, Some(no_ath)).await).contains("invalid_dpop_proof")
    );
    let other_key = DpopKey::new().proof("GET", &me_url, Some(access), Some(&nonce));
    assert!(
        www_authenticate(&env.get_api("/api/v1/me", &dpop_auth, Some(other_key)).await).contains("invalid_dpop_proof")
    );
    let r = env.get_api("/api/v1/me", &dpop_auth, Some(key.proof("GET", &me_url, Some(access), Some(&nonce)))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let docs_url = format!("{}/api/v1/me/documents", env.base);
    let r = env
        .get_api("/api/v1/me/documents", &dpop_auth, Some(key.proof("GET", &docs_url, Some(access), Some(&nonce))))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The refresh token is bound to the key: no proof, or another key, is refused.
    let refresh_token = t["refresh_token"].as_str().unwrap();
    assert_eq!(error_of(env.refresh(refresh_token, None).await).await.1, "invalid_dpop_proof");
    let other = DpopKey::new().proof("POST", &token_url, None, Some(&nonce));
    assert_eq!(error_of(env.refresh(refresh_token, Some(other)).await).await.1, "invalid_grant");
    let r = env.refresh(refresh_token, Some(key.proof("POST", &token_url, None, Some(&nonce)))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["token_type"], "DPoP");
    assert_eq!(jwt_parts(t["access_token"].as_str().unwrap()).1["cnf"]["jkt"], key.thumbprint());
}

#[tokio::test]
async fn dpop_key_bound_at_par_and_optional_dpop() {
    let env = Env::start().await;
    let key = DpopKey::new();
    let token_url = env.endpoint("token");
    // DPoP is offered without being required or nonce-checked: Bearer and DPoP both work.
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL1_CCCD).await;
    let r = env.exchange(&login, &code, Some(key.proof("POST", &token_url, None, None))).await;
    assert_eq!(r.json::<Value>().await.unwrap()["token_type"], "DPoP");

    // A proof at PAR binds the code: exchanging it with another key fails.
    let login = Login::new();
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(login.params()).finish();
    let par: Value = env
        .http
        .post(env.endpoint("par"))
        .header("DPoP", key.proof("POST", &env.endpoint("par"), None, None))
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_reference = vec![
        ("client_id".to_owned(), CLIENT_ID.to_owned()),
        ("request_uri".to_owned(), par["request_uri"].as_str().unwrap().to_owned()),
    ];
    let done = env.login_with(&by_reference, LEVEL1_CCCD).await;
    let code = query(&location(done.headers()))["code"].clone();
    let other = DpopKey::new().proof("POST", &token_url, None, None);
    assert_eq!(error_of(env.exchange(&login, &code, Some(other)).await).await.1, "invalid_grant");

    // A provider without DPoP: not advertised, proofs ignored, Bearer tokens.
    env.admin("mode", json!({"offer_dpop": false, "require_dpop": true})).await;
    let d: Value =
        env.http.get(env.endpoint(".well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert!(d.get("dpop_signing_alg_values_supported").is_none());
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL1_CCCD).await;
    let r = env.exchange(&login, &code, Some(key.proof("POST", &token_url, None, None))).await;
    assert_eq!(r.json::<Value>().await.unwrap()["token_type"], "Bearer");
}

#[tokio::test]
async fn step_up_for_level_one_logins() {
    let env = Env::start().await;
    // A level-1 citizen asked for level 2 still logs in, at level 1: the acr says so.
    let login = Login::new();
    let page = env.authorize(&with(login.params(), &[("acr_values", "vneid:level2"), ("ui_locales", "en")])).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("requires a level 2 e-identity account"));
    let done = env.submit(&handle_of(&html), LEVEL1_CCCD, PASSWORD, OTP).await;
    let code = query(&location(done.headers()))["code"].clone();
    let t: Value = env.exchange(&login, &code, None).await.json().await.unwrap();
    let claims = verify_with_jwks(&env.jwks().await, t["id_token"].as_str().unwrap()).unwrap();
    assert_eq!((claims["acr"].as_str(), claims["level"].as_i64()), (Some("vneid:level1"), Some(1)));
    assert_eq!(claims["name"], "Trần Thị Bình");

    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let me: Value = env.get_api("/api/v1/me", &bearer, None).await.json().await.unwrap();
    assert_eq!((me["level"].as_i64(), me["acr"].as_str()), (Some(1), Some("vneid:level1")));
    let r = env.get_api("/api/v1/me/documents", &bearer, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = www_authenticate(&r);
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains("error=\"insufficient_user_authentication\""), "{challenge}");
    assert!(challenge.contains("acr_values=\"vneid:level2\""), "{challenge}");

    // The level-2 citizen gets the documents (the full flow test checks the 200 too).
    let (_, t) = env.tokens(LEVEL2_CCCD).await;
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me/documents", &bearer, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn rs256_es256_and_key_rotation() {
    let env = Env::start().await;
    let (_, es) = env.tokens(LEVEL2_CCCD).await;
    let es_token = es["id_token"].as_str().unwrap().to_owned();
    let es_kid = jwt_parts(&es_token).0["kid"].clone();

    env.admin("mode", json!({"signing_alg": "RS256"})).await;
    let (_, rs) = env.tokens(LEVEL2_CCCD).await;
    let rs_token = rs["id_token"].as_str().unwrap().to_owned();
    assert_eq!(jwt_parts(&rs_token).0["alg"], "RS256");
    verify_with_jwks(&env.jwks().await, &rs_token).unwrap();
    verify_with_jwks(&env.jwks().await, &es_token).unwrap();
    let d: Value =
        env.http.get(env.endpoint(".well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["id_token_signing_alg_values_supported"][0], "RS256");

    // Rotation: a new current key, the old one still published.
    let rotated = env.admin("keys/rotate?alg=RS256", json!({})).await;
    assert_eq!(rotated["previous_kid"], jwt_parts(&rs_token).0["kid"]);
    let (_, rs2) = env.tokens(LEVEL2_CCCD).await;
    let rs2_token = rs2["id_token"].as_str().unwrap();
    assert_eq!(jwt_parts(rs2_token).0["kid"], rotated["kid"]);
    let jwks = env.jwks().await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 3);
    verify_with_jwks(&jwks, &rs_token).unwrap();
    verify_with_jwks(&jwks, rs2_token).unwrap();

    let rotated = env.admin("keys/rotate?alg=ES256", json!({})).await;
    assert_eq!(rotated["previous_kid"], es_kid);
    verify_with_jwks(&env.jwks().await, &es_token).unwrap();
    // A second rotation retires the oldest key: its tokens no longer verify.
    env.admin("keys/rotate?alg=ES256", json!({})).await;
    assert_eq!(verify_with_jwks(&env.jwks().await, &es_token), Err("unknown kid".into()));
    // Cycling through the three RSA fixtures still gives a new kid every time.
    let third = env.admin("keys/rotate?alg=RS256", json!({})).await;
    let fourth = env.admin("keys/rotate?alg=RS256", json!({})).await;
    assert_ne!(third["kid"], fourth["kid"]);
    assert_ne!(fourth["kid"], fourth["previous_kid"]);
    // Access tokens are checked by the portal, whatever key signed them.
    let bearer = format!("Bearer {}", rs["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn counters_revocation_and_logout() {
    let env = Env::start().await;
    let zero = env.admin("counters/reset", json!({})).await;
    assert_eq!(
        zero,
        json!({"calls": {"authorization_code": 0, "refresh_token": 0}, "issued": {"authorization_code": 0, "refresh_token": 0}, "jwks": 0})
    );
    let (_, t) = env.tokens(LEVEL2_CCCD).await;
    let r = env.refresh(t["refresh_token"].as_str().unwrap(), None).await;
    let t2: Value = r.json().await.unwrap();
    env.refresh("no-such-token", None).await;
    let counters: Value = env.admin_get("counters").await;
    assert_eq!(counters["calls"], json!({"authorization_code": 1, "refresh_token": 2}));
    assert_eq!(counters["issued"], json!({"authorization_code": 1, "refresh_token": 1}));
    let counters = env.sandbox.identity().counters();
    assert_eq!(counters.calls["refresh_token"], 2);

    // Revocation (RFC 7009): an access token alone, or a refresh token with its family.
    let revoke = |token: String, client: &'static str| {
        env.http.post(env.endpoint("revoke")).body(form(&[("token", &token), ("client_id", client)])).send()
    };
    assert_eq!(revoke("unknown".into(), CLIENT_ID).await.unwrap().status(), StatusCode::OK);
    assert_eq!(revoke("unknown".into(), "other").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let (_, a) = env.tokens(LEVEL2_CCCD).await;
    assert_eq!(revoke(a["access_token"].as_str().unwrap().into(), CLIENT_ID).await.unwrap().status(), StatusCode::OK);
    let bearer = format!("Bearer {}", a["access_token"].as_str().unwrap());
    let r = env.get_api("/api/v1/me", &bearer, None).await;
    assert!(www_authenticate(&r).contains("revoked"));
    assert_eq!(env.refresh(a["refresh_token"].as_str().unwrap(), None).await.status(), StatusCode::OK);
    assert_eq!(revoke(t2["refresh_token"].as_str().unwrap().into(), CLIENT_ID).await.unwrap().status(), StatusCode::OK);
    assert_eq!(error_of(env.refresh(t2["refresh_token"].as_str().unwrap(), None).await).await.1, "invalid_grant");
    let bearer = format!("Bearer {}", t2["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::UNAUTHORIZED);
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
}

fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a confirmation form") + "name=\"csrf\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn logout_takes_a_hint_not_the_id_token_and_a_confirmed_csrf_token() {
    let env = Env::start().await;
    let login = Login::new();
    let done = env.login_with(&login.params(), LEVEL2_CCCD).await;
    let session_cookie = set_cookie(&done, "hd_idp_session").expect("an SSO session cookie");
    let code = query(&location(done.headers()))["code"].clone();
    let tokens: Value = env.exchange(&login, &code, None).await.json().await.unwrap();
    let sid = jwt_parts(tokens["id_token"].as_str().unwrap()).1["sid"].as_str().unwrap().to_owned();
    // The session id is the cookie's digest: knowing it (the logout hint) logs nobody in.
    assert_eq!(sid, sha256_b64(&session_cookie));
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let me_status = || async { env.get_api("/api/v1/me", &bearer, None).await.status() };
    let hint = [
        ("client_id", CLIENT_ID),
        ("logout_hint", sid.as_str()),
        ("post_logout_redirect_uri", "http://127.0.0.1:40000/logged-out"),
        ("state", "bye"),
    ];

    // A redirect that is not the app's, or a hint that is no session id: refused.
    let bad = |extra: (&'static str, &'static str)| {
        let mut params = hint.to_vec();
        params.retain(|(k, _)| *k != extra.0);
        params.push(extra);
        env.http.get(env.endpoint("logout")).query(&params).send()
    };
    assert_eq!(
        bad(("post_logout_redirect_uri", "https://evil.example/")).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(bad(("logout_hint", "not a sid")).await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad(("client_id", "other")).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let forged = env.http.get(env.endpoint("logout")).query(&[("id_token_hint", "a.b.c")]).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);

    // A cross-site GET (or POST) only shows the confirmation page: nothing is ended.
    let page = env.http.get(env.endpoint("logout")).query(&hint).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let browser = set_cookie(&page, "hd_idp_logout").expect("the confirmation's browser cookie");
    assert!(page.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().contains("SameSite=Strict")));
    let html = page.text().await.unwrap();
    assert!(html.contains("method=\"post\""), "{html}");
    let csrf = csrf_of(&html);
    let posted = env
        .http
        .post(env.endpoint("logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&hint))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    assert_eq!(me_status().await, StatusCode::OK, "nothing is ended before the resident confirms");

    // The token without the browser's cookie (a forged cross-site form), or a made-up token: refused.
    let confirm = |csrf: String, cookie: Option<String>| {
        let mut request = env
            .http
            .post(env.endpoint("logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("csrf", &csrf)]));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    assert_eq!(confirm(csrf.clone(), None).await.unwrap().status(), StatusCode::FORBIDDEN);
    let other_browser = Some("hd_idp_logout=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned());
    assert_eq!(confirm(csrf.clone(), other_browser).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        confirm("made-up".into(), Some(format!("hd_idp_logout={browser}"))).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(me_status().await, StatusCode::OK);

    // Confirmed: back to the app with the state; the session and its tokens are ended.
    let r = confirm(csrf.clone(), Some(format!("hd_idp_logout={browser}"))).await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let back = location(r.headers());
    assert_eq!((back.path(), query(&back)["state"].as_str()), ("/logged-out", "bye"));
    assert_eq!(me_status().await, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(env.refresh(tokens["refresh_token"].as_str().unwrap(), None).await).await.1, "invalid_grant");
    // The SSO cookie no longer logs in without the form.
    let again = env
        .http
        .get(env.endpoint("authorize"))
        .query(&Login::new().params())
        .header("cookie", format!("hd_idp_session={session_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the login form, not a code");
    // A confirmation is used once.
    assert_eq!(confirm(csrf, Some(format!("hd_idp_logout={browser}"))).await.unwrap().status(), StatusCode::FORBIDDEN);

    // Without a redirect: a page says so.
    let page = env.http.get(env.endpoint("logout")).send().await.unwrap();
    let browser = set_cookie(&page, "hd_idp_logout").unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let done = confirm(csrf, Some(format!("hd_idp_logout={browser}"))).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Bạn đã đăng xuất"));
}

#[tokio::test]
async fn dpop_htu_is_checked_against_the_public_url_not_the_host_header() {
    let env = Env::start().await;
    env.admin("mode", json!({"require_dpop": true})).await;
    let key = DpopKey::new();
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;
    // A proof made for another server, sent with that server's name as Host.
    let elsewhere = "http://portal.evil.example/realms/haiduong/token";
    let params = [
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT_ID),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", login.verifier.as_str()),
    ];
    let r = env
        .http
        .post(env.endpoint("token"))
        .header("host", "portal.evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("DPoP", key.proof("POST", elsewhere, None, None))
        .body(form(&params))
        .send()
        .await
        .unwrap();
    let (_, error, description) = error_of(r).await;
    assert_eq!((error.as_str(), description.as_str()), ("invalid_dpop_proof", "htu does not match the request URL"));
    // The portal's own URL works, whatever the Host header says.
    let r = env
        .http
        .post(env.endpoint("token"))
        .header("host", "portal.evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("DPoP", key.proof("POST", &env.endpoint("token"), None, None))
        .body(form(&params))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_used_refresh_token_with_another_key_leaves_the_family_alone() {
    let env = Env::start().await;
    let key = DpopKey::new();
    let token_url = env.endpoint("token");
    let login = Login::new();
    let code = env.code(&login, &[], LEVEL2_CCCD).await;
    let first: Value =
        env.exchange(&login, &code, Some(key.proof("POST", &token_url, None, None))).await.json().await.unwrap();
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let r = env.refresh(old_refresh, Some(key.proof("POST", &token_url, None, None))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second: Value = r.json().await.unwrap();
    // Someone holding the old (used) token but not the key: refused, and nothing is revoked.
    let thief = DpopKey::new().proof("POST", &token_url, None, None);
    let (_, error, description) = error_of(env.refresh(old_refresh, Some(thief)).await).await;
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("another DPoP key"), "{description}");
    let (_, error, _) = error_of(env.refresh(old_refresh, None).await).await;
    assert_eq!(error, "invalid_dpop_proof");
    let r =
        env.refresh(second["refresh_token"].as_str().unwrap(), Some(key.proof("POST", &token_url, None, None))).await;
    assert_eq!(r.status(), StatusCode::OK, "the resident's family is still alive");
    let third: Value = r.json().await.unwrap();
    // The old token with the right key is reuse: that revokes the family.
    let (_, error, _) = error_of(env.refresh(old_refresh, Some(key.proof("POST", &token_url, None, None))).await).await;
    assert_eq!(error, "invalid_grant");
    let r =
        env.refresh(third["refresh_token"].as_str().unwrap(), Some(key.proof("POST", &token_url, None, None))).await;
    assert_eq!(error_of(r).await.1, "invalid_grant");
}

#[tokio::test]
async fn pending_logins_are_capped_oldest_first() {
    let env = Env::start().await;
    let first = handle_of(&env.authorize(&Login::new().params()).await.text().await.unwrap());
    let second = handle_of(&env.authorize(&Login::new().params()).await.text().await.unwrap());
    for _ in 0..499 {
        assert_eq!(env.authorize(&Login::new().params()).await.status(), StatusCode::OK);
    }
    let dropped = env.submit(&first, LEVEL2_CCCD, PASSWORD, OTP).await;
    assert_eq!(dropped.status(), StatusCode::BAD_REQUEST);
    assert!(dropped.text().await.unwrap().contains("đã hết hạn"));
    assert_eq!(env.submit(&second, LEVEL2_CCCD, PASSWORD, OTP).await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn wrong_passwords_warn_then_lock_the_account_for_a_while() {
    let env = Env::start().await;
    let attempt = |cccd: &'static str, password: &'static str| {
        let env = &env;
        async move {
            let handle = handle_of(&env.authorize(&Login::new().params()).await.text().await.unwrap());
            let r = env.submit(&handle, cccd, password, OTP).await;
            (r.status(), r.text().await.unwrap_or_default())
        }
    };
    for _ in 0..2 {
        let (status, html) = attempt(LEVEL2_CCCD, "nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(!html.contains("Còn"), "no warning yet");
    }
    let (status, html) = attempt(LEVEL2_CCCD, "nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Còn 2 lần thử"), "{html}");
    assert!(attempt(LEVEL2_CCCD, "nope").await.1.contains("Còn 1 lần thử"));
    let (status, html) = attempt(LEVEL2_CCCD, "nope").await;
    assert_eq!(status, StatusCode::LOCKED);
    assert!(html.contains("tạm thời bị khóa"));
    // Locked: even the right password is refused; other accounts are not affected.
    assert_eq!(attempt(LEVEL2_CCCD, PASSWORD).await.0, StatusCode::LOCKED);
    assert_eq!(attempt(LEVEL1_CCCD, PASSWORD).await.0, StatusCode::FOUND);
    env.sandbox.identity().advance_clock(std::time::Duration::from_secs(14 * 60));
    assert_eq!(attempt(LEVEL2_CCCD, PASSWORD).await.0, StatusCode::LOCKED);
    env.sandbox.identity().advance_clock(std::time::Duration::from_secs(60 + 1));
    assert_eq!(attempt(LEVEL2_CCCD, PASSWORD).await.0, StatusCode::FOUND);
    // A success starts the count again.
    assert!(!attempt(LEVEL2_CCCD, "nope").await.1.contains("Còn"));
}

#[tokio::test]
async fn id_token_faults() {
    let env = Env::start().await;
    let jwks_text = env.http.get(env.endpoint("jwks")).send().await.unwrap().text().await.unwrap();
    let jwks: Value = serde_json::from_str(&jwks_text).unwrap();
    let issue = |fault: &'static str| {
        let env = &env;
        async move {
            env.fault(fault, true).await;
            let (login, t) = env.tokens(LEVEL2_CCCD).await;
            env.fault(fault, false).await;
            (login, t["id_token"].as_str().unwrap().to_owned())
        }
    };

    let (_, token) = issue("id_token_alg_none").await;
    assert_eq!(jwt_parts(&token).0["alg"], "none");
    assert!(token.ends_with('.'));

    let (_, token) = issue("id_token_hs256_public_key").await;
    let (header, _) = jwt_parts(&token);
    assert_eq!(header["alg"], "HS256");
    // It really is HMAC keyed with the public JWK's bytes as served: the confusion attack.
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, jwk.to_string().as_bytes());
    assert!(jwks_text.contains(&jwk.to_string()));
    ring::hmac::verify(&key, input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();

    let (_, token) = issue("id_token_unknown_kid").await;
    assert_eq!(verify_with_jwks(&jwks, &token), Err("unknown kid".into()));
    let (_, token) = issue("id_token_bad_signature").await;
    assert_eq!(verify_with_jwks(&jwks, &token), Err("bad signature".into()));

    let (_, token) = issue("id_token_wrong_iss").await;
    let claims = verify_with_jwks(&jwks, &token).unwrap();
    assert!(claims["iss"] != env.issuer && claims["iss"].as_str().unwrap().ends_with("/realms/other"));
    let (_, token) = issue("id_token_wrong_aud").await;
    assert_eq!(verify_with_jwks(&jwks, &token).unwrap()["aud"], "another-app");
    let (_, token) = issue("id_token_extra_aud_wrong_azp").await;
    let claims = verify_with_jwks(&jwks, &token).unwrap();
    assert_eq!(
        (claims["aud"].clone(), claims["azp"].clone()),
        (json!([CLIENT_ID, "another-app"]), json!("another-app"))
    );
    let (_, token) = issue("id_token_extra_aud_no_azp").await;
    let claims = verify_with_jwks(&jwks, &token).unwrap();
    assert!(claims["aud"].as_array().unwrap().len() == 2 && claims.get("azp").is_none());
    let (_, token) = issue("id_token_expired").await;
    assert!(verify_with_jwks(&jwks, &token).unwrap()["exp"].as_i64().unwrap() < now());
    let (_, token) = issue("id_token_iat_future").await;
    assert!(verify_with_jwks(&jwks, &token).unwrap()["iat"].as_i64().unwrap() > now() + 300);
    let (login, token) = issue("id_token_wrong_nonce").await;
    let nonce = verify_with_jwks(&jwks, &token).unwrap()["nonce"].clone();
    assert!(nonce.is_string() && nonce != login.nonce.as_str());

    // Cleared: tokens are sound again.
    let (login, t) = env.tokens(LEVEL2_CCCD).await;
    assert_eq!(verify_with_jwks(&jwks, t["id_token"].as_str().unwrap()).unwrap()["nonce"], login.nonce.as_str());
}

#[tokio::test]
async fn response_and_discovery_faults() {
    let env = Env::start().await;
    let listed: Value = env.admin_get("faults").await;
    assert_eq!(listed["available"].as_array().unwrap().len(), 17);
    assert_eq!(
        env.http
            .post(format!("{}/admin/identity/faults/nope", env.base))
            .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, env.sandbox.admin_token())
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let exchange_with = |fault: &'static str| {
        let env = &env;
        async move {
            env.fault(fault, true).await;
            let login = Login::new();
            let code = env.code(&login, &[], LEVEL2_CCCD).await;
            let r = env.exchange(&login, &code, None).await;
            env.fault(fault, false).await;
            r
        }
    };
    let r = exchange_with("token_response_not_json").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());
    let body: Value = exchange_with("token_response_missing_fields").await.json().await.unwrap();
    assert!(body.get("access_token").is_none() && body.get("id_token").is_none());
    let bytes = exchange_with("token_response_oversized").await.bytes().await.unwrap();
    assert!(bytes.len() > 1024 * 1024);

    // The authorization response without iss, or with another issuer's.
    for (fault, expected) in
        [("authorize_response_no_iss", None), ("authorize_response_wrong_iss", Some("/realms/other"))]
    {
        env.fault(fault, true).await;
        let login = Login::new();
        let done = env.login_with(&login.params(), LEVEL2_CCCD).await;
        let q = query(&location(done.headers()));
        assert!(q.contains_key("code"));
        match expected {
            None => assert!(!q.contains_key("iss")),
            Some(suffix) => assert!(q["iss"] != env.issuer && q["iss"].ends_with(suffix)),
        }
        env.fault(fault, false).await;
    }

    env.fault("discovery_wrong_issuer", true).await;
    let discovery = env.endpoint(".well-known/openid-configuration");
    let d: Value = env.http.get(&discovery).send().await.unwrap().json().await.unwrap();
    assert_ne!(d["issuer"], env.issuer);
    // Faults stay on until cleared, all at once here.
    let cleared = env
        .http
        .delete(format!("{}/admin/identity/faults", env.base))
        .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, env.sandbox.admin_token())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.json::<Value>().await.unwrap()["active"], json!([]));
    let d: Value = env.http.get(&discovery).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["issuer"], env.issuer);
}

#[tokio::test]
async fn keys_and_sessions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let mut config = SandboxConfig::ephemeral(&db);
    config.catalog_size = 5;
    let env = Env::on(dir, config.clone()).await;
    let (_, t) = env.tokens(LEVEL2_CCCD).await;
    let jwks = env.jwks().await;
    let Env { _dir: dir, sandbox, .. } = env;
    config.addr = sandbox.addr();
    sandbox.stop().await;

    let env = Env::on(dir, config).await;
    assert_eq!(env.jwks().await, jwks);
    verify_with_jwks(&jwks, t["id_token"].as_str().unwrap()).unwrap();
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    assert_eq!(env.get_api("/api/v1/me", &bearer, None).await.status(), StatusCode::OK);
    assert_eq!(env.refresh(t["refresh_token"].as_str().unwrap(), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn too_many_wrong_attempts_end_the_login_page() {
    let env = Env::start().await;
    let page = env.authorize(&Login::new().params()).await;
    let handle = handle_of(&page.text().await.unwrap());
    for _ in 0..4 {
        assert_eq!(env.submit(&handle, LEVEL2_CCCD, "nope", OTP).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The fifth failure on the page is a malformed number: the page ends (the account is not
    // locked by it).
    let last = env.submit(&handle, "123", "nope", OTP).await;
    assert!(last.text().await.unwrap().contains("Bạn đã nhập sai quá nhiều lần"));
    assert_eq!(env.submit(&handle, LEVEL2_CCCD, PASSWORD, OTP).await.status(), StatusCode::BAD_REQUEST);
}
