//! A phone shared by two residents (#11): every local record belongs to the resident who made
//! it. Resident A queues a dossier and logs out; resident B logs in on the same phone and syncs:
//! A's dossier is neither shown to B nor sent under B's account, and goes out once A is back.

use smarthd_core::catalog::model::Subject;
use smarthd_core::{DossierStatus, ErrorKind, LocalData, SmartHd};
use smarthd_sandbox::robot::{Credentials, LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{Admin, World, fill_valid, log_in, login_callback, officer_takes_into_processing};

/// Đăng ký khai sinh: free, level 1 is enough.
const BIRTH: &str = "1.001193.H19";

fn queued_birth(core: &SmartHd) -> String {
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    draft.id
}

/// A core on the world's data dir, its catalog synced, `persona` logged in at `level`.
async fn logged_in(world: &World, level: u8, persona: &Credentials<'_>) -> SmartHd {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, level, persona).await.unwrap();
    core
}

fn listed(core: &SmartHd) -> Vec<String> {
    core.dossiers().list().unwrap().into_iter().map(|d| d.id).collect()
}

/// Offline: A's dossier is still in the outbox when A logs out (kept data).
#[tokio::test]
async fn a_queued_dossier_waits_for_its_owner_and_is_never_sent_under_another_account() {
    let world = World::new(300).await;
    let core = logged_in(&world, 2, &LEVEL2_CITIZEN).await;
    let a_dossier = queued_birth(&core);
    core.session().logout(LocalData::Keep).await.unwrap();
    assert!(listed(&core).is_empty(), "logged out, A's dossier is not on show");

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert!(listed(&core).is_empty(), "B does not see A's dossier");
    assert_eq!(core.dossiers().get(&a_dossier).unwrap_err().kind(), ErrorKind::NotFound);
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending, report.outbox.waiting_for_owner), (0, 0, 1));
    let admin = Admin::new(&world.sandbox);
    admin.assert_portal_created_exactly([]).await;

    let b_dossier = queued_birth(&core);
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.waiting_for_owner), (1, 1));
    assert_eq!(listed(&core), std::slice::from_ref(&b_dossier));
    admin.assert_portal_created_exactly([b_dossier.as_str()]).await;
    core.session().logout(LocalData::Keep).await.unwrap();

    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(listed(&core), std::slice::from_ref(&a_dossier), "A sees only A's");
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.waiting_for_owner), (1, 0));
    assert_eq!(core.dossiers().get(&a_dossier).unwrap().status, DossierStatus::Received);
    admin.assert_portal_created_exactly([a_dossier.as_str(), b_dossier.as_str()]).await;
}

/// Online: A's dossier was received and A logged out keeping it; B sees none of it (nor A's
/// status feed), and a logout with wipe deletes only B's records.
#[tokio::test]
async fn switching_residents_shows_only_the_current_ones_data_and_wipe_deletes_only_theirs() {
    let world = World::new(300).await;
    let core = logged_in(&world, 2, &LEVEL2_CITIZEN).await;
    let a_dossier = queued_birth(&core);
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&a_dossier).unwrap().status, DossierStatus::Received);
    core.session().logout(LocalData::Keep).await.unwrap();

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.status_changes, 0, "B's status feed is B's, not A's");
    assert!(listed(&core).is_empty());
    let b_dossier = queued_birth(&core);
    core.sync().now().await.unwrap();
    assert_eq!(listed(&core), std::slice::from_ref(&b_dossier));
    core.session().logout(LocalData::Wipe).await.unwrap();

    // B's records are gone from the phone; A's are kept, sealed, for A.
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let ids: Vec<String> = db
        .prepare("SELECT id FROM dossier")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, std::slice::from_ref(&a_dossier));
    drop(db);
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(listed(&core), [a_dossier]);
}

