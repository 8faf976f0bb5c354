//! Hardening (issue #11): numbers the app cannot hold are refused without changing state,
//! retries are bounded, and a lost data key or one unreadable row loses nothing. A tiny loopback server stands in for a portal that misbehaves, which the real sandbox
//! never does; the real sandbox fills the catalog before and after.

use std::time::Duration;

use serde_json::json;
use smarthd_core::catalog::model::Subject;
use smarthd_core::{Config, DossierStatus, ErrorKind, LocalData, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::robot::LEVEL1_CITIZEN;
use smarthd_tests::{Admin, World, camera_photo, damage_table, fill_valid, log_in, sample_file};

/// Đăng ký khai sinh: free, level 1 is enough.
const BIRTH: &str = "1.001193.H19";

fn pothole() -> smarthd_core::ReportDraft {
    smarthd_core::ReportDraft {
        category: "chieu_sang".into(),
        text: "Đèn đường hỏng cả tuần nay, buổi tối rất tối.".into(),
        location: smarthd_core::report::GeoPoint { lat: 20.82, lon: 106.22 },
        address_note: None,
        urgency: smarthd_core::report::Urgency::Normal,
        share_identity: false,
    }
}

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
    let first = world.core().sync().catalog().await.unwrap();
    let hits = |core: &SmartHd| {
        core.catalog().search("", &SearchFilters::default(), PageRequest::default()).unwrap().hits.len()
    };

    let bad = crafted_portal(
        r#"{"items":[],"next_since":18446744073709551615,"has_more":false,"remaining":0,"head":18446744073709551615}"#,
    )
    .await;
    let core = core_at(&bad, &world);
    let before = core.catalog().freshness().unwrap();
    let error = core.sync().catalog().await.unwrap_err();
    assert!(error.to_string().contains("out-of-range next_since"), "{error}");
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_eq!(core.catalog().freshness().unwrap(), before, "nothing about the copy changed");
    drop(core);

    // Back on the real portal: the stored cursor is the one the last good page gave.
    let core = world.core();
    let again = core.sync().catalog().await.unwrap();
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
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    let files = tempfile::tempdir().unwrap();
    core.dossiers().attach(&draft.id, &sample_file(files.path(), "to-khai.pdf", "pdf", 700_000, 3)).unwrap();
    core.dossiers().submit(&draft.id).unwrap();
    let admin = Admin::new(&world.sandbox);
    admin.post("admin/faults", json!({"route": "attachments", "kind": "offset_mismatch", "probability": 1.0})).await;

    // A hang guard only: without a bound this sync never returns.
    let report =
        tokio::time::timeout(Duration::from_secs(120), core.sync().now()).await.expect("the sync ends").unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (0, 1));
    let queued = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(queued.status, DossierStatus::Queued);
    assert!(queued.problem.as_deref().unwrap_or("").contains("no progress"), "{:?}", queued.problem);

    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    admin.assert_portal_created_exactly([draft.id.as_str()]).await;
}

fn services(world: &World) -> Services {
    Services::with_key_dir(world.data_dir().join("keys"))
}

fn config(world: &World) -> Config {
    Config::new(&world.sandbox.base_url(), world.data_dir()).unwrap()
}

