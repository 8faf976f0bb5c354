//! `smarthd --json …` against a real sandbox over loopback: every command (the table in
//! `common/every_command.rs`, which a unit test keeps complete) answers exactly one JSON
//! document on stdout with nothing on stderr, and every failure is one JSON error on stderr with
//! a kind, a bilingual message that names what is at fault, and a documented exit status.

mod common {
    pub mod every_command;
    pub mod field_report;
}

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

use common::every_command::{Drive, EVERY_COMMAND};
use smarthd_core::catalog::model::Subject;
use smarthd_core::{SearchFilters, SmartHd};

const SMARTHD: &str = env!("CARGO_BIN_EXE_smarthd");

fn smarthd(args: &[&str]) -> Output {
    Command::new(SMARTHD).args(args).output().expect("smarthd runs")
}

/// What a resident must never read: an HTTP path or status, or a library's error text.
fn assert_for_people(message: &str) {
    for technical in [
        "HTTP",
        "api/v1",
        "os error",
        "relative URL",
        "InvalidContentType",
        "corrupt message",
        "(304)",
        "(404)",
        "error sending request",
    ] {
        assert!(!message.contains(technical), "{technical:?} in {message:?}");
    }
    assert!(message.contains(" / "), "Vietnamese / English: {message:?}");
}

