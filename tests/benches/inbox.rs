//! The inbox's delta sync: 1,000 alerts published since the resident last looked, fetched (two
//! pages), stored with the cursor, beside its floor measured in the same run: the two
//! authorized round trips through the same transport (a sync with nothing new, twice), parsing
//! the same 1,000 alerts, and inserting them with one prepared statement in one transaction
//! into a table of the same shape in a scratch SQLite file (WAL, `synchronous=NORMAL`).

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

    let mut scratch = rusqlite::Connection::open(world.dir.path().join("scratch.db")).unwrap();
    scratch
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE TABLE item (item_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
                                severity TEXT NOT NULL, valid_until TEXT, at TEXT NOT NULL,
                                read INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL, PRIMARY KEY (owner, item_id));
             CREATE INDEX item_by_time ON item(owner, at);",
        )
        .unwrap();
    let mut raw_insert = || {
        let tx = scratch.transaction().unwrap();
        tx.execute("DELETE FROM item", []).unwrap();
        let t = Instant::now();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO item (item_id, kind, title, body, severity, valid_until, at, owner)
                     VALUES (?1, 'alert', ?2, ?3, ?4, ?5, ?6, 'owner')",
                )
                .unwrap();
            for a in &alerts {
                insert
                    .execute(rusqlite::params![
                        a.alert_id,
                        a.title,
                        a.body,
                        a.severity.as_str(),
                        a.valid_until,
                        a.published_at
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        t.elapsed()
    };

    let rounds = if full_run { 41 } else { 1 };
    let (mut ours, mut round_trips, mut parse, mut insert) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
        insert.push(raw_insert());
    }
    let (ours, round_trips, parse, insert) = (median(ours), median(round_trips), median(parse), median(insert));
    let floor = round_trips + parse + insert;
    println!(
        "inbox delta sync of {ALERTS} alerts: {ours:.1} ms median; floor {floor:.1} ms (two authorized round trips \
         {round_trips:.1} ms + parsing the same alerts {parse:.1} ms + a raw insert of them {insert:.1} ms)"
    );
    // No target yet (issue #14 asks for the figure): the floor leaves out the portal building
    // the two full pages, which the round trips with nothing new do not pay.
    println!("ratio inbox_delta_sync_1000: {:.2} (target none: a figure)", ours / floor);
}