/// A logout with wipe would lose a dossier the portal has not received: refused before anything
/// is done (still logged in, the dossier queued); once a sync has sent it the wipe goes ahead.
/// Asked to discard it, the wipe deletes it and the portal never gets it.
#[tokio::test]
async fn a_wipe_keeps_unsent_work_unless_told_to_discard_it() {
    let world = World::new(300).await;
    let admin = Admin::new(&world.sandbox);
    let core = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    assert_eq!(core.session().unsent().unwrap(), 0);
    let sent_later = queued_birth(&core);
    assert_eq!(core.session().unsent().unwrap(), 1);

    let refused = core.session().logout(LocalData::Wipe).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Conflict, "{refused}");
    assert!(refused.to_string().contains("1"), "the message says how many: {refused}");
    assert!(core.session().whoami().await.unwrap().is_some(), "still logged in");
    assert_eq!(core.dossiers().get(&sent_later).unwrap().status, DossierStatus::Queued);

    core.sync().now().await.unwrap();
    assert_eq!(core.session().unsent().unwrap(), 0);
    core.session().logout(LocalData::Wipe).await.unwrap();
    assert!(listed(&core).is_empty());

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let discarded = queued_birth(&core);
    core.session().logout(LocalData::WipeDiscardingUnsent).await.unwrap();
    assert_eq!(core.session().unsent().unwrap(), 0, "nobody is logged in");
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    core.sync().now().await.unwrap();
    assert!(!listed(&core).contains(&discarded), "the discarded dossier is gone");
    admin.assert_portal_created_exactly([sent_later.as_str()]).await;
}

/// A logout with wipe whose session could not end (another process holds the session lock and
/// the call is given up: cancelled, or the app killed): the records are wiped, as asked, and the
/// resident, still logged in, can work on: what they do next is kept.
#[tokio::test]
async fn a_wipe_whose_logout_did_not_finish_leaves_a_resident_who_can_work_on() {
    let world = World::new(300).await;
    let core = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let lock = std::fs::File::create(world.data_dir().join("session.lock")).unwrap();
    lock.lock().unwrap();
    let given_up =
        tokio::time::timeout(std::time::Duration::from_millis(500), core.session().logout(LocalData::Wipe)).await;
    assert!(given_up.is_err(), "the logout waits for the session lock");
    drop(lock);

    assert!(core.session().whoami().await.unwrap().is_some(), "still logged in");
    let draft = queued_birth(&core);
    assert_eq!(core.dossiers().get(&draft).unwrap().status, DossierStatus::Queued, "a new dossier is kept");
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&draft).unwrap().status, DossierStatus::Received);
}

/// The app's portal address changed since the resident logged in (`127.0.0.1` to `localhost`):
/// the session is not used with the new one, but "log out and delete my data" still deletes
/// their records.
#[tokio::test]
async fn a_wipe_deletes_the_records_of_a_session_made_for_another_portal() {
    let world = World::new(300).await;
    let core = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let sent = queued_birth(&core);
    core.sync().now().await.unwrap();
    drop(core);
    let moved = world.sandbox.base_url().replace("127.0.0.1", "localhost");
    let config = smarthd_core::Config::new(&moved, world.data_dir()).unwrap();
    let core = SmartHd::open(config, smarthd_core::Services::with_key_dir(world.data_dir().join("keys"))).unwrap();
    assert_eq!(core.session().whoami().await.unwrap(), None, "the session is not this portal's");

    core.session().logout(LocalData::Wipe).await.unwrap();
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let left: i64 = db.query_row("SELECT count(*) FROM dossier WHERE id = ?1", [&sent], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "the resident's dossier is deleted");
}

