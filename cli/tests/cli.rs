//! The `smarthd` binary against a real sandbox over loopback.

use std::process::{Command, Output};

use smarthd_core::catalog::model::Subject;
use smarthd_sandbox::{Sandbox, SandboxConfig};

fn smarthd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smarthd")).args(args).output().expect("smarthd runs")
}

async fn sandbox(dir: &std::path::Path) -> Sandbox {
    Sandbox::start(SandboxConfig::ephemeral(dir.join("sandbox.db"))).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn json_search_lists_the_exact_name_first() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path()).await;
    let data = dir.path().join("data");
    let (portal, data) = (sandbox.base_url(), data.to_str().unwrap().to_owned());

    let sync = smarthd(&["--portal", &portal, "--data-dir", &data, "catalog", "sync"]);
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));

    let out = smarthd(&["--portal", &portal, "--data-dir", &data, "--json", "catalog", "search", "dang ky khai sinh"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(found["page"], 1);
    let first = &found["hits"].as_array().expect("an array of hits")[0];
    assert_eq!(first["name"], "Đăng ký khai sinh");
    for key in ["code", "name", "field", "agency", "level", "online"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }

    let filtered = smarthd(&[
        "--portal",
        &portal,
        "--data-dir",
        &data,
        "--json",
        "catalog",
        "search",
        "cap",
        "--level",
        "province",
        "--online",
        "partial",
        "--limit",
        "5",
    ]);
    let found: serde_json::Value = serde_json::from_slice(&filtered.stdout).unwrap();
    let hits = found["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert!(hits.iter().all(|h| h["level"] == "province" && h["online"] == "partial"), "{hits:?}");

    let code = first["code"].as_str().unwrap().to_owned();
    let show = smarthd(&["--portal", &portal, "--data-dir", &data, "--json", "catalog", "show", &code]);
    let record: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(record["code"], code.as_str());
    assert!(record["form"]["fields"].as_array().is_some_and(|f| !f.is_empty()), "the whole record, form included");

    // The portal goes down: sync says so and fails; search serves the cache.
    sandbox.stop().await;
    let sync = smarthd(&["--portal", &portal, "--data-dir", &data, "catalog", "sync"]);
    assert!(!sync.status.success());
    let stderr = String::from_utf8_lossy(&sync.stderr);
    assert!(stderr.contains("unreachable") && stderr.contains("cached"), "{stderr}");
    let out = smarthd(&["--portal", &portal, "--data-dir", &data, "--json", "catalog", "search", "dang ky khai sinh"]);
    assert!(out.status.success());
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["hits"][0]["name"], "Đăng ký khai sinh");

    // The values `--field` and `--agency` take, with their counts, listed (offline, from the copy).
    for (facet, flag) in [("fields", "--field"), ("agencies", "--agency")] {
        let out = smarthd(&["--portal", &portal, "--data-dir", &data, "--json", "catalog", facet]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let first = &listed.as_array().expect("a list")[0];
        let name = first["name"].as_str().unwrap();
        assert!(first["count"].as_u64().unwrap() > 0);
        let out = smarthd(&["--portal", &portal, "--data-dir", &data, "--json", "catalog", "search", "", flag, name]);
        let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!found["hits"].as_array().unwrap().is_empty(), "{facet} {name}: {found}");
    }
}

/// `--page` walks every match of a broad query (more than the 400 a search used to stop at),
/// each once; the last page says there is no more; `--limit` beyond a page is refused;
/// `catalog suggest` completes a word being typed.
#[tokio::test(flavor = "multi_thread")]
async fn search_pages_reach_the_last_match_and_suggest_completes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path()).await;
    let data = dir.path().join("data");
    let (portal, data) = (sandbox.base_url(), data.to_str().unwrap().to_owned());
    let base = ["--portal", portal.as_str(), "--data-dir", data.as_str()];
    let run = |args: &[&str]| smarthd(&[&base[..], args].concat());
    assert!(run(&["catalog", "sync"]).status.success());

    let mut codes = Vec::new();
    for page in 1.. {
        let page = page.to_string();
        let out = run(&["--json", "catalog", "search", "giấy", "--limit", "100", "--page", &page]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(found["page"].as_u64().unwrap().to_string(), page);
        let hits = found["hits"].as_array().unwrap();
        codes.extend(hits.iter().map(|h| h["code"].as_str().unwrap().to_owned()));
        if found["has_more"] == false {
            assert!(!hits.is_empty(), "the last page holds the last match");
            break;
        }
        assert_eq!(hits.len(), 100, "a page before the last is full");
    }
    assert!(codes.len() > 400, "{} matches", codes.len());
    let distinct: std::collections::HashSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), codes.len(), "no match twice");

    // Text output numbers across pages and says which page comes next.
    let out = run(&["catalog", "search", "giấy", "--limit", "100", "--page", "2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("101. ") && text.contains("--page 3"), "{text}");

    let out = run(&["catalog", "search", "giấy", "--limit", "100000"]);
    assert_eq!(out.status.code(), Some(2), "a limit beyond a page is refused, not silently cut");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1..=200"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(run(&["catalog", "search", "giấy", "--page", "0"]).status.code(), Some(2));

    let out = run(&["--json", "catalog", "suggest", "dang k"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(names.iter().any(|n| n == "Đăng ký khai sinh"), "{names:?}");
    let out = run(&["catalog", "suggest", "Đăng K", "--limit", "3"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().collect::<Vec<_>>(), names[..3]);
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = smarthd(&["--portal", "http://portal.example.vn", "--data-dir", data, "catalog", "sync"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("phải dùng https") && stderr.contains("must use https"), "{stderr}");

    assert_eq!(out.status.code(), Some(10), "invalid input");

    let out = smarthd(&["--portal", "http://127.0.0.1:9", "--data-dir", data, "catalog", "show", "9.999999"]);
    assert_eq!(out.status.code(), Some(11), "not found");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not found"), "{stderr}");

    // With --json the error is one JSON document on stderr, with a stable kind; stdout is empty.
    let out = smarthd(&["--portal", "http://127.0.0.1:9", "--data-dir", data, "--json", "catalog", "show", "9.999999"]);
    assert_eq!(out.status.code(), Some(11));
    assert!(out.stdout.is_empty());
    let error: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert_eq!(error["error"]["kind"], "not_found", "{error}");
    let out =
        smarthd(&["--portal", "http://127.0.0.1:9", "--data-dir", data, "--json", "dossier", "submit", "khong-co"]);
    let error: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert_eq!((out.status.code(), &error["error"]["kind"]), (Some(11), &"not_found".into()), "{error}");
}

/// `smarthd … | head` used to panic (exit 101, "Broken pipe") once the reader was gone: the
/// program now ends quietly, with the status a shell gives a program ended by SIGPIPE.
#[test]
fn a_closed_stdout_ends_any_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    for args in [
        &["vietqr", "encode", "--bin", "970436", "--account", "0011001234567", "--amount", "190000"][..],
        &["--data-dir", data, "dossier", "list"],
        &["--data-dir", data, "--json", "payments"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_smarthd")).args(args).stdout(writer).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

/// An officer's message is the portal's text: escape sequences in it never reach the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn officer_messages_are_printed_without_control_characters() {
    let world = smarthd_tests::World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 1, &smarthd_sandbox::robot::LEVEL1_CITIZEN).await.unwrap();
    let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
    smarthd_tests::fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&draft.id).unwrap().code.unwrap();
    let message = "Bổ sung giấy tờ\x1b[2J\x1b]0;owned\x07\r\nngay\u{9b}31m";
    smarthd_sandbox::robot::officer_set_status(&world.sandbox.base_url(), &code, "processing", Some(message))
        .await
        .unwrap();
    core.sync().now().await.unwrap();
    drop(core);

    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let out = smarthd(&["--portal", &portal, "--data-dir", &data, "dossier", "show", &draft.id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Bổ sung giấy tờ[2J]0;owned  ngay31m"), "{stdout}");
    assert!(!stdout.chars().any(|c| c.is_control() && c != '\n'), "{stdout:?}");
}

/// `smarthd receipts` shows a paid fee's receipt as verified, with the key pinned by
/// `--receipt-key` or fetched and sealed; a key written into user.db and a forged receipt never
/// show as verified.
#[tokio::test(flavor = "multi_thread")]
async fn receipts_verify_and_a_forged_one_is_never_shown_as_verified() {
    let world = smarthd_tests::World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let (order, receipt_id) = smarthd_tests::pay_a_fee(&core).await;
    drop(core);
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let pin = world.sandbox.payments().receipt_key_pin();
    let pinned = ["--portal", &portal, "--data-dir", &data, "--receipt-key", &pin, "receipts"];
    let fetched = ["--portal", &portal, "--data-dir", &data, "receipts"];
    for args in [&pinned[..], &fetched[..]] {
        let out = smarthd(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains(&format!("{receipt_id} ✔ chữ ký hợp lệ")), "{stdout}");
    }

    smarthd_tests::forge_receipt(&world.data_dir(), &order, &receipt_id, "evil");
    for args in [&pinned[..], &fetched[..]] {
        let out = smarthd(args);
        assert!(!out.status.success());
        assert!(!String::from_utf8_lossy(&out.stdout).contains('✔'));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no key evil"), "{stderr}");
    }
    let bad_pin = smarthd(&["--portal", &portal, "--data-dir", &data, "--receipt-key", "r1:c2hvcnQ", "receipts"]);
    assert!(String::from_utf8_lossy(&bad_pin.stderr).contains("32 bytes"));
}

/// A shared phone through the CLI: A queues a dossier and runs `smarthd logout` (data kept);
/// B logs in on the same data dir: `smarthd dossier list` shows none of A's, `smarthd sync`
/// sends nothing of A's and says one waits for its owner; `smarthd logout --wipe` deletes B's
/// data only.
#[tokio::test(flavor = "multi_thread")]
async fn residents_sharing_a_phone_see_and_send_only_their_own_dossiers() {
    let world = smarthd_tests::World::new(100).await;
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let cli = |args: &[&str]| {
        let out = smarthd(&[&["--portal", &portal, "--data-dir", &data][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let queued_birth = |core: &smarthd_core::SmartHd| {
        let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
        smarthd_tests::fill_valid(core, &draft.id);
        core.dossiers().submit(&draft.id).unwrap();
        draft.id
    };
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    let a_dossier = queued_birth(&core);
    drop(core);
    assert!(cli(&["logout"]).contains("chỉ bạn xem được"));

    let core = world.core();
    smarthd_tests::log_in(&core, 1, &smarthd_sandbox::robot::LEVEL1_CITIZEN).await.unwrap();
    let b_dossier = queued_birth(&core);
    drop(core);
    let list = cli(&["--json", "dossier", "list"]);
    assert!(list.contains(&b_dossier) && !list.contains(&a_dossier), "{list}");
    let report: serde_json::Value = serde_json::from_str(&cli(&["--json", "sync"])).unwrap();
    assert_eq!((&report["outbox"]["sent"], &report["outbox"]["waiting_for_owner"]), (&1.into(), &1.into()), "{report}");
    smarthd_tests::Admin::new(&world.sandbox).assert_portal_created_exactly([b_dossier.as_str()]).await;
    // B queues one more: a wipe would lose it, so it is refused, still logged in.
    let core = world.core();
    let b_unsent = queued_birth(&core);
    drop(core);
    let refused = smarthd(&["--portal", &portal, "--data-dir", &data, "logout", "--wipe"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains("--discard-unsent"), "{stderr}");
    assert!(cli(&["--json", "dossier", "list"]).contains(&b_unsent), "nothing wiped");
    assert!(cli(&["logout", "--wipe", "--discard-unsent"]).contains("Đã xoá dữ liệu của bạn"));

    let core = world.core();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    drop(core);
    let list = cli(&["--json", "dossier", "list"]);
    assert!(list.contains(&a_dossier) && !list.contains(&b_dossier), "{list}");
    let report: serde_json::Value = serde_json::from_str(&cli(&["--json", "sync"])).unwrap();
    assert_eq!(report["outbox"]["sent"], 1, "{report}");
    smarthd_tests::Admin::new(&world.sandbox)
        .assert_portal_created_exactly([a_dossier.as_str(), b_dossier.as_str()])
        .await;
}

/// The dossier commands of #12 by code or id prefix, with `--json` that parses: `show` by
/// code, `result --out` (verified, the PDF written), `withdraw`, `delete`.
#[tokio::test(flavor = "multi_thread")]
async fn dossier_commands_take_a_code_or_an_id_prefix_and_answer_json() {
    let world = smarthd_tests::World::new(100).await;
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let cli = |args: &[&str]| -> serde_json::Value {
        let out = smarthd(&[&["--portal", &portal, "--data-dir", &data, "--json"][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
    };
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 1, &smarthd_sandbox::robot::LEVEL1_CITIZEN).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
        smarthd_tests::fill_valid(&core, &draft.id);
        core.dossiers().submit(&draft.id).unwrap();
        ids.push(draft.id);
    }
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&ids[0]).unwrap().code.unwrap();
    let officer = smarthd_sandbox::robot::OfficerConsole::log_in(&portal, &smarthd_sandbox::OFFICERS[0]).await.unwrap();
    officer.attach_result(&code, "Giấy khai sinh số 7").await.unwrap();
    officer.set_status(&code, "result_ready", None).await.unwrap();
    core.sync().now().await.unwrap();
    let scratch = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap().id;
    drop(core);

    assert_eq!(cli(&["dossier", "show", &code.to_lowercase()])["id"], ids[0].as_str());
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("kq.pdf");
    let result = cli(&["dossier", "result", &ids[0][..8], "--out", pdf.to_str().unwrap()]);
    assert_eq!((&result["verified"], &result["result"]["name"]), (&true.into(), &"Giấy khai sinh số 7".into()));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let rated =
        cli(&["dossier", "rate", &code, "--verdict", "very-satisfied", "--score", "dung_han=2", "--comment", "Tốt"]);
    assert_eq!(rated["rating"], "very_satisfied", "{rated}");
    let documents = cli(&["documents", "giay khai sinh"]);
    assert_eq!(documents[0]["kind"], "result", "{documents}");
    let files = tempfile::tempdir().unwrap();
    let scan = smarthd_tests::sample_file(files.path(), "to-khai.pdf", "pdf", 2_000, 3);
    let draft = cli(&["dossier", "new", "1.001193.H19"]);
    let draft_id = draft["dossier"]["id"].as_str().unwrap().to_owned();
    let attached = cli(&["dossier", "attach", &draft_id, scan.to_str().unwrap()]);
    assert_eq!(attached["content_type"], "application/pdf");
    assert_eq!(cli(&["dossier", "withdraw", &ids[1]])["status"], "withdrawn");
    assert_eq!(cli(&["dossier", "delete", &scratch])["deleted"], scratch.as_str());
    let refused = smarthd(&["--portal", &portal, "--data-dir", &data, "dossier", "delete", &ids[0]]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("withdraw"));
    let out = cli(&["logout"]);
    assert_eq!((&out["logged_out"], &out["local_data"]), (&true.into(), &"kept".into()), "{out}");
}

/// `smarthd dossier new CODE --for child`: the parent's fields come prefilled from the resident's
/// e-identity and `show` lists them; `set` answers the stored (normalized) value; `--json`
/// stays JSON.
#[tokio::test(flavor = "multi_thread")]
async fn a_draft_for_a_child_lists_what_was_prefilled() {
    let world = smarthd_tests::World::new(100).await;
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let cli = |args: &[&str]| {
        let out = smarthd(&[&["--portal", &portal, "--data-dir", &data][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    drop(core);

    let new: serde_json::Value =
        serde_json::from_str(&cli(&["--json", "dossier", "new", "1.001193.H19", "--for", "child"])).unwrap();
    let dossier = &new["dossier"];
    assert_eq!(dossier["for_person"], "child");
    let prefilled: Vec<&str> = dossier["prefilled"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(prefilled.contains(&"cha_ho_ten") && prefilled.contains(&"cha_so_cccd"), "{prefilled:?}");
    assert!(!prefilled.iter().any(|k| k.starts_with("tre_")), "{prefilled:?}");
    let id = dossier["id"].as_str().unwrap();

    let set: serde_json::Value =
        serde_json::from_str(&cli(&["--json", "dossier", "set", id, "tre_gioi_tinh", "Nữ"])).unwrap();
    assert_eq!((&set["value"], &set["problem"]), (&"nu".into(), &serde_json::Value::Null), "{set}");
    let set: serde_json::Value =
        serde_json::from_str(&cli(&["--json", "dossier", "set", id, "tre_ngay_sinh", "1995-02-30"])).unwrap();
    assert_eq!(set["problem"], "no_such_date", "{set}");
    assert!(set["message"].as_str().unwrap().contains("does not exist"), "{set}");

    let show = cli(&["dossier", "show", id]);
    assert!(show.contains("Nộp cho / applying for: Con / Child"), "{show}");
    assert!(show.contains("prefilled from your e-identity: cha_ho_ten, cha_so_cccd"), "{show}");
    let listed: serde_json::Value = serde_json::from_str(&cli(&["--json", "dossier", "show", id])).unwrap();
    assert_eq!(listed["prefilled"], dossier["prefilled"]);
    assert!(cli(&["dossier", "new", "1.001193.H19"]).contains("điền sẵn từ định danh điện tử"));
}

/// `smarthd officer …` scripts the officer's part against the sandbox: list, show (the whole
/// dossier), a supplement round the resident then sees, a result from the officer's own PDF
/// that the resident gets, verified, byte for byte; every answer JSON.
#[tokio::test(flavor = "multi_thread")]
async fn the_officer_cli_lists_shows_asks_for_documents_and_attaches_a_result_file() {
    let world = smarthd_tests::World::new(100).await;
    let portal = world.sandbox.base_url();
    let officer = |args: &[&str]| -> serde_json::Value {
        let out = smarthd(&[&["--portal", &portal, "officer"][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
    };
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 1, &smarthd_sandbox::robot::LEVEL1_CITIZEN).await.unwrap();
    let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
    smarthd_tests::fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    let code = core.dossiers().get(&draft.id).unwrap().code.unwrap();

    assert_eq!(officer(&["list"])["dossiers"][0]["code"], code.as_str());
    let shown = officer(&["show", &code]);
    assert_eq!((&shown["dossier_id"], &shown["status"]), (&draft.id.as_str().into(), &"received".into()));
    assert!(shown["fields"].as_object().is_some_and(|f| !f.is_empty()));
    let asked = officer(&[
        "supplement",
        &code,
        "--message",
        "Bổ sung bản sao",
        "--document",
        "Bản sao CCCD",
        "--deadline",
        "2026-12-31",
    ]);
    assert_eq!(asked["supplement"]["documents"], serde_json::json!(["Bản sao CCCD"]));
    core.sync().now().await.unwrap();
    let request = core.dossiers().get(&draft.id).unwrap().supplement.expect("the resident sees the round");
    assert_eq!((request.round, request.deadline.as_str()), (1, "2026-12-31"));
    assert_eq!(officer(&["show", &code])["rounds"][0]["message"], "Bổ sung bản sao");

    let files = tempfile::tempdir().unwrap();
    let pdf = smarthd_tests::sample_file(files.path(), "giay-khai-sinh.pdf", "pdf", 4_000, 5);
    officer(&["result", &code, "--file", pdf.to_str().unwrap()]);
    officer(&["status", &code, "result_ready"]);
    assert_eq!(core.sync().now().await.unwrap().results_kept, 1);
    let exported = files.path().join("ket-qua.pdf");
    let result = core.dossiers().export_result(&draft.id, &exported).unwrap();
    assert_eq!(result.name, "giay-khai-sinh");
    assert_eq!(std::fs::read(&exported).unwrap(), std::fs::read(&pdf).unwrap(), "the officer's file, verified");

    let refused = smarthd(&["--portal", &portal, "officer", "--password", "sai", "list"]);
    assert!(!refused.status.success());
    // The portal as typed without its last slash reaches the same console; plain http to
    // another host is refused before the password goes out.
    let bare = smarthd(&["--portal", portal.trim_end_matches('/'), "officer", "list"]);
    assert!(bare.status.success(), "{}", String::from_utf8_lossy(&bare.stderr));
    let plain = smarthd(&["--portal", "http://portal.example/", "officer", "list"]);
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("https"), "{}", String::from_utf8_lossy(&plain.stderr));
}

/// `sandbox serve` on an address another program holds says so, naming the address (its
/// message was broken by a line's indentation, and any failure blamed the address).
#[test]
fn a_sandbox_on_an_address_in_use_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap().to_string();
    let data = dir.path().to_str().unwrap();
    let out = smarthd(&["--data-dir", data, "--json", "sandbox", "serve", "--addr", &addr, "--catalog-size", "20"]);
    assert!(!out.status.success());
    let error: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    let message = error["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert_eq!(error["error"]["kind"], "validation", "{error}");
    assert!(message.contains(&addr) && message.contains("in use") && !message.contains("  "), "{message}");
}

/// A data dir that kept the report categories without the commune boundaries (an older version,
/// a failed fetch): `smarthd report new` fetches them again rather than calling every place
/// outside the city.
#[tokio::test(flavor = "multi_thread")]
async fn report_new_fetches_the_boundaries_a_data_dir_lacks() {
    let world = smarthd_tests::World::new(30).await;
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let core = world.core();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    core.reports().refresh_published().await.unwrap();
    drop(core);
    rusqlite::Connection::open(world.data_dir().join("catalog.db"))
        .unwrap()
        .execute("DELETE FROM published_list WHERE name = ?1", [smarthd_core::report::AREAS_LIST])
        .unwrap();
    let photo = smarthd_tests::camera_photo(world.dir.path(), "den.jpg", 1);
    let out = smarthd(&[
        "--portal",
        &portal,
        "--data-dir",
        &data,
        "report",
        "new",
        "--category",
        "chieu_sang",
        "--lat",
        "20.82",
        "--lon",
        "106.22",
        "--text",
        "Đèn hỏng",
        "--photo",
        photo.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
