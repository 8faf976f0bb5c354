//! The inbox through the core against the real sandbox: an emergency alert for one commune
//! reaches the inbox of a resident registered there and not one elsewhere (two residents sharing
//! one phone), offline with read state; the push token registered for a resident is removed at
//! logout, so the stand-in records no push to it after.

use smarthd_core::inbox::Severity;
use smarthd_core::{ErrorKind, Event, InboxKind, LocalData};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{Admin, Officer, Recorder, World, log_in, officer_post};

/// LEVEL2_CITIZEN lives in Phường Hải Dương (10507); LEVEL1_CITIZEN in Xã Thanh Hà.
const HAI_DUONG: &str = "10507";

async fn publish(world: &World, title: &str, severity: &str, communes: &[&str]) -> String {
    let body =
        serde_json::json!({"title": title, "body": "Nội dung / details", "severity": severity, "communes": communes});
    officer_post(&world.sandbox, "officer/api/alerts", body).await["alert_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_alert_reaches_only_its_communes_residents_and_stays_readable_offline() {
    let world = World::new(50).await;
    let recorder = std::sync::Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    let storm = publish(&world, "Bão số 3: sơ tán khu ven sông", "emergency", &[HAI_DUONG]).await;
    publish(&world, "Lịch tiêm chủng tháng 12", "info", &[]).await;

    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(core.inbox().sync().await.unwrap(), 2);
    let items = core.inbox().list().unwrap();
    assert_eq!(items[0].item_id, storm, "the emergency first");
    assert_eq!((items[0].kind, items.len()), (InboxKind::Alert, 2));
    assert_eq!(core.inbox().unread().unwrap(), 2);
    core.inbox().mark_read(&storm).unwrap();
    assert_eq!(core.inbox().unread().unwrap(), 1);
    assert_eq!(core.inbox().sync().await.unwrap(), 0, "a delta: nothing new");
    // The shells notify from these: one per new alert, the emergency named as one.
    let received: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::AlertReceived { alert_id, severity, .. } => Some((alert_id.clone(), *severity)),
            _ => None,
        })
        .collect();
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received.contains(&(storm.clone(), Severity::Emergency)));
    assert!(core.inbox().list().unwrap()[0].read, "a sync keeps the read state");

    // The same phone, another resident, who lives elsewhere.
    core.session().logout(LocalData::Keep).await.unwrap();
    assert!(core.inbox().list().unwrap().is_empty(), "logged out: nobody's inbox");
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    core.sync().now().await.unwrap();
    let theirs: Vec<String> = core.inbox().list().unwrap().into_iter().map(|i| i.title).collect();
    assert_eq!(theirs, ["Lịch tiêm chủng tháng 12"], "not the storm for another commune");
    assert_eq!(core.inbox().mark_read(&storm).unwrap_err().kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn the_push_token_goes_with_the_resident_at_logout() {
    let world = World::new(50).await;
    let core = world.core();
    let admin = Admin::new(&world.sandbox);
    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    for bad in ["not a token", "", ".", ".."] {
        assert_eq!(core.inbox().register_push(bad, "fcm").await.unwrap_err().kind(), ErrorKind::Validation, "{bad:?}");
    }
    // A failure the portal may have registered before (a 5xx) keeps the token for the logout.
    admin.fault("*", "error_500").await;
    core.inbox().register_push("fcm-token-of-this-phone", "fcm").await.unwrap_err();
    admin.delete("admin/faults").await;
    let kept: i64 = rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM push_device", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "the token is kept");
    core.inbox().register_push("fcm-token-of-this-phone", "fcm").await.unwrap();
    publish(&world, "Cắt nước", "warning", &[HAI_DUONG]).await;
    let pushes = admin.get("admin/push/log").await["pushes"].as_array().unwrap().len();
    assert_eq!(pushes, 1);

    // Sealed on disk: the token names this phone to the push service. One an older version
    // kept in the clear is sealed at the next open, and the logout still finds it.
    let token = b"fcm-token-of-this-phone";
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let stored = || -> Vec<u8> { db.query_row("SELECT token FROM push_device", [], |r| r.get(0)).unwrap() };
    assert!(!stored().windows(token.len()).any(|w| w == token), "the token is sealed");
    db.execute("UPDATE push_device SET token = ?1", [token.to_vec()]).unwrap();
    drop(core);
    let core = world.core();
    core.inbox().unread().unwrap(); // the resident's data opened
    assert!(!stored().windows(token.len()).any(|w| w == token), "sealed at the open");
    for file in ["user.db", "user.db-wal"] {
        let bytes = std::fs::read(world.data_dir().join(file)).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token), "{file} keeps the token in the clear");
    }

    core.session().logout(LocalData::Keep).await.unwrap();
    publish(&world, "Cắt điện", "warning", &[]).await;
    let log = admin.get("admin/push/log").await;
    assert_eq!(log["pushes"].as_array().unwrap().len(), 1, "no push after logout: {log}");
}

