//! Dossiers against the real sandbox over loopback: offline drafts and validation,
//! attachments, the outbox (offline submission, lost acknowledgement, fault soak), step-up,
//! permanent failures kept, status tracking and public lookup.

use std::sync::Arc;
use std::time::Duration;

use smarthd_core::catalog::model::Subject;
use smarthd_core::{DossierStatus, ErrorKind, Event, FieldProblem, SmartHd};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN, OfficerConsole};
use smarthd_sandbox::{OFFICERS, Sandbox, SandboxConfig};
use smarthd_tests::{
    Admin, Recorder, World, fill_valid, log_in, officer_takes_into_processing, sample_file,
    while_another_process_writes,
};

/// Đăng ký khai sinh: free, level 1 is enough.
const BIRTH: &str = "1.001193.H19";

fn fee_paying_code(core: &SmartHd) -> String {
    let hits = core.catalog().search("ly lich tu phap", &Default::default(), Default::default()).unwrap().hits;
    hits.iter()
        .map(|h| core.catalog().procedure(&h.code).unwrap())
        .find(|p| !p.fees.is_empty())
        .expect("a fee-paying procedure")
        .code
}

async fn ready(world: &World, level: u8) -> SmartHd {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, level, if level == 2 { &LEVEL2_CITIZEN } else { &LEVEL1_CITIZEN }).await.unwrap();
    core
}

fn queued_birth(core: &SmartHd) -> String {
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    draft.id
}

#[tokio::test]
async fn drafts_are_validated_offline_with_typed_field_errors() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    assert_eq!(draft.status, DossierStatus::Draft);
    let err = core.dossiers().submit(&draft.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("ho_ten") || err.to_string().contains("required"), "{err}");
    assert_eq!(core.dossiers().set_field(&draft.id, "so_cccd", "12345").unwrap(), Some(FieldProblem::Cccd));
    assert_eq!(core.dossiers().set_field(&draft.id, "so_cccd", "030095001234").unwrap(), None);
    assert_eq!(core.dossiers().set_field(&draft.id, "khong_co", "x").unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(core.dossiers().new_draft("9.999999.H19", Subject::Citizen).unwrap_err().kind(), ErrorKind::NotFound);
    // A procedure for citizens started for an organization: refused before a form is typed.
    assert_eq!(core.catalog().procedure(BIRTH).unwrap().subjects, vec![Subject::Citizen]);
    match core.dossiers().new_draft(BIRTH, Subject::Organization).unwrap_err() {
        smarthd_core::Error::Validation { field, reason } => {
            assert_eq!(field, "applicant");
            assert!(reason.contains("tổ chức") && reason.contains("organizations"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(core.dossiers().list().unwrap().len(), 1, "no draft kept for it");
    // Nothing was queued by the failed submission.
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Draft);
    assert_eq!(core.sync().now().await.unwrap().outbox.pending, 0);
}

#[tokio::test]
async fn the_submit_checks_the_form_it_queues_while_another_process_edits_it() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    // An empty form sealed as the core seals one: what the other process writes below.
    let empty = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let sealed: Vec<u8> = rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .query_row("SELECT fields FROM dossier WHERE id = ?1", [&empty.id], |r| r.get(0))
        .unwrap();
    // Another process empties the filled form while the submit starts: the submit must check
    // the form it queues, not the one it could read before.
    let submitted = while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET fields = ?2 WHERE id = ?1", rusqlite::params![draft.id, sealed]).unwrap();
        },
        || core.dossiers().submit(&draft.id),
    );
    let err = submitted.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(err.to_string().contains("ho_ten"), "{err}");
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Draft);
    assert_eq!(core.sync().now().await.unwrap().outbox.pending, 0);
}

/// An attachment whose kept file is gone can never be sent: the dossier fails for good, and its
/// reason (kept in the clear, shown beside it) does not name the file, whose name is sealed.
#[tokio::test]
async fn a_lost_attachment_fails_its_dossier_without_naming_the_file() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    let scan = sample_file(world.dir.path(), "giay-chung-sinh-Tran-Thi-Binh.pdf", "pdf", 50_000, 5);
    let attachment = core.dossiers().attach(&draft.id, &scan).unwrap();
    core.dossiers().submit(&draft.id).unwrap();
    std::fs::remove_file(world.data_dir().join("attachments").join(format!("{}.sealed", attachment.sha256))).unwrap();
    core.sync().now().await.unwrap();
    let failed = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(failed.status, DossierStatus::Failed);
    let problem = failed.problem.unwrap();
    assert!(problem.contains("an attachment cannot be read") && !problem.contains("Binh"), "{problem}");
    for file in ["user.db", "user.db-wal"] {
        let bytes = std::fs::read(world.data_dir().join(file)).unwrap_or_default();
        assert!(!bytes.windows(4).any(|w| w == b"Binh"), "the file's name is in {file} in the clear");
    }
}

