//! The exported API from Rust, with test doubles of the app's platform services, against the
//! real sandbox on loopback (the Python and Kotlin suites run the same journey through the
//! generated bindings).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use smarthd_core::{Event, SyncOutcome};
use smarthd_tests::World;

use super::*;

#[derive(Default)]
struct MemoryStorage(Mutex<HashMap<String, Vec<u8>>>);

impl SecureStorage for MemoryStorage {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>> {
        Ok(self.0.lock().unwrap().get(&key).cloned())
    }
    fn put(&self, key: String, value: Vec<u8>) -> Result<()> {
        self.0.lock().unwrap().insert(key, value);
        Ok(())
    }
    fn delete(&self, key: String) -> Result<()> {
        self.0.lock().unwrap().remove(&key);
        Ok(())
    }
}

#[derive(Default)]
struct Events(Mutex<Vec<Event>>);

impl EventListener for Events {
    fn on_event(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

#[derive(Default)]
struct Lines(Mutex<Vec<LogRecord>>);

impl Logger for Lines {
    fn log(&self, record: LogRecord) {
        self.0.lock().unwrap().push(record);
    }
}

fn config(world: &World) -> CoreConfig {
    CoreConfig {
        portal_url: world.sandbox.base_url(),
        data_dir: world.data_dir().to_string_lossy().into_owned(),
        connect_timeout_ms: 5000,
        request_timeout_ms: 30000,
        pinned_spki_sha256: vec![],
        log_level: Some(LogLevel::Debug),
    }
}

fn open(world: &World, events: Option<Arc<dyn EventListener>>, logger: Option<Arc<dyn Logger>>) -> Arc<SmartHd> {
    SmartHd::open(config(world), Arc::new(MemoryStorage::default()), events, logger, None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_through_the_exported_api() {
    let world = World::new(300).await;
    let events = Arc::new(Events::default());
    let lines = Arc::new(Lines::default());
    let core = open(&world, Some(events.clone()), Some(lines.clone()));

    let report = core.sync_catalog(None).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Updated);
    assert_eq!(report.upserted, 300);
    assert_eq!(events.0.lock().unwrap().last(), Some(&Event::CatalogSyncProgress { done: 300, total: 300 }));
    let logged = lines.0.lock().unwrap().clone();
    assert!(logged.iter().any(|r| r.message.contains("catalog synced") && r.level == LogLevel::Info), "{logged:?}");

    let page = core.search("dang ky khai sinh".into(), SearchFilters::default(), PageRequest::default()).unwrap();
    assert_eq!(page.hits[0].name, "Đăng ký khai sinh");
    let procedure = core.procedure(page.hits[0].code.clone()).unwrap();
    assert!(!procedure.form.fields.is_empty());
    assert!(matches!(core.procedure("0.0.X".into()), Err(SmartHdError::NotFound { .. })));

    core.add_favorite(procedure.code.clone()).unwrap();
    assert_eq!(core.favorites().unwrap().len(), 1);
    core.remove_favorite(procedure.code.clone()).unwrap();
    assert!(core.favorites().unwrap().is_empty());
    assert_eq!(core.recently_viewed(5).unwrap()[0].code, procedure.code);
    assert!(!core.fields().unwrap().is_empty() && !core.agencies().unwrap().is_empty());
    assert!(!core.units().unwrap().units.is_empty());
    assert_eq!(core.sync_catalog(None).await.unwrap().outcome, SyncOutcome::NotModified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_handle_gives_cancelled_and_dropping_the_future_cancels() {
    let world = World::new(50).await;
    let core = open(&world, None, None);
    let handle = CancelHandle::new();
    handle.cancel();
    assert!(matches!(core.sync_catalog(Some(handle)).await, Err(SmartHdError::Cancelled { .. })));

    // The foreign side cancels its coroutine: UniFFI drops the future; the work is cancelled.
    let handle = CancelHandle::new();
    let polled_once = tokio::time::timeout(Duration::from_nanos(1), core.sync_catalog(Some(handle.clone()))).await;
    if polled_once.is_err() {
        assert!(handle.is_cancelled());
    }
}

#[test]
fn config_is_checked_before_anything_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CoreConfig {
        portal_url: "http://portal.example/".into(),
        data_dir: dir.path().to_string_lossy().into_owned(),
        connect_timeout_ms: 5000,
        request_timeout_ms: 30000,
        pinned_spki_sha256: vec![],
        log_level: None,
    };
    let open = |c: &CoreConfig| SmartHd::open(c.clone(), Arc::new(MemoryStorage::default()), None, None, None);
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "portal_url"));
    config.portal_url = "https://portal.example/".into();
    config.pinned_spki_sha256 = vec![vec![0; 31]];
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "pinned_spki_sha256"));
    config.pinned_spki_sha256 = vec![vec![0; 32]];
    config.request_timeout_ms = 0;
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "timeout"));
    config.request_timeout_ms = 1000;
    assert!(open(&config).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_sync_and_lookup_through_the_exported_api() {
    let world = World::new(300).await;
    let events = Arc::new(Events::default());
    let core = open(&world, Some(events.clone()), None);
    core.sync_catalog(None).await.unwrap();
    assert_eq!(core.session_state().await.unwrap(), SessionState::LoggedOut);
    assert_eq!(core.whoami().await.unwrap(), None);
    let url = core.begin_login(2, Some("vi".into()), None).await.unwrap();
    assert!(url.starts_with(&world.sandbox.base_url()), "{url}");
    core.cancel_login().unwrap();

    let code = core.search("dang ky khai sinh".into(), SearchFilters::default(), PageRequest::default()).unwrap().hits
        [0]
    .code
    .clone();
    let draft = core.new_draft(code.clone(), Subject::Citizen).unwrap();
    assert_eq!(draft.status, DossierStatus::Draft);
    let Err(SmartHdError::Validation { field, .. }) = core.submit(draft.id.clone()) else { panic!("submitted") };
    assert!(core.procedure(code).unwrap().form.fields.iter().any(|f| f.key == field), "{field}");
    assert!(matches!(
        core.set_field(draft.id.clone(), "khong_co".into(), "x".into()),
        Err(SmartHdError::Validation { field, .. }) if field == "khong_co"
    ));
    assert!(!core.validate_draft(draft.id.clone()).unwrap().is_empty());
    let pdf = world.dir.path().join("a.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n0123456789").unwrap();
    let attachment = core.attach(draft.id.clone(), pdf.to_string_lossy().into_owned()).unwrap();
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(core.dossiers().unwrap().len(), 1);

    // Not logged in: nothing can be sent.
    let report = core.sync().await.unwrap();
    assert_eq!(report.outbox.sent, 0);
    assert!(matches!(core.lookup("KHONG-CO".into()).await, Err(SmartHdError::NotFound { .. })));
    assert!(core.payments().unwrap().is_empty() && core.receipts().unwrap().is_empty());
    assert!(matches!(core.payment("x".into()), Err(SmartHdError::NotFound { .. })));
    core.delete_draft(draft.id.clone()).unwrap();
    assert!(matches!(core.dossier(draft.id), Err(SmartHdError::NotFound { .. })));
    assert_eq!(core.logout().await.unwrap(), None);
}

#[test]
fn vietqr_labels_and_masking() {
    const DYNAMIC: &str = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";
    let qr = vietqr_decode(DYNAMIC.into()).unwrap();
    assert_eq!((qr.amount, qr.bill_number.as_deref()), (Some(180_000), Some("NPS6869")));
    assert_eq!(vietqr_encode(qr), DYNAMIC);
    let bad = vietqr_decode(DYNAMIC.replace("2E2E", "2E2F"));
    assert!(matches!(bad, Err(SmartHdError::Validation { ref field, .. }) if field == "vietqr"), "{bad:?}");
    let matrix = vietqr_matrix(DYNAMIC.into()).unwrap();
    assert_eq!(matrix.modules.len() as u32, matrix.width * matrix.width);
    assert_eq!(mask_cccd("030095001234".into()), "030******234");
    assert_eq!(dossier_status_label(DossierStatus::Received), "Đã tiếp nhận / Received");
    assert_eq!(payment_status_label(PaymentStatus::Succeeded), "Đã thanh toán / paid");
    assert!(field_problem_message(FieldProblem::TooLong { max: 5 }).contains('5'));
}
