//! Shared set-up for the integration tests and benchmarks: a real sandbox on loopback with its
//! own SQLite file, and a core on a fresh data dir pointed at it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use smarthd_core::{Config, Event, EventListener, NoEvents, Services, SmartHd};
use smarthd_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;

/// A sandbox serving a catalog of `size` procedures from a database in `dir`.
pub async fn sandbox_in(dir: &Path, size: usize) -> Sandbox {
    let mut config = SandboxConfig::ephemeral(dir.join("sandbox.db"));
    config.catalog_size = size;
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// A temporary folder, a sandbox in it, and a core on a data dir inside it.
pub struct World {
    pub dir: TempDir,
    pub sandbox: Sandbox,
}

impl World {
    pub async fn new(size: usize) -> World {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = sandbox_in(dir.path(), size).await;
        World { dir, sandbox }
    }

    /// A world whose portal takes dossiers one at a time: no `POST /api/v1/dossier-batches`.
    pub async fn without_dossier_batches(size: usize) -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
        config.catalog_size = size;
        config.dossier_batches = false;
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        World { dir, sandbox }
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub fn core(&self) -> SmartHd {
        self.core_with(Arc::new(NoEvents))
    }

    pub fn core_with(&self, events: Arc<dyn EventListener>) -> SmartHd {
        SmartHd::open(self.config(), Services::with_key_dir(self.data_dir().join("keys")).events(events)).unwrap()
    }

    /// The configuration [`World::core`] opens with: the sandbox's portal, the world's data dir.
    pub fn config(&self) -> Config {
        Config::new(&self.sandbox.base_url(), self.data_dir()).unwrap()
    }

    /// A core with the sandbox's receipt key pinned in its configuration, as the CLI's demo does.
    pub fn core_pinning_receipt_key(&self) -> SmartHd {
        let mut config = self.config();
        let pin = self.sandbox.payments().receipt_key_pin();
        config.receipt_keys = vec![smarthd_core::ReceiptKeyPin::parse(&pin).unwrap()];
        SmartHd::open(config, Services::with_key_dir(self.data_dir().join("keys"))).unwrap()
    }
}

/// Records every event, for assertions.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Event>>);

impl EventListener for Recorder {
    fn on_event(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

/// Logs `core` in as `who` through the sandbox's real login page, the way a resident would in
/// the browser (the robot fills the form over HTTP).
pub async fn log_in(
    core: &SmartHd,
    level: u8,
    who: &smarthd_sandbox::robot::Credentials<'_>,
) -> smarthd_core::Result<smarthd_core::Profile> {
    let callback = login_callback(core, level, who).await?;
    core.session().complete_login(&callback).await
}

/// A login of `who` begun by `core` and through the login page: the callback URL the browser
/// brings back, for the test to complete the login when it chooses.
pub async fn login_callback(
    core: &SmartHd,
    level: u8,
    who: &smarthd_sandbox::robot::Credentials<'_>,
) -> smarthd_core::Result<String> {
    let url = core.session().begin_login(&smarthd_core::LoginOptions { level, locale: None, prompt: None }).await?;
    Ok(smarthd_sandbox::robot::log_in(&url, who).await.expect("the robot gets through the login page"))
}

/// The sandbox's tester routes over HTTP (`/admin/...`), as a tester's script would use them.
/// They need the sandbox's admin token and JSON bodies.
pub struct Admin {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Admin {
    pub fn new(sandbox: &Sandbox) -> Admin {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Admin { base: sandbox.base_url(), token: sandbox.admin_token().to_owned(), http: reqwest::Client::new() }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(smarthd_sandbox::ADMIN_TOKEN_HEADER, &self.token)
    }

    pub async fn get(&self, path: &str) -> serde_json::Value {
        let response = self.request(reqwest::Method::GET, path).send().await.unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self.request(reqwest::Method::POST, path).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "POST {path}: {}", response.status());
        response.json().await.unwrap_or(serde_json::Value::Null)
    }

    /// Makes every request on `route` meet the fault `kind` (`DELETE admin/faults` clears it).
    pub async fn fault(&self, route: &str, kind: &str) {
        self.post("admin/faults", serde_json::json!({"route": route, "kind": kind, "probability": 1.0})).await;
    }

    pub async fn delete(&self, path: &str) {
        let response = self.request(reqwest::Method::DELETE, path).json(&serde_json::json!({})).send().await.unwrap();
        assert!(response.status().is_success(), "DELETE {path}: {}", response.status());
    }

    /// The portal's whole dossier ledger: every dossier id it ever created, and how many times.
    pub async fn dossier_ledger(&self) -> BTreeMap<String, u64> {
        let ledger = self.get("admin/ledger").await;
        let dossiers = ledger["dossiers"].as_object().expect("the ledger lists dossiers");
        dossiers.iter().map(|(id, n)| (id.clone(), n.as_u64().expect("a count"))).collect()
    }

    /// Exactly once, judged on the portal's whole ledger rather than on the ids the test knows:
    /// the portal created each of `expected` once and nothing else (a resend under a new id, or
    /// a dossier that never arrived, fails here).
    pub async fn assert_portal_created_exactly<'a>(&self, expected: impl IntoIterator<Item = &'a str>) {
        let expected: BTreeMap<String, u64> = expected.into_iter().map(|id| (id.to_owned(), 1)).collect();
        let ledger = self.dossier_ledger().await;
        let total: u64 = ledger.values().sum();
        assert_eq!(total, expected.len() as u64, "dossiers created at the portal, in all");
        let unknown: Vec<&String> = ledger.keys().filter(|id| !expected.contains_key(*id)).collect();
        assert!(unknown.is_empty(), "the portal created dossiers the phone never made: {unknown:?}");
        assert_eq!(ledger, expected, "each dossier exactly once");
    }
}

/// Fills every field of a draft as the scripted resident would.
pub fn fill_valid(core: &SmartHd, dossier_id: &str) {
    let dossier = core.dossiers().get(dossier_id).unwrap();
    let procedure = core.catalog().procedure(&dossier.procedure_code).unwrap();
    for field in &procedure.form.fields {
        let value = smarthd_sandbox::robot::sample_value(field);
        assert_eq!(core.dossiers().set_field(dossier_id, &field.key, &value).unwrap(), None, "{}", field.key);
    }
    assert!(core.dossiers().validate(dossier_id).unwrap().is_empty());
}

/// An officer takes the resident's received dossier `id` into processing: the next status feed
/// has a change for the phone. Answers the dossier's code.
pub async fn officer_takes_into_processing(world: &World, core: &SmartHd, id: &str) -> String {
    let code = core.dossiers().get(id).unwrap().code.expect("received");
    let officer =
        smarthd_sandbox::robot::OfficerConsole::log_in(&world.sandbox.base_url(), &smarthd_sandbox::OFFICERS[0])
            .await
            .unwrap();
    officer.set_status(&code, "processing", None).await.unwrap();
    code
}

/// Runs `act` on a thread of its own while another process on the data dir writes `user.db`:
/// `write` runs in a transaction that process holds open when `act` starts and commits a moment
/// later. A call that checks before it takes the write lock has checked by then, and writes
/// after a change it never saw; one that checks in its own write transaction sees the change.
pub fn while_another_process_writes<T: Send>(
    world: &World,
    write: impl FnOnce(&rusqlite::Connection),
    act: impl FnOnce() -> T + Send,
) -> T {
    let other = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    write(&other);
    std::thread::scope(|scope| {
        let acting = scope.spawn(act);
        // The order only: a shorter wait could let a call that checks too early pass unseen,
        // never fail one that checks in time.
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
        acting.join().unwrap()
    })
}

/// Puts the next attempt of `dossier_id`'s outbox entries `secs` from now, as another process
/// would (negative: due now): a test then does not depend on how long a backoff runs.
pub fn next_attempt_in(world: &World, dossier_id: &str, secs: i64) {
    rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .execute(
            "UPDATE outbox SET next_attempt_at = CAST(strftime('%s', 'now') AS INTEGER) + ?2 WHERE dossier_id = ?1",
            rusqlite::params![dossier_id, secs],
        )
        .unwrap();
}

/// A small file of the given kind with some unique content.
pub fn sample_file(dir: &Path, name: &str, kind: &str, size: usize, seed: u64) -> std::path::PathBuf {
    let header: &[u8] = match kind {
        "jpeg" => b"\xFF\xD8\xFF\xE0",
        "png" => b"\x89PNG\r\n\x1a\n",
        "pdf" => b"%PDF-1.4\n",
        _ => b"MZ\x90\x00",
    };
    let mut bytes = header.to_vec();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(x as u8);
    }
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Pays a fee the way a level-2 resident does: a fee-paying procedure's dossier is submitted and
/// received, paid at the gateway (the robot clicks "pay"), and its receipt fetched. Answers the
/// paid order and its receipt's id. `core` must have a synced catalog.
pub async fn pay_a_fee(core: &SmartHd) -> (smarthd_core::payment::PaymentOrder, String) {
    use smarthd_core::payment::{PaymentMethod, PaymentStatus};
    use smarthd_sandbox::payment::{GatewayAction, pay_at_gateway};
    log_in(core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    let hits = core.catalog().search("ly lich tu phap", &Default::default(), Default::default()).unwrap().hits;
    let code =
        hits.iter().map(|h| core.catalog().procedure(&h.code).unwrap()).find(|p| !p.fees.is_empty()).unwrap().code;
    let draft = core.dossiers().new_draft(&code, smarthd_core::catalog::model::Subject::Citizen).unwrap();
    fill_valid(core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    let return_url = "vn.gov.haiduong.smarthd:/payment-return";
    let order = core.payments().pay(&draft.id, PaymentMethod::Gateway, return_url).await.unwrap();
    let landed =
        pay_at_gateway(order.pay_url.as_deref().unwrap(), &GatewayAction::Pay { bank: "NCB".into() }).await.unwrap();
    let paid = core.payments().handle_return(&landed).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    let receipt_id = paid.receipt_id.clone().expect("a receipt");
    (paid, receipt_id)
}

/// The attack on a stolen or shared phone's `user.db`: an Ed25519 key of the attacker's written
/// in as `key_id`, the kept receipt replaced by one for 5,000,000 đ signed with it, and the
/// local order's amount raised to match.
pub fn forge_receipt(data_dir: &Path, order: &smarthd_core::payment::PaymentOrder, receipt_id: &str, key_id: &str) {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let forger = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
    let payload = serde_json::json!({
        "receipt_id": receipt_id, "order_id": order.order_id, "dossier_id": order.dossier_id,
        "dossier_code": "H19", "amount_vnd": 5_000_000, "method": "gateway", "txn_ref": "PO1A1",
        "bank_tran_no": "VNP1", "paid_at": "2026-11-28T10:00:00+07:00", "issuer": "Cổng Dịch vụ công tỉnh Hải Dương"
    })
    .to_string();
    let signature = smarthd_core::identity::jose::b64(forger.sign(payload.as_bytes()).as_ref());
    let db = rusqlite::Connection::open(data_dir.join("user.db")).unwrap();
    db.execute(
        "INSERT OR REPLACE INTO receipt_key (key_id, public_key) VALUES (?1, ?2)",
        rusqlite::params![key_id, forger.public_key().as_ref()],
    )
    .unwrap();
    db.execute(
        "UPDATE receipt SET payload = ?2, signature = ?3, key_id = ?4 WHERE receipt_id = ?1",
        rusqlite::params![receipt_id, payload, signature, key_id],
    )
    .unwrap();
    db.execute("UPDATE payment SET amount_vnd = 5000000 WHERE order_id = ?1", [&order.order_id]).unwrap();
}

/// Writes garbage over the cells of a leaf page of `table` in the middle of a closed SQLite file
/// (its WAL checkpointed first), as failing storage does: interior damage, never the header.
pub fn damage_table(path: &Path, table: &str) {
    let (root, page_size) = {
        let db = rusqlite::Connection::open(path).unwrap();
        db.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
        let root: i64 =
            db.query_row("SELECT rootpage FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        let page_size: i64 = db.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
        (root as usize, page_size as usize)
    };
    let mut bytes = std::fs::read(path).unwrap();
    let start_of = |page: usize| (page - 1) * page_size;
    let mut page = root;
    // Down the table's b-tree, through the middle child of each interior page, to a leaf.
    while bytes[start_of(page)] == 0x05 {
        let header = start_of(page);
        let cells = u16::from_be_bytes([bytes[header + 3], bytes[header + 4]]) as usize;
        assert!(cells > 0, "an interior page with children");
        let pointer = header + 12 + 2 * (cells / 2);
        let cell = header + u16::from_be_bytes([bytes[pointer], bytes[pointer + 1]]) as usize;
        page = u32::from_be_bytes(bytes[cell..cell + 4].try_into().unwrap()) as usize;
    }
    assert_eq!(bytes[start_of(page)], 0x0D, "a table leaf page");
    assert!(page != root, "{table} spans more than one page");
    // From where the page's cells start (its content area), over their headers.
    let header = start_of(page);
    let cells = header + u16::from_be_bytes([bytes[header + 5], bytes[header + 6]]) as usize;
    let end = (cells + 512).min(header + page_size);
    for (i, byte) in bytes[cells..end].iter_mut().enumerate() {
        *byte = (i as u8).wrapping_mul(37) ^ 0xA5;
    }
    std::fs::write(path, bytes).unwrap();
}

/// A sandbox officer at the console's JSON API (the IOC publishing alerts, handling reports).
pub async fn officer_post(sandbox: &Sandbox, path: &str, body: serde_json::Value) -> serde_json::Value {
    Officer::log_in(sandbox).await.post(path, body).await
}

/// A sandbox officer logged in once at the console, for many requests.
pub struct Officer {
    http: reqwest::Client,
    base_url: String,
    cookie: String,
    csrf: String,
}

impl Officer {
    pub async fn log_in(sandbox: &Sandbox) -> Officer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let account = &smarthd_sandbox::OFFICERS[0];
        let login = http
            .post(format!("{}officer/login", sandbox.base_url()))
            .json(&serde_json::json!({"username": account.username, "password": account.password}))
            .send()
            .await
            .unwrap();
        let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let csrf = login.json::<serde_json::Value>().await.unwrap()["csrf"].as_str().unwrap().to_owned();
        Officer { http, base_url: sandbox.base_url(), cookie, csrf }
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("cookie", &self.cookie)
            .header(smarthd_sandbox::OFFICER_CSRF_HEADER, &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "POST {path}: {}", response.status());
        response.json().await.unwrap()
    }
}

/// A phone camera's photo (EXIF GPS position, maker note, serial number, XMP, IPTC, a comment)
/// written to `dir/name`; `seed` sets its size, so photos with different seeds differ.
pub fn camera_photo(dir: &Path, name: &str, seed: u32) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, smarthd_core::report::fixture::camera_jpeg(64 + 16 * seed, 32 + 8 * seed, 6)).unwrap();
    path
}

/// A field report by `core`'s logged-in resident taken to its answer: drafted with one photo,
/// sent, accepted, assigned and answered with proof at the operations centre, and synced back.
/// Answers its id.
pub async fn handled_report(sandbox: &Sandbox, core: &SmartHd, dir: &Path) -> String {
    use base64::Engine;
    use smarthd_core::report::{GeoPoint, Urgency};
    core.reports().refresh_published().await.unwrap();
    let draft = smarthd_core::ReportDraft {
        category: "chieu_sang".into(),
        text: "Đèn đường hỏng trước chợ.".into(),
        location: GeoPoint { lat: 20.82, lon: 106.22 },
        address_note: None,
        urgency: Urgency::Normal,
        share_identity: false,
    };
    let report = core.reports().create(&draft).unwrap();
    core.reports().add_photo(&report.id, &camera_photo(dir, &format!("{}.jpg", report.id), 9)).unwrap();
    core.reports().submit(&report.id).unwrap();
    core.sync().now().await.unwrap();
    let code = core.reports().get(&report.id).unwrap().code.expect("received");
    let proof =
        smarthd_core::report::photo::normalize(&smarthd_core::report::fixture::camera_jpeg(40, 40, 1)).unwrap().jpeg;
    let proof = base64::engine::general_purpose::STANDARD.encode(proof);
    for (step, body) in [
        ("accept", serde_json::json!({})),
        ("assign", serde_json::json!({"agency": "Công ty Chiếu sáng đô thị"})),
        ("answer", serde_json::json!({"message": "Đã thay bóng đèn mới.", "photos_base64": [proof]})),
    ] {
        officer_post(sandbox, &format!("officer/api/reports/{code}/{step}"), body).await;
    }
    core.sync().now().await.unwrap();
    report.id
}