/// One JSON error on stderr, nothing on stdout; answers (kind, message).
fn json_error(out: &Output) -> (String, String) {
    assert!(out.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error: serde_json::Value =
        serde_json::from_str(&stderr).unwrap_or_else(|e| panic!("not one JSON document ({e}): {stderr}"));
    let kind = error["error"]["kind"].as_str().expect("a kind").to_owned();
    let message = error["error"]["message"].as_str().expect("a message").to_owned();
    assert_for_people(&message);
    (kind, message)
}

/// A GET as the browser does it, when the provider or the gateway sends it back to the CLI's
/// loopback listener.
fn browser_get(url: &str) {
    let rest = url.strip_prefix("http://").expect("a loopback URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Runs a command that waits for the browser: reads the `open_url` notice on stderr, lets
/// `browse` go through the page, and answers the finished process's output.
async fn driven<F, Fut>(args: &[String], browse: F) -> Output
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let mut child =
        Command::new(SMARTHD).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("smarthd runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let notice: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{args:?}: a JSON notice on stderr ({e}): {line}"));
    let url = notice["notice"]["open_url"].as_str().expect("the URL to open").to_owned();
    let back = browse(url).await;
    let waiter = std::thread::spawn(move || browser_get(&back));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let mut output = child.wait_with_output().unwrap();
    waiter.join().unwrap();
    output.stderr = rest.into_bytes();
    output
}

/// Everything the table's commands act on, prepared with the core as a resident would.
async fn prepare(world: &smarthd_tests::World, files: &std::path::Path) -> BTreeMap<&'static str, String> {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    let received = |core: &SmartHd, code: &str| {
        let draft = core.dossiers().new_draft(code, Subject::Citizen).unwrap();
        smarthd_tests::fill_valid(core, &draft.id);
        core.dossiers().submit(&draft.id).unwrap();
        draft.id
    };
    let with_result = received(&core, "1.001193.H19");
    let to_withdraw = received(&core, "1.001193.H19");
    let for_officer = received(&core, "1.001193.H19");
    let fees = core.catalog().search("ly lich tu phap", &SearchFilters::default(), Default::default()).unwrap().hits;
    let fee_code =
        fees.iter().map(|h| core.catalog().procedure(&h.code).unwrap()).find(|p| !p.fees.is_empty()).unwrap().code;
    let fee_dossier = received(&core, &fee_code);
    core.sync().now().await.unwrap();
    let code_of = |id: &str| core.dossiers().get(id).unwrap().code.expect("received");
    let code = code_of(&with_result);
    let officer =
        smarthd_sandbox::robot::OfficerConsole::log_in(&world.sandbox.base_url(), &smarthd_sandbox::OFFICERS[0])
            .await
            .unwrap();
    officer.attach_result(&code, "Giấy khai sinh số 7").await.unwrap();
    officer.set_status(&code, "result_ready", None).await.unwrap();
    core.sync().now().await.unwrap();

    let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap().id;
    let filled = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap().id;
    smarthd_tests::fill_valid(&core, &filled);
    let slots = core
        .appointments()
        .slots(&smarthd_core::appointment::client::SlotQuery {
            unit_code: Some("10507".into()),
            counter_id: None,
            procedure_code: Some("1.001193.H19".into()),
        })
        .await
        .unwrap();
    let vietqr = smarthd_core::payment::vietqr::encode(&smarthd_core::payment::vietqr::VietQr {
        bin: "970436".into(),
        account: "0011001234567".into(),
        to_card: false,
        amount: Some(50_000),
        bill_number: None,
        purpose: Some("Le phi".into()),
    });
    let file = smarthd_tests::sample_file(files, "to-khai.pdf", "pdf", 2_000, 3);
    let handled_report = smarthd_tests::handled_report(&world.sandbox, &core, files).await;
    let ioc_report = common::field_report::submitted(&core, files, 3).await;
    let ioc_report_to_reject = common::field_report::submitted(&core, files, 4).await;
    BTreeMap::from([
        ("photo", smarthd_tests::camera_photo(files, "den-1.jpg", 1).display().to_string()),
        ("photo2", smarthd_tests::camera_photo(files, "den-2.jpg", 2).display().to_string()),
        ("handled_report", handled_report),
        ("draft", draft),
        ("filled", filled),
        ("code", code),
        ("to_withdraw", to_withdraw),
        ("officer_code", code_of(&for_officer)),
        ("fee_dossier", fee_dossier),
        ("slot", slots[0].slot_id.clone()),
        ("vietqr", vietqr),
        ("file", file.display().to_string()),
        ("ioc_report", ioc_report),
        ("ioc_report_to_reject", ioc_report_to_reject),
        ("proof", smarthd_tests::camera_photo(files, "minh-chung.jpg", 5).display().to_string()),
        ("out", files.display().to_string()),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_answers_one_json_document() {
    let world = smarthd_tests::World::new(100).await;
    let files = tempfile::tempdir().unwrap();
    let mut vars = prepare(&world, files.path()).await;
    let portal = world.sandbox.base_url();
    let data = world.data_dir().display().to_string();

    for (path, args, drive) in EVERY_COMMAND {
        let mut line: Vec<String> = ["--portal", &portal, "--data-dir", &data, "--json"].map(String::from).to_vec();
        line.extend(path.split(' ').map(String::from));
        for arg in *args {
            let mut arg = (*arg).to_owned();
            for (name, value) in &vars {
                arg = arg.replace(&format!("{{{name}}}"), value);
            }
            assert!(!arg.contains('{'), "{path}: nothing prepared for {arg}");
            line.push(arg);
        }
        let out = match drive {
            Drive::Run => Command::new(SMARTHD).args(&line).output().unwrap(),
            Drive::LogIn => {
                driven(&line, |url| async move {
                    smarthd_sandbox::robot::log_in(&url, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap()
                })
                .await
            }
            Drive::PayAtGateway => {
                driven(&line, |url| async move {
                    use smarthd_sandbox::payment::{GatewayAction, pay_at_gateway};
                    pay_at_gateway(&url, &GatewayAction::Pay { bank: "NCB".into() }).await.unwrap()
                })
                .await
            }
            Drive::Serve => {
                let mut child = Command::new(SMARTHD).args(&line).stdout(Stdio::piped()).spawn().unwrap();
                let mut first = String::new();
                BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
                child.kill().unwrap();
                let status = child.wait().unwrap();
                Output { status, stdout: first.into_bytes(), stderr: Vec::new() }
            }
        };
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() || *drive == Drive::Serve, "smarthd {path}: {stderr}");
        assert!(stderr.is_empty() || *drive == Drive::Serve, "smarthd {path}: stderr {stderr}");
        let document: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("smarthd --json {path}: not one JSON document ({e}): {stdout}"));
        assert!(!document.is_null(), "smarthd {path}");
        // Every time the CLI gives is in Vietnam's time.
        let text = document.to_string();
        assert!(!text.contains("Z\""), "smarthd {path}: a UTC time in {text}");
        match *path {
            "report new" => {
                assert_eq!(document["photos"].as_array().unwrap().len(), 1, "{document}");
                vars.insert("report", document["id"].as_str().unwrap().to_owned());
            }
            "report show" => assert_eq!(document["state"], "waiting", "sent by `report show`: {document}"),
            "report rate" => assert_eq!(document["rating_queued"], "not_satisfied", "{document}"),
            "feed" => assert!(!document.as_array().unwrap().is_empty(), "the handled report: {document}"),
            "appointment book" => {
                vars.insert("booking", document["booking_id"].as_str().unwrap().to_owned());
            }
            "pay" => {
                assert_eq!(document["order"]["status"], "succeeded", "{document}");
                vars.insert("receipt", document["receipt"]["receipt_id"].as_str().unwrap().to_owned());
            }
            "whoami" => {
                assert_eq!((&document["session"], &document["level"]), (&"valid".into(), &2.into()), "{document}");
                let until = document["refreshable_until"].as_str().expect("until when it renews");
                assert!(until.ends_with("+07:00"), "{until}");
                // The refresh token's 30 days, not the access token's minutes.
                let until = chrono::DateTime::parse_from_rfc3339(until).unwrap();
                assert!(until > chrono::Utc::now() + chrono::TimeDelta::days(29), "{until}");
            }
            "catalog show" => assert_eq!(document["name"], "Đăng ký khai sinh"),
            "dossier show" => assert!(document["timeline"][0]["at"].as_str().unwrap().ends_with("+07:00")),
            "officer reports answer" => {
                assert_eq!(document["status"], "handled", "{document}");
                assert_eq!(document["answer"]["photos"].as_array().map(Vec::len), Some(1), "{document}");
            }
            "officer reports reject" => assert_eq!(document["reject_reason"], "unclear", "{document}"),
            _ => {}
        }
    }
    assert!(files.path().join("man/smarthd-dossier-new.1").exists(), "a page a command");
}

/// The failures of #15, each as a resident or a script meets it: one JSON error with its kind
/// and exit status, a message in both languages naming what is at fault, never an HTTP path,
/// status or library text.
#[tokio::test(flavor = "multi_thread")]
async fn failures_are_one_json_error_that_names_what_is_at_fault() {
    let world = smarthd_tests::World::new(100).await;
    let files = tempfile::tempdir().unwrap();
    let vars = prepare(&world, files.path()).await;
    let portal = world.sandbox.base_url();
    let data = world.data_dir().display().to_string();
    let json = |args: &[&str]| smarthd(&[&["--portal", &portal, "--data-dir", &data, "--json"][..], args].concat());
    let text = |args: &[&str]| smarthd(&[&["--portal", &portal, "--data-dir", &data][..], args].concat());

    // A dossier code the portal does not know: not "HTTP 404 to api/v1/dossiers/lookup/abc".
    let out = json(&["dossier", "track", "abc-123"]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(11), "not_found"));
    assert!(message.contains("abc-123"), "{message}");

    // An attachment that is not there: its path, not "No such file or directory (os error 2)".
    let missing = files.path().join("khong-co/to-khai.pdf");
    let out = json(&["dossier", "attach", &vars["draft"], missing.to_str().unwrap()]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(11), "not_found"));
    assert!(message.contains(missing.to_str().unwrap()), "{message}");
    let out = text(&["dossier", "attach", &vars["draft"], missing.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("lỗi / error: Không có tệp") && stderr.contains("no such file"), "{stderr}");
    assert_for_people(&stderr);

    // A portal address that is not one: not "relative URL without a base".
    let out = smarthd(&["--portal", "portal-hai-duong", "--data-dir", &data, "--json", "catalog", "sync"]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(10), "validation"));
    assert!(message.contains("portal-hai-duong"), "{message}");

    // https to a portal that speaks http: not "received corrupt message of type InvalidContentType".
    let https = portal.replace("http://", "https://");
    let out = smarthd(&["--portal", &https, "--data-dir", &data, "--json", "dossier", "track", "abc"]);
    let (kind, message) = json_error(&out);
    assert!(matches!(kind.as_str(), "network" | "offline") && out.status.code() == Some(14), "{kind}");
    assert!(message.contains(https.trim_start_matches("https://").trim_end_matches('/')), "{message}");

    // Up to date: no "(304)".
    let out = text(&["catalog", "sync"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("already up to date"), "{stdout}");
    assert!(!stdout.contains("304"), "{stdout}");

    // A name, as typed: found by its exact name; a wrong one echoed as typed (not upper-cased).
    let out = text(&["catalog", "show", "Đăng ký khai sinh"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Đăng ký khai sinh\n"));
    let out = json(&["catalog", "show", "Đăng ký khai sinh lần hai"]);
    let (kind, message) = json_error(&out);
    assert_eq!(kind, "not_found");
    assert!(message.contains("Đăng ký khai sinh lần hai") && !message.contains("ĐăNG"), "{message}");

    // `dossier list`: a header, and columns that line up.
    let out = text(&["dossier", "list"]);
    let list = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].starts_with("Mã / id") && lines[0].contains("Trạng thái / status"), "{list}");
    // Where each cell starts, in display columns (cells are apart by two spaces or more).
    let starts = |line: &str| -> Vec<usize> {
        let (mut starts, mut width, mut spaces) = (vec![0], 0, 0);
        for c in line.chars() {
            if c == ' ' {
                spaces += 1;
            } else {
                if spaces >= 2 {
                    starts.push(width);
                }
                spaces = 0;
            }
            width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        starts
    };
    assert!(lines.len() > 3 && lines.iter().all(|l| starts(l) == starts(lines[0])), "{list}");

    // The officer console (testers): its own words and a kind, not "answered 404 Not Found".
    let out = json(&["officer", "show", "H19-KHONG-CO"]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(11), "not_found"));
    assert!(message.contains("H19-KHONG-CO"), "{message}");

    // A payment the resident cancels at the gateway: not done, status 18.
    let line: Vec<String> =
        ["--portal", &portal, "--data-dir", &data, "--json", "pay", &vars["fee_dossier"]].map(String::from).to_vec();
    let out = driven(&line, |url| async move {
        use smarthd_sandbox::payment::{GatewayAction, pay_at_gateway};
        pay_at_gateway(&url, &GatewayAction::Cancel).await.unwrap()
    })
    .await;
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(18), "payment_not_completed"), "{message}");
    assert!(message.contains(&vars["fee_dossier"]) && message.contains(" đ"), "{message}");

    // The portal down: `sync` fails as offline (not "sent: 0" and success); whoami says it could
    // not check the session.
    world.sandbox.stop().await;
    let out = json(&["sync"]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(14), "offline"), "{message}");
    let out = text(&["sync"]);
    assert_eq!(out.status.code(), Some(14));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let whoami: serde_json::Value = serde_json::from_slice(&json(&["whoami"]).stdout).unwrap();
    assert_eq!(whoami["session"], "unchecked", "{whoami}");
}