#[tokio::test]
async fn the_residents_own_dossier_changes_are_kept_in_their_inbox() {
    use smarthd_core::catalog::model::Subject;
    let world = World::new(50).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    // Three dossiers, received in one batch: a notice each.
    let mut drafts = Vec::new();
    for _ in 0..3 {
        let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
        smarthd_tests::fill_valid(&core, &draft.id);
        core.dossiers().submit(&draft.id).unwrap();
        drafts.push(draft.id);
    }
    core.sync().now().await.unwrap();
    let notices: Vec<_> = core.inbox().list().unwrap().into_iter().filter(|i| i.kind == InboxKind::Dossier).collect();
    assert_eq!(notices.len(), 3, "{notices:?}");
    for id in &drafts {
        let code = core.dossiers().get(id).unwrap().code.expect("received");
        assert!(
            notices.iter().any(|n| n.title.contains(&code) && n.body.starts_with("Đã tiếp nhận")),
            "{code}: {notices:?}"
        );
    }
    core.sync().now().await.unwrap();
    assert_eq!(core.inbox().list().unwrap().iter().filter(|i| i.kind == InboxKind::Dossier).count(), 3, "once");

    core.session().logout(LocalData::Keep).await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert!(core.inbox().list().unwrap().iter().all(|i| i.kind == InboxKind::Alert), "not another's notices");
}

/// A push registration still on its way when the resident logs out goes with them: the portal
/// pushes nothing more to the phone for them.
#[tokio::test]
async fn a_push_registration_on_its_way_at_logout_goes_with_the_resident() {
    let world = World::new(50).await;
    let core = world.core();
    let admin = Admin::new(&world.sandbox);
    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    admin
        .post(
            "admin/faults",
            serde_json::json!({"route": "*", "kind": "answer_late", "probability": 1.0, "delay_ms": 1000}),
        )
        .await;
    let (inbox, session) = (core.inbox(), core.session());
    let (_, logged_out) = tokio::join!(inbox.register_push("fcm-token-of-this-phone", "fcm"), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        session.logout(LocalData::Keep).await
    });
    logged_out.unwrap();
    admin.delete("admin/faults").await;
    publish(&world, "Cắt điện", "warning", &[]).await;
    let log = admin.get("admin/push/log").await;
    assert_eq!(log["pushes"].as_array().unwrap().len(), 0, "no push after logout: {log}");
}

/// The feed's cursor moves past alerts for other communes: a page with few alerts for this
/// resident is not the last. After a full page of another commune's notices, the city-wide
/// emergency the push announced is fetched by the same sync.
#[tokio::test]
async fn an_alert_after_a_page_of_other_communes_alerts_is_fetched_by_one_sync() {
    let world = World::new(50).await;
    let core = world.core();
    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    core.reports().refresh_published().await.unwrap();
    let next_door = smarthd_core::report::GeoPoint { lat: 20.82, lon: 106.26 };
    let elsewhere = core.reports().commune_at(next_door).unwrap().unwrap().code;
    assert_ne!(elsewhere, HAI_DUONG);
    let ioc = Officer::log_in(&world.sandbox).await;
    for n in 0..500 {
        let title = format!("Cắt điện khu {n}");
        let body = serde_json::json!({"title": title, "body": "Chi tiết / details", "severity": "info", "communes": [elsewhere]});
        ioc.post("officer/api/alerts", body).await;
    }
    let storm = publish(&world, "Bão số 3: sơ tán khu ven sông", "emergency", &[]).await;

    assert_eq!(core.inbox().sync().await.unwrap(), 1);
    assert_eq!(core.inbox().list().unwrap()[0].item_id, storm);
}
