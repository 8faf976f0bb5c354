//! Forms against the real sandbox over loopback: a birth registration for a child, its parent's
//! fields prefilled from the resident's e-identity profile, sent and received by the portal;
//! forms for the resident themself; and the validation rules through `set_field` and `submit`.

use std::collections::BTreeMap;

use smarthd_core::catalog::model::Subject;
use smarthd_core::{DossierStatus, ErrorKind, FieldProblem, ForPerson, SmartHd};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{World, fill_valid, log_in};

/// Đăng ký khai sinh.
const BIRTH: &str = "1.001193.H19";

async fn ready(world: &World, level: u8) -> SmartHd {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, level, if level == 2 { &LEVEL2_CITIZEN } else { &LEVEL1_CITIZEN }).await.unwrap();
    core
}

/// `keys`, and the requester's date of birth where this catalog's birth form asks for it
/// (the generator draws the standard fields), sorted.
fn with_requester_birthdate(core: &SmartHd, keys: &[&str]) -> Vec<String> {
    let form = core.catalog().procedure(BIRTH).unwrap().form;
    let mut keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    if form.fields.iter().any(|f| f.key == "ngay_sinh") {
        keys.push("ngay_sinh".into());
    }
    keys.sort();
    keys
}

/// The form values the portal stored for a dossier (read from its database file).
fn portal_fields(world: &World, dossier_id: &str) -> BTreeMap<String, String> {
    let db = rusqlite::Connection::open(world.dir.path().join("sandbox.db")).unwrap();
    let json: String =
        db.query_row("SELECT fields_json FROM dossier WHERE id = ?1", [dossier_id], |r| r.get(0)).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_birth_registration_for_a_child_comes_prefilled_with_the_parent() {
    let world = World::new(100).await;
    // Nguyễn Văn An, level 2, male: the child's father.
    let core = ready(&world, 2).await;
    let draft = core.dossiers().new_draft_for(BIRTH, Subject::Citizen, ForPerson::Child).unwrap();
    assert_eq!(draft.for_person, ForPerson::Child);
    let expected_prefill =
        with_requester_birthdate(&core, &["cha_ho_ten", "cha_so_cccd", "dia_chi", "ho_ten", "so_cccd"]);
    assert_eq!(draft.prefilled, expected_prefill);
    assert_eq!(draft.fields["cha_ho_ten"], "Nguyễn Văn An");
    assert_eq!(draft.fields["cha_so_cccd"], "030095001234");
    assert_eq!(draft.fields["ho_ten"], "Nguyễn Văn An", "the requester is the resident");
    assert!(draft.fields["dia_chi"].contains("Trần Hưng Đạo"), "the permanent address");
    // Nothing of the child, nor the mother, is taken from the resident.
    for key in ["tre_ho_ten", "tre_ngay_sinh", "me_ho_ten", "me_so_cccd"] {
        assert!(!draft.fields.contains_key(key), "{key}");
    }

    // The resident types the child's and the mother's details, as a person would.
    let set = |key: &str, value: &str| core.dossiers().set_field(&draft.id, key, value).unwrap();
    assert_eq!(set("tre_ho_ten", "Nguyễn Minh Khang"), None);
    assert_eq!(set("tre_ngay_sinh", "20/11/2025"), None);
    assert_eq!(set("tre_noi_sinh", "Bệnh viện Phụ sản Hải Dương"), None);
    assert_eq!(set("tre_gioi_tinh", "Nam"), None);
    assert_eq!(set("me_ho_ten", "Trần Thị Bình"), None);
    assert_eq!(set("me_so_cccd", "0301 9800 5678"), None);
    assert_eq!(set("quan_he", "Cha"), None);
    // Retyping a prefilled value unchanged keeps it prefilled; changing one makes it the resident's.
    assert_eq!(set("cha_ho_ten", " Nguyễn Văn An "), None);
    assert_eq!(set("dia_chi", "Số 3 Nguyễn Du, Phường Hải Dương"), None);
    let filled = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(filled.prefilled, with_requester_birthdate(&core, &["cha_ho_ten", "cha_so_cccd", "ho_ten", "so_cccd"]));
    if core.catalog().procedure(BIRTH).unwrap().form.fields.iter().any(|f| f.key == "cam_ket") {
        assert_eq!(set("cam_ket", "true"), None);
    }
    assert!(core.dossiers().validate(&draft.id).unwrap().is_empty());

    let queued = core.dossiers().submit(&draft.id).unwrap();
    assert_eq!(queued.status, DossierStatus::Queued);
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    let received = core.dossiers().get(&draft.id).unwrap();
    assert_eq!(received.status, DossierStatus::Received, "{:?}", received.problem);
    assert!(received.code.is_some());
    assert_eq!((received.for_person, &received.prefilled), (ForPerson::Child, &filled.prefilled), "kept after sending");

    // The portal holds the values normalized: the key of the option, the date as YYYY-MM-DD,
    // the CCCD without spaces.
    let at_portal = portal_fields(&world, &draft.id);
    assert_eq!(at_portal["tre_ngay_sinh"], "2025-11-20");
    assert_eq!(at_portal["tre_gioi_tinh"], "nam");
    assert_eq!(at_portal["quan_he"], "cha");
    assert_eq!(at_portal["me_so_cccd"], "030198005678");
    assert_eq!(at_portal["cha_so_cccd"], "030095001234");
}

#[tokio::test(flavor = "multi_thread")]
async fn who_is_prefilled_follows_whom_the_dossier_is_about() {
    let world = World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    // Logged out: nothing to prefill from.
    let anonymous = core.dossiers().new_draft_for(BIRTH, Subject::Citizen, ForPerson::Child).unwrap();
    assert!(anonymous.prefilled.is_empty() && anonymous.fields.is_empty());

    // Trần Thị Bình, level 1, female: the mother's fields for her child, none of the father's.
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let child = core.dossiers().new_draft_for(BIRTH, Subject::Citizen, ForPerson::Child).unwrap();
    assert_eq!(
        child.prefilled,
        with_requester_birthdate(&core, &["dia_chi", "ho_ten", "me_ho_ten", "me_so_cccd", "so_cccd"])
    );
    assert_eq!(child.fields["me_so_cccd"], "030198005678");
    // Registering a spouse's or a parent's birth: only the requester's own fields.
    let spouse = core.dossiers().new_draft_for(BIRTH, Subject::Citizen, ForPerson::Spouse).unwrap();
    assert_eq!(spouse.prefilled, with_requester_birthdate(&core, &["dia_chi", "ho_ten", "so_cccd"]));

    // Another form, for herself: her name and CCCD (and date of birth where asked).
    // Every generated form opens with the name and the CCCD of the person it is about.
    let hits = core.catalog().search("ly lich tu phap", &Default::default(), Default::default()).unwrap().hits;
    let other = core.catalog().procedure(&hits[0].code).unwrap();
    assert_eq!(other.form.fields[0].key, "ho_ten");
    let mine = core.dossiers().new_draft(&other.code, Subject::Citizen).unwrap();
    assert_eq!(mine.for_person, ForPerson::Myself);
    assert_eq!(mine.fields["ho_ten"], "Trần Thị Bình");
    assert_eq!(mine.fields["so_cccd"], "030198005678");
    assert!(mine.prefilled.contains(&"ho_ten".to_owned()) && mine.prefilled.contains(&"so_cccd".to_owned()));
    if other.form.fields.iter().any(|f| f.key == "ngay_sinh") {
        assert_eq!(mine.fields["ngay_sinh"], "1998-11-02");
    }
    // For a child, the same form's fields are the child's: nothing of hers.
    let for_child = core.dossiers().new_draft_for(&other.code, Subject::Citizen, ForPerson::Child).unwrap();
    assert!(!for_child.fields.contains_key("ho_ten") && !for_child.fields.contains_key("so_cccd"));
}

#[tokio::test(flavor = "multi_thread")]
async fn set_field_and_submit_apply_every_rule() {
    let world = World::new(100).await;
    let core = ready(&world, 2).await;
    let draft = core.dossiers().new_draft_for(BIRTH, Subject::Citizen, ForPerson::Child).unwrap();
    let set = |key: &str, value: &str| core.dossiers().set_field(&draft.id, key, value).unwrap();
    let stored = |key: &str| core.dossiers().get(&draft.id).unwrap().fields.get(key).cloned();

    // A date that does not exist says so; a birth date in the future is refused.
    let problem = set("tre_ngay_sinh", "1995-02-30").expect("no such date");
    assert_eq!(problem, FieldProblem::NoSuchDate);
    assert!(problem.message().contains("does not exist") && !problem.message().contains("YYYY"));
    assert_eq!(stored("tre_ngay_sinh").as_deref(), Some("1995-02-30"), "kept as typed, to correct");
    assert_eq!(set("tre_ngay_sinh", "2099-01-01"), Some(FieldProblem::FutureDate));

    // Options by label, any case or marks, stored as the key; a wrong one lists the options.
    assert_eq!(set("quan_he", "Cha"), None);
    assert_eq!(stored("quan_he").as_deref(), Some("cha"));
    assert_eq!(set("quan_he", "ME"), None);
    assert_eq!(stored("quan_he").as_deref(), Some("me"));
    let Some(FieldProblem::Option { options }) = set("quan_he", "chú") else { panic!("not an option") };
    assert_eq!(options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), ["cha", "me", "ong_ba", "nguoi_than"]);
    assert!(FieldProblem::Option { options }.message().contains("Cha, Mẹ"));

    // Spaces and dots in numbers are ignored and the number stored without them.
    assert_eq!(set("me_so_cccd", "0300 9500 1234"), None);
    assert_eq!(stored("me_so_cccd").as_deref(), Some("030095001234"));
    assert_eq!(set("me_so_cccd", "030.095.001.234"), None);

    // Submitting reports every problem at once, each field named.
    set("ho_ten", "");
    let err = core.dossiers().submit(&draft.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let text = err.to_string();
    for key in ["ho_ten", "quan_he", "tre_ho_ten", "tre_ngay_sinh", "tre_noi_sinh", "tre_gioi_tinh", "me_ho_ten"] {
        assert!(text.contains(key), "{key} missing from {text}");
    }
    assert!(text.contains("Chọn một trong") && text.contains("không được sau hôm nay"), "{text}");
    let fields: Vec<String> = core.dossiers().validate(&draft.id).unwrap().into_iter().map(|e| e.field).collect();
    let commitment = core.catalog().procedure(BIRTH).unwrap().form.fields.iter().any(|f| f.key == "cam_ket");
    assert_eq!(fields.len(), 7 + usize::from(commitment), "{fields:?}");

    // Filled as the scripted resident would, it goes through.
    fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    assert_eq!(core.sync().now().await.unwrap().outbox.sent, 1);
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Received);
}
