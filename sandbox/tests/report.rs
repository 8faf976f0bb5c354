//! Field reports against a real sandbox on loopback, with real tokens, over HTTP: the published
//! categories and boundaries, a submit idempotent on the phone's report id, photos checked for
//! metadata by the portal itself, the operations centre's steps in order (accept, assign, answer
//! with proof), the reporter's feed and one rating, the agency's view without the reporter unless
//! allowed, and a public feed that never carries who reported.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use common::{LEVEL1, LEVEL2, client};

/// Inside the first sample commune's square (106.20-106.24°E, 20.80-20.84°N).
const IN_FIRST_COMMUNE: (f64, f64) = (20.82, 106.22);
const ADDRESS_NOTE: &str = "Trước nhà số 12 ngõ 34 phố Riêng Tư";

struct World {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    http: Client,
    base: String,
}

/// A JPEG's structure with pixels only (JFIF header, scan, end), or with an EXIF block carrying a
/// GPS position when `exif` is set. The portal checks structure, not pixels.
fn jpeg(exif: bool, salt: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    if exif {
        let body = b"Exif\0\0MM\0*GPSLatitude 20.9373 N";
        bytes.extend([0xFF, 0xE1]);
        bytes.extend(((body.len() + 2) as u16).to_be_bytes());
        bytes.extend(body);
    }
    bytes.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    bytes.extend([salt, 0x12, 0x34, 0x56, 0xFF, 0xD9]);
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn report(id: &str, photos: &[&str], share_identity: bool) -> Value {
    json!({
        "report_id": id,
        "category": "chieu_sang",
        "text": "Đèn đường hỏng cả tuần nay, buổi tối rất tối.",
        "location": {"lat": IN_FIRST_COMMUNE.0, "lon": IN_FIRST_COMMUNE.1},
        "address_note": ADDRESS_NOTE,
        "urgency": "normal",
        "share_identity": share_identity,
        "photos": photos,
    })
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
        config.catalog_size = 40;
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let base = sandbox.base_url();
        World { _dir: dir, sandbox, http: client(), base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        common::call(&self.http, &self.url(path), method, token, body).await
    }

    async fn login(&self, who: (&str, &str)) -> String {
        common::access_token(&self.http, &self.base, who, 1).await
    }

    /// Uploads a photo whole, as the app does before submitting; its SHA-256.
    async fn upload(&self, token: &str, bytes: &[u8]) -> String {
        let sha256 = sha256_hex(bytes);
        let body = json!({"sha256": sha256, "size": bytes.len(), "content_type": "image/jpeg", "name": "anh.jpg"});
        let (status, state) = self.call(Method::POST, "/api/v1/attachments", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{state}");
        let response = self
            .http
            .put(self.url(&format!("/api/v1/attachments/{sha256}/content?offset=0")))
            .bearer_auth(token)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::OK);
        sha256
    }

    async fn submit(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, "/api/v1/reports", Some(token), Some(body)).await
    }

    /// An IOC call as a logged-in officer (GET without a body, POST with one).
    async fn ioc(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (cookie, csrf) = common::officer_login(&self.http, &self.base).await;
        let mut request = self
            .http
            .request(method, self.url(path))
            .header(header::COOKIE, cookie)
            .header(smarthd_sandbox::OFFICER_CSRF_HEADER, csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status();
        (status, response.json().await.expect("JSON"))
    }

    async fn ledger(&self) -> Value {
        common::admin(&self.http, &self.url("/admin/reports/ledger"), Method::GET, self.sandbox.admin_token(), None)
            .await
            .1
    }

    /// A report by `who` with one clean photo, taken through accept, assign and answer.
    async fn handled_report(&self, token: &str, id: &str, share_identity: bool) -> (String, String) {
        let photo = self.upload(token, &jpeg(false, id.len() as u8)).await;
        let (status, view) = self.submit(token, report(id, &[&photo], share_identity)).await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        let code = view["code"].as_str().expect("a code").to_owned();
        for (step, body) in [
            ("accept", None),
            ("assign", Some(json!({"agency": "Công ty Chiếu sáng đô thị"}))),
            ("answer", Some(json!({"message": "Đã thay bóng đèn mới.", "photos_base64": [b64(&jpeg(false, 200))]}))),
        ] {
            let (status, answer) =
                self.ioc(Method::POST, &format!("/officer/api/reports/{code}/{step}"), body.or(Some(json!({})))).await;
            assert_eq!(status, StatusCode::OK, "{step}: {answer}");
        }
        (code, photo)
    }
}

#[tokio::test]
async fn categories_and_commune_boundaries_are_published_and_out_of_scope_reports_say_where_to_go() {
    let w = World::new().await;
    let (status, categories) = w.call(Method::GET, "/api/v1/reports/categories", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let complaints =
        categories.as_array().unwrap().iter().find(|c| c["in_scope"] == json!(false)).expect("one out of scope");
    assert!(complaints["goes_to"].as_str().unwrap().contains("Tiếp công dân"));
    let (_, areas) = w.call(Method::GET, "/api/v1/reports/areas", None, None).await;
    assert!(areas.as_array().unwrap().len() > 40, "every sample commune has a boundary");

    let token = w.login(LEVEL1).await;
    let photo = w.upload(&token, &jpeg(false, 1)).await;
    let mut body = report("r-scope", &[&photo], false);
    body["category"] = complaints["code"].clone();
    let (status, answer) = w.submit(&token, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"], "out_of_scope");
    assert!(answer["message"].as_str().unwrap().contains("Tiếp công dân"));

    let mut far = report("r-far", &[&photo], false);
    far["location"] = json!({"lat": 10.77, "lon": 106.70}); // Hồ Chí Minh City
    let (status, answer) = w.submit(&token, far).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "location");
    assert!(w.ledger().await["effects"].as_object().unwrap().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_report_is_stored_once_under_its_id_and_placed_in_its_commune() {
    let w = World::new().await;
    let token = w.login(LEVEL1).await;
    let photo = w.upload(&token, &jpeg(false, 2)).await;
    let (status, first) = w.submit(&token, report("r-once", &[&photo], false)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "waiting");
    assert_eq!(first["commune_code"], "10507");
    assert!(first["accept_by"].as_str().unwrap().ends_with("+07:00"));
    // The answer was lost: the phone sends the same report again.
    let (status, again) = w.submit(&token, report("r-once", &[&photo], false)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["code"], first["code"]);
    // The same id with other content is not the same report.
    let mut other = report("r-once", &[&photo], false);
    other["text"] = json!("Nội dung khác");
    let (status, answer) = w.submit(&token, other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"], "idempotency_conflict");
    assert_eq!(w.ledger().await["effects"]["r-once"], 1);
    let (_, feed) = w.call(Method::GET, "/api/v1/reports?since=0", Some(&token), None).await;
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    // Another resident neither sees it nor can take its id.
    let other_token = w.login(LEVEL2).await;
    let (_, theirs) = w.call(Method::GET, "/api/v1/reports?since=0", Some(&other_token), None).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn photos_with_metadata_or_of_someone_else_are_refused() {
    let w = World::new().await;
    let token = w.login(LEVEL1).await;
    let tagged = w.upload(&token, &jpeg(true, 3)).await;
    let (status, answer) = w.submit(&token, report("r-exif", &[&tagged], false)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "photos");
    let other = w.login(LEVEL2).await;
    let theirs = w.upload(&other, &jpeg(false, 4)).await;
    let (status, answer) = w.submit(&token, report("r-theirs", &[&theirs], false)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let (status, _) = w.submit(&token, report("r-none", &[], false)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a report needs a photo");
    assert!(w.ledger().await["effects"].as_object().unwrap().is_empty());
}

#[tokio::test]
async fn the_ioc_checks_assigns_and_the_agency_answers_with_proof_in_that_order() {
    let w = World::new().await;
    let token = w.login(LEVEL1).await;
    let device = json!({"token": "fcm-reporter", "platform": "fcm"});
    let (status, _) = w.call(Method::POST, "/api/v1/push/registrations", Some(&token), Some(device)).await;
    assert_eq!(status, StatusCode::CREATED);
    let photo = w.upload(&token, &jpeg(false, 5)).await;
    let (_, view) = w.submit(&token, report("r-flow", &[&photo], false)).await;
    let code = view["code"].as_str().unwrap();
    let path = |step: &str| format!("/officer/api/reports/{code}/{step}");
    let proof = json!({"message": "Đã sửa.", "photos_base64": [b64(&jpeg(false, 9))]});
    let (status, _) = w.ioc(Method::POST, &path("answer"), Some(proof.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "no answer before it is checked and assigned");
    let (status, _) = w.ioc(Method::POST, &path("accept"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, accepted) = w.ioc(Method::GET, &format!("/officer/api/reports/{code}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(accepted["handle_by"].is_string(), "{accepted}");
    let (status, _) = w.ioc(Method::POST, &path("assign"), Some(json!({"agency": "Công ty Chiếu sáng đô thị"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) =
        w.ioc(Method::POST, &path("answer"), Some(json!({"message": "Đã sửa.", "photos_base64": []}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an answer needs proof: {answer}");
    let tagged = json!({"message": "Đã sửa.", "photos_base64": [b64(&jpeg(true, 9))]});
    let (status, _) = w.ioc(Method::POST, &path("answer"), Some(tagged)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "proof photos carry no metadata either");
    let (status, handled) = w.ioc(Method::POST, &path("answer"), Some(proof)).await;
    assert_eq!(status, StatusCode::OK, "{handled}");
    assert_eq!(handled["status"], "handled");
    // One push per step taken (accept, assign, answer), none for the refused ones.
    let (_, log) = common::admin(&w.http, &w.url("/admin/push/log"), Method::GET, w.sandbox.admin_token(), None).await;
    let pushes = log["pushes"].as_array().unwrap();
    assert_eq!(pushes.len(), 3, "{log}");
    assert!(pushes.iter().all(|p| p["payload"]["message"]["data"] == json!({"kind": "report", "id": "r-flow"})));

    // The reporter sees the answer with its proof, and rates it once.
    let (_, feed) = w.call(Method::GET, "/api/v1/reports?since=0", Some(&token), None).await;
    let mine = &feed["items"][0];
    assert_eq!(mine["answer"]["message"], "Đã sửa.");
    assert_eq!(mine["answer"]["photos"].as_array().unwrap().len(), 1);
    let rate = |verdict: &str| json!({"rating_id": "rating-1", "verdict": verdict});
    let (status, rated) =
        w.call(Method::POST, "/api/v1/reports/r-flow/rating", Some(&token), Some(rate("satisfied"))).await;
    assert_eq!(status, StatusCode::CREATED, "{rated}");
    let (status, _) =
        w.call(Method::POST, "/api/v1/reports/r-flow/rating", Some(&token), Some(rate("satisfied"))).await;
    assert_eq!(status, StatusCode::OK, "the same rating again replays");
    let (status, _) =
        w.call(Method::POST, "/api/v1/reports/r-flow/rating", Some(&token), Some(rate("not_satisfied"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "rated once");
    assert_eq!(w.ledger().await["effects"]["rating-1"], 1);
}

#[tokio::test]
async fn the_public_feed_and_the_agency_never_see_who_reported_unless_allowed() {
    let w = World::new().await;
    let token = w.login(LEVEL1).await;
    let (private_code, photo) = w.handled_report(&token, "r-private", false).await;
    let (shared_code, _) = w.handled_report(&token, "r-shared", true).await;

    let (_, ioc) = w.ioc(Method::GET, &format!("/officer/api/reports/{private_code}"), None).await;
    let reporter = ioc["reporter"].as_str().expect("the IOC sees the reporter").to_owned();
    assert_eq!(ioc["reporter_name"], "Trần Thị Bình");
    let (_, agency) = w.ioc(Method::GET, &format!("/officer/api/reports/{private_code}?view=agency"), None).await;
    assert!(agency["reporter"].is_null() && agency["reporter_name"].is_null(), "{agency}");
    assert!(agency["reporter_phone"].is_null(), "{agency}");
    let (_, agency) = w.ioc(Method::GET, &format!("/officer/api/reports/{shared_code}?view=agency"), None).await;
    assert_eq!(agency["reporter"], json!(reporter));
    assert_eq!(agency["reporter_name"], "Trần Thị Bình");

    let (status, public) = w.call(Method::GET, "/api/v1/reports/public", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["items"].as_array().unwrap().len(), 2);
    let text = public.to_string();
    for secret in [reporter.as_str(), LEVEL1.0, ADDRESS_NOTE] {
        assert!(!text.contains(secret), "the public feed shows {secret:?}");
    }
    assert_eq!(public["items"][0]["commune_code"], "10507");
    assert!(public["items"][0]["answer"]["photos"][0]["url"].is_string());

    // Near filters by distance, commune by code.
    let near = |lat: f64, lon: f64| format!("/api/v1/reports/public?near={lat},{lon}&radius=500");
    let (_, close) = w.call(Method::GET, &near(IN_FIRST_COMMUNE.0 + 0.001, IN_FIRST_COMMUNE.1), None, None).await;
    assert_eq!(close["items"].as_array().unwrap().len(), 2);
    let (_, far) = w.call(Method::GET, &near(21.0, 106.5), None, None).await;
    assert!(far["items"].as_array().unwrap().is_empty());
    let (_, elsewhere) = w.call(Method::GET, "/api/v1/reports/public?commune=10513", None, None).await;
    assert!(elsewhere["items"].as_array().unwrap().is_empty());

    // A handled report's photo is public; a waiting one's is not.
    let response = w.http.get(w.url(&format!("/api/v1/reports/photos/{photo}"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let waiting_photo = w.upload(&token, &jpeg(false, 77)).await;
    let (status, _) = w.submit(&token, report("r-waiting", &[&waiting_photo], false)).await;
    assert_eq!(status, StatusCode::CREATED);
    let response = w.http.get(w.url(&format!("/api/v1/reports/photos/{waiting_photo}"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_ioc_api_needs_an_officer_session_and_its_csrf_token() {
    let w = World::new().await;
    let (status, _) = w.call(Method::GET, "/officer/api/reports", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (cookie, _) = common::officer_login(&w.http, &w.base).await;
    let response = w.http.get(w.url("/officer/api/reports")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "reading needs the session only");
    let response = w
        .http
        .post(w.url("/officer/api/reports/PA-2026-000001/accept"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "an action needs the CSRF token too");
    let (status, list) = w.ioc(Method::GET, "/officer/api/reports", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list["items"].as_array().unwrap().is_empty());
}

/// A multipart body as a browser sends the answer form: the CSRF token, the message, photos.
fn answer_form(csrf: &str, message: &str, photos: &[Vec<u8>]) -> (String, Vec<u8>) {
    let boundary = "----smarthd-test-boundary";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("message", message)] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    for (i, photo) in photos.iter().enumerate() {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"proof-{i}.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(photo);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_console_pages_take_a_report_through_its_steps_with_the_api_rules() {
    let w = World::new().await;
    let token = w.login(LEVEL1).await;
    let photo = w.upload(&token, &jpeg(false, 31)).await;
    let (_, view) = w.submit(&token, report("r-console", &[&photo], false)).await;
    let code = view["code"].as_str().unwrap().to_owned();

    // Without a session the pages send to the login; a form without the CSRF token is refused.
    let page = w.http.get(w.url("/officer/reports")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[header::LOCATION], "/officer/login");
    let (cookie, csrf) = common::officer_login(&w.http, &w.base).await;
    let post = |path: String, form: String| {
        let request = w
            .http
            .post(w.url(&path))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form);
        async move { request.send().await.unwrap() }
    };
    let refused = post(format!("/officer/reports/{code}/accept"), "csrf=wrong".into()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let get = |path: String| {
        let request = w.http.get(w.url(&path)).header(header::COOKIE, &cookie);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, list) = get("/officer/reports?status=waiting".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"/officer/reports/{code}\"")) && list.contains("Chờ tiếp nhận"), "{list}");
    let (_, none) = get("/officer/reports?status=handled".into()).await;
    assert!(none.contains("id=\"no-reports\""), "the filter keeps handled reports only");
    let (_, page) = get(format!("/officer/reports/{code}")).await;
    assert!(page.contains("Đèn đường hỏng") && page.contains(ADDRESS_NOTE) && page.contains("Trần Thị Bình"));
    // The IOC sees a waiting report's photo; without a session, no one does.
    let (status, _) = get(format!("/officer/reports/{code}/photos/{photo}")).await;
    assert_eq!(status, StatusCode::OK);
    let anonymous = w.http.get(w.url(&format!("/officer/reports/{code}/photos/{photo}"))).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The API's rules: a duplicate names the report it repeats.
    let form = common::form(&[("csrf", &csrf), ("reason", "duplicate"), ("note", "")]);
    let duplicate = post(format!("/officer/reports/{code}/reject"), form).await;
    assert_eq!(duplicate.status(), StatusCode::BAD_REQUEST);
    assert!(duplicate.text().await.unwrap().contains("role=\"alert\" id=\"error\""));
    let done = post(format!("/officer/reports/{code}/accept"), common::form(&[("csrf", &csrf)])).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()[header::LOCATION], format!("/officer/reports/{code}").as_str());
    let form = common::form(&[("csrf", &csrf), ("agency", "Công ty Chiếu sáng đô thị")]);
    assert_eq!(post(format!("/officer/reports/{code}/assign"), form).await.status(), StatusCode::SEE_OTHER);

    let answer = |photos: Vec<Vec<u8>>| {
        let (content_type, body) = answer_form(&csrf, "Đã thay bóng đèn.", &photos);
        let request = w
            .http
            .post(w.url(&format!("/officer/reports/{code}/answer")))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let tagged = answer(vec![jpeg(true, 32)]).await;
    assert_eq!(tagged.status(), StatusCode::UNPROCESSABLE_ENTITY, "proof photos carry no metadata");
    assert_eq!(answer(vec![]).await.status(), StatusCode::BAD_REQUEST, "an answer needs proof");
    let proof = jpeg(false, 33);
    assert_eq!(answer(vec![proof.clone()]).await.status(), StatusCode::SEE_OTHER);

    let (_, handled) = w.ioc(Method::GET, &format!("/officer/api/reports/{code}"), None).await;
    assert_eq!(handled["status"], "handled");
    assert_eq!(handled["answer"]["photos"][0]["sha256"], sha256_hex(&proof));
    let steps: Vec<&str> =
        handled["timeline"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["waiting", "accepted", "assigned", "handled"]);
    assert_eq!(handled["timeline"][1]["officer"], smarthd_sandbox::OFFICERS[0].name);
    assert_eq!(handled["timeline"][2]["detail"], "Công ty Chiếu sáng đô thị");
    let (_, page) = get(format!("/officer/reports/{code}")).await;
    assert!(page.contains("Đã thay bóng đèn.") && page.contains("Phản ánh đã kết thúc."), "{page}");
}
