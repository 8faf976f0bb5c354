//! `smarthd appointments` and `smarthd appointment …` against a real sandbox over loopback:
//! every command's `--json` output parses as JSON, and the ticket is drawn and verified.

use std::process::{Command, Output};

fn smarthd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smarthd")).args(args).output().expect("smarthd runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn appointment_commands_book_cancel_and_print_json() {
    let world = smarthd_tests::World::new(40).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    smarthd_tests::log_in(&core, 2, &smarthd_sandbox::robot::LEVEL2_CITIZEN).await.unwrap();
    let procedure =
        core.catalog().search("khai sinh", &Default::default(), Default::default()).unwrap().hits[0].code.clone();
    drop(core);
    let (portal, data) = (world.sandbox.base_url(), world.data_dir().to_str().unwrap().to_owned());
    let run = |args: &[&str]| {
        let out = smarthd(&[&["--portal", &portal, "--data-dir", &data][..], args].concat());
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let stdout = run(&[&["--json"][..], args].concat());
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"))
    };

    let counters = json(&["appointment", "counters", "--unit", "10507"]);
    assert_eq!(counters[0]["counter_id"], "MC-10507");
    let slots = json(&["appointment", "slots", "--procedure", &procedure, "--unit", "10507"]);
    let slot = slots[0]["slot_id"].as_str().expect("a free slot").to_owned();
    let booked = json(&["appointment", "book", &slot, "--procedure", &procedure]);
    assert_eq!((booked["status"].as_str(), booked["number"].as_u64()), (Some("booked"), Some(1)), "{booked}");
    let id = booked["booking_id"].as_str().unwrap().to_owned();
    let list = json(&["appointments"]);
    assert_eq!(list[0]["booking_id"], id.as_str());
    let ticket = json(&["appointment", "ticket", &id]);
    assert_eq!(ticket["verified"], true);
    assert!(ticket["qr_text"].as_str().unwrap().starts_with("HDA1~"));

    // Without --json: the QR code drawn in the terminal, and the verification.
    let text = run(&["appointment", "ticket", &id]);
    assert!(text.contains('▀') || text.contains('▄'), "a QR code: {text}");
    assert!(text.contains("Chữ ký của cổng hợp lệ"), "{text}");
    assert!(run(&["appointments"]).contains("Đã đặt / Booked"));
    let pin = world.sandbox.appointments().ticket_key_pin();
    assert_eq!(json(&["--ticket-key", &pin, "appointment", "ticket", &id])["verified"], true, "with the key pinned");

    let cancelled = json(&["appointment", "cancel", &id]);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(json(&["appointments"])[0]["status"], "cancelled");

    // Too far ahead: a clear bilingual error, non-zero exit.
    let mut day = chrono::Utc::now().date_naive() + chrono::TimeDelta::days(9);
    while matches!(chrono::Datelike::weekday(&day), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day += chrono::TimeDelta::days(1);
    }
    let far = format!("MC-10507-{}0800", day.format("%Y%m%d"));
    let out = smarthd(&["--portal", &portal, "--data-dir", &data, "appointment", "book", &far]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tối đa 6 ngày") && stderr.contains("at most 6 days ahead"), "{stderr}");
}