fn kept_aside(world: &World) -> Vec<String> {
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let mut stmt = db.prepare("SELECT source FROM unreadable_sealed ORDER BY source").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// The platform lost the data key (an Android Keystore invalidation): the core says so at the
/// first call that reads the resident's data (the catalog still opens and searches) instead of
/// making a new key over unreadable rows; reopened to recover, it keeps what it cannot open
/// aside, and the resident logs in again and starts over.
#[tokio::test]
async fn a_lost_data_key_is_reported_at_first_use_and_recovered_by_logging_in_again() {
    let world = World::new(300).await;
    let (draft, queued, received, report) = {
        let core = world.core();
        core.sync().catalog().await.unwrap();
        log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
        let received = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
        fill_valid(&core, &received);
        core.dossiers().submit(&received).unwrap();
        assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
        let queued = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
        fill_valid(&core, &queued);
        core.dossiers().submit(&queued).unwrap();
        let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
        fill_valid(&core, &draft);
        core.reports().refresh_published().await.unwrap();
        let report = core.reports().create(&pothole()).unwrap().id;
        core.reports().add_photo(&report, &camera_photo(world.dir.path(), "o-ga.jpg", 1)).unwrap();
        core.reports().submit(&report).unwrap();
        (draft, queued, received, report)
    };
    std::fs::remove_file(world.data_dir().join("keys").join(smarthd_core::vault::DATA_KEY_NAME)).unwrap();

    let core = SmartHd::open(config(&world), services(&world)).unwrap();
    let page = core.catalog().search("khai sinh", &Default::default(), Default::default()).unwrap();
    assert!(!page.hits.is_empty(), "the catalog needs no data key");
    let error = core.dossiers().list().expect_err("a lost key is found at the first read of user data");
    assert_eq!(error.kind(), ErrorKind::UserDataUnreadable, "{error}");
    let again = core.session().state().await.expect_err("and at every later one");
    assert_eq!(again.kind(), ErrorKind::UserDataUnreadable, "{again}");
    drop(core);
    assert!(
        !world.data_dir().join("keys").join(smarthd_core::vault::DATA_KEY_NAME).exists(),
        "no key was made over the unreadable data"
    );
    assert!(kept_aside(&world).is_empty());

    let core = SmartHd::open_recovering(config(&world), services(&world)).unwrap();
    assert_eq!(kept_aside(&world), ["dossier.fields", "dossier.fields", "dossier.fields", "report.sealed", "session"]);
    assert_eq!(core.session().whoami().await.unwrap(), None, "the session could not be opened: log in again");
    // The old key's owner tags name no one: the records go to the resident who logs in first.
    assert!(core.dossiers().list().unwrap().is_empty());
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert_eq!(core.dossiers().unreadable().unwrap(), 0);
    let listed = core.dossiers().list().unwrap();
    assert_eq!(listed.len(), 3, "every dossier is still listed");
    let status = |id: &str| core.dossiers().get(id).unwrap();
    assert_eq!(status(&received).status, DossierStatus::Received, "the portal holds its content");
    for id in [&queued, &draft] {
        let dossier = status(id);
        assert_eq!(dossier.status, DossierStatus::Failed, "to be filled in again");
        assert!(dossier.problem.as_deref().unwrap().contains("data key"), "{:?}", dossier.problem);
        assert!(dossier.fields.is_empty());
    }
    // The queued report lost its text: it is not sent blank, it fails, to be written again.
    let failed = core.reports().get(&report).unwrap();
    assert_eq!(failed.state, smarthd_core::ReportState::Failed);
    assert!(failed.problem.as_deref().unwrap().contains("data key"), "{:?}", failed.problem);
    fill_valid(&core, &queued);
    core.dossiers().submit(&queued).unwrap();
    let sync = core.sync().now().await.unwrap();
    assert_eq!((sync.outbox.sent, sync.reports.sent, sync.reports.pending), (1, 0, 0));
    let ledger = Admin::new(&world.sandbox).get("admin/reports/ledger").await;
    assert_eq!(ledger["effects"].get(&report), None, "the portal never got a blank report: {ledger}");
    drop(core);
    let reopened = SmartHd::open(config(&world), services(&world)).unwrap();
    assert_eq!(reopened.dossiers().list().expect("the new key opens what it sealed").len(), 3);
}

/// One value the key cannot open (damaged in place) never fails the list, and logging out with
/// a session that cannot be opened still logs out.
#[tokio::test]
async fn one_unreadable_row_is_skipped_and_counted_and_logout_still_works() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let good = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
    let damaged = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
    drop(core);
    {
        let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
        // One byte of each sealed value changed in place (bit rot, a bad restore).
        for (table, column, key) in [("session", "sealed", "1".to_owned()), ("dossier", "fields", damaged.clone())] {
            let select = format!("SELECT {column} FROM {table} WHERE id = ?1");
            let mut sealed: Vec<u8> = db.query_row(&select, [&key], |r| r.get(0)).unwrap();
            sealed[20] ^= 0x5a;
            db.execute(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"), rusqlite::params![key, sealed])
                .unwrap();
        }
    }
    let core = world.core();
    assert_eq!(core.session().whoami().await.unwrap_err().kind(), ErrorKind::UserDataUnreadable);
    assert_eq!(core.session().logout(LocalData::Keep).await.unwrap(), None);
    assert_eq!(core.session().whoami().await.unwrap(), None);
    assert_eq!(kept_aside(&world), ["session"]);

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let listed: Vec<String> = core.dossiers().list().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(listed, [good]);
    assert_eq!(core.dossiers().unreadable().unwrap(), 1);
    assert_eq!(core.dossiers().get(&damaged).unwrap_err().kind(), ErrorKind::UserDataUnreadable);
}

/// A full sync: how many procedures are in force.
async fn synced_in_force(world: &World) -> u32 {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    core.catalog().freshness().unwrap().procedures
}

/// Interior damage of the catalog cache, met by a query: the copy is rebuilt empty, reads go
/// on, and the next sync fills it again.
#[tokio::test]
async fn a_damaged_catalog_met_by_a_query_is_rebuilt_and_refilled_by_the_next_sync() {
    let world = World::new(1_900).await;
    let in_force = synced_in_force(&world).await;
    damage_table(&world.data_dir().join("catalog.db"), "procedure");

    let core = world.core();
    // Counting by field reads every stored procedure, so it meets the damaged page.
    let fields = core.catalog().fields().expect("the damaged copy is rebuilt, not an error");
    assert!(fields.is_empty());
    let freshness = core.catalog().freshness().unwrap();
    assert_eq!((freshness.procedures, freshness.last_success_at), (0, None));
    let report = core.sync().catalog().await.unwrap();
    assert_eq!(report.upserted, 1_900);
    assert_eq!(core.catalog().freshness().unwrap().procedures, in_force);
    assert!(
        !core.catalog().search("khai sinh", &SearchFilters::default(), PageRequest::default()).unwrap().hits.is_empty()
    );
}

/// The same damage after an unclean stop (the open marker left behind) is found at open by the
/// integrity check, before any query.
#[tokio::test]
async fn a_damaged_catalog_after_an_unclean_stop_is_rebuilt_at_open() {
    let world = World::new(1_900).await;
    let in_force = synced_in_force(&world).await;
    damage_table(&world.data_dir().join("catalog.db"), "procedure");
    std::fs::write(world.data_dir().join("catalog.db.open"), b"").unwrap();
    let core = world.core();
    let size = std::fs::metadata(world.data_dir().join("catalog.db")).unwrap().len();
    assert!(size < 1_000_000, "rebuilt at open, before any query ({size} bytes)");
    assert_eq!(core.catalog().freshness().unwrap().procedures, 0);
    let unit_count = core.catalog().units().unwrap().units.len();
    assert_eq!(unit_count, 0, "the whole copy was rebuilt, not only the damaged table");
    core.sync().catalog().await.unwrap();
    assert_eq!(core.catalog().freshness().unwrap().procedures, in_force);
}

async fn three_hundred_drafts(world: &World) -> Vec<String> {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    (0..300)
        .map(|i| {
            let id = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap().id;
            core.dossiers().set_field(&id, "ho_ten", &format!("Nguyễn Văn Số {i}")).unwrap();
            id
        })
        .collect()
}

/// After an unclean stop, damage in `user.db` is found by the integrity check when the file
/// opens (at the first call that reads it): that call fails once with where the old file was
/// kept, and the next one reads what was salvaged.
#[tokio::test]
async fn a_damaged_user_db_after_an_unclean_stop_is_found_when_it_opens() {
    let world = World::new(300).await;
    let ids = three_hundred_drafts(&world).await;
    damage_table(&world.data_dir().join("user.db"), "dossier");
    std::fs::write(world.data_dir().join("user.db.open"), b"").unwrap();
    let core = SmartHd::open(config(&world), services(&world)).unwrap();
    let error = core.dossiers().list().expect_err("the damage is found when user.db opens");
    assert!(matches!(error, smarthd_core::Error::UserDataCorrupt { salvaged, .. } if salvaged > 0), "{error:?}");
    let salvaged = core.dossiers().list().unwrap();
    assert!(!salvaged.is_empty() && salvaged.len() < ids.len(), "{} of {}", salvaged.len(), ids.len());
}

/// Interior damage of `user.db` met by a query: the file is moved aside with its WAL, never
/// deleted; what can be read is salvaged into a new one (sealed values stay sealed and still
/// open), and the error says where the old file is.
#[tokio::test]
async fn a_damaged_user_db_is_kept_aside_and_what_can_be_read_is_salvaged() {
    let world = World::new(300).await;
    let ids = three_hundred_drafts(&world).await;
    let user_db = world.data_dir().join("user.db");
    let original = {
        damage_table(&user_db, "dossier");
        std::fs::read(&user_db).unwrap()
    };
    let core = world.core();
    let error = core.dossiers().list().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Storage);
    let smarthd_core::Error::UserDataCorrupt { kept_at, salvaged, .. } = &error else { panic!("{error:?}") };
    assert!(error.to_string().contains("kept aside"), "{error}");
    assert_eq!(&std::fs::read(kept_at).unwrap(), &original, "the damaged file is kept byte for byte");
    assert!(*salvaged > 0);

    let salvaged = core.dossiers().list().unwrap();
    assert!(!salvaged.is_empty() && salvaged.len() < ids.len(), "{} of {}", salvaged.len(), ids.len());
    assert!(salvaged.iter().all(|d| ids.contains(&d.id)));
    assert!(salvaged.iter().all(|d| d.fields["ho_ten"].starts_with("Nguyễn Văn Số")), "sealed values still open");
    drop(core);
    let reopened = SmartHd::open(config(&world), services(&world)).unwrap();
    reopened.dossiers().list().expect("the salvaged file opens with the same key");
}