#[tokio::test]
async fn an_attachment_is_not_added_to_a_dossier_queued_while_it_is_read() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let scan = sample_file(world.dir.path(), "giay-chung-sinh.pdf", "pdf", 50_000, 4);
    let attached = while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET status = 'queued' WHERE id = ?1", [&draft.id]).unwrap();
        },
        || core.dossiers().attach(&draft.id, &scan),
    );
    assert_eq!(attached.unwrap_err().kind(), ErrorKind::Validation);
    assert!(core.dossiers().get(&draft.id).unwrap().attachments.is_empty());
}

#[tokio::test]
async fn two_edits_at_once_keep_both_values_and_a_queued_draft_is_not_deleted() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    // The form with one name typed, sealed as the core seals it: another process's edit.
    let named = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    core.dossiers().set_field(&named.id, "ho_ten", "Nguyễn Văn Bình").unwrap();
    let user_db = world.data_dir().join("user.db");
    let sealed: Vec<u8> = rusqlite::Connection::open(&user_db)
        .unwrap()
        .query_row("SELECT fields FROM dossier WHERE id = ?1", [&named.id], |r| r.get(0))
        .unwrap();
    while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET fields = ?2 WHERE id = ?1", rusqlite::params![draft.id, sealed]).unwrap();
        },
        || core.dossiers().set_field(&draft.id, "so_cccd", "030095001234").unwrap(),
    );
    let fields = core.dossiers().get(&draft.id).unwrap().fields;
    assert_eq!(fields.get("ho_ten").map(String::as_str), Some("Nguyễn Văn Bình"), "the other edit kept");
    assert_eq!(fields.get("so_cccd").map(String::as_str), Some("030095001234"));

    // Queued by another process while it is being deleted: refused, and still there.
    let deleted = while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET status = 'queued' WHERE id = ?1", [&draft.id]).unwrap();
        },
        || core.dossiers().delete_draft(&draft.id),
    );
    assert_eq!(deleted.unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Queued);
}

#[tokio::test]
async fn a_replaced_procedure_cannot_be_started() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    world.sandbox.portal().replace(BIRTH, "1.004772.H19").unwrap().unwrap();
    core.sync().catalog().await.unwrap();
    let err = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("1.004772.H19"), "{err}");
}

#[tokio::test]
async fn attachments_are_checked_hashed_and_sealed() {
    let world = World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let files = tempfile::tempdir().unwrap();
    let too_big = sample_file(files.path(), "big.pdf", "pdf", 10 * 1024 * 1024 + 1, 1);
    assert_eq!(core.dossiers().attach(&draft.id, &too_big).unwrap_err().kind(), ErrorKind::Validation);
    let program = sample_file(files.path(), "virus.jpg", "exe", 1000, 2);
    assert_eq!(core.dossiers().attach(&draft.id, &program).unwrap_err().kind(), ErrorKind::Validation);
    let scan = sample_file(files.path(), "giay-chung-sinh.jpg", "jpeg", 300_000, 3);
    let attachment = core.dossiers().attach(&draft.id, &scan).unwrap();
    let bytes = std::fs::read(&scan).unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    assert_eq!(attachment.sha256, digest.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>());
    assert_eq!((attachment.content_type.as_str(), attachment.size), ("image/jpeg", 300_000));
    assert_eq!(core.dossiers().get(&draft.id).unwrap().attachments, vec![attachment]);
    // The copy in the data dir is sealed: the file's bytes do not appear in it.
    let stored = std::fs::read_dir(world.data_dir().join("attachments")).unwrap().next().unwrap().unwrap().path();
    let sealed = std::fs::read(stored).unwrap();
    assert!(!sealed.windows(64).any(|w| w == &bytes[1000..1064]));
}