/// A sync whose answer is still on its way when the resident logs out wiping their records
/// writes nothing of theirs back; when they log in again, the portal gives them back.
#[tokio::test]
async fn a_wipe_holds_against_a_sync_answer_still_on_its_way() {
    let world = World::new(300).await;
    let core = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let id = queued_birth(&core);
    core.sync().now().await.unwrap();
    // The officer moves it on: the next sync's status feed has something to write, answered
    // (the portal handled it before the logout) while the logout goes on.
    officer_takes_into_processing(&world, &core, &id).await;
    let admin = Admin::new(&world.sandbox);
    admin
        .post(
            "admin/faults",
            serde_json::json!({"route": "dossiers", "kind": "answer_late", "probability": 1.0, "delay_ms": 1000}),
        )
        .await;
    let sync = core.sync();
    let (_, logged_out) = tokio::join!(sync.now(), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        core.session().logout(LocalData::Wipe).await
    });
    logged_out.unwrap();
    admin.delete("admin/faults").await;
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    for table in ["dossier", "dossier_event", "outbox", "inbox_item", "inbox_cursor", "feed_cursor"] {
        let left: i64 = db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0, "{table} keeps rows of the wiped resident");
    }
    drop(db);
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&id).unwrap().status, DossierStatus::Processing);
}

/// Favourites and recently viewed procedures say what a resident looked up: each resident sees
/// their own, and the lists kept while nobody is logged in are nobody's in particular.
#[tokio::test]
async fn favourites_and_recently_viewed_are_the_residents_own() {
    const MARRIAGE: &str = "1.000894.H19";
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let catalog = core.catalog();
    let codes = |hits: Vec<smarthd_core::catalog::SearchHit>| hits.into_iter().map(|h| h.code).collect::<Vec<_>>();

    catalog.procedure(MARRIAGE).unwrap();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert!(codes(catalog.recently_viewed(10).unwrap()).is_empty(), "A does not see what was viewed logged out");
    catalog.procedure(BIRTH).unwrap();
    catalog.add_favorite(BIRTH).unwrap();
    assert_eq!(codes(catalog.favorites().unwrap()), [BIRTH]);
    assert_eq!(codes(catalog.recently_viewed(10).unwrap()), [BIRTH]);
    core.session().logout(LocalData::Keep).await.unwrap();

    assert!(codes(catalog.favorites().unwrap()).is_empty(), "logged out, A's favourites are not on show");
    assert_eq!(codes(catalog.recently_viewed(10).unwrap()), [MARRIAGE]);
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert!(codes(catalog.favorites().unwrap()).is_empty(), "B does not see A's favourites");
    assert!(codes(catalog.recently_viewed(10).unwrap()).is_empty(), "nor what A viewed");
    catalog.add_favorite(MARRIAGE).unwrap();
    catalog.remove_favorite(BIRTH).unwrap();
    core.session().logout(LocalData::Wipe).await.unwrap();

    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(codes(catalog.favorites().unwrap()), [BIRTH], "B's removal touched only B's list");
    assert_eq!(codes(catalog.recently_viewed(10).unwrap()), [BIRTH]);
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let favourites: i64 = db.query_row("SELECT count(*) FROM favorite", [], |r| r.get(0)).unwrap();
    assert_eq!(favourites, 1, "B's wipe deleted B's favourite");
}

/// Another process on the data dir logs resident B in over A's session (no logout, so A's tokens
/// are never revoked) while the app holds A's session in memory: the app now acts for B, with
/// B's tokens. A dossier B queues through the app reaches the portal as B's, never A's.
#[tokio::test]
async fn a_login_by_another_process_replaces_the_session_the_app_holds() {
    let world = World::new(300).await;
    let app = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    assert_eq!(app.session().profile().await.unwrap().name, "Trần Thị Bình");
    let other = world.core();
    log_in(&other, 2, &LEVEL2_CITIZEN).await.unwrap();

    assert_eq!(app.session().whoami().await.unwrap().unwrap().name, "Nguyễn Văn An");
    assert_eq!(app.session().profile().await.unwrap().name, "Nguyễn Văn An");
    let id = queued_birth(&app);
    let report = app.sync().now().await.unwrap();
    assert_eq!(report.outbox.sent, 1);
    // B's account at the portal holds it: B's status feed (read by the process that logged B
    // in) carries the officer's step.
    officer_takes_into_processing(&world, &app, &id).await;
    other.sync().now().await.unwrap();
    assert_eq!(other.dossiers().get(&id).unwrap().status, DossierStatus::Processing);
}

