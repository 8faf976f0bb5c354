//! Alerts and the inbox, and the push stand-in, against a real sandbox over HTTP: an alert for
//! one commune reaches the inbox of a resident registered there and not one elsewhere; city-wide
//! alerts reach everyone; the inbox is a delta feed; every publication and report step records
//! one push per device, with an id and a kind only, and none after the device is removed.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use common::{LEVEL1, LEVEL2, client};

/// LEVEL2 lives in Phường Hải Dương (the first sample unit), LEVEL1 in Xã Thanh Hà.
const HAI_DUONG: &str = "10507";

struct World {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    http: Client,
    base: String,
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

    async fn publish(&self, body: Value) -> (StatusCode, Value) {
        let (cookie, csrf) = common::officer_login(&self.http, &self.base).await;
        let response = self
            .http
            .post(self.url("/officer/api/alerts"))
            .header(header::COOKIE, cookie)
            .header(smarthd_sandbox::OFFICER_CSRF_HEADER, csrf)
            .json(&body)
            .send()
            .await
            .expect("an answer");
        let status = response.status();
        (status, response.json().await.expect("JSON"))
    }

    async fn inbox(&self, token: &str, since: u64) -> (Vec<String>, u64) {
        let (status, page) = self.call(Method::GET, &format!("/api/v1/inbox?since={since}"), Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let titles =
            page["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect();
        (titles, page["next_since"].as_u64().unwrap())
    }

    async fn pushes(&self) -> Vec<Value> {
        let (_, log) =
            common::admin(&self.http, &self.url("/admin/push/log"), Method::GET, self.sandbox.admin_token(), None)
                .await;
        log["pushes"].as_array().unwrap().clone()
    }
}

fn storm(communes: &[&str]) -> Value {
    json!({
        "title": "Cảnh báo bão số 3",
        "body": "Bão số 3 đổ bộ đêm nay. Người dân ở trong nhà, tránh xa sông.",
        "severity": "emergency",
        "communes": communes,
        "valid_until": "2026-12-03T06:00:00+07:00",
    })
}

#[tokio::test]
async fn an_alert_reaches_the_inbox_of_its_communes_residents_and_no_one_elsewhere() {
    let w = World::new().await;
    let here = common::access_token(&w.http, &w.base, LEVEL2, 1).await;
    let elsewhere = common::access_token(&w.http, &w.base, LEVEL1, 1).await;
    let (status, alert) = w.publish(storm(&[HAI_DUONG])).await;
    assert_eq!(status, StatusCode::CREATED, "{alert}");
    assert_eq!(alert["severity"], "emergency");

    let (titles, cursor) = w.inbox(&here, 0).await;
    assert_eq!(titles, ["Cảnh báo bão số 3"]);
    let (titles, other_cursor) = w.inbox(&elsewhere, 0).await;
    assert!(titles.is_empty(), "{titles:?}");
    assert_eq!(other_cursor, cursor, "the cursor moves past alerts for other communes");

    // City-wide: everyone; a delta from the cursor holds only what is new.
    let mut notice = storm(&[]);
    notice["title"] = json!("Lịch cắt điện");
    notice["severity"] = json!("info");
    w.publish(notice).await;
    assert_eq!(w.inbox(&here, cursor).await.0, ["Lịch cắt điện"]);
    assert_eq!(w.inbox(&elsewhere, other_cursor).await.0, ["Lịch cắt điện"]);
}

#[tokio::test]
async fn publishing_needs_an_officer_and_known_communes() {
    let w = World::new().await;
    let (status, _) = w.call(Method::POST, "/officer/api/alerts", None, Some(storm(&[]))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, answer) = w.publish(storm(&["99999"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "communes");
    let mut empty = storm(&[]);
    empty["title"] = json!("  ");
    assert_eq!(w.publish(empty).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_push_per_event_and_device_with_no_personal_data_and_none_after_logout() {
    let w = World::new().await;
    let here = common::access_token(&w.http, &w.base, LEVEL2, 1).await;
    let elsewhere = common::access_token(&w.http, &w.base, LEVEL1, 1).await;
    for (token, device, platform) in [(&here, "fcm-token-here", "fcm"), (&elsewhere, "apns-token-elsewhere", "apns")] {
        let body = json!({"token": device, "platform": platform});
        let (status, _) = w.call(Method::POST, "/api/v1/push/registrations", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, alert) = w.publish(storm(&[HAI_DUONG])).await;
    let pushes = w.pushes().await;
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let push = &pushes[0];
    assert_eq!(push["token"], "fcm-token-here");
    let message = &push["payload"]["message"];
    assert_eq!(message["data"], json!({"kind": "alert", "id": alert["alert_id"]}), "an id and a kind, nothing else");
    assert_eq!(message["android"]["priority"], "high", "an emergency goes through quiet hours");
    assert!(!push["payload"].to_string().contains("bão"), "no text of the alert travels in the push");

    // Logging out removes the device: no push to it after.
    let (status, _) = w.call(Method::DELETE, "/api/v1/push/registrations/fcm-token-here", Some(&here), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut notice = storm(&[]);
    notice["severity"] = json!("info");
    w.publish(notice).await;
    let pushes = w.pushes().await;
    assert_eq!(pushes.len(), 2);
    assert_eq!(pushes[1]["token"], "apns-token-elsewhere");
    assert_eq!(pushes[1]["payload"]["body"]["aps"]["interruption-level"], "passive", "others wait for quiet hours");
}