/// `/dev/zero` used to be read until memory ran out and a named pipe blocked forever: only a
/// regular file is read, never past 10 MiB, and each refusal names the file.
#[cfg(unix)]
#[tokio::test]
async fn devices_pipes_folders_and_oversized_files_are_refused_without_reading_them() {
    let world = World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let files = tempfile::tempdir().unwrap();
    let pipe = files.path().join("to-khai.pipe");
    assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    // A sparse file: 10 MiB and one byte by its size, nothing written.
    let sparse = files.path().join("scan-lon.pdf");
    std::fs::File::create(&sparse).unwrap().set_len(10 * 1024 * 1024 + 1).unwrap();
    for (path, name, reason) in [
        (std::path::PathBuf::from("/dev/zero"), "zero", "not a regular file"),
        (pipe.clone(), "to-khai.pipe", "not a regular file"),
        (files.path().to_owned(), files.path().file_name().unwrap().to_str().unwrap(), "not a regular file"),
        (sparse, "scan-lon.pdf", "larger than 10 MiB"),
    ] {
        let err = core.dossiers().attach(&draft.id, &path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{name}: {err}");
        let message = err.to_string();
        assert!(message.contains(&format!("{name}: ")) && message.contains(reason), "{name}: {message}");
    }
    let missing = core.dossiers().attach(&draft.id, &files.path().join("khong-co.pdf")).unwrap_err();
    assert!(missing.to_string().contains("khong-co.pdf: "), "{missing}");
    assert_eq!(missing.kind(), ErrorKind::NotFound, "the file is not there; the phone's storage is fine: {missing}");
    assert!(core.dossiers().get(&draft.id).unwrap().attachments.is_empty(), "nothing was attached");
    assert!(!world.data_dir().join("attachments").exists(), "nothing was kept");
}

/// Only the resident reads the data dir: 0700 folders (a looser one is tightened) and 0600
/// files, the databases' WAL and SHM, attachments and lock files included.
#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_every_file_in_it_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::new(100).await;
    std::fs::create_dir_all(world.data_dir()).unwrap();
    std::fs::set_permissions(world.data_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let core = ready(&world, 1).await;
    let id = queued_birth(&core);
    let files = tempfile::tempdir().unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    core.dossiers().attach(&draft.id, &sample_file(files.path(), "giay-chung-sinh.jpg", "jpeg", 2_000, 4)).unwrap();
    core.sync().now().await.unwrap();
    assert_ne!(core.dossiers().get(&id).unwrap().status, DossierStatus::Queued);

    let mut seen = Vec::new();
    let mut folders = vec![world.data_dir()];
    while let Some(folder) = folders.pop() {
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", folder.display());
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
                seen.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    for expected in ["user.db", "user.db-wal", "user.db-shm", "catalog.db", "catalog.db-wal", "session.lock"] {
        assert!(seen.iter().any(|f| f == expected), "{expected} in {seen:?}");
    }
    assert!(seen.iter().any(|f| f.ends_with(".sealed")), "an attachment in {seen:?}");
}

#[tokio::test]
async fn a_dossier_submitted_offline_is_delivered_once_the_portal_is_back() {
    let world = World::new(300).await;
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let addr = world.sandbox.addr();
    let World { dir, sandbox } = world;
    sandbox.stop().await;

    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    let files = tempfile::tempdir().unwrap();
    core.dossiers().attach(&draft.id, &sample_file(files.path(), "to-khai.pdf", "pdf", 1_300_000, 9)).unwrap();
    let submitted = core.dossiers().submit(&draft.id).unwrap();
    assert_eq!(submitted.status, DossierStatus::Queued, "submit returns at once, offline");
    assert_eq!(submitted, core.dossiers().get(&draft.id).unwrap(), "what submit answers is what is stored");
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (0, 1));
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Queued);

    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.addr = addr;
    config.catalog_size = 300;
    let sandbox = Sandbox::start(config).await.unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    let sent = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(sent.status, DossierStatus::Received);
    assert!(sent.code.is_some() && sent.receipt.is_some());
    let admin = Admin::new(&sandbox);
    admin.assert_portal_created_exactly([draft.id.as_str()]).await;
    let ledger = admin.get("admin/ledger").await;
    let attachment = &sent.attachments[0];
    assert_eq!(ledger["attachments"][&attachment.sha256]["intact"], true, "{ledger}");
    let events = recorder.0.lock().unwrap().clone();
    assert!(events.iter().any(|e| matches!(e, Event::DossierStatusChanged { status: DossierStatus::Received, .. })));
}

