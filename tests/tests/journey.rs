//! The dossier to the end (#12): the officer asks for more documents and the resident answers
//! (offline too), exactly once per round; a withdrawal; the result issued, fetched, verified
//! offline, exported, and refused once tampered with.

use smarthd_core::catalog::model::Subject;
use smarthd_core::dossier::ActionKind;
use smarthd_core::{DossierStatus, ErrorKind, SmartHd};
use smarthd_sandbox::OFFICERS;
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, OfficerConsole};
use smarthd_tests::{Admin, World, fill_valid, log_in, sample_file, while_another_process_writes};

/// Đăng ký khai sinh: free, level 1 is enough.
const BIRTH: &str = "1.001193.H19";
const COPY: &str = "Bản sao giấy chứng sinh";
const WITNESS: &str = "Giấy xác nhận của người làm chứng";

async fn received(world: &World) -> (SmartHd, String, String) {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&draft.id).unwrap().code.expect("received");
    (core, draft.id, code)
}

async fn officer(world: &World) -> OfficerConsole {
    OfficerConsole::log_in(&world.sandbox.base_url(), &OFFICERS[0]).await.unwrap()
}

/// A received dossier whose officer asks for a copy (round 1), the request on the phone.
async fn asked_for_a_copy(world: &World) -> (SmartHd, String, String, OfficerConsole) {
    let (core, id, code) = received(world).await;
    let officer = officer(world).await;
    officer.request_supplement(&code, "Bổ sung bản sao", &[COPY]).await.unwrap();
    core.sync().now().await.unwrap();
    (core, id, code, officer)
}

/// The copy attached and the supplement sent, its answer lost after the portal committed it:
/// the entry waits in the outbox.
async fn a_supplement_answer_lost(world: &World) -> (SmartHd, String, String, OfficerConsole) {
    let (core, id, code, officer) = asked_for_a_copy(world).await;
    let files = tempfile::tempdir().unwrap();
    core.dossiers().attach(&id, &sample_file(files.path(), "ban-sao.pdf", "pdf", 3_000, 1)).unwrap();
    core.dossiers().submit(&id).unwrap();
    let admin = Admin::new(&world.sandbox);
    admin.fault("dossiers", "commit_then_drop").await;
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 0);
    admin.delete("admin/faults").await;
    (core, id, code, officer)
}

async fn supplement_effects(world: &World) -> std::collections::BTreeMap<String, u64> {
    let ledger = Admin::new(&world.sandbox).get("admin/ledger").await;
    let actions = ledger["actions"].as_object().expect("the ledger lists actions");
    actions.iter().map(|(id, n)| (id.clone(), n.as_u64().unwrap())).collect()
}

