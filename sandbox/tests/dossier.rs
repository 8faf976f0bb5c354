//! The sandbox's dossier API against a real sandbox on loopback, with real access tokens from
//! its OpenID provider: attachments (chunks, resume, offsets, digests, limits), idempotent
//! submission, validation, identity levels, the resident's changes feed with the officer's
//! status changes, the public lookup, the ledger, every fault kind, and a restart.

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use std::path::Path;
use std::time::Duration;

use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};
use smarthd_model::catalog::{
    Channel, Fee, FieldKind, FormField, FormOption, FormSchema, Procedure, ProcedureStatus, Subject,
};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use common::{LEVEL1, LEVEL2, client, form, random_bytes};

const MIB: usize = 1024 * 1024;
/// The sandbox's test citizens (docs/identity.md): level 2 and level 1.
/// Procedures this test adds to the catalog.
const FREE: &str = "9.000001.H19";
const PAID: &str = "9.000002.H19";
const OLD: &str = "9.000003.H19";

struct World {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    http: Client,
    base: String,
}

async fn start(dir: &Path) -> Sandbox {
    let mut config = SandboxConfig::ephemeral(dir.join("sandbox.db"));
    config.catalog_size = 40;
    Sandbox::start(config).await.expect("the sandbox starts")
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().expect("a temp dir");
        let sandbox = start(dir.path()).await;
        add_procedures(&sandbox);
        let base = sandbox.base_url();
        World { _dir: dir, sandbox, http: client(), base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        common::admin(&self.http, &self.url(path), method, self.sandbox.admin_token(), body).await
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        common::call(&self.http, &self.url(path), method, token, body).await
    }

    async fn put_chunk(&self, token: &str, sha256: &str, offset: usize, bytes: &[u8]) -> (StatusCode, Value) {
        let response = self.put_chunk_raw(token, sha256, offset, bytes).await.expect("an answer");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    async fn put_chunk_raw(
        &self,
        token: &str,
        sha256: &str,
        offset: usize,
        bytes: &[u8],
    ) -> reqwest::Result<reqwest::Response> {
        self.http
            .put(self.url(&format!("/api/v1/attachments/{sha256}/content?offset={offset}")))
            .bearer_auth(token)
            .body(bytes.to_vec())
            .send()
            .await
    }

    async fn submit_raw(&self, token: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.http.post(self.url("/api/v1/dossiers")).bearer_auth(token).json(body).send().await
    }

    async fn ledger(&self) -> Value {
        self.admin(Method::GET, "/admin/ledger", None).await.1
    }

    async fn fault(&self, route: &str, kind: &str, probability: f64, delay_ms: u64) {
        let body = json!({"route": route, "kind": kind, "probability": probability, "delay_ms": delay_ms});
        let (status, answer) = self.admin(Method::POST, "/admin/faults", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }

    async fn clear_faults(&self) {
        let (status, _) = self.admin(Method::DELETE, "/admin/faults", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    async fn officer(&self, code: &str, status: &str, message: Option<&str>) -> Value {
        let body = json!({"status": status, "message": message});
        let (answer, view) =
            common::officer_call(&self.http, &self.base, &format!("/officer/dossiers/{code}/status"), body).await;
        assert_eq!(answer, StatusCode::OK, "{view}");
        view
    }

    async fn login(&self, who: (&str, &str), level: u8) -> String {
        common::access_token(&self.http, &self.base, who, level).await
    }

    /// Announces and uploads a whole attachment in 1 MiB chunks.
    async fn upload(&self, token: &str, bytes: &[u8], content_type: &str) -> String {
        let sha256 = sha256_hex(bytes);
        let (status, state) = self.announce(token, &sha256, bytes.len(), content_type).await;
        assert_eq!(status, StatusCode::OK, "{state}");
        for (i, chunk) in bytes.chunks(MIB).enumerate() {
            let (status, state) = self.put_chunk(token, &sha256, i * MIB, chunk).await;
            assert_eq!(status, StatusCode::OK, "{state}");
        }
        sha256
    }

    async fn announce(&self, token: &str, sha256: &str, size: usize, content_type: &str) -> (StatusCode, Value) {
        let body = json!({"sha256": sha256, "size": size, "content_type": content_type, "name": "giay-to.png"});
        self.call(Method::POST, "/api/v1/attachments", Some(token), Some(body)).await
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A PNG-looking payload of `len` bytes, different every time.
fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let seed = random_bytes::<16>();
    bytes.extend((0..len.saturating_sub(8)).map(|i| seed[i % 16].wrapping_add((i / 16) as u8)));
    bytes
}

fn dossier_id() -> String {
    let b = random_bytes::<16>();
    let hex: String = b.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Adds a free procedure, a fee-paying one and a replaced one, all with the same e-form.
fn add_procedures(sandbox: &Sandbox) {
    let first = sandbox.portal().changes(0, 1).expect("the catalog").items.remove(0);
    let mut base: Procedure = serde_json::from_str(first.record.expect("a record").get()).expect("a procedure");
    base.status = ProcedureStatus::InForce;
    base.replaced_by = None;
    base.subjects = vec![Subject::Citizen];
    base.processing_days = Some(5);
    base.form = FormSchema {
        version: 1,
        fields: vec![
            FormField { max_length: Some(100), ..FormField::new("ho_ten", FieldKind::Text, true) },
            FormField::new("so_cccd", FieldKind::Cccd, true),
            FormField::new("so_dien_thoai", FieldKind::Phone, false),
            FormField::new("ngay_sinh", FieldKind::Date, false),
            FormField {
                options: vec![
                    FormOption { value: "cha".into(), label: "Cha".into(), label_en: Some("Father".into()) },
                    FormOption { value: "me".into(), label: "Mẹ".into(), label_en: Some("Mother".into()) },
                ],
                ..FormField::new("quan_he", FieldKind::Select, true)
            },
            FormField::new("cam_ket", FieldKind::Checkbox, true),
        ],
    };
    let fee =
        |channel, amount_vnd| Fee { subject: Subject::Citizen, channel, amount_vnd, description: "Lệ phí".into() };
    let procedures = [
        Procedure { code: FREE.into(), name: "Đăng ký khai sinh (thử)".into(), fees: Vec::new(), ..base.clone() },
        Procedure {
            code: PAID.into(),
            name: "Cấp bản sao trích lục (thử)".into(),
            fees: vec![fee(Channel::Paper, 10_000), fee(Channel::Online, 5_000)],
            ..base.clone()
        },
        Procedure { code: OLD.into(), name: "Thủ tục cũ (thử)".into(), fees: Vec::new(), ..base },
    ];
    for p in &procedures {
        sandbox.portal().upsert(p).expect("added");
    }
    sandbox.portal().replace(OLD, FREE).expect("replaced").expect("it existed");
}

fn dossier(id: &str, procedure: &str, attachments: &[&str]) -> Value {
    json!({
        "dossier_id": id,
        "procedure_code": procedure,
        "applicant": "citizen",
        "fields": {"ho_ten": "Nguyễn Văn An", "so_cccd": "030095001234", "quan_he": "cha", "cam_ket": "true"},
        "attachments": attachments.iter().map(|s| json!({"sha256": s, "name": "giay-chung-sinh.png"})).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn attachments_upload_in_chunks_and_resume_after_a_cut() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let bytes = png(2 * MIB + 300_000);
    let sha256 = sha256_hex(&bytes);
    let (status, state) = w.announce(&token, &sha256, bytes.len(), "image/png").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state, json!({"sha256": sha256, "received": 0, "complete": false}));

    let (status, state) = w.put_chunk(&token, &sha256, 0, &bytes[..MIB]).await;
    assert_eq!((status, &state["received"]), (StatusCode::OK, &json!(MIB)));

    // The second chunk is stored but its answer is lost: the connection just closes.
    w.fault("attachments", "commit_then_drop", 1.0, 0).await;
    let cut = w.put_chunk_raw(&token, &sha256, MIB, &bytes[MIB..2 * MIB]).await;
    assert!(cut.is_err(), "the connection closes without an answer");
    w.clear_faults().await;

    // The client asks where the upload stands (announcing again says the same), and resumes.
    let (_, state) = w.call(Method::GET, &format!("/api/v1/attachments/{sha256}"), Some(&token), None).await;
    assert_eq!(state, json!({"sha256": sha256, "received": 2 * MIB, "complete": false}));
    let (_, again) = w.announce(&token, &sha256, bytes.len(), "image/png").await;
    assert_eq!(again, state);
    // Retrying the chunk it never got an answer for is accepted without effect.
    let (status, state) = w.put_chunk(&token, &sha256, MIB, &bytes[MIB..2 * MIB]).await;
    assert_eq!((status, &state["received"]), (StatusCode::OK, &json!(2 * MIB)));
    let (status, state) = w.put_chunk(&token, &sha256, 2 * MIB, &bytes[2 * MIB..]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state, json!({"sha256": sha256, "received": bytes.len(), "complete": true}));
    // Idempotent once complete, too.
    let (status, state) = w.put_chunk(&token, &sha256, 2 * MIB, &bytes[2 * MIB..]).await;
    assert_eq!((status, &state["complete"]), (StatusCode::OK, &json!(true)));

    let ledger = w.ledger().await;
    assert_eq!(ledger["attachments"][&sha256], json!({"stored": 1, "bytes": bytes.len(), "intact": true}));
}

#[tokio::test]
async fn attachments_refuse_wrong_offsets_digests_sizes_and_types() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let bytes = png(300_000);
    let sha256 = sha256_hex(&bytes);
    w.announce(&token, &sha256, bytes.len(), "image/png").await;
    w.put_chunk(&token, &sha256, 0, &bytes[..100_000]).await;

    // A chunk that skips ahead, or overlaps what is stored, says where the upload stands.
    for (offset, end) in [(200_000, 300_000), (50_000, 150_000)] {
        let (status, error) = w.put_chunk(&token, &sha256, offset, &bytes[offset..end]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!((&error["error"], &error["received"]), (&json!("offset_mismatch"), &json!(100_000)));
    }

    // Bytes that do not hash to the announced sha256 are discarded: the upload starts over.
    let mut corrupt = bytes.clone();
    corrupt[250_000] ^= 0xff;
    let (status, error) = w.put_chunk(&token, &sha256, 100_000, &corrupt[100_000..]).await;
    assert_eq!((status, &error["error"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("digest_mismatch")));
    let (_, state) = w.call(Method::GET, &format!("/api/v1/attachments/{sha256}"), Some(&token), None).await;
    assert_eq!(state, json!({"sha256": sha256, "received": 0, "complete": false}));
    assert_eq!(w.ledger().await["attachments"][&sha256]["stored"], json!(0));

    // Limits: 10 MiB, JPEG/PNG/PDF, chunks of at most 1 MiB, and a token.
    let (status, error) = w.announce(&token, &sha256_hex(b"big"), 10 * MIB + 1, "application/pdf").await;
    assert_eq!((status, &error["error"]), (StatusCode::PAYLOAD_TOO_LARGE, &json!("too_large")));
    let (status, error) = w.announce(&token, &sha256_hex(b"doc"), 1000, "application/msword").await;
    assert_eq!((status, &error["error"]), (StatusCode::UNSUPPORTED_MEDIA_TYPE, &json!("unsupported_type")));
    let big = png(MIB + 1);
    let big_sha = sha256_hex(&big);
    w.announce(&token, &big_sha, big.len(), "image/png").await;
    let (status, error) = w.put_chunk(&token, &big_sha, 0, &big).await;
    assert_eq!((status, &error["error"]), (StatusCode::PAYLOAD_TOO_LARGE, &json!("too_large")));
    let body = json!({"sha256": sha256, "size": bytes.len(), "content_type": "image/png"});
    let (status, _) = w.call(Method::POST, "/api/v1/attachments", None, Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn submission_is_idempotent_on_the_dossier_id() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let attachment = w.upload(&token, &png(5000), "image/png").await;
    let id = dossier_id();
    let body = dossier(&id, PAID, &[&attachment]);

    let first = w.submit_raw(&token, &body).await.expect("an answer");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = first.text().await.expect("a body");
    let answer: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(answer["dossier_id"], json!(id));
    assert_eq!(answer["status"], json!("received"));
    assert_eq!(answer["fee_vnd"], json!(5_000), "the online fee for a citizen");
    let code = answer["code"].as_str().expect("a code");
    assert!(code.starts_with("H19.25-") && code.len() == "H19.25-261128-0001".len(), "{code}");
    assert!(answer["receipt"]["number"].as_str().expect("a receipt").starts_with("BN-H19-"));
    assert!(answer["receipt"]["received_at"].as_str().expect("a time").ends_with("+07:00"));
    assert!(answer["receipt"]["expected_result_at"].as_str().expect("a due time").ends_with("T17:00:00+07:00"));

    // Same id, same content (fields in another order): the first answer, byte for byte.
    let mut reordered = body.clone();
    reordered["fields"] =
        json!({"cam_ket": "true", "quan_he": "cha", "so_cccd": "030095001234", "ho_ten": "Nguyễn Văn An"});
    let replay = w.submit_raw(&token, &reordered).await.expect("an answer");
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.text().await.expect("a body"), first);

    // Same id, different content.
    let mut changed = body.clone();
    changed["fields"]["ho_ten"] = json!("Nguyễn Văn Bình");
    let conflict = w.submit_raw(&token, &changed).await.expect("an answer");
    assert_eq!(conflict.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(conflict.json::<Value>().await.expect("JSON")["error"], json!("idempotency_conflict"));

    assert_eq!(w.ledger().await["dossiers"][&id], json!(1));
}

/// A batch answers each dossier as the single submit answers it alone (receipt, replay, refusal),
/// under one token; its dossiers are deduplicated on their ids like single ones, across both
/// routes and across a lost answer.
#[tokio::test]
async fn a_batch_answers_each_dossier_as_the_single_submit_would() {
    let w = World::new().await;
    let token = w.login(LEVEL1, 1).await;
    let batch = |dossiers: Vec<Value>| {
        let w = &w;
        let token = token.clone();
        async move {
            w.call(Method::POST, "/api/v1/dossier-batches", Some(&token), Some(json!({"dossiers": dossiers}))).await
        }
    };
    let (new, paid, old) = (dossier_id(), dossier_id(), dossier_id());
    let (status, answer) = batch(vec![
        dossier(&new, FREE, &[]),
        dossier(&paid, PAID, &[]),
        dossier(&old, OLD, &[]),
        dossier(&new, FREE, &[]),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().expect("results");
    let ids: Vec<&Value> = results.iter().map(|r| &r["dossier_id"]).collect();
    assert_eq!(ids, [&json!(new), &json!(paid), &json!(old), &json!(new)], "one result per dossier, in order");
    let statuses: Vec<&Value> = results.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!(201), &json!(401), &json!(422), &json!(200)]);
    assert_eq!(results[0]["body"]["status"], json!("received"));
    assert_eq!(results[3]["body"], results[0]["body"], "the same id again: the first answer");
    assert_eq!(results[1]["body"]["error"], json!("insufficient_user_authentication"), "a fee needs level 2");
    assert_eq!(results[2]["body"]["error"], json!("procedure_not_in_force"));

    // The single route replays what the batch received, byte for byte, and the other way round.
    let single = w.submit_raw(&token, &dossier(&new, FREE, &[])).await.expect("an answer");
    assert_eq!(single.status(), StatusCode::OK);
    assert_eq!(single.json::<Value>().await.expect("JSON"), results[0]["body"]);
    let mut changed = dossier(&new, FREE, &[]);
    changed["fields"]["ho_ten"] = json!("Nguyễn Văn Bình");
    let (_, again) = batch(vec![changed]).await;
    assert_eq!(again["results"][0]["status"], json!(422));
    assert_eq!(again["results"][0]["body"]["error"], json!("idempotency_conflict"));

    // A lost answer: the batch is handled, the connection closes; sent again, it is replayed.
    let lost = dossier_id();
    w.fault("submit", "commit_then_drop", 1.0, 0).await;
    let url = w.url("/api/v1/dossier-batches");
    let body = json!({"dossiers": [dossier(&lost, FREE, &[])]});
    assert!(w.http.post(&url).bearer_auth(&token).json(&body).send().await.is_err());
    w.clear_faults().await;
    let (_, replay) = batch(vec![dossier(&lost, FREE, &[])]).await;
    assert_eq!(replay["results"][0]["status"], json!(200));
    let ledger = w.ledger().await;
    assert_eq!((&ledger["dossiers"][&new], &ledger["dossiers"][&lost]), (&json!(1), &json!(1)));
    assert!(ledger["dossiers"].get(&paid).is_none() && ledger["dossiers"].get(&old).is_none());

    // At least one dossier, at most fifty; a token is needed.
    for count in [0, 51] {
        let (status, error) = batch((0..count).map(|_| dossier(&dossier_id(), FREE, &[])).collect()).await;
        assert_eq!((status, &error["field"]), (StatusCode::BAD_REQUEST, &json!("dossiers")), "{count}");
    }
    let (status, _) = w.call(Method::POST, "/api/v1/dossier-batches", None, Some(json!({"dossiers": []}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// An attachment belongs to the resident who uploaded it: another resident cannot learn that it
/// exists, cite it in a dossier, or reset its upload by announcing the same digest.
#[tokio::test]
async fn attachments_are_scoped_to_the_resident_who_uploaded_them() {
    let w = World::new().await;
    let (owner, other) = (w.login(LEVEL2, 2).await, w.login(LEVEL1, 2).await);
    let bytes = png(5000);
    let sha256 = w.upload(&owner, &bytes, "image/png").await;
    let path = format!("/api/v1/attachments/{sha256}");

    let (status, _) = w.call(Method::GET, &path, Some(&other), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no existence oracle");
    let refused = w.submit_raw(&other, &dossier(&dossier_id(), FREE, &[&sha256])).await.expect("an answer");
    assert_eq!(refused.status(), StatusCode::CONFLICT, "another resident's file cannot be cited");
    assert_eq!(refused.json::<Value>().await.expect("JSON")["error"], json!("attachment_missing"));
    // Announced with another size by someone else: their own upload, the owner's stays whole.
    let (status, theirs) = w.announce(&other, &sha256, 4000, "image/png").await;
    assert_eq!((status, &theirs["received"], &theirs["complete"]), (StatusCode::OK, &json!(0), &json!(false)));
    let (status, mine) = w.call(Method::GET, &path, Some(&owner), None).await;
    assert_eq!((status, &mine["received"], &mine["complete"]), (StatusCode::OK, &json!(5000), &json!(true)));
    let created = w.submit_raw(&owner, &dossier(&dossier_id(), FREE, &[&sha256])).await.expect("an answer");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(w.ledger().await["attachments"][&sha256]["stored"], json!(1));
}

#[tokio::test]
async fn submission_checks_the_form_the_procedure_and_the_login() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let submit = |body: Value, token: Option<String>| {
        let w = &w;
        async move { w.call(Method::POST, "/api/v1/dossiers", token.as_deref(), Some(body)).await }
    };
    let with_field = |key: &str, value: Value| {
        let mut body = dossier(&dossier_id(), FREE, &[]);
        body["fields"][key] = value;
        body
    };
    let cases = [
        (with_field("so_cccd", json!("03009500123")), "so_cccd"),
        (with_field("so_dien_thoai", json!("0212345678")), "so_dien_thoai"),
        (with_field("ngay_sinh", json!("2023-02-30")), "ngay_sinh"),
        (with_field("quan_he", json!("ong")), "quan_he"),
        (with_field("cam_ket", json!("false")), "cam_ket"),
        (with_field("ho_ten", json!("   ")), "ho_ten"),
        (with_field("khong_co", json!("x")), "khong_co"),
    ];
    for (body, field) in cases {
        let (status, error) = submit(body, Some(token.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {error}");
        assert_eq!((&error["error"], &error["field"]), (&json!("validation"), &json!(field)));
    }
    // Every problem at once, the fields named together, each message in both languages.
    let mut body = dossier(&dossier_id(), FREE, &[]);
    body["fields"]["so_cccd"] = json!("12");
    body["fields"]["ngay_sinh"] = json!("1995-02-30");
    body["fields"]["quan_he"] = json!("chú");
    let (status, error) = submit(body, Some(token.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["field"], json!("so_cccd, ngay_sinh, quan_he"));
    let message = error["message"].as_str().expect("a message");
    assert!(message.contains("không có trên lịch / this date does not exist"), "{message}");
    assert!(message.contains("Chọn một trong: Cha, Mẹ / choose one of: Father, Mother"), "{message}");
    let mut body = dossier(&dossier_id(), FREE, &[]);
    body["for_person"] = json!("cousin");
    let (status, error) = submit(body, Some(token.clone())).await;
    assert_eq!((status, &error["field"]), (StatusCode::BAD_REQUEST, &json!("for_person")));
    let (status, error) = submit(json!({"dossier_id": dossier_id()}), Some(token.clone())).await;
    assert_eq!((status, &error["error"]), (StatusCode::BAD_REQUEST, &json!("bad_request")));

    let (status, error) = submit(dossier(&dossier_id(), "9.999999.H19", &[]), Some(token.clone())).await;
    assert_eq!((status, &error["error"]), (StatusCode::NOT_FOUND, &json!("unknown_procedure")));
    let (status, error) = submit(dossier(&dossier_id(), OLD, &[]), Some(token.clone())).await;
    assert_eq!((status, &error["error"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("procedure_not_in_force")));

    let missing = sha256_hex(b"never uploaded");
    let (status, error) = submit(dossier(&dossier_id(), FREE, &[&missing]), Some(token.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!((&error["error"], &error["field"]), (&json!("attachment_missing"), &json!(missing)));

    let (status, _) = submit(dossier(&dossier_id(), FREE, &[]), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Level 1 is enough without fees; with fees, the step-up challenge (RFC 9470).
    let level1 = w.login(LEVEL1, 1).await;
    let (status, _) = submit(dossier(&dossier_id(), FREE, &[]), Some(level1.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let response = w.submit_raw(&level1, &dossier(&dossier_id(), PAID, &[])).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[header::WWW_AUTHENTICATE].to_str().expect("ASCII").to_owned();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains("error=\"insufficient_user_authentication\""), "{challenge}");
    assert!(challenge.contains("acr_values=\"vneid:level2\""), "{challenge}");

    // Nothing refused left an effect.
    assert_eq!(w.ledger().await["dossiers"].as_object().expect("an object").len(), 1);

    // An option by its label and numbers grouped as residents type them are taken.
    let mut body = dossier(&dossier_id(), FREE, &[]);
    body["for_person"] = json!("child");
    body["fields"]["quan_he"] = json!("Mẹ");
    body["fields"]["so_cccd"] = json!("0300 9500 1234");
    body["fields"]["so_dien_thoai"] = json!("0912.345.678");
    let (status, error) = submit(body, Some(token.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{error}");

    // A procedure removed from the catalog takes no more dossiers (it was taken just above).
    w.sandbox.portal().remove(FREE).expect("removed").expect("it existed");
    let (status, error) = submit(dossier(&dossier_id(), FREE, &[]), Some(token.clone())).await;
    assert_eq!((status, &error["error"]), (StatusCode::NOT_FOUND, &json!("unknown_procedure")));
}

#[tokio::test]
async fn residents_follow_their_dossiers_and_anyone_can_look_one_up() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let other = w.login(LEVEL1, 1).await;
    let id = dossier_id();
    let (status, answer) = w.call(Method::POST, "/api/v1/dossiers", Some(&token), Some(dossier(&id, FREE, &[]))).await;
    assert_eq!(status, StatusCode::CREATED);
    let code = answer["code"].as_str().expect("a code").to_owned();

    let (status, page) = w.call(Method::GET, "/api/v1/dossiers?since=0", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    let item = &page["items"][0];
    assert_eq!((&item["dossier_id"], &item["code"], &item["status"]), (&json!(id), &json!(code), &json!("received")));
    assert_eq!(item["procedure_code"], json!(FREE));
    let cursor = page["next_since"].as_u64().expect("a cursor");
    assert_eq!(cursor, item["seq"].as_u64().expect("a seq"));
    let (_, page) = w.call(Method::GET, &format!("/api/v1/dossiers?since={cursor}"), Some(&token), None).await;
    assert_eq!(page, json!({"items": [], "next_since": cursor}));

    w.officer(&code, "processing", None).await;
    w.officer(&code, "need_more_documents", Some("Bổ sung bản sao giấy chứng sinh")).await;
    let (status, error) = common::officer_call(
        &w.http,
        &w.base,
        &format!("/officer/dossiers/{code}/status"),
        json!({"status": "rejected"}),
    )
    .await;
    assert_eq!((status, &error["field"]), (StatusCode::BAD_REQUEST, &json!("message")));
    let (status, _) = common::officer_call(
        &w.http,
        &w.base,
        &format!("/officer/dossiers/{code}/result"),
        json!({"name": "Giấy khai sinh"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (_, page) = w.call(Method::GET, &format!("/api/v1/dossiers?since={cursor}"), Some(&token), None).await;
    let item = &page["items"][0];
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    assert_eq!(item["status"], json!("need_more_documents"));
    assert!(page["next_since"].as_u64().expect("a cursor") > cursor);
    let statuses: Vec<&str> = item["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|e| e["status"].as_str().expect("a status"))
        .collect();
    assert_eq!(statuses, ["received", "processing", "need_more_documents"]);
    assert_eq!(item["timeline"][2]["message"], json!("Bổ sung bản sao giấy chứng sinh"));
    assert_eq!(item["result"]["name"], json!("Giấy khai sinh"));
    let pdf = w
        .http
        .get(w.url(item["result"]["url"].as_str().expect("a URL")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the result");
    assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));

    // Another resident sees none of it.
    let (_, page) = w.call(Method::GET, "/api/v1/dossiers?since=0", Some(&other), None).await;
    assert_eq!(page["items"], json!([]));
    let (status, _) = w.call(Method::GET, "/api/v1/dossiers?since=0", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The public lookup: status only, nothing personal.
    let (status, public) = w.call(Method::GET, &format!("/api/v1/dossiers/lookup/{code}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&String> = public.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["code", "procedure_name", "status", "updated_at"]);
    assert_eq!(
        (&public["status"], &public["procedure_name"]),
        (&json!("need_more_documents"), &json!("Đăng ký khai sinh (thử)"))
    );
    let text = public.to_string();
    assert!(!text.contains("Nguyễn") && !text.contains("030095001234") && !text.contains(&id));
    let (status, _) = w.call(Method::GET, "/api/v1/dossiers/lookup/H19.25-000000-9999", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The officer console: the page lists it, and its forms post (with the CSRF token) and come back.
    let (cookie, csrf) = common::officer_login(&w.http, &w.base).await;
    let html = w
        .http
        .get(w.url("/officer"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("the page")
        .text()
        .await
        .expect("HTML");
    assert!(html.contains(&code) && html.contains("Yêu cầu bổ sung") && html.contains("More documents needed"));
    let back = w
        .http
        .post(w.url(&format!("/officer/dossiers/{code}/status")))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("status", "result_ready"), ("message", ""), ("csrf", &csrf)]))
        .send()
        .await
        .expect("an answer");
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(back.headers()[header::LOCATION], "/officer");
    let (_, public) = w.call(Method::GET, &format!("/api/v1/dossiers/lookup/{code}"), None, None).await;
    assert_eq!(public["status"], json!("result_ready"));
}

#[tokio::test]
async fn faults_do_what_they_say() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;

    // error_500: answered, no effect.
    w.fault("submit", "error_500", 1.0, 0).await;
    let id = dossier_id();
    let response = w.submit_raw(&token, &dossier(&id, FREE, &[])).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(w.ledger().await["dossiers"].get(&id).is_none());
    // Faults on one route leave the others alone, and never the admin routes.
    let (status, _) = w.call(Method::GET, "/api/v1/dossiers?since=0", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    w.clear_faults().await;

    // drop: the connection closes before the request is handled.
    w.fault("*", "drop", 1.0, 0).await;
    assert!(w.submit_raw(&token, &dossier(&id, FREE, &[])).await.is_err());
    assert!(w.ledger().await["dossiers"].get(&id).is_none());
    w.clear_faults().await;

    // delay: slow, then handled.
    w.fault("dossiers", "delay", 1.0, 700).await;
    let (status, _) = w.call(Method::GET, "/api/v1/dossiers?since=0", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    // The delay is seen by its effect, not timed: a client waiting less gives up.
    let slow = w.http.get(w.url("/api/v1/dossiers?since=0")).bearer_auth(&token).timeout(Duration::from_millis(200));
    assert!(slow.send().await.expect_err("a client timeout").is_timeout());
    w.clear_faults().await;

    // commit_then_drop: the lost acknowledgement. The client sees a closed connection, the
    // ledger shows the effect, and the retry gets the first answer.
    w.fault("submit", "commit_then_drop", 1.0, 0).await;
    let body = dossier(&id, FREE, &[]);
    let lost = w.submit_raw(&token, &body).await;
    let error = lost.expect_err("no answer");
    assert!(!error.is_timeout(), "{error}");
    assert_eq!(w.ledger().await["dossiers"][&id], json!(1));
    w.clear_faults().await;
    let retry = w.submit_raw(&token, &body).await.expect("an answer");
    assert_eq!(retry.status(), StatusCode::OK);
    let answer: Value = retry.json().await.expect("JSON");
    let code = answer["code"].as_str().expect("a code");
    let (status, _) = w.call(Method::GET, &format!("/api/v1/dossiers/lookup/{code}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w.ledger().await["dossiers"][&id], json!(1));

    // Bad faults are refused.
    let (status, _) = w
        .admin(Method::POST, "/admin/faults", Some(json!({"route": "submit", "kind": "drop", "probability": 2})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn faults_can_be_set_at_start_and_state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = start(dir.path()).await;
    add_procedures(&sandbox);
    let w = World { base: sandbox.base_url(), sandbox, http: client(), _dir: tempfile::tempdir().expect("a temp dir") };
    let token = w.login(LEVEL2, 2).await;
    let attachment = w.upload(&token, &png(3000), "image/png").await;
    let id = dossier_id();
    let (status, first) =
        w.call(Method::POST, "/api/v1/dossiers", Some(&token), Some(dossier(&id, FREE, &[&attachment]))).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut ledger = w.ledger().await;
    w.sandbox.stop().await;
    // What was committed survives; the count of requests is the running sandbox's own.
    assert_eq!(ledger["submit_requests"], json!(1));
    ledger["submit_requests"] = json!(0);

    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 40;
    config.faults = vec!["submit:error_500:1".parse().expect("a fault")];
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts again");
    let w = World { base: sandbox.base_url(), sandbox, http: client(), _dir: dir };
    assert_eq!(w.ledger().await, ledger);
    let token = w.login(LEVEL2, 2).await;
    let response = w.submit_raw(&token, &dossier(&id, FREE, &[&attachment])).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    w.clear_faults().await;
    let (status, replay) =
        w.call(Method::POST, "/api/v1/dossiers", Some(&token), Some(dossier(&id, FREE, &[&attachment]))).await;
    assert_eq!((status, replay), (StatusCode::OK, first));
}

/// A round of "Yêu cầu bổ sung" over HTTP: the feed carries the request; the answer must bring
/// every requested document, for the open round; it is taken once per supplement id (a retry
/// gets the first answer byte for byte); a withdrawal only before processing.
#[tokio::test]
async fn supplements_answer_the_open_round_once_and_withdrawal_comes_before_processing() {
    let w = World::new().await;
    let token = w.login(LEVEL2, 2).await;
    let id = dossier_id();
    let (status, created) = w.call(Method::POST, "/api/v1/dossiers", Some(&token), Some(dossier(&id, FREE, &[]))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let code = created["code"].as_str().unwrap().to_owned();
    let ask = json!({"status": "need_more_documents", "message": "Bổ sung", "documents": ["Bản sao CCCD", "Ảnh 4x6"]});
    let (status, view) = common::officer_call(&w.http, &w.base, &format!("/officer/dossiers/{code}/status"), ask).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["supplement"]["round"], 1);
    assert_eq!(view["supplement"]["documents"], json!(["Bản sao CCCD", "Ảnh 4x6"]));
    let (_, feed) = w.call(Method::GET, "/api/v1/dossiers?since=0", Some(&token), None).await;
    assert_eq!(feed["items"][0]["supplement"]["message"], "Bổ sung");

    let path = format!("/api/v1/dossiers/{id}/supplements");
    let copy = w.upload(&token, &png(3000), "image/png").await;
    let answer = |round: u32, attachments: Value| json!({"supplement_id": "s-1", "round": round, "fields": dossier(&id, FREE, &[])["fields"], "attachments": attachments});
    let only_copy = json!([{"sha256": copy, "name": "cccd.png", "document": "Bản sao CCCD"}]);
    let (status, error) = w.call(Method::POST, &path, Some(&token), Some(answer(1, only_copy))).await;
    assert_eq!((status, &error["field"]), (StatusCode::BAD_REQUEST, &json!("documents")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("Ảnh 4x6"), "{error}");
    let photo = w.upload(&token, &png(2000), "image/png").await;
    let both = json!([
        {"sha256": copy, "name": "cccd.png", "document": "Bản sao CCCD"},
        {"sha256": photo, "name": "anh.png", "document": "Ảnh 4x6"}
    ]);
    let (status, error) = w.call(Method::POST, &path, Some(&token), Some(answer(2, both.clone()))).await;
    assert_eq!((status, &error["error"]), (StatusCode::CONFLICT, &json!("not_awaiting_supplement")));
    let first = w.http.post(w.url(&path)).bearer_auth(&token).json(&answer(1, both.clone())).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = first.text().await.unwrap();
    assert!(first.contains("\"status\":\"processing\""), "{first}");
    let again = w.http.post(w.url(&path)).bearer_auth(&token).json(&answer(1, both)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.text().await.unwrap(), first, "the first answer, replayed");
    assert_eq!(w.ledger().await["actions"]["s-1"], 1);

    let withdrawal = format!("/api/v1/dossiers/{id}/withdrawal");
    let (status, error) = w.call(Method::POST, &withdrawal, Some(&token), Some(json!({"withdrawal_id": "w-1"}))).await;
    assert_eq!((status, &error["error"]), (StatusCode::CONFLICT, &json!("not_withdrawable")), "being processed");
    let other = dossier_id();
    w.call(Method::POST, "/api/v1/dossiers", Some(&token), Some(dossier(&other, FREE, &[]))).await;
    let withdrawal = format!("/api/v1/dossiers/{other}/withdrawal");
    let body = json!({"withdrawal_id": "w-2", "reason": "Nộp nhầm"});
    let (status, view) = w.call(Method::POST, &withdrawal, Some(&token), Some(body.clone())).await;
    assert_eq!((status, &view["status"]), (StatusCode::CREATED, &json!("withdrawn")), "{view}");
    let (status, _) = w.call(Method::POST, &withdrawal, Some(&token), Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w.ledger().await["actions"]["w-2"], 1);
    let stranger = w.login(LEVEL1, 2).await;
    let (status, _) = w.call(Method::POST, &withdrawal, Some(&stranger), Some(json!({"withdrawal_id": "w-3"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the owner");
}