#[tokio::test]
async fn a_lost_acknowledgement_makes_one_dossier() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let admin = Admin::new(&world.sandbox);
    let id = queued_birth(&core);
    admin.fault("submit", "commit_then_drop").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.outbox.pending, 1, "the answer was lost: still in the outbox");
    // But the portal committed it.
    admin.assert_portal_created_exactly([id.as_str()]).await;
    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    // The retry was deduplicated.
    admin.assert_portal_created_exactly([id.as_str()]).await;
    assert_eq!(core.dossiers().get(&id).unwrap().status, DossierStatus::Received);
}

/// A lost acknowledgement, then the status feed moves the dossier on before the retry: the
/// retry's answer (the portal replays its first one, "received") does not take it back.
#[tokio::test]
async fn a_retry_answered_late_does_not_take_back_a_newer_status() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let admin = Admin::new(&world.sandbox);
    let id = queued_birth(&core);
    admin.fault("submit", "commit_then_drop").await;
    assert_eq!(core.sync().now().await.unwrap().outbox.pending, 1);
    admin.delete("admin/faults").await;
    // Its next attempt an hour away (the first backoff is a second, which this test may outlast).
    smarthd_tests::next_attempt_in(&world, &id, 3600);
    let officer = OfficerConsole::log_in(&world.sandbox.base_url(), &OFFICERS[0]).await.unwrap();
    let code = officer.list().await.unwrap()["dossiers"][0]["code"].as_str().unwrap().to_owned();
    officer.set_status(&code, "processing", None).await.unwrap();
    // Online again while the entry still backs off: the feed comes first.
    let report = core.sync().when_online().await.unwrap();
    assert_eq!(report.outbox.pending, 1, "the entry waits for its next attempt");
    assert_eq!(core.dossiers().get(&id).unwrap().status, DossierStatus::Processing);
    let recorder = std::sync::Arc::new(smarthd_tests::Recorder::default());
    let report = world.core_with(recorder.clone()).sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    let told = recorder.0.lock().unwrap().iter().any(|e| matches!(e, smarthd_core::Event::DossierStatusChanged { .. }));
    assert!(!told, "the feed told of \"processing\" already; the late answer changes nothing to tell");
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!((dossier.status, dossier.code.as_deref()), (DossierStatus::Processing, Some(code.as_str())));
    admin.assert_portal_created_exactly([id.as_str()]).await;
}

/// The status feed applied while another process writes `user.db`: the sync waits for the other
/// write and applies the page. (A transaction that reads before it writes fails on the other's
/// commit, SQLITE_BUSY_SNAPSHOT, which no waiting cures: the page was lost until the next sync.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_page_is_applied_while_another_process_writes() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let id = queued_birth(&core);
    core.sync().now().await.unwrap();
    officer_takes_into_processing(&world, &core, &id).await;
    let runtime = tokio::runtime::Handle::current();
    let report = while_another_process_writes(
        &world,
        |other| {
            other.execute("INSERT INTO recent_view (owner, code, viewed_at) VALUES ('', ?1, 'now')", [BIRTH]).unwrap();
        },
        || runtime.block_on(core.sync().now()).unwrap(),
    );
    assert_eq!(report.status_changes, 1);
    assert_eq!(core.dossiers().get(&id).unwrap().status, DossierStatus::Processing);
}

#[tokio::test]
async fn the_same_id_with_other_content_is_refused_and_kept() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    drop(core);
    // A backup restored later: the same draft, edited differently, sent again.
    let user_db = world.data_dir().join("user.db");
    let backup = std::fs::read(&user_db).unwrap();
    let core = world.core();
    core.dossiers().submit(&draft.id).unwrap();
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    drop(core);
    std::fs::write(&user_db, backup).unwrap();
    let core = world.core();
    core.dossiers().set_field(&draft.id, "ho_ten", "Nguyễn Văn Bình").unwrap();
    core.dossiers().submit(&draft.id).unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.failed, report.outbox.pending), (1, 0));
    // The portal's dossier keeps its id; the refused edit is kept beside it under a new one.
    let all = core.dossiers().list().unwrap();
    assert_eq!(all.len(), 2);
    let original = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(original.status, DossierStatus::Received);
    let failed = all.iter().find(|d| d.id != draft.id).unwrap();
    assert_eq!(failed.status, DossierStatus::Failed);
    let problem = failed.problem.as_deref().unwrap_or_default();
    assert!(problem.contains("the portal refused") && problem.contains("cổng dịch vụ công từ chối"), "{problem}");
    // For the resident: the portal's words, never an HTTP path or status (#15).
    assert!(!problem.contains("HTTP") && !problem.contains("api/v1") && !problem.contains("422"), "{problem}");
    assert_eq!(failed.fields["ho_ten"], "Nguyễn Văn Bình", "nothing the resident typed is lost");
    // The refused copy never became a second dossier at the portal.
    Admin::new(&world.sandbox).assert_portal_created_exactly([draft.id.as_str()]).await;
}

