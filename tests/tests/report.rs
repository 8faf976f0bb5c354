//! Field reports through the core against the real sandbox: drafted offline with three camera
//! photos, delivered exactly once through an unreachable portal and a lost acknowledgement
//! (the sandbox's ledger counts the effects), photos stored and published without metadata, the
//! operations centre's answer with proof seen by the resident (an event, an inbox notice), a
//! rating delivered once through a lost acknowledgement too, a public feed without the reporter,
//! reports kept per resident, and bad input refused with nothing half-written.

use std::path::Path;
use std::sync::Arc;

use smarthd_core::report::fixture::{SECRETS, camera_jpeg, segments};
use smarthd_core::report::{GeoPoint, ReportVerdict, Urgency};
use smarthd_core::{ErrorKind, Event, FeedQuery, InboxKind, LocalData, ReportDraft, ReportState, SmartHd};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{
    Admin, Recorder, World, camera_photo, handled_report, log_in, officer_post, while_another_process_writes,
};

/// Inside Phường Hải Dương (10507), where LEVEL2_CITIZEN lives.
const IN_HAI_DUONG: GeoPoint = GeoPoint { lat: 20.82, lon: 106.22 };
const ADDRESS_NOTE: &str = "Trước nhà số 12 ngõ 34 phố Riêng Tư";

fn draft() -> ReportDraft {
    ReportDraft {
        category: "chieu_sang".into(),
        text: "Đèn đường hỏng cả tuần nay, buổi tối rất tối.".into(),
        location: IN_HAI_DUONG,
        address_note: Some(ADDRESS_NOTE.into()),
        urgency: Urgency::Normal,
        share_identity: false,
    }
}

/// Camera photos (EXIF GPS, maker note, serial number, XMP, IPTC, a comment), each different.
fn camera_photos(dir: &Path, count: u32) -> Vec<std::path::PathBuf> {
    (0..count).map(|i| camera_photo(dir, &format!("IMG_{i}.jpg"), i)).collect()
}

fn assert_metadata_free(jpeg: &[u8], what: &str) {
    for secret in SECRETS {
        assert!(
            !jpeg.windows(secret.len()).any(|w| w == secret),
            "{what} carries {:?}",
            String::from_utf8_lossy(secret)
        );
    }
    for (marker, _) in segments(jpeg) {
        assert!(!(0xE1..=0xEF).contains(&marker) && marker != 0xFE, "{what} keeps segment {marker:#x}");
    }
}

async fn effects(admin: &Admin, id: &str) -> u64 {
    admin.get("admin/reports/ledger").await["effects"][id].as_u64().unwrap_or(0)
}

async fn ioc(world: &World, code: &str, step: &str, body: serde_json::Value) -> serde_json::Value {
    officer_post(&world.sandbox, &format!("officer/api/reports/{code}/{step}"), body).await
}

async fn ready(world: &World, events: Arc<Recorder>) -> SmartHd {
    let core = world.core_with(events);
    log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
    core.reports().refresh_published().await.unwrap();
    core
}