/// A round end to end: the request reaches the resident with what is asked; the resident edits
/// a field and attaches the two documents while the portal is unreachable; the supplement goes
/// once when it is back (a lost answer retried), and the officer sees the new documents.
#[tokio::test]
async fn a_supplement_round_is_answered_offline_and_delivered_once() {
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    let officer = officer(&world).await;
    officer
        .request_supplement(&code, "Bổ sung bản sao giấy chứng sinh và giấy xác nhận", &[COPY, WITNESS])
        .await
        .unwrap();
    core.sync().now().await.unwrap();
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!(dossier.status, DossierStatus::NeedMoreDocuments);
    let request = dossier.supplement.expect("the request reached the resident");
    assert_eq!((request.round, request.documents.as_slice()), (1, &[COPY.to_owned(), WITNESS.to_owned()][..]));
    assert!(request.message.contains("giấy xác nhận"));

    // Offline: the portal drops every connection.
    let admin = Admin::new(&world.sandbox);
    admin.fault("*", "drop").await;
    let files = tempfile::tempdir().unwrap();
    let first = core.dossiers().attach(&id, &sample_file(files.path(), "chung-sinh.pdf", "pdf", 3_000, 1)).unwrap();
    assert_eq!(first.document.as_deref(), Some(COPY), "the first document not attached yet");
    let early = core.dossiers().submit(&id).unwrap_err();
    assert_eq!(early.kind(), ErrorKind::Validation);
    assert!(early.to_string().contains(WITNESS), "{early}");
    core.dossiers()
        .attach_document(
            &id,
            &sample_file(files.path(), "xac-nhan.jpg", "jpeg", 2_000, 2),
            "giay xac nhan cua nguoi lam chung",
        )
        .unwrap();
    core.dossiers().set_field(&id, "ho_ten", "Nguyễn Văn Bổ Sung").unwrap();
    let queued = core.dossiers().submit(&id).unwrap();
    assert_eq!(queued.queued_action, Some(ActionKind::Supplement));
    assert!(core.dossiers().set_field(&id, "ho_ten", "x").is_err(), "no edits while it is queued");
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.outbox.sent, 0);
    assert_eq!(core.dossiers().get(&id).unwrap().queued_action, Some(ActionKind::Supplement));

    // Back, but the answer to the supplement is lost after the portal committed it.
    admin.delete("admin/faults").await;
    admin.fault("dossiers", "commit_then_drop").await;
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 0);
    assert_eq!(supplement_effects(&world).await.values().sum::<u64>(), 1, "committed at the portal");
    admin.delete("admin/faults").await;
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.outbox.sent, 1);
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!((dossier.status, dossier.supplement, dossier.queued_action), (DossierStatus::Processing, None, None));
    assert!(dossier.timeline.iter().any(|e| e.message.as_deref().is_some_and(|m| m.contains("bổ sung lần 1"))));
    let effects = supplement_effects(&world).await;
    assert_eq!(effects.values().copied().collect::<Vec<_>>(), [1], "one supplement, delivered once: {effects:?}");
    let ledger = admin.get("admin/ledger").await;
    for a in &dossier.attachments[..] {
        assert_eq!(ledger["attachments"][&a.sha256]["intact"], true, "{}", a.name);
    }
}

/// Withdrawn while received (offline, then delivered once); a processed dossier cannot be;
/// only drafts are deleted.
#[tokio::test]
async fn a_received_dossier_is_withdrawn_once_and_a_processed_one_cannot_be() {
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    assert_eq!(core.dossiers().delete_draft(&id).unwrap_err().kind(), ErrorKind::Validation);
    core.dossiers().withdraw(&id, Some("Nộp nhầm thủ tục")).unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.outbox.sent, 1);
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!(dossier.status, DossierStatus::Withdrawn);
    assert!(dossier.timeline.last().unwrap().message.as_deref().unwrap().contains("Nộp nhầm thủ tục"));
    let public = core.dossiers().lookup(&code).await.unwrap();
    assert_eq!(public.status, DossierStatus::Withdrawn);
    assert_eq!(supplement_effects(&world).await.values().sum::<u64>(), 1);

    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&draft.id).unwrap().code.unwrap();
    officer(&world).await.set_status(&code, "processing", None).await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().withdraw(&draft.id, None).unwrap_err().kind(), ErrorKind::Validation);

    let scratch = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    core.dossiers().delete_draft(&scratch.id).unwrap();
    assert_eq!(core.dossiers().get(&scratch.id).unwrap_err().kind(), ErrorKind::NotFound);
}