/// Dossiers queued offline go to the portal several to a request: one request, whose lost answer
/// leaves all of them committed at the portal and queued on the phone; the next flush is answered
/// with the first answers, each dossier made once.
#[tokio::test]
async fn queued_dossiers_go_together_and_a_lost_answer_makes_each_once() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let admin = Admin::new(&world.sandbox);
    let ids: Vec<String> = (0..6).map(|_| queued_birth(&core)).collect();
    admin.fault("submit", "commit_then_drop").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (0, 6));
    assert_eq!(admin.get("admin/ledger").await["submit_requests"], 1, "one request for six dossiers");
    admin.assert_portal_created_exactly(ids.iter().map(String::as_str)).await;
    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (6, 0));
    admin.assert_portal_created_exactly(ids.iter().map(String::as_str)).await;
    for id in &ids {
        assert_eq!(core.dossiers().get(id).unwrap().status, DossierStatus::Received);
    }
}

/// A portal without the batch route (`404`) gets each dossier alone, each with its own verdict.
#[tokio::test]
async fn a_portal_without_batches_gets_each_dossier_alone() {
    let world = World::without_dossier_batches(300).await;
    let core = ready(&world, 1).await;
    let ids: Vec<String> = (0..3).map(|_| queued_birth(&core)).collect();
    let retired = core.dossiers().new_draft("1.004772.H19", Subject::Citizen).unwrap();
    fill_valid(&core, &retired.id);
    core.dossiers().submit(&retired.id).unwrap();
    world.sandbox.portal().replace("1.004772.H19", BIRTH).unwrap().unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.failed, report.outbox.pending), (3, 1, 0));
    let admin = Admin::new(&world.sandbox);
    admin.assert_portal_created_exactly(ids.iter().map(String::as_str)).await;
    assert_eq!(admin.get("admin/ledger").await["submit_requests"], 4, "one request each");
    assert_eq!(core.dossiers().get(&retired.id).unwrap().status, DossierStatus::Failed);
}

#[tokio::test]
async fn a_permanent_failure_does_not_block_the_rest_of_the_queue() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let first = queued_birth(&core);
    let second = queued_birth(&core);
    // The portal retires the procedure after the dossiers were queued offline.
    let draft = core.dossiers().new_draft("1.004772.H19", Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    world.sandbox.portal().replace("1.004772.H19", BIRTH).unwrap().unwrap();
    let third = queued_birth(&core);
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.failed, report.outbox.pending), (3, 1, 0));
    for id in [&first, &second, &third] {
        assert_eq!(core.dossiers().get(id).unwrap().status, DossierStatus::Received);
    }
    Admin::new(&world.sandbox).assert_portal_created_exactly([&first, &second, &third].map(String::as_str)).await;
    let refused = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(refused.status, DossierStatus::Failed);
    assert!(refused.problem.is_some());
}

#[tokio::test]
async fn without_login_nothing_is_queued_and_at_level_1_dossiers_wait_in_the_outbox() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    // A draft made while logged out is the resident's to submit once they log in: submitting
    // binds it to them (the outbox sends only with its owner's session).
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    assert_eq!(core.dossiers().submit(&draft.id).unwrap_err().kind(), ErrorKind::NeedsLogin);
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Draft);
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.outbox.pending, 0);

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let free = core.dossiers().submit(&draft.id).unwrap().id;
    let fee_code = fee_paying_code(&core);
    let paid = core.dossiers().new_draft(&fee_code, Subject::Citizen).unwrap();
    fill_valid(&core, &paid.id);
    core.dossiers().submit(&paid.id).unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.waiting_for_level2, report.outbox.pending), (1, 1, 1));
    assert_eq!(core.dossiers().get(&free).unwrap().status, DossierStatus::Received);
    let waiting = core.dossiers().get(&paid.id).unwrap();
    assert_eq!(waiting.status, DossierStatus::Queued);
    assert!(waiting.problem.unwrap().contains("level 2"));

    // Another resident at level 2 on the same phone does not send it: it is not theirs.
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.waiting_for_owner), (0, 1));
    // Nor do they see it: submitting made the logged-out draft the first resident's.
    assert_eq!(core.dossiers().get(&free).unwrap_err().kind(), ErrorKind::NotFound);
    assert!(core.dossiers().list().unwrap().iter().all(|d| d.id != free && d.id != paid.id));
    Admin::new(&world.sandbox).assert_portal_created_exactly([free.as_str()]).await;
}

