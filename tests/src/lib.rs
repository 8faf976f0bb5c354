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

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub fn core(&self) -> SmartHd {
        self.core_with(Arc::new(NoEvents))
    }

    pub fn core_with(&self, events: Arc<dyn EventListener>) -> SmartHd {
        let config = Config::new(&self.sandbox.base_url(), self.data_dir()).unwrap();
        SmartHd::open(config, Services::with_key_dir(self.data_dir().join("keys")).events(events)).unwrap()
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
    let url = core.session().begin_login(&smarthd_core::LoginOptions { level, locale: None, prompt: None }).await?;
    let callback = smarthd_sandbox::robot::log_in(&url, who).await.expect("the robot gets through the login page");
    core.session().complete_login(&callback).await
}

/// The sandbox's tester routes over HTTP (`/admin/...`), as a tester's script would use them.
pub struct Admin {
    base: String,
    http: reqwest::Client,
}

impl Admin {
    pub fn new(sandbox: &Sandbox) -> Admin {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Admin { base: sandbox.base_url(), http: reqwest::Client::new() }
    }

    pub async fn get(&self, path: &str) -> serde_json::Value {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "POST {path}: {}", response.status());
        response.json().await.unwrap_or(serde_json::Value::Null)
    }

    pub async fn delete(&self, path: &str) {
        let response = self.http.delete(format!("{}{path}", self.base)).send().await.unwrap();
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