/// A withdrawal is checked against the dossier as it is queued: processing that another process
/// records (its sync) while the withdrawal starts is seen, and nothing is queued.
#[tokio::test]
async fn a_withdrawal_sees_processing_recorded_while_it_starts() {
    let world = World::new(300).await;
    let (core, id, _) = received(&world).await;
    let withdrawn = while_another_process_writes(
        &world,
        |other| {
            other.execute("UPDATE dossier SET status = 'processing' WHERE id = ?1", [&id]).unwrap();
        },
        || core.dossiers().withdraw(&id, None),
    );
    let err = withdrawn.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!((dossier.status, dossier.queued_action), (DossierStatus::Processing, None));
    let queued: i64 = rusqlite::Connection::open(world.data_dir().join("user.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, 0);
}

/// Two files attached at once in a supplement round answer two requested documents: the one an
/// attachment answers is chosen on the dossier as it is written.
#[tokio::test]
async fn attachments_made_at_once_answer_different_documents() {
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    officer(&world).await.request_supplement(&code, "Bổ sung giấy tờ", &[COPY, WITNESS]).await.unwrap();
    core.sync().now().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    // A row as the core writes one (its name sealed), for the other process to copy.
    let scratch = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    core.dossiers().attach(&scratch.id, &sample_file(files.path(), "ban-sao.pdf", "pdf", 3_000, 1)).unwrap();
    let attached = while_another_process_writes(
        &world,
        |other| {
            other
                .execute(
                    "INSERT INTO dossier_attachment (dossier_id, sha256, name, size, content_type, owner, round, document)
                     SELECT ?1, sha256, name, size, content_type, (SELECT owner FROM dossier WHERE id = ?1), 1, ?3
                     FROM dossier_attachment WHERE dossier_id = ?2",
                    rusqlite::params![id, scratch.id, COPY],
                )
                .unwrap();
        },
        || core.dossiers().attach(&id, &sample_file(files.path(), "xac-nhan.jpg", "jpeg", 2_000, 2)),
    );
    assert_eq!(attached.unwrap().document.as_deref(), Some(WITNESS), "the document not answered yet");
    let answered: Vec<Option<String>> =
        core.dossiers().get(&id).unwrap().attachments.into_iter().map(|a| a.document).collect();
    assert_eq!(answered, [Some(COPY.to_owned()), Some(WITNESS.to_owned())]);
}

/// The answer to a supplement is lost, the officer asks for a second round, and the status feed
/// brings it before the retry: the retry's answer (the first one, replayed) does not take the
/// second request back.
#[tokio::test]
async fn a_retried_supplement_answered_late_keeps_the_next_round() {
    let world = World::new(300).await;
    let (core, id, code, officer) = a_supplement_answer_lost(&world).await;
    // Its next attempt an hour away (the first backoff is a second, which this test may outlast).
    smarthd_tests::next_attempt_in(&world, &id, 3600);
    officer.request_supplement(&code, "Bổ sung thêm giấy xác nhận", &[WITNESS]).await.unwrap();
    // Online again while the supplement still backs off: the feed comes first.
    core.sync().when_online().await.unwrap();
    assert_eq!(core.dossiers().get(&id).unwrap().supplement.map(|r| r.round), Some(2));
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!(dossier.status, DossierStatus::NeedMoreDocuments);
    assert_eq!(dossier.supplement.map(|r| (r.round, r.documents)), Some((2, vec![WITNESS.to_owned()])));
    assert_eq!(dossier.queued_action, None);
    assert_eq!(supplement_effects(&world).await.values().sum::<u64>(), 1, "the first round answered once");
}

/// The result in hand: issued by the officer, fetched and verified by sync, exported as the
/// PDF the portal signed; tampered with on the phone, it no longer verifies.
#[tokio::test]
async fn a_result_is_fetched_verified_offline_exported_and_a_tampered_one_refused() {
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    let officer = officer(&world).await;
    officer.attach_result(&code, "Giấy khai sinh bản chính số 123").await.unwrap();
    officer.set_status(&code, "result_ready", None).await.unwrap();
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.results_kept, 1);
    assert_eq!(core.sync().now().await.unwrap().results_kept, 0, "kept once");
    let summary = core.dossiers().get(&id).unwrap().result.expect("the result is on the phone");
    assert_eq!(summary.name, "Giấy khai sinh bản chính số 123");

    // Offline: the sandbox is gone; the result still verifies and exports.
    let data_dir = world.data_dir();
    drop(core);
    let core = world.core();
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("ket-qua.pdf");
    let payload = core.dossiers().export_result(&id, &pdf).unwrap();
    assert_eq!(
        (payload.dossier_code.as_str(), payload.result_id.as_str()),
        (code.as_str(), summary.result_id.as_str())
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let digest: String =
        ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, payload.sha256);

    // The sealed PDF replaced by another (sealed with the phone's own key: a local forgery).
    drop(core);
    let db = rusqlite::Connection::open(data_dir.join("user.db")).unwrap();
    let sha: String = db.query_row("SELECT sha256 FROM dossier_result", [], |r| r.get(0)).unwrap();
    let other = sample_file(out.path(), "other.pdf", "pdf", 900, 9);
    let core = world.core();
    let draft = core.dossiers().new_draft(BIRTH, Subject::Citizen).unwrap();
    let forged = core.dossiers().attach(&draft.id, &other).unwrap();
    let attachments = data_dir.join("attachments");
    std::fs::copy(attachments.join(format!("{}.sealed", forged.sha256)), attachments.join(format!("{sha}.sealed")))
        .unwrap();
    let error = core.dossiers().result(&id).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation, "{error}");
    assert!(core.dossiers().export_result(&id, &out.path().join("x.pdf")).is_err());
    assert!(!out.path().join("x.pdf").exists(), "nothing written for a result that does not verify");
}

