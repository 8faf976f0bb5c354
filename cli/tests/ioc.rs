//! `smarthd officer reports …` against a real sandbox over loopback: a resident's report taken
//! through list, accept, assign and answer (with a camera photo the CLI cleans first) to show,
//! each with `--json` and as text, and the console's refusals as one JSON error with its kind.

mod common {
    pub mod field_report;
}

use std::process::{Command, Output};

fn smarthd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smarthd")).args(args).output().expect("smarthd runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ioc_takes_a_report_from_the_list_to_an_answer_with_proof() {
    let world = smarthd_tests::World::new(20).await;
    let files = tempfile::tempdir().unwrap();
    let core = world.core();
    smarthd_tests::log_in(&core, 1, &smarthd_sandbox::robot::LEVEL1_CITIZEN).await.unwrap();
    let code = common::field_report::submitted(&core, files.path(), 1).await;
    drop(core);
    let base = world.sandbox.base_url();
    let data = world.data_dir().display().to_string();
    let run =
        |args: &[&str]| smarthd(&[&["--portal", &base, "--data-dir", &data, "officer", "reports"][..], args].concat());
    let json = |args: &[&str]| -> serde_json::Value {
        let out =
            smarthd(&[&["--portal", &base, "--data-dir", &data, "--json", "officer", "reports"][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e})"))
    };
    let text = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };

    let waiting = json(&["list", "--status", "waiting"]);
    assert_eq!(waiting["items"][0]["code"], code.as_str(), "{waiting}");
    assert_eq!(waiting["items"][0]["overdue"], false);
    assert!(json(&["list", "--status", "handled"])["items"].as_array().unwrap().is_empty());
    assert!(text(&["list"]).contains(&format!("{code}  Chờ tiếp nhận / Waiting")));

    // Out of order: the console's own words and the conflict's exit status.
    // A camera's JPEG (EXIF GPS, serial number...): the CLI cleans it, or the portal refuses it.
    let proof = smarthd_tests::camera_photo(files.path(), "sau.jpg", 9);
    let proof = proof.to_str().unwrap();
    let early = smarthd(&[
        "--portal",
        &base,
        "--data-dir",
        &data,
        "--json",
        "officer",
        "reports",
        "answer",
        &code,
        "--message",
        "Xong",
        "--photo",
        proof,
    ]);
    assert_eq!(early.status.code(), Some(15), "{}", String::from_utf8_lossy(&early.stderr));
    let error: serde_json::Value = serde_json::from_slice(&early.stderr).expect("one JSON error");
    assert_eq!(error["error"]["kind"], "conflict", "{error}");
    let duplicate = run(&["reject", &code, "--reason", "duplicate"]);
    assert_eq!(duplicate.status.code(), Some(10), "a duplicate names the report it repeats");
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("mã phản ánh"));

    assert_eq!(json(&["accept", &code])["status"], "accepted");
    let assigned = json(&["assign", &code, "--agency", "Công ty Chiếu sáng đô thị"]);
    assert_eq!(
        (assigned["status"].as_str(), assigned["agency"].as_str()),
        (Some("assigned"), Some("Công ty Chiếu sáng đô thị"))
    );
    let handled = json(&["answer", &code, "--message", "Đã thay bóng đèn mới", "--photo", proof]);
    assert_eq!(handled["status"], "handled", "{handled}");
    assert_eq!(handled["answer"]["photos"].as_array().map(Vec::len), Some(1));

    let shown = json(&["show", &code]);
    assert_eq!(shown["answer"]["message"], "Đã thay bóng đèn mới");
    assert_eq!(shown["reporter_name"], "Trần Thị Bình");
    let steps: Vec<&str> =
        shown["timeline"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["waiting", "accepted", "assigned", "handled"]);
    let page = text(&["show", &code]);
    assert!(
        page.contains("Đã xử lý / Handled") && page.contains("Đã thay bóng đèn mới (1 ảnh minh chứng / proof photos)"),
        "{page}"
    );
    // Times as a resident reads them ("03/12/2026 08:00", Vietnam's time), not RFC 3339.
    let shaped = |w: &[u8]| {
        w.iter().zip(b"00/00/0000 00:00").all(|(c, shape)| if *shape == b'0' { c.is_ascii_digit() } else { c == shape })
    };
    assert!(page.as_bytes().windows(16).any(shaped), "{page}");
    assert!(!page.contains("+07:00") && !page.contains("Z "), "{page}");
}