/// A sync that began for A goes on while another process logs B in: nothing of what is left of
/// it goes out with B's session, and nothing B's session would fetch is kept as A's. Here A's
/// submission answers late and B (level 2, with VNeID papers) logs in meanwhile.
#[tokio::test]
async fn a_sync_begun_for_one_resident_uses_no_session_of_another_made_meanwhile() {
    let world = World::new(300).await;
    let app = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let hers = queued_birth(&app);
    let other = world.core();
    let callback = login_callback(&other, 2, &LEVEL2_CITIZEN).await.unwrap();
    let admin = Admin::new(&world.sandbox);
    admin
        .post(
            "admin/faults",
            serde_json::json!({"route": "submit", "kind": "answer_late", "probability": 1.0, "delay_ms": 1000}),
        )
        .await;
    let syncing = app.sync();
    let (_, login) = tokio::join!(syncing.now(), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.session().complete_login(&callback).await
    });
    login.unwrap();
    admin.assert_portal_created_exactly([hers.as_str()]).await;

    // A back on the phone: B's papers were not kept as hers (she is level 1: she has none here).
    other.session().logout(LocalData::Keep).await.unwrap();
    log_in(&app, 1, &LEVEL1_CITIZEN).await.unwrap();
    let cards: Vec<_> = app
        .documents()
        .list("")
        .unwrap()
        .into_iter()
        .filter(|d| d.kind == smarthd_core::documents::DocumentKind::Card)
        .collect();
    assert!(cards.is_empty(), "{cards:?}");
}