/// A rating once the result is in: refused before, queued offline with its scores, delivered
/// once through a lost acknowledgement, refused a second time; the officer sees it in the
/// procedure's averages.
#[tokio::test]
async fn a_rating_is_delivered_once_and_the_officer_sees_the_procedures_average() {
    use smarthd_core::dossier::{Rating, RatingVerdict};
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    let rating = Rating {
        verdict: RatingVerdict::VerySatisfied,
        scores: [("dung_han".to_owned(), 2), ("thai_do".to_owned(), 1)].into(),
        comment: Some("Cán bộ hướng dẫn tận tình".into()),
    };
    assert_eq!(core.dossiers().rate(&id, rating.clone()).unwrap_err().kind(), ErrorKind::Validation, "no result yet");
    let officer = officer(&world).await;
    officer.set_status(&code, "result_ready", None).await.unwrap();
    core.sync().now().await.unwrap();
    let bad = Rating { scores: [("dung_han".to_owned(), 5)].into(), ..rating.clone() };
    assert_eq!(core.dossiers().rate(&id, bad).unwrap_err().kind(), ErrorKind::Validation);
    let queued = core.dossiers().rate(&id, rating.clone()).unwrap();
    assert_eq!(queued.queued_action, Some(ActionKind::Rating));

    let admin = Admin::new(&world.sandbox);
    admin.fault("dossiers", "commit_then_drop").await;
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 0);
    admin.delete("admin/faults").await;
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    let rated = core.dossiers().get(&id).unwrap();
    assert_eq!((rated.rating, rated.queued_action), (Some(RatingVerdict::VerySatisfied), None));
    assert_eq!(supplement_effects(&world).await.values().copied().collect::<Vec<_>>(), [1], "delivered once");
    assert_eq!(core.dossiers().rate(&id, rating).unwrap_err().kind(), ErrorKind::Validation, "once per dossier");

    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}officer/login", world.sandbox.base_url()))
        .json(&serde_json::json!({"username": OFFICERS[0].username, "password": OFFICERS[0].password}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let summaries: serde_json::Value = http
        .get(format!("{}officer/ratings", world.sandbox.base_url()))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let birth = &summaries["procedures"][0];
    assert_eq!(
        (&birth["procedure_code"], &birth["count"], &birth["very_satisfied"]),
        (&BIRTH.into(), &1.into(), &1.into())
    );
    assert_eq!(birth["average_score"], 1.5);
}

/// My documents: a level-2 resident's result, e-receipt and personal papers in one offline
/// list, searched without tone marks, exported; a tampered receipt is listed as not verified.
#[tokio::test]
async fn my_documents_list_results_receipts_and_papers_offline_and_export_them() {
    use smarthd_core::documents::DocumentKind;
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let (order, receipt_id) = smarthd_tests::pay_a_fee(&core).await;
    let code = core.dossiers().get(&order.dossier_id).unwrap().code.unwrap();
    let officer = officer(&world).await;
    officer.attach_result(&code, "Phiếu lý lịch tư pháp số 1").await.unwrap();
    officer.set_status(&code, "result_ready", None).await.unwrap();
    core.sync().now().await.unwrap();
    drop(core);

    let core = world.core();
    let all = core.documents().list("").unwrap();
    let kinds: Vec<DocumentKind> = all.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&DocumentKind::Result) && kinds.contains(&DocumentKind::Receipt), "{all:?}");
    assert!(kinds.contains(&DocumentKind::Card), "the VNeID papers, cached at the level-2 sync");
    assert!(all.iter().filter(|d| d.kind != DocumentKind::Card).all(|d| d.verified));
    let found = core.documents().list("phieu ly lich").unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, format!("result:{}", order.dossier_id));
    assert!(core.documents().list("khong co giay to nay").unwrap().is_empty());

    let out = tempfile::tempdir().unwrap();
    core.documents().export(&found[0].id, &out.path().join("kq.pdf")).unwrap();
    assert!(std::fs::read(out.path().join("kq.pdf")).unwrap().starts_with(b"%PDF-"));
    core.documents().export(&format!("receipt:{receipt_id}"), &out.path().join("bl.json")).unwrap();
    let receipt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("bl.json")).unwrap()).unwrap();
    assert_eq!(receipt["receipt_id"], receipt_id.as_str());

    drop(core);
    smarthd_tests::forge_receipt(&world.data_dir(), &order, &receipt_id, "evil");
    let core = world.core();
    let listed = core.documents().list("bien lai").unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].verified, "a forged receipt is listed, never as verified");
    assert!(core.documents().export(&listed[0].id, &out.path().join("x.json")).is_err());
}

