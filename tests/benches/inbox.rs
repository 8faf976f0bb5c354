//! The inbox's delta sync: 1,000 alerts published since the resident last looked, fetched (two
//! pages), stored with the cursor, beside its floor measured in the same run: the two
//! authorized round trips through the same transport (a sync with nothing new, twice) plus
//! parsing the same 1,000 alerts.

use std::hint::black_box;
use std::time::{Duration, Instant};

use smarthd_core::inbox::Alert;
use smarthd_sandbox::robot::{LEVEL2_CITIZEN, OfficerConsole};
use smarthd_tests::{World, log_in};

const ALERTS: usize = 1_000;

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let full_run = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::new(20));
    let core = world.core();
    let alerts: Vec<Alert> = runtime.block_on(async {
        log_in(&core, 1, &LEVEL2_CITIZEN).await.unwrap();
        let officer = OfficerConsole::log_in(&world.sandbox.base_url(), &smarthd_sandbox::OFFICERS[0]).await.unwrap();
        let mut alerts = Vec::with_capacity(ALERTS);
        for i in 0..ALERTS {
            let body = format!("Thông báo số {i}: lịch cắt điện khu dân cư số {}, từ 7 giờ đến 17 giờ.", i % 40);
            let published = officer.publish_alert("info", &[], &format!("Thông báo {i}"), &body).await.unwrap();
            alerts.push(serde_json::from_value(published).unwrap());
        }
        alerts
    });
    let page = serde_json::to_vec(&serde_json::json!({"items": alerts, "next_since": ALERTS})).unwrap();
    let user_db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let forget = || user_db.execute_batch("DELETE FROM inbox_item; DELETE FROM inbox_cursor;").unwrap();

    let rounds = if full_run { 15 } else { 1 };
    let (mut ours, mut round_trips, mut parse) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        forget();
        let t = Instant::now();
        assert_eq!(runtime.block_on(core.inbox().sync()).unwrap(), ALERTS as u32);
        ours.push(t.elapsed());
        let t = Instant::now();
        for _ in 0..2 {
            assert_eq!(runtime.block_on(core.inbox().sync()).unwrap(), 0);
        }
        round_trips.push(t.elapsed());
        let t = Instant::now();
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(&page)).unwrap());
        parse.push(t.elapsed());
    }
    let (ours, round_trips, parse) = (median(ours), median(round_trips), median(parse));
    let floor = round_trips + parse;
    println!(
        "inbox delta sync of {ALERTS} alerts: {ours:.1} ms median; floor {floor:.1} ms (two authorized round trips \
         {round_trips:.1} ms + parsing the same alerts {parse:.1} ms)"
    );
    println!("ratio inbox_delta_sync_1000: {:.2} (target 2.00)", ours / floor);
}