/// A draft made logged out is bound to the resident who submits it. When another process logs
/// that resident out with a wipe as the submit starts, nothing is bound to them: the submit asks
/// for a login and the draft stays as it was, nobody's.
#[tokio::test]
async fn a_draft_submitted_as_its_resident_is_wiped_elsewhere_stays_nobodys() {
    let world = World::new(300).await;
    let app = world.core();
    app.sync().catalog().await.unwrap();
    let shared = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&app, &shared.id);
    log_in(&app, 1, &LEVEL1_CITIZEN).await.unwrap();
    let theirs = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let tag: String = db.query_row("SELECT owner FROM dossier WHERE id = ?1", [&theirs.id], |r| r.get(0)).unwrap();
    let submitted = smarthd_tests::while_another_process_writes(
        &world,
        |other| {
            other
                .execute_batch(&format!(
                    "DELETE FROM session; DELETE FROM dossier WHERE owner = '{tag}';
                     INSERT INTO wiped_owner (owner) VALUES ('{tag}');"
                ))
                .unwrap();
        },
        || app.dossiers().submit(&shared.id),
    );
    assert_eq!(submitted.unwrap_err().kind(), ErrorKind::NeedsLogin);
    let (owner, status): (Option<String>, String) = db
        .query_row("SELECT owner, status FROM dossier WHERE id = ?1", [&shared.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((owner, status.as_str()), (None, "draft"));
}

/// A logout with wipe deletes the sealed files its resident's records named, and only those: a
/// file kept a moment ago for an attachment whose record is not committed yet (another thread or
/// process attaching it to a draft nobody owns) stays.
#[tokio::test]
async fn a_wipe_deletes_its_residents_files_and_no_file_being_attached() {
    let world = World::new(300).await;
    let app = world.core();
    app.sync().catalog().await.unwrap();
    let shared = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let scan = smarthd_tests::sample_file(world.dir.path(), "giay-chung-sinh.pdf", "pdf", 20_000, 7);
    let in_flight = app.dossiers().attach(&shared.id, &scan).unwrap();
    // Its record not written yet: as it stands between the file kept and the record committed.
    rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .execute("DELETE FROM dossier_attachment WHERE sha256 = ?1", [&in_flight.sha256])
        .unwrap();
    log_in(&app, 1, &LEVEL1_CITIZEN).await.unwrap();
    let draft = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let photo = smarthd_tests::sample_file(world.dir.path(), "anh.jpg", "jpeg", 20_000, 8);
    let theirs = app.dossiers().attach(&draft.id, &photo).unwrap();

    app.session().logout(LocalData::Wipe).await.unwrap();
    let kept = |sha256: &str| world.data_dir().join("attachments").join(format!("{sha256}.sealed")).exists();
    assert!(!kept(&theirs.sha256), "the wiped resident's file is deleted");
    assert!(kept(&in_flight.sha256), "the file being attached stays");
}

/// A wipe whose process stopped after its commit and before its files were removed (the app
/// killed): the next open removes the files it listed that no record names, keeps one a record
/// names again, and leaves nothing listed.
#[tokio::test]
async fn a_wipe_stopped_before_its_files_were_removed_finishes_at_the_next_open() {
    let world = World::new(300).await;
    let app = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let draft = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let photo = smarthd_tests::sample_file(world.dir.path(), "anh.jpg", "jpeg", 20_000, 8);
    let wiped = app.dossiers().attach(&draft.id, &photo).unwrap();
    let scan = smarthd_tests::sample_file(world.dir.path(), "giay-chung-sinh.pdf", "pdf", 20_000, 9);
    let named_again = app.dossiers().attach(&draft.id, &scan).unwrap();
    drop(app);
    // As the wipe's commit left it: the record deleted, both files listed; then the kill.
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    db.execute("DELETE FROM dossier_attachment WHERE sha256 = ?1", [&wiped.sha256]).unwrap();
    db.execute("INSERT INTO file_to_remove (sha256) VALUES (?1), (?2)", [&wiped.sha256, &named_again.sha256]).unwrap();
    let kept = |sha256: &str| world.data_dir().join("attachments").join(format!("{sha256}.sealed")).exists();
    assert!(kept(&wiped.sha256) && kept(&named_again.sha256));

    let app = world.core();
    app.dossiers().list().unwrap();
    assert!(!kept(&wiped.sha256), "the wiped record's file is removed at the next open");
    assert!(kept(&named_again.sha256), "a file a record names stays");
    let listed: i64 = db.query_row("SELECT count(*) FROM file_to_remove", [], |r| r.get(0)).unwrap();
    assert_eq!(listed, 0);
}

/// A process killed while it wrote a sealed file leaves its temporary file: the next open removes
/// it once it is an hour old, and leaves a younger one (another process's write in progress)
/// and the kept files alone.
#[tokio::test]
async fn a_file_write_stopped_halfway_leaves_no_temporary_file_for_good() {
    let world = World::new(300).await;
    let app = logged_in(&world, 1, &LEVEL1_CITIZEN).await;
    let draft = app.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let photo = smarthd_tests::sample_file(world.dir.path(), "anh.jpg", "jpeg", 20_000, 8);
    let attached = app.dossiers().attach(&draft.id, &photo).unwrap();
    drop(app);
    let files = world.data_dir().join("attachments");
    let temp_file = |name: &str, age: std::time::Duration| {
        let path = files.join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(std::time::SystemTime::now() - age).unwrap();
        path
    };
    let abandoned = temp_file(&format!("{}.4242-0.tmp", "ab".repeat(32)), std::time::Duration::from_secs(7_200));
    let in_progress = temp_file(&format!("{}.4243-0.tmp", "cd".repeat(32)), std::time::Duration::from_secs(60));

    let app = world.core();
    app.dossiers().list().unwrap();
    assert!(!abandoned.exists(), "an abandoned temporary file is removed at the next open");
    assert!(in_progress.exists(), "a write that may still be going on is left alone");
    assert!(files.join(format!("{}.sealed", attached.sha256)).exists(), "a kept file stays");
}