#[tokio::test]
async fn status_changes_from_the_officer_reach_the_resident() {
    let world = World::new(300).await;
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let id = queued_birth(&core);
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&id).unwrap().code.unwrap();
    let officer = OfficerConsole::log_in(&world.sandbox.base_url(), &OFFICERS[0]).await.unwrap();
    officer.set_status(&code, "processing", None).await.unwrap();
    officer.set_status(&code, "need_more_documents", Some("Bổ sung bản sao giấy chứng sinh")).await.unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.status_changes, 1);
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!(dossier.status, DossierStatus::NeedMoreDocuments);
    let statuses: Vec<DossierStatus> = dossier.timeline.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [DossierStatus::Received, DossierStatus::Processing, DossierStatus::NeedMoreDocuments]);
    assert_eq!(dossier.timeline[2].message.as_deref(), Some("Bổ sung bản sao giấy chứng sinh"));
    officer.set_status(&code, "result_ready", None).await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&id).unwrap().status, DossierStatus::ResultReady);
    let events = recorder.0.lock().unwrap().clone();
    assert!(events.iter().any(|e| matches!(e, Event::DossierStatusChanged { status: DossierStatus::ResultReady, .. })));

    // Anyone with the code can see the status, and nothing personal.
    let public = world.core().dossiers().lookup(&code).await.unwrap();
    assert_eq!(public.status, DossierStatus::ResultReady);
    let typed = format!(" {} ", code.to_lowercase());
    assert_eq!(world.core().dossiers().lookup(&typed).await.unwrap().code, code, "typed in lower case");
    assert_eq!(world.core().dossiers().lookup("H19.00-000000-0000").await.unwrap_err().kind(), ErrorKind::NotFound);
}

/// 500 submissions under 20% server errors, 10% answers slower than the client waits and 5%
/// dropped connections: every one delivered, each exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_delivers_every_dossier_exactly_once() {
    let world = World::new(100).await;
    let mut config = smarthd_core::Config::new(&world.sandbox.base_url(), world.data_dir()).unwrap();
    config.request_timeout = Duration::from_millis(400);
    let core = SmartHd::open(config, smarthd_core::Services::with_key_dir(world.data_dir().join("keys"))).unwrap();
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let ids: Vec<String> = (0..500).map(|_| queued_birth(&core)).collect();
    let admin = Admin::new(&world.sandbox);
    for (kind, probability) in [("error_500", 0.20), ("delay", 0.10), ("drop", 0.05)] {
        admin
            .post(
                "admin/faults",
                serde_json::json!({"route": "submit", "kind": kind, "probability": probability, "delay_ms": 700}),
            )
            .await;
    }
    let mut rounds = 0;
    while core.sync().now().await.unwrap().outbox.pending > 0 {
        rounds += 1;
        assert!(rounds < 60, "the outbox drains");
    }
    admin.delete("admin/faults").await;
    admin.assert_portal_created_exactly(ids.iter().map(String::as_str)).await;
    // And the phone's records agree: exactly these, all received.
    let local = core.dossiers().list().unwrap();
    assert_eq!(local.len(), ids.len());
    assert!(local.iter().all(|d| d.status == DossierStatus::Received && ids.contains(&d.id)));
}

#[tokio::test]
async fn a_malformed_answer_keeps_the_dossier_in_the_outbox_until_a_good_one() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let admin = Admin::new(&world.sandbox);
    let id = queued_birth(&core);
    admin.fault("submit", "malformed").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.failed, report.outbox.pending), (0, 0, 1), "kept, not dropped");
    let waiting = core.dossiers().get(&id).unwrap();
    assert!(waiting.problem.unwrap().contains("malformed"), "the resident sees why it waits");
    assert!(waiting.receipt.is_none());
    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (1, 0));
    let received = core.dossiers().get(&id).unwrap();
    assert_eq!(received.status, DossierStatus::Received);
    assert!(received.receipt.is_some(), "the replayed first answer brings the receipt");
    // Committed once, whatever the answers said.
    admin.assert_portal_created_exactly([id.as_str()]).await;
}

