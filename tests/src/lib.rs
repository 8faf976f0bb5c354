//! Shared set-up for the integration tests and benchmarks: a real sandbox on loopback with its
//! own SQLite file, and a core on a fresh data dir pointed at it.

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