/// A command line clap cannot read, with `--json`: a JSON error of kind `usage`, status 2.
#[test]
fn a_command_line_that_cannot_be_read_is_a_json_error_too() {
    for args in [
        &["--json", "dossier", "show"][..],
        &["--json", "nonsense"],
        &["--json", "pay", "x", "--method", "cash"],
        &["--json", "catalog"],
    ] {
        let out = smarthd(args);
        let (kind, message) = json_error(&out);
        assert_eq!((out.status.code(), kind.as_str()), (Some(2), "usage"), "{args:?}: {message}");
    }
    let out = smarthd(&["--json", "--help"]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Ví dụ / Example:"));
}

/// Completions for bash, zsh and fish and the manual page come from the clap definitions: every
/// command is in them.
#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = smarthd(&["completions", shell]);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && script.contains("withdraw") && script.contains("vietqr"), "{shell}");
    }
    let out = smarthd(&["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with(".ie") && page.contains(".TH SMARTHD 1"), "{page}");
    assert!(page.contains("completions") && page.contains("Ví dụ / Example:"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let out = smarthd(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    let page = std::fs::read_to_string(dir.path().join("smarthd-dossier-attach.1")).unwrap();
    assert!(page.contains(".TH SMARTHD-DOSSIER-ATTACH 1") && page.contains("smarthd dossier attach"), "{page}");
}

/// A VietQR payload that does not read says why, in both languages.
#[test]
fn a_vietqr_that_does_not_read_says_why() {
    let out = smarthd(&["vietqr", "encode", "--bin", "970436", "--account", "0011001234567", "--amount", "5"]);
    let payload = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let altered = format!("{}0000", &payload[..payload.len() - 4]);
    let out = smarthd(&["--json", "vietqr", "decode", &altered]);
    let (kind, message) = json_error(&out);
    assert_eq!((out.status.code(), kind.as_str()), (Some(10), "validation"));
    assert!(message.contains("mã kiểm tra không khớp") && message.contains("checksum"), "{message}");
}

/// The key file lost (`keys/` deleted, a restore without it): a command that reads the
/// resident's data fails with `user_data_unreadable`, the catalog still answers, and `login`
/// keeps aside what the lost key sealed, says so, and logs in again; the draft is listed, to be
/// filled in again.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_data_key_is_recovered_by_logging_in_again() {
    let world = smarthd_tests::World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap().id;
    smarthd_tests::fill_valid(&core, &draft);
    drop(core);
    std::fs::remove_dir_all(world.data_dir().join("keys")).unwrap();

    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let line = |args: &[&str]| -> Vec<String> {
        [&["--json", "--portal", &portal, "--data-dir", &data][..], args]
            .concat()
            .into_iter()
            .map(String::from)
            .collect()
    };
    let run = |args: &[&str]| Command::new(SMARTHD).args(line(args)).output().unwrap();
    let refused = run(&["dossier", "list"]);
    assert!(!refused.status.success());
    let error: serde_json::Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "user_data_unreadable", "{error}");
    assert!(run(&["catalog", "search", "khai sinh"]).status.success(), "the catalog needs no data key");

    let login = driven(&line(&["login", "--level", "2"]), |url| async move {
        smarthd_sandbox::robot::log_in(&url, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap()
    })
    .await;
    let stderr = String::from_utf8_lossy(&login.stderr);
    assert!(login.status.success(), "{stderr}");
    assert!(stderr.contains("\"kept_aside_unreadable_data\":true"), "{stderr}");
    let listed = run(&["dossier", "list"]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let dossiers: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let kept = dossiers.as_array().unwrap().iter().find(|d| d["id"] == draft.as_str()).expect("the draft is listed");
    assert_eq!(kept["status"], "failed", "{kept}");
}