/// Wakes the test when the portal has received a dossier, so it can drop the sync right then.
struct OnReceived(tokio::sync::Notify);

impl smarthd_core::EventListener for OnReceived {
    fn on_event(&self, event: Event) {
        if matches!(event, Event::DossierStatusChanged { status: DossierStatus::Received, .. }) {
            self.0.notify_one();
        }
    }
}

#[tokio::test]
async fn a_sync_dropped_mid_flight_stops_there_and_leaves_the_outbox_whole() {
    let world = World::new(300).await;
    let received = Arc::new(OnReceived(tokio::sync::Notify::new()));
    let core = world.core_with(received.clone());
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let first = queued_birth(&core);
    // Two more, each with a scan; the portal is slow on attachments, so once the first is
    // received the sync is parked on the second's upload.
    let files = tempfile::tempdir().unwrap();
    let mut rest = Vec::new();
    for seed in 0..2 {
        let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
        fill_valid(&core, &draft.id);
        let scan = sample_file(files.path(), &format!("scan-{seed}.pdf"), "pdf", 4096, seed);
        core.dossiers().attach(&draft.id, &scan).unwrap();
        core.dossiers().submit(&draft.id).unwrap();
        rest.push(draft.id);
    }
    let admin = Admin::new(&world.sandbox);
    let slow = serde_json::json!({"route": "attachments", "kind": "delay", "probability": 1.0, "delay_ms": 60_000});
    admin.post("admin/faults", slow).await;

    // Dropping the future is how a Rust caller cancels (and how the bindings do when the app
    // cancels its coroutine or task).
    let sync = core.sync();
    tokio::select! {
        biased;
        () = received.0.notified() => {}
        report = sync.now() => panic!("the sync was not stopped: {report:?}"),
    }

    // The work stopped: the portal has the first dossier and never got the others.
    assert_eq!(core.dossiers().get(&first).unwrap().status, DossierStatus::Received);
    admin.assert_portal_created_exactly([first.as_str()]).await;
    for id in &rest {
        assert_eq!(core.dossiers().get(id).unwrap().status, DossierStatus::Queued);
    }
    // Nothing half-written: the next sync finds both in the outbox and sends each once.
    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!((report.outbox.sent, report.outbox.pending), (2, 0));
    for id in &rest {
        assert_eq!(core.dossiers().get(id).unwrap().status, DossierStatus::Received);
    }
    admin.assert_portal_created_exactly([&first, &rest[0], &rest[1]].map(String::as_str)).await;
}

/// A deleted draft takes its attachments' sealed files with it, but not one another draft names;
/// a file attached to a draft no longer editable is not kept.
#[tokio::test]
async fn a_deleted_draft_takes_its_files_but_not_one_another_names() {
    let world = World::new(300).await;
    let core = ready(&world, 1).await;
    let kept = |sha256: &str| world.data_dir().join("attachments").join(format!("{sha256}.sealed")).exists();
    let (first, second) = (
        core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap(),
        core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap(),
    );
    let scan = smarthd_tests::sample_file(world.dir.path(), "giay-chung-sinh.pdf", "pdf", 20_000, 3);
    let photo = smarthd_tests::sample_file(world.dir.path(), "anh.jpg", "jpeg", 20_000, 4);
    let own = core.dossiers().attach(&first.id, &scan).unwrap();
    let shared = core.dossiers().attach(&first.id, &photo).unwrap();
    core.dossiers().attach(&second.id, &photo).unwrap();
    core.dossiers().delete_draft(&first.id).unwrap();
    assert!(!kept(&own.sha256), "the deleted draft's own file goes");
    assert!(kept(&shared.sha256), "the file the other draft names stays");

    // Queued by another process while a new file is attached: refused, and the file not kept.
    let late = smarthd_tests::sample_file(world.dir.path(), "to-khai.pdf", "pdf", 20_000, 5);
    let refused = while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET status = 'queued' WHERE id = ?1", [&second.id]).unwrap();
        },
        || core.dossiers().attach(&second.id, &late),
    );
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Validation);
    let files = std::fs::read_dir(world.data_dir().join("attachments")).unwrap().count();
    assert_eq!(files, 1, "only the shared file is left");
}
