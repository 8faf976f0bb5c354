//! The exported API from Rust, with test doubles of the app's platform services, against the
//! real sandbox on loopback (the Python and Kotlin suites run the same journey through the
//! generated bindings).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use smarthd_core::catalog::model::Subject;
use smarthd_core::dossier::{DossierStatus, FieldProblem, ForPerson};
use smarthd_core::{Event, PageRequest, SearchFilters, SessionState, SyncOutcome};
use smarthd_sandbox::robot;
use smarthd_tests::{Admin, World};

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
        log_level: Some(LogLevel::Debug),
        ..CoreConfig::new(world.sandbox.base_url(), world.data_dir().to_string_lossy())
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

    let report = core.sync().catalog(None).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Updated);
    assert_eq!(report.upserted, 300);
    assert_eq!(events.0.lock().unwrap().last(), Some(&Event::CatalogSyncProgress { done: 300, total: 300 }));
    let logged = lines.0.lock().unwrap().clone();
    assert!(logged.iter().any(|r| r.message.contains("catalog synced") && r.level == LogLevel::Info), "{logged:?}");

    let catalog = core.catalog();
    let page = catalog.search("dang ky khai sinh".into(), SearchFilters::default(), PageRequest::default()).unwrap();
    assert_eq!(page.hits[0].name, "Đăng ký khai sinh");
    assert!(catalog.suggest("dang k".into(), 8).unwrap().iter().any(|n| n == "Đăng ký khai sinh"));
    let too_many = PageRequest { offset: 0, limit: 201 };
    assert!(matches!(
        catalog.search("dang".into(), SearchFilters::default(), too_many),
        Err(SmartHdError::Validation { .. })
    ));
    let procedure = catalog.procedure(page.hits[0].code.clone()).unwrap();
    assert!(!procedure.form.fields.is_empty());
    assert!(matches!(catalog.procedure("0.0.X".into()), Err(SmartHdError::NotFound { .. })));

    catalog.add_favorite(procedure.code.clone()).unwrap();
    assert_eq!(catalog.favorites().unwrap().len(), 1);
    catalog.remove_favorite(procedure.code.clone()).unwrap();
    assert!(catalog.favorites().unwrap().is_empty());
    assert_eq!(catalog.recently_viewed(5).unwrap()[0].code, procedure.code);
    assert!(!catalog.fields().unwrap().is_empty() && !catalog.agencies().unwrap().is_empty());
    assert!(!catalog.units().unwrap().units.is_empty());
    assert_eq!(core.sync().catalog(None).await.unwrap().outcome, SyncOutcome::NotModified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_handle_gives_cancelled() {
    let world = World::new(50).await;
    let core = open(&world, None, None);
    let handle = CancelHandle::new();
    handle.cancel();
    assert!(matches!(core.sync().catalog(Some(handle.clone())).await, Err(SmartHdError::Cancelled { .. })));
    assert!(matches!(core.sync().now(Some(handle)).await, Err(SmartHdError::Cancelled { .. })));
    // The effect, not the flag: the portal was never asked, nothing was copied.
    assert_eq!(core.catalog().freshness().unwrap().procedures, 0);
}

/// Cancels `handle` once the portal has received a dossier.
struct CancelOnReceived(Arc<CancelHandle>);

impl EventListener for CancelOnReceived {
    fn on_event(&self, event: Event) {
        if matches!(event, Event::DossierStatusChanged { status: DossierStatus::Received, .. }) {
            self.0.cancel();
        }
    }
}

/// A queued dossier of Đăng ký khai sinh, every field filled, with a scan when `scan` is given.
fn queued_birth(core: &SmartHd, scan: Option<&Path>) -> String {
    let dossiers = core.dossiers();
    let draft = dossiers.new_draft("1.001193.H19".into(), Subject::Citizen, None).unwrap();
    for field in core.catalog().procedure(draft.procedure_code).unwrap().form.fields {
        dossiers.set_field(draft.id.clone(), field.key.clone(), robot::sample_value(&field)).unwrap();
    }
    if let Some(scan) = scan {
        dossiers.attach(draft.id.clone(), scan.to_string_lossy().into_owned()).unwrap();
    }
    dossiers.submit(draft.id.clone()).unwrap();
    draft.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_sync_cancelled_mid_flight_stops_and_leaves_the_outbox_whole() {
    let world = World::new(300).await;
    let handle = CancelHandle::new();
    let core = open(&world, Some(Arc::new(CancelOnReceived(handle.clone()))), None);
    core.sync().catalog(None).await.unwrap();
    let session = core.session();
    let url = session.begin_login(1, None, None, None).await.unwrap();
    session.complete_login(robot::log_in(&url, &robot::LEVEL1_CITIZEN).await.unwrap(), None).await.unwrap();
    // The first goes through; the second's scan meets a portal slow on attachments.
    let first = queued_birth(&core, None);
    let scan = smarthd_tests::sample_file(world.dir.path(), "scan.pdf", "pdf", 4096, 7);
    let second = queued_birth(&core, Some(&scan));
    let admin = Admin::new(&world.sandbox);
    let slow = serde_json::json!({"route": "attachments", "kind": "delay", "probability": 1.0, "delay_ms": 60_000});
    admin.post("admin/faults", slow).await;

    // Cancelled when the first is received: the call ends without waiting for the slow portal.
    let cancelled = core.sync().now(Some(handle)).await;
    assert!(matches!(cancelled, Err(SmartHdError::Cancelled { .. })), "{cancelled:?}");
    assert_eq!(core.dossiers().get(first.clone()).unwrap().status, DossierStatus::Received);
    assert_eq!(core.dossiers().get(second.clone()).unwrap().status, DossierStatus::Queued);
    // The work stopped before sending the second: the portal has the first alone.
    admin.assert_portal_created_exactly([first.as_str()]).await;

    // Nothing half-written: the next sync sends it, once.
    admin.delete("admin/faults").await;
    let report = core.sync().now(None).await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    assert_eq!(core.dossiers().get(second.clone()).unwrap().status, DossierStatus::Received);
    admin.assert_portal_created_exactly([first.as_str(), second.as_str()]).await;
}

/// Signals when the future holding it is dropped.
struct SignalOnDrop(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for SignalOnDrop {
    fn drop(&mut self) {
        let _ = self.0.take().map(|tx| tx.send(()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_export_future_drops_the_core_work() {
    // What UniFFI does when Kotlin cancels the coroutine or Python the asyncio task.
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let (dropped_tx, dropped) = tokio::sync::oneshot::channel();
    let work = async move {
        let _signal = SignalOnDrop(Some(dropped_tx));
        let _ = started_tx.send(());
        std::future::pending::<smarthd_core::Result<()>>().await
    };
    let call = tokio::spawn(runtime::on_runtime(None, work));
    started.await.unwrap();
    call.abort();
    // Would hang (and time out) if the work went on detached.
    tokio::time::timeout(Duration::from_secs(30), dropped).await.unwrap().unwrap();
}

#[test]
fn config_is_checked_before_anything_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CoreConfig::new("http://portal.example/", dir.path().to_string_lossy());
    let open = |c: &CoreConfig| SmartHd::open(c.clone(), Arc::new(MemoryStorage::default()), None, None, None);
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "portal_url"));
    config.portal_url = "https://portal.example/".into();
    config.pinned_spki_sha256 = vec![vec![0; 31]];
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "pinned_spki_sha256"));
    config.pinned_spki_sha256 = vec![vec![0; 32]];
    config.request_timeout_ms = 0;
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "request_timeout_ms"));
    config.request_timeout_ms = 1000;
    config.receipt_keys = vec!["r1:c2hvcnQ".into()];
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "receipt_keys"));
    config.receipt_keys = vec![format!("r1:{}", "A".repeat(43))];
    config.ticket_keys = vec!["no-key-here".into()];
    assert!(matches!(open(&config), Err(SmartHdError::Validation { field, .. }) if field == "ticket_keys"));
    config.ticket_keys = vec![];
    assert!(open(&config).is_ok());
}

