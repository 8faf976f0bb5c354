//! Crash safety: `smarthd sync` is killed with SIGKILL at random points while it flushes a few
//! hundred queued dossiers with attachments, then restarted, until the outbox is empty. The
//! portal's ledger must show every dossier exactly once and every attachment intact. Then the
//! same for ratings queued on 60 of them: each delivered exactly once. And the same for field
//! reports with three photos each, and their ratings.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use smarthd_core::catalog::model::Subject;
use smarthd_core::dossier::{Rating, RatingVerdict};
use smarthd_core::{Config, DossierStatus, Services, SmartHd};
use smarthd_sandbox::robot::{self, LEVEL1_CITIZEN};
use smarthd_sandbox::{Sandbox, SandboxConfig};

const DOSSIERS: usize = 300;
const MIN_KILLS: usize = 50;
/// Dossiers rated after their result, under kills too.
const RATINGS: usize = 60;
const MIN_RATING_KILLS: usize = 5;

/// Runs `smarthd sync` again and again, killing it (SIGKILL) at random points, until a run
/// finishes with an empty outbox after at least `min_kills` kills; answers the kills and runs.
fn sync_under_sigkill(portal: &str, data: &std::path::Path, rng: &mut u64, min_kills: usize) -> (usize, usize) {
    let mut kills = 0;
    let mut runs = 0;
    // Kills in a row with no run finishing: on a slow or busy machine the windows widen (2x per
    // 50 such kills) so some runs still get far enough to deliver.
    let mut killed_in_a_row = 0u32;
    loop {
        runs += 1;
        assert!(runs < 1_000, "the outbox drains");
        let kill_after = next_kill_time(rng, 10, 150) * (1 << (killed_in_a_row / 50).min(6));
        let args = ["--portal", portal, "--data-dir", data.to_str().unwrap(), "--json", "sync"];
        let (child, finished) = run_or_kill(&args, Stdio::piped(), kill_after);
        match finished {
            None => {
                kills += 1;
                killed_in_a_row += 1;
            }
            Some(status) => {
                killed_in_a_row = 0;
                let output = child.wait_with_output().unwrap();
                assert!(status.success(), "sync failed: {}", String::from_utf8_lossy(&output.stdout));
                let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                let drained = report["outbox"]["pending"] == 0 && report["reports"]["pending"] == 0;
                if drained && kills >= min_kills {
                    return (kills, runs);
                }
                if drained {
                    // Drained before enough kills: that cannot happen with this workload and
                    // these kill times; fail loudly rather than pass weakly.
                    panic!("the outbox drained after only {kills} kills");
                }
            }
        }
    }
}

/// The next kill time: `min_ms` and up to `span_ms` more, from the seeded state (xorshift).
fn next_kill_time(rng: &mut u64, min_ms: u64, span_ms: u64) -> Duration {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    Duration::from_millis(min_ms + *rng % span_ms)
}