#[tokio::test]
async fn a_report_with_three_photos_reaches_the_answer_and_one_rating_exactly_once() {
    let world = World::new(30).await;
    let admin = Admin::new(&world.sandbox);
    let recorder = Arc::new(Recorder::default());
    let core = ready(&world, recorder.clone()).await;
    let photos = camera_photos(world.dir.path(), 3);

    // Drafted with the portal unreachable: every step is local.
    admin.fault("*", "drop").await;
    let report = core.reports().create(&draft()).unwrap();
    assert_eq!((report.state, report.commune_code.as_deref()), (ReportState::Draft, Some("10507")));
    for photo in &photos {
        core.reports().add_photo(&report.id, photo).unwrap();
    }
    let report = core.reports().submit(&report.id).unwrap();
    assert_eq!((report.state, report.photos.len()), (ReportState::Queued, 3));
    for photo in &report.photos {
        assert_metadata_free(&core.reports().photo(&report.id, &photo.sha256).unwrap(), "the kept photo");
    }
    let sync = core.sync().now().await.unwrap();
    assert_eq!((sync.reports.sent, sync.reports.pending), (0, 1), "offline: still queued");
    assert!(core.reports().get(&report.id).unwrap().problem.is_some(), "the reason is shown");
    assert_eq!(effects(&admin, &report.id).await, 0);

    // Back online, but the portal's answer is lost after it stored the report.
    admin.delete("admin/faults").await;
    admin.fault("reports", "commit_then_drop").await;
    let sync = core.sync().now().await.unwrap();
    assert_eq!((sync.reports.sent, sync.reports.pending), (0, 1), "the answer was lost");
    assert_eq!(effects(&admin, &report.id).await, 1, "but the portal has it");
    admin.delete("admin/faults").await;
    let sync = core.sync().now().await.unwrap();
    assert_eq!((sync.reports.sent, sync.reports.pending), (1, 0));
    assert_eq!(effects(&admin, &report.id).await, 1, "the retry made no second report");
    let sent = core.reports().get(&report.id).unwrap();
    assert_eq!(sent.state, ReportState::Waiting);
    let code = sent.code.clone().expect("the portal's code");
    assert!(sent.accept_by.is_some(), "the promised deadline");

    // The operations centre checks it, assigns it, the agency answers with proof.
    ioc(&world, &code, "accept", serde_json::json!({})).await;
    ioc(&world, &code, "assign", serde_json::json!({"agency": "Công ty Chiếu sáng đô thị"})).await;
    let proof = {
        use base64::Engine;
        let clean = smarthd_core::report::photo::normalize(&camera_jpeg(40, 40, 1)).unwrap().jpeg;
        base64::engine::general_purpose::STANDARD.encode(clean)
    };
    ioc(&world, &code, "answer", serde_json::json!({"message": "Đã thay bóng đèn mới.", "photos_base64": [proof]}))
        .await;

    let sync = core.sync().now().await.unwrap();
    assert_eq!(sync.reports.status_changes, 1, "accepted, assigned and handled since the last look: one change");
    let handled = core.reports().get(&report.id).unwrap();
    assert_eq!(handled.state, ReportState::Handled);
    let answer = handled.answer.clone().expect("the answer");
    assert_eq!((answer.message.as_str(), answer.photos.len()), ("Đã thay bóng đèn mới.", 1));
    assert!(recorder.0.lock().unwrap().iter().any(|e| matches!(
        e,
        Event::ReportStatusChanged { state: ReportState::Handled, code: Some(c), .. } if *c == code
    )));
    let notices: Vec<_> = core.inbox().list().unwrap().into_iter().filter(|i| i.kind == InboxKind::Report).collect();
    assert_eq!(notices.len(), 2, "received, then handled: {notices:?}");
    assert!(notices.iter().any(|n| n.body.starts_with("Đã xử lý")), "{notices:?}");

    // Published: what and where, never who; its photos as clean as they were sent.
    let feed = core.reports().feed(&FeedQuery { near: Some(IN_HAI_DUONG), ..Default::default() }).await.unwrap();
    let public = feed.iter().find(|r| r.code == code).expect("in the public feed");
    let shown = serde_json::to_string(public).unwrap();
    for secret in [LEVEL2_CITIZEN.cccd, "Nguyễn Văn An", ADDRESS_NOTE] {
        assert!(!shown.contains(secret), "the public feed shows {secret:?}");
    }
    assert_eq!(public.photos.len(), 3);
    let http = reqwest::Client::new();
    for photo in public.photos.iter().chain(&answer.photos) {
        let url = format!("{}{}", world.sandbox.base_url(), photo.url.trim_start_matches('/'));
        let bytes = http.get(&url).send().await.unwrap().error_for_status().unwrap().bytes().await.unwrap();
        assert_metadata_free(&bytes, &url);
    }

    // Rated once, through a lost acknowledgement too.
    let rated = core.reports().rate(&report.id, ReportVerdict::Satisfied).unwrap();
    assert_eq!(rated.rating_queued, Some(ReportVerdict::Satisfied));
    let again = core.reports().rate(&report.id, ReportVerdict::NotSatisfied).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Validation, "one verdict: {again}");
    admin.fault("reports", "commit_then_drop").await;
    assert_eq!(core.sync().now().await.unwrap().reports.pending, 1);
    admin.delete("admin/faults").await;
    let sync = core.sync().now().await.unwrap();
    assert_eq!((sync.reports.sent, sync.reports.pending), (1, 0));
    let ledger = admin.get("admin/reports/ledger").await;
    let ratings: Vec<_> = ledger["effects"].as_object().unwrap().iter().filter(|(id, _)| **id != report.id).collect();
    assert_eq!(ratings.len(), 1, "one rating: {ledger}");
    assert_eq!(ratings[0].1, 1, "stored once: {ledger}");
    let rated = core.reports().get(&report.id).unwrap();
    assert_eq!((rated.verdict, rated.rating_queued), (Some(ReportVerdict::Satisfied), None));
}