/// A file already sent in an earlier round cannot answer the next round's document (it stayed
/// the earlier round's while the call said otherwise), and the earlier round's attachments do not
/// answer a document the officer asks for again; the same file attached again in the open round
/// answers what it is attached as now.
#[tokio::test]
async fn a_file_sent_in_an_earlier_round_does_not_answer_the_next() {
    let world = World::new(300).await;
    let (core, id, code, officer) = asked_for_a_copy(&world).await;
    let files = tempfile::tempdir().unwrap();
    let scan = sample_file(files.path(), "ban-sao.pdf", "pdf", 3_000, 1);
    core.dossiers().attach(&id, &scan).unwrap();
    core.dossiers().submit(&id).unwrap();
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);

    officer.request_supplement(&code, "Bổ sung bản sao và giấy xác nhận", &[COPY, WITNESS]).await.unwrap();
    core.sync().now().await.unwrap();
    let reopened = core.dossiers().get(&id).unwrap();
    assert_eq!(reopened.supplement.map(|r| r.round), Some(2));
    assert_eq!(reopened.missing_documents, [COPY, WITNESS], "round 1's copy answers nothing in round 2");
    let again = core.dossiers().attach_document(&id, &scan, WITNESS).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Validation, "{again}");
    let sent = core.dossiers().get(&id).unwrap().attachments;
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].document.as_deref(), sent[0].round), (Some(COPY), 1), "the first round's attachment as sent");
    let early = core.dossiers().submit(&id).unwrap_err();
    assert!(early.to_string().contains(COPY), "the copy sent in round 1 does not answer round 2: {early}");

    // In the open round, a file attached again as another document answers that one.
    let witness = sample_file(files.path(), "xac-nhan.pdf", "pdf", 3_000, 2);
    assert_eq!(core.dossiers().attach(&id, &witness).unwrap().document.as_deref(), Some(COPY), "the first missing");
    // Attached again, no document named: it answers what it did (not the next one missing).
    assert_eq!(core.dossiers().attach(&id, &witness).unwrap().document.as_deref(), Some(COPY));
    assert_eq!(core.dossiers().get(&id).unwrap().missing_documents, [WITNESS]);
    let moved = core.dossiers().attach_document(&id, &witness, WITNESS).unwrap();
    assert_eq!(moved.document.as_deref(), Some(WITNESS));
    assert_eq!(core.dossiers().get(&id).unwrap().missing_documents, [COPY]);
    let early = core.dossiers().submit(&id).unwrap_err();
    assert!(early.to_string().contains(COPY), "the copy is not answered any more: {early}");
    assert!(!early.to_string().contains(WITNESS), "{early}");
    core.dossiers().attach_document(&id, &sample_file(files.path(), "ban-sao-2.pdf", "pdf", 3_000, 3), COPY).unwrap();
    core.dossiers().submit(&id).unwrap();
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
}