/// Runs `smarthd` with `args`, killed (SIGKILL, and reaped) unless it ends within `kill_after`:
/// the child, for its output, and how it ended (`None`: killed).
fn run_or_kill(args: &[&str], stdout: Stdio, kill_after: Duration) -> (Child, Option<ExitStatus>) {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_smarthd")).args(args).stdout(stdout).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (child, Some(status));
        }
        if started.elapsed() >= kill_after {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return (child, None);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The kill times' random state, from a seed printed so a failure can be replayed:
/// `SMARTHD_CRASH_SEED=<seed> cargo test -p smarthd-cli --test crash`.
fn kill_times() -> u64 {
    let seed = match std::env::var("SMARTHD_CRASH_SEED") {
        Ok(seed) => seed.parse::<u64>().expect("SMARTHD_CRASH_SEED is a number"),
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64,
    };
    println!("SMARTHD_CRASH_SEED={seed}");
    seed | 1
}

/// Slows the portal down a little, so kills land all through a flush (mostly while a request
/// is in flight), not only in the process start-up.
async fn slow_down(admin: &smarthd_tests::Admin) {
    admin
        .post("admin/faults", serde_json::json!({"route": "*", "kind": "delay", "probability": 1.0, "delay_ms": 40}))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_sync_never_loses_or_duplicates_a_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 100;
    let sandbox = Sandbox::start(config).await.unwrap();
    let portal = sandbox.base_url();
    let data = dir.path().join("data");

    let mut ids = Vec::new();
    {
        let core =
            SmartHd::open(Config::new(&portal, &data).unwrap(), Services::with_key_dir(data.join("keys"))).unwrap();
        core.sync().catalog().await.unwrap();
        let url =
            core.session().begin_login(&smarthd_core::LoginOptions { level: 1, ..Default::default() }).await.unwrap();
        core.session().complete_login(&robot::log_in(&url, &LEVEL1_CITIZEN).await.unwrap()).await.unwrap();
        let files = tempfile::tempdir().unwrap();
        for i in 0..DOSSIERS {
            let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
            smarthd_tests::fill_valid(&core, &draft.id);
            // 60 distinct scans, shared between dossiers as a family's would be.
            let name = format!("scan-{}.jpg", i % 60);
            let path = files.path().join(&name);
            if !path.exists() {
                smarthd_tests::sample_file(files.path(), &name, "jpeg", 200_000 + (i % 60) * 1_000, (i % 60) as u64);
            }
            core.dossiers().attach(&draft.id, &path).unwrap();
            core.dossiers().submit(&draft.id).unwrap();
            ids.push(draft.id);
        }
    }

    let admin = smarthd_tests::Admin::new(&sandbox);
    slow_down(&admin).await;
    let mut rng = kill_times();
    let (kills, runs) = sync_under_sigkill(&portal, &data, &mut rng, MIN_KILLS);
    println!("{kills} kills over {runs} runs");

    // The portal's whole ledger, not only the ids we know: each dossier once and nothing else.
    admin.assert_portal_created_exactly(ids.iter().map(String::as_str)).await;
    let ledger = admin.get("admin/ledger").await;
    let attachments = ledger["attachments"].as_object().unwrap();
    assert_eq!(attachments.len(), 60);
    assert!(attachments.values().all(|a| a["intact"] == true), "{attachments:?}");
    let core = SmartHd::open(Config::new(&portal, &data).unwrap(), Services::with_key_dir(data.join("keys"))).unwrap();
    let local = core.dossiers().list().unwrap();
    assert_eq!(local.len(), DOSSIERS, "no dossier lost or duplicated on the phone");
    assert!(local.iter().all(|d| d.status == DossierStatus::Received && ids.contains(&d.id)));

    // Ratings through the same kills: the officer issues results, the resident rates them
    // (queued offline), and the killed syncs deliver each rating exactly once.
    let officer = robot::OfficerConsole::log_in(&portal, &smarthd_sandbox::OFFICERS[0]).await.unwrap();
    let rated: Vec<&smarthd_core::Dossier> = local.iter().take(RATINGS).collect();
    for dossier in &rated {
        officer.set_status(dossier.code.as_deref().unwrap(), "result_ready", None).await.unwrap();
    }
    core.sync().now().await.unwrap();
    for dossier in &rated {
        let rating = Rating { verdict: RatingVerdict::Satisfied, scores: Default::default(), comment: None };
        core.dossiers().rate(&dossier.id, rating).unwrap();
    }
    drop(core);
    let (kills, runs) = sync_under_sigkill(&portal, &data, &mut rng, MIN_RATING_KILLS);
    println!("ratings: {kills} kills over {runs} runs");
    let actions = admin.get("admin/ledger").await["actions"].as_object().unwrap().clone();
    assert_eq!(actions.len(), RATINGS, "one rating per rated dossier, under its own id");
    assert!(actions.values().all(|n| n == 1), "each delivered exactly once: {actions:?}");
    let core = SmartHd::open(Config::new(&portal, &data).unwrap(), Services::with_key_dir(data.join("keys"))).unwrap();
    for dossier in &rated {
        assert_eq!(core.dossiers().get(&dossier.id).unwrap().rating, Some(RatingVerdict::Satisfied));
    }
    sandbox.stop().await;
}

const REPORTS: usize = 40;
const MIN_REPORT_KILLS: usize = 15;
const REPORT_RATINGS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_sync_delivers_each_report_and_its_rating_exactly_once() {
    use smarthd_core::report::fixture::camera_jpeg;
    use smarthd_core::report::{GeoPoint, ReportVerdict, Urgency};
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 20;
    let sandbox = Sandbox::start(config).await.unwrap();
    let portal = sandbox.base_url();
    let data = dir.path().join("data");
    let open =
        || SmartHd::open(Config::new(&portal, &data).unwrap(), Services::with_key_dir(data.join("keys"))).unwrap();

    // Drafted and queued with three camera photos each; nothing sent yet.
    let mut ids = Vec::new();
    {
        let core = open();
        let url =
            core.session().begin_login(&smarthd_core::LoginOptions { level: 1, ..Default::default() }).await.unwrap();
        core.session().complete_login(&robot::log_in(&url, &LEVEL1_CITIZEN).await.unwrap()).await.unwrap();
        core.reports().refresh_published().await.unwrap();
        let files = tempfile::tempdir().unwrap();
        for i in 0..REPORTS {
            let draft = smarthd_core::ReportDraft {
                category: "ha_tang".into(),
                text: format!("Ổ gà số {i} trên đường Nguyễn Lương Bằng"),
                location: GeoPoint { lat: 20.81 + i as f64 * 0.0001, lon: 106.21 },
                address_note: None,
                urgency: Urgency::Normal,
                share_identity: false,
            };
            let report = core.reports().create(&draft).unwrap();
            for k in 0..3 {
                // Each photo different (its size), all small enough for a debug build.
                let n = (i * 3 + k) as u32;
                let path = files.path().join(format!("IMG_{n}.jpg"));
                std::fs::write(&path, camera_jpeg(64 + n % 60, 32 + n / 60, 6)).unwrap();
                core.reports().add_photo(&report.id, &path).unwrap();
            }
            core.reports().submit(&report.id).unwrap();
            ids.push(report.id);
        }
    }

    let admin = smarthd_tests::Admin::new(&sandbox);
    slow_down(&admin).await;
    let mut rng = kill_times();
    let (kills, runs) = sync_under_sigkill(&portal, &data, &mut rng, MIN_REPORT_KILLS);
    println!("reports: {kills} kills over {runs} runs");

    // The portal's whole report ledger: each report once, nothing else.
    let effects = admin.get("admin/reports/ledger").await["effects"].as_object().unwrap().clone();
    assert_eq!(effects.len(), REPORTS, "{effects:?}");
    assert!(ids.iter().all(|id| effects[id] == 1), "each report stored once: {effects:?}");
    let core = open();
    let local = core.reports().list().unwrap();
    assert_eq!(local.len(), REPORTS, "no report lost or duplicated on the phone");
    assert!(local.iter().all(|r| r.code.is_some() && r.photos.len() == 3), "all received with their photos");

    // The operations centre answers ten; the resident rates them, and killed syncs deliver
    // each rating once.
    admin.delete("admin/faults").await;
    let proof = {
        use base64::Engine;
        let clean = smarthd_core::report::photo::normalize(&camera_jpeg(40, 40, 1)).unwrap().jpeg;
        base64::engine::general_purpose::STANDARD.encode(clean)
    };
    let answered: Vec<_> = local.iter().take(REPORT_RATINGS).collect();
    for report in &answered {
        let code = report.code.as_deref().unwrap();
        for (step, body) in [
            ("accept", serde_json::json!({})),
            ("assign", serde_json::json!({"agency": "Sở Xây dựng"})),
            ("answer", serde_json::json!({"message": "Đã vá.", "photos_base64": [proof]})),
        ] {
            smarthd_tests::officer_post(&sandbox, &format!("officer/api/reports/{code}/{step}"), body).await;
        }
    }
    core.sync().now().await.unwrap();
    for report in &answered {
        core.reports().rate(&report.id, ReportVerdict::Acceptable).unwrap();
    }
    drop(core);
    slow_down(&admin).await;
    let (kills, runs) = sync_under_sigkill(&portal, &data, &mut rng, 3);
    println!("report ratings: {kills} kills over {runs} runs");
    let effects = admin.get("admin/reports/ledger").await["effects"].as_object().unwrap().clone();
    assert_eq!(effects.len(), REPORTS + REPORT_RATINGS, "one rating per answered report: {effects:?}");
    assert!(effects.values().all(|n| n == 1), "each delivered exactly once: {effects:?}");
    let core = open();
    for report in &answered {
        assert_eq!(core.reports().get(&report.id).unwrap().verdict, Some(ReportVerdict::Acceptable));
    }
    sandbox.stop().await;
}

/// A first fill of the catalog is written without syncs (ADR 0008): killed at random points, the
/// app alone stops and the journal keeps the file whole. After each kill the file holds whole
/// pages only, never fewer than before (the fill resumes, it is never found damaged and
/// started over), and the run that finishes leaves a complete copy in WAL mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_first_fill_keeps_each_committed_page() {
    const PROCEDURES: i64 = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = PROCEDURES as usize;
    let sandbox = Sandbox::start(config).await.unwrap();
    let portal = sandbox.base_url();
    let data = dir.path().join("data");
    let admin = smarthd_tests::Admin::new(&sandbox);
    admin
        .post("admin/faults", serde_json::json!({"route": "*", "kind": "delay", "probability": 1.0, "delay_ms": 30}))
        .await;
    let page = i64::from(smarthd_core::sync::PAGE_SIZE);
    let mut rng = kill_times();
    let (mut stored, mut kills, mut in_fill_mode) = (0, 0, 0);
    for run in 0.. {
        assert!(run < 200, "the fill completes");
        let args = ["--portal", &portal, "--data-dir", data.to_str().unwrap(), "catalog", "sync"];
        let (_, finished) = run_or_kill(&args, Stdio::null(), next_kill_time(&mut rng, 30, 200));
        let db = data.join("catalog.db");
        if finished.is_none() {
            kills += 1;
            let Ok(header) = std::fs::read(&db) else { continue };
            in_fill_mode += usize::from(header.get(18) == Some(&1));
        }
        // Opening it as the app does puts back a commit cut short (the journal).
        let raw = rusqlite::Connection::open(&db).unwrap();
        let check: String = raw.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "after {kills} kills");
        let now: i64 = raw.query_row("SELECT count(*) FROM procedure", [], |r| r.get(0)).unwrap();
        assert!(now % page == 0 || now == PROCEDURES, "whole pages only: {now}");
        assert!(now >= stored, "the fill never goes back: {now} after {stored}");
        stored = now;
        if let Some(status) = finished {
            assert!(status.success());
            let complete: bool = raw.query_row("SELECT complete FROM sync_state", [], |r| r.get(0)).unwrap();
            assert!(complete && stored == PROCEDURES);
            assert_eq!(std::fs::read(&db).unwrap()[18], 2, "the complete copy is in WAL mode");
            break;
        }
    }
    println!("{kills} kills, {in_fill_mode} in the fill's mode");
    assert!(in_fill_mode >= 5, "kills landed during the fill: {in_fill_mode}");
    sandbox.stop().await;
}