/// An app names its identity provider and client: the login goes there, as that client (the
/// sandbox's provider knows one client, `smarthd-app`, and refuses another).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_provider_and_client_are_the_apps_to_name() {
    let world = World::new(50).await;
    let storage = Arc::new(MemoryStorage::default());
    let begin = |config: CoreConfig| {
        let storage = storage.clone();
        async move {
            let core = SmartHd::open(config, storage, None, None, None).unwrap();
            core.session().begin_login(1, None, None, None).await
        }
    };
    let realm = format!("{}realms/haiduong", world.sandbox.base_url());
    let named = CoreConfig { issuer: Some(realm.clone()), ..config(&world) };
    let url = begin(named.clone()).await.unwrap();
    assert!(url.starts_with(&format!("{realm}/")), "{url}");

    let other_client = CoreConfig { client_id: Some("another-app".into()), ..named };
    let refused = begin(other_client).await.unwrap_err();
    assert!(refused.to_string().contains("invalid_client"), "sent as the client named: {refused}");
    let other_realm =
        CoreConfig { issuer: Some(format!("{}realms/other", world.sandbox.base_url())), ..config(&world) };
    assert!(begin(other_realm).await.is_err(), "no provider there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_sync_and_lookup_through_the_exported_api() {
    let world = World::new(300).await;
    let events = Arc::new(Events::default());
    let core = open(&world, Some(events.clone()), None);
    core.sync().catalog(None).await.unwrap();
    let session = core.session();
    assert_eq!(session.state(None).await.unwrap(), SessionState::LoggedOut);
    assert_eq!(session.whoami(None).await.unwrap(), None);
    let url = session.begin_login(2, Some("vi".into()), None, None).await.unwrap();
    assert!(url.starts_with(&world.sandbox.base_url()), "{url}");
    session.cancel_login().unwrap();

    let catalog = core.catalog();
    let code =
        catalog.search("dang ky khai sinh".into(), SearchFilters::default(), PageRequest::default()).unwrap().hits[0]
            .code
            .clone();
    let dossiers = core.dossiers();
    let draft = dossiers.new_draft(code.clone(), Subject::Citizen, None).unwrap();
    assert_eq!(draft.status, DossierStatus::Draft);
    assert_eq!((draft.for_person, draft.prefilled.len()), (ForPerson::Myself, 0), "logged out: nothing prefilled");
    // Every problem at once: the fields named together, each a field of the form.
    let Err(SmartHdError::Validation { field, reason }) = dossiers.submit(draft.id.clone()) else {
        panic!("submitted")
    };
    let form = catalog.procedure(code.clone()).unwrap().form;
    let named: Vec<&str> = field.split(", ").collect();
    assert!(named.len() > 1 && named.iter().all(|k| form.fields.iter().any(|f| f.key == *k)), "{field}");
    assert!(named.iter().all(|k| reason.contains(&format!("{k}: "))), "{reason}");
    let for_child = dossiers.new_draft(code.clone(), Subject::Citizen, Some(ForPerson::Child)).unwrap();
    assert_eq!(for_child.for_person, ForPerson::Child);
    dossiers.delete_draft(for_child.id).unwrap();
    let problem = dossiers.set_field(draft.id.clone(), "quan_he".into(), "chú".into()).unwrap();
    assert!(matches!(&problem, Some(FieldProblem::Option { options }) if options.len() == 4), "{problem:?}");
    assert!(field_problem_message(problem.unwrap()).contains("Father, Mother"));
    assert!(matches!(
        dossiers.set_field(draft.id.clone(), "khong_co".into(), "x".into()),
        Err(SmartHdError::Validation { field, .. }) if field == "khong_co"
    ));
    assert!(!dossiers.validate(draft.id.clone()).unwrap().is_empty());
    let pdf = world.dir.path().join("a.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n0123456789").unwrap();
    let attachment = dossiers.attach(draft.id.clone(), pdf.to_string_lossy().into_owned()).unwrap();
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(dossiers.list().unwrap().len(), 1);

    // Not logged in: nothing can be sent.
    let report = core.sync().now(None).await.unwrap();
    assert_eq!(report.outbox.sent, 0);
    assert!(matches!(dossiers.lookup("KHONG-CO".into(), None).await, Err(SmartHdError::NotFound { .. })));
    let payments = core.payments();
    assert!(payments.list().unwrap().is_empty() && payments.receipts().unwrap().is_empty());
    assert!(matches!(payments.get("x".into()), Err(SmartHdError::NotFound { .. })));
    dossiers.delete_draft(draft.id.clone()).unwrap();
    assert!(matches!(dossiers.get(draft.id), Err(SmartHdError::NotFound { .. })));
    assert_eq!(session.logout(false, false, None).await.unwrap(), None);
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