#[tokio::test]
async fn reports_are_their_residents_and_bad_input_leaves_nothing_behind() {
    let world = World::new(30).await;
    let core = ready(&world, Arc::new(Recorder::default())).await;
    let refused = |result: smarthd_core::Result<_>| match result {
        Err(smarthd_core::Error::Validation { field, reason }) => (field, reason),
        other => panic!("{other:?}"),
    };

    let complaint = ReportDraft { category: "khieu_nai_to_cao".into(), ..draft() };
    let (field, reason) = refused(core.reports().create(&complaint));
    assert_eq!(field, "category");
    assert!(reason.contains("Ban Tiếp công dân"), "says where a complaint goes: {reason}");
    let far = ReportDraft { location: GeoPoint { lat: 10.77, lon: 106.70 }, ..draft() };
    assert_eq!(refused(core.reports().create(&far)).0, "location");
    assert!(core.reports().list().unwrap().is_empty(), "nothing kept from refused drafts");

    let report = core.reports().create(&draft()).unwrap();
    assert_eq!(refused(core.reports().submit(&report.id)).0, "photo", "a report needs a photo");
    let heic = world.dir.path().join("IMG_0001.HEIC");
    std::fs::write(&heic, [&[0, 0, 0, 0x18][..], b"ftypheic", &[0; 16]].concat()).unwrap();
    let (field, reason) = refused(core.reports().add_photo(&report.id, &heic));
    assert_eq!(field, "photo");
    assert!(reason.contains("IMG_0001.HEIC") && reason.contains("heic"), "{reason}");
    for photo in camera_photos(world.dir.path(), 6).iter().take(5) {
        core.reports().add_photo(&report.id, photo).unwrap();
    }
    let sixth = camera_photos(world.dir.path(), 6).pop().unwrap();
    assert_eq!(refused(core.reports().add_photo(&report.id, &sixth)).0, "photo");
    assert_eq!(core.reports().get(&report.id).unwrap().photos.len(), 5);
    // Every photo removed by another process while the submit starts: seen, nothing queued.
    let emptied = while_another_process_writes(
        &world,
        |other| {
            other.execute("DELETE FROM report_photo WHERE report_id = ?1", [&report.id]).unwrap();
        },
        || core.reports().submit(&report.id),
    );
    assert_eq!(refused(emptied).0, "photo", "the photos as queued are checked");
    assert_eq!(core.reports().get(&report.id).unwrap().state, ReportState::Draft);
    // Queued by another process while a photo is added or removed, or the report corrected or
    // deleted: seen, nothing changed.
    let queued_meanwhile = |other: &rusqlite::Connection| {
        other.execute("UPDATE report SET status = 'queued' WHERE id = ?1", [&report.id]).unwrap();
    };
    let back_to_draft = || {
        rusqlite::Connection::open(world.data_dir().join("user.db"))
            .unwrap()
            .execute("UPDATE report SET status = 'draft' WHERE id = ?1", [&report.id])
            .unwrap();
    };
    let added = while_another_process_writes(&world, queued_meanwhile, || core.reports().add_photo(&report.id, &sixth));
    assert_eq!(refused(added).0, "status");
    assert!(core.reports().get(&report.id).unwrap().photos.is_empty());
    back_to_draft();
    let updated = while_another_process_writes(&world, queued_meanwhile, || {
        core.reports().update(&report.id, &ReportDraft { text: "Đèn vẫn hỏng, thêm một cột nữa.".into(), ..draft() })
    });
    assert_eq!(refused(updated).0, "status", "a correction that could not be kept says so");
    back_to_draft();
    let deleted = while_another_process_writes(&world, queued_meanwhile, || core.reports().delete_draft(&report.id));
    assert!(matches!(&deleted, Err(smarthd_core::Error::Validation { field, .. }) if field == "status"), "{deleted:?}");
    assert_eq!(core.reports().get(&report.id).unwrap().text, draft().text);
    back_to_draft();
    core.reports().add_photo(&report.id, &sixth).unwrap();
    let photo = core.reports().get(&report.id).unwrap().photos[0].sha256.clone();
    let removed =
        while_another_process_writes(&world, queued_meanwhile, || core.reports().remove_photo(&report.id, &photo));
    assert_eq!(refused(removed).0, "status");
    assert_eq!(core.reports().get(&report.id).unwrap().photos.len(), 1);
    back_to_draft();
    core.reports().submit(&report.id).unwrap();
    assert_eq!(refused(core.reports().add_photo(&report.id, &sixth)).0, "status", "sent: no more changes");
    assert_eq!(refused(core.reports().rate(&report.id, ReportVerdict::Satisfied)).0, "verdict", "not answered yet");

    // The same phone, another resident: nothing of the first one's.
    core.session().logout(LocalData::Keep).await.unwrap();
    assert!(core.reports().list().unwrap().is_empty(), "logged out: nobody's reports");
    assert_eq!(core.reports().create(&draft()).unwrap_err().kind(), ErrorKind::NeedsLogin);
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert!(core.reports().list().unwrap().is_empty());
    assert_eq!(core.reports().get(&report.id).unwrap_err().kind(), ErrorKind::NotFound);
    let sync = core.sync().now().await.unwrap();
    assert_eq!(sync.reports.sent, 0, "another resident's report is not sent with this session");
}

