//! Hardening (issue #11): numbers the app cannot hold are refused without changing state, and
//! retries are bounded. A tiny loopback server stands in for a portal that misbehaves, which the real sandbox
//! never does; the real sandbox fills the catalog before and after.

use std::time::Duration;

use serde_json::json;
use smarthd_core::catalog::model::Subject;
use smarthd_core::{CancelToken, Config, DossierStatus, ErrorKind, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::robot::LEVEL1_CITIZEN;
use smarthd_tests::{Admin, World, fill_valid, log_in, sample_file};

/// A loopback "portal" whose catalog feed always answers `body`.
async fn crafted_portal(body: &'static str) -> String {
    let app = axum::Router::new().route(
        "/api/v1/catalog/changes",
        axum::routing::get(move || async move { ([("content-type", "application/json")], body) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn core_at(url: &str, world: &World) -> SmartHd {
    let config = Config::new(url, world.data_dir()).unwrap();
    SmartHd::open(config, Services::with_key_dir(world.data_dir().join("keys"))).unwrap()
}

#[tokio::test]
async fn a_catalog_cursor_beyond_i64_is_refused_and_later_syncs_still_work() {
    let world = World::new(40).await;
    let first = world.core().sync_catalog(&CancelToken::new()).await.unwrap();
    let hits = |core: &SmartHd| core.search("", &SearchFilters::default(), PageRequest::default()).unwrap().hits.len();

    let bad = crafted_portal(
        r#"{"items":[],"next_since":18446744073709551615,"has_more":false,"remaining":0,"head":18446744073709551615}"#,
    )
    .await;
    let core = core_at(&bad, &world);
    let before = core.freshness().unwrap();
    let error = core.sync_catalog(&CancelToken::new()).await.unwrap_err();
    assert!(error.to_string().contains("out-of-range next_since"), "{error}");
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_eq!(core.freshness().unwrap(), before, "nothing about the copy changed");
    drop(core);

    // Back on the real portal: the stored cursor is the one the last good page gave.
    let core = world.core();
    let again = core.sync_catalog(&CancelToken::new()).await.unwrap();
    assert_eq!(again.cursor, first.cursor, "{again:?}");
    assert!(hits(&core) > 0);
}

/// A portal whose upload never advances (each chunk answered `409 offset_mismatch` at its own
/// offset) gets a bounded number of tries per sync: the sync ends, the dossier stays queued with
/// the reason, and it goes out once the portal behaves.
#[tokio::test]
async fn an_upload_that_never_advances_is_given_up_for_now_and_stays_queued() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync_catalog(&CancelToken::new()).await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let draft = core.new_draft("1.001193.H19", Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    let files = tempfile::tempdir().unwrap();
    core.attach(&draft.id, &sample_file(files.path(), "to-khai.pdf", "pdf", 700_000, 3)).unwrap();
    core.submit(&draft.id).unwrap();
    let admin = Admin::new(&world.sandbox);
    admin.post("admin/faults", json!({"route": "attachments", "kind": "offset_mismatch", "probability": 1.0})).await;

    // A hang guard only: without a bound this sync never returns.
    let report = tokio::time::timeout(Duration::from_secs(120), core.sync()).await.expect("the sync ends").unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (0, 1));
    let queued = core.dossier(&draft.id).unwrap();
    assert_eq!(queued.status, DossierStatus::Queued);
    assert!(queued.problem.as_deref().unwrap_or("").contains("no progress"), "{:?}", queued.problem);

    admin.delete("admin/faults").await;
    let report = core.sync().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    assert_eq!(admin.dossier_effects(&draft.id).await, 1);
}