/// An officer's own scan as the result, a few MiB (its JSON carries it in base64, past a web
/// framework's default 2 MB body): taken, and the resident's phone keeps it, verified.
#[tokio::test]
async fn a_result_scan_of_a_few_mebibytes_reaches_the_phone() {
    let world = World::new(300).await;
    let (core, id, code) = received(&world).await;
    let officer = officer(&world).await;
    let mut scan = b"%PDF-1.4\n".to_vec();
    scan.resize(4 * 1024 * 1024, b'0');
    officer.attach_result_file(&code, "Giấy khai sinh (bản quét)", &scan).await.unwrap();
    officer.set_status(&code, "result_ready", None).await.unwrap();
    assert_eq!(core.sync().now().await.unwrap().results_kept, 1);
    let out = tempfile::tempdir().unwrap();
    let payload = core.dossiers().export_result(&id, &out.path().join("ket-qua.pdf")).unwrap();
    assert_eq!(payload.size, scan.len() as u64);
    assert_eq!(std::fs::read(out.path().join("ket-qua.pdf")).unwrap(), scan);
}

/// A supplement whose answer was lost is retried after its procedure left the catalog: the
/// portal answers it as the first time (it refused it as an unknown procedure, and the phone
/// marked a supplement the portal held as failed).
#[tokio::test]
async fn a_retried_supplement_is_answered_after_its_procedure_left_the_catalog() {
    let world = World::new(300).await;
    let (core, id, _code, _officer) = a_supplement_answer_lost(&world).await;
    Admin::new(&world.sandbox).delete(&format!("admin/catalog/procedures/{BIRTH}")).await;
    smarthd_tests::next_attempt_in(&world, &id, -1);
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    let dossier = core.dossiers().get(&id).unwrap();
    assert_eq!((dossier.status, dossier.queued_action), (DossierStatus::Processing, None));
    assert_eq!(supplement_effects(&world).await.values().sum::<u64>(), 1, "delivered once");
}

/// The resident answers a round: no event says "needs more documents" again (the shells would
/// notify them of the request they just answered); the portal's answer is one event, its new
/// status.
#[tokio::test]
async fn answering_a_round_tells_the_resident_only_what_changed() {
    let world = World::new(300).await;
    let (core, id, _code, _officer) = asked_for_a_copy(&world).await;
    drop(core);
    let recorder = std::sync::Arc::new(smarthd_tests::Recorder::default());
    let core = world.core_with(recorder.clone());
    let files = tempfile::tempdir().unwrap();
    core.dossiers().attach(&id, &sample_file(files.path(), "ban-sao.pdf", "pdf", 3_000, 1)).unwrap();
    core.dossiers().submit(&id).unwrap();
    core.sync().now().await.unwrap();
    let statuses: Vec<DossierStatus> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|event| match event {
            smarthd_core::Event::DossierStatusChanged { dossier_id, status, .. } if *dossier_id == id => Some(*status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [DossierStatus::Processing], "{statuses:?}");
    let updated = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .any(|event| matches!(event, smarthd_core::Event::DossierUpdated { dossier_id } if *dossier_id == id));
    assert!(updated, "the supplement queued is told as an update, for screens to read it again");
}