#[tokio::test]
async fn a_rating_another_process_queued_meanwhile_is_seen() {
    let world = World::new(30).await;
    let core = ready(&world, Arc::new(Recorder::default())).await;
    let id = handled_report(&world.sandbox, &core, world.dir.path()).await;
    let rated = while_another_process_writes(
        &world,
        |other| {
            other
                .execute(
                    "INSERT INTO report_outbox (report_id, kind, action_id, verdict, owner)
                     SELECT id, 'rating', 'rated-elsewhere', 'satisfied', owner FROM report WHERE id = ?1",
                    [&id],
                )
                .unwrap();
        },
        || core.reports().rate(&id, ReportVerdict::NotSatisfied),
    );
    match rated {
        Err(smarthd_core::Error::Validation { field, .. }) => assert_eq!(field, "verdict"),
        other => panic!("{other:?}"),
    }
    let queued: Vec<String> = rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .prepare("SELECT action_id FROM report_outbox WHERE kind = 'rating'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(queued, ["rated-elsewhere"], "one rating queued, the other process's");
}

/// A photo's sealed file lives only while a report names it: a photo refused (a sixth, a report
/// not found) leaves none, and a photo removed or a draft deleted takes its file with it, but
/// not a file another report still names.
#[tokio::test]
async fn a_photo_file_lives_only_while_a_report_names_it() {
    let world = World::new(30).await;
    let core = ready(&world, Arc::new(Recorder::default())).await;
    let files = || {
        std::fs::read_dir(world.data_dir().join("attachments"))
            .map(|dir| dir.filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sealed")).count())
            .unwrap_or(0)
    };
    let photos = camera_photos(world.dir.path(), 6);
    let (first, second) = (core.reports().create(&draft()).unwrap(), core.reports().create(&draft()).unwrap());
    for photo in &photos[..5] {
        core.reports().add_photo(&first.id, photo).unwrap();
    }
    let shared = core.reports().add_photo(&second.id, &photos[0]).unwrap().photos[0].sha256.clone();
    assert_eq!(files(), 5);
    let sixth = core.reports().add_photo(&first.id, &photos[5]).unwrap_err();
    assert_eq!(sixth.kind(), ErrorKind::Validation, "{sixth}");
    assert_eq!(files(), 5, "the sixth photo's file is not kept");
    let unknown = core.reports().add_photo("no-such-report", &photos[5]).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound, "{unknown}");
    assert_eq!(files(), 5);

    let removed = core.reports().get(&first.id).unwrap().photos[1].sha256.clone();
    core.reports().remove_photo(&first.id, &removed).unwrap();
    assert_eq!(files(), 4, "a removed photo's file goes");
    core.reports().delete_draft(&first.id).unwrap();
    assert_eq!(files(), 1, "the deleted draft's files go, but the one the other report names");
    assert_eq!(core.reports().get(&second.id).unwrap().photos[0].sha256, shared);
    core.reports().delete_draft(&second.id).unwrap();
    assert_eq!(files(), 0);
}

/// The categories were kept without the commune boundaries (their request failed, or an older
/// version kept one list at a time): every place read as outside the city, and nothing fetched
/// the boundaries again. The next sync fetches both, and the draft is taken.
#[tokio::test]
async fn categories_kept_without_the_boundaries_are_completed_by_the_next_sync() {
    let world = World::new(40).await;
    let core = ready(&world, Arc::new(Recorder::default())).await;
    rusqlite::Connection::open(world.data_dir().join("catalog.db"))
        .unwrap()
        .execute("DELETE FROM published_list WHERE name = ?1", [smarthd_core::report::AREAS_LIST])
        .unwrap();
    assert!(!core.reports().categories().unwrap().is_empty());
    assert_eq!(core.reports().create(&draft()).unwrap_err().kind(), ErrorKind::Validation, "no boundaries kept");

    core.sync().now().await.unwrap();
    let created = core.reports().create(&draft()).unwrap();
    assert_eq!(created.commune_code.as_deref(), Some("10507"));
}

/// The operations centre refuses a report as a duplicate, naming the original: the resident
/// reads why, and which report it repeats.
#[tokio::test]
async fn a_refusal_reaches_the_resident_with_its_reason_and_note() {
    let world = World::new(30).await;
    let core = ready(&world, Arc::new(Recorder::default())).await;
    let photo = camera_photos(world.dir.path(), 1).remove(0);
    let mut codes = Vec::new();
    for _ in 0..2 {
        let report = core.reports().create(&draft()).unwrap();
        core.reports().add_photo(&report.id, &photo).unwrap();
        core.reports().submit(&report.id).unwrap();
        core.sync().now().await.unwrap();
        codes.push((report.id.clone(), core.reports().get(&report.id).unwrap().code.expect("received")));
    }
    let ((_, original), (repeated, code)) = (&codes[0], &codes[1]);
    ioc(&world, code, "reject", serde_json::json!({"reason": "duplicate", "note": original})).await;
    core.reports().sync().await.unwrap();

    let refused = core.reports().get(repeated).unwrap();
    assert_eq!(refused.state, ReportState::Rejected);
    assert_eq!(refused.reject_reason, Some(smarthd_core::report::RejectReason::Duplicate));
    assert_eq!(refused.reject_note.as_deref(), Some(original.as_str()));
}
