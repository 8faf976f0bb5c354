//! Refresh is single-flight across processes sharing a data dir: two processes (this test binary
//! run again as children) each make 25 concurrent authorized calls with an expired access token;
//! the provider sees exactly one refresh, and nobody is logged out by refresh-token reuse
//! detection.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use smarthd_core::{Config, Services, SessionState, SmartHd};
use smarthd_sandbox::robot::LEVEL1_CITIZEN;
use smarthd_tests::{World, log_in};

/// Set in a child process: `{portal}\n{data dir}\n{meeting dir}\n{child number}`.
const CHILD_ENV: &str = "SMARTHD_REFRESH_CHILD";
const CHILDREN: usize = 2;
const CALLS_PER_CHILD: usize = 25;

fn refreshes(world: &World) -> u64 {
    world.sandbox.identity().counters().calls.get("refresh_token").copied().unwrap_or(0)
}

#[tokio::test]
async fn two_processes_with_an_expired_token_make_exactly_one_refresh() {
    let world = World::new(50).await;
    let idp = world.sandbox.identity();
    let mut mode = idp.mode();
    // Issued already expired: the client and the provider both hold it expired, no waiting.
    mode.access_token_ttl = 0;
    idp.set_mode(mode.clone());
    log_in(&world.core(), 1, &LEVEL1_CITIZEN).await.unwrap();
    // The refreshed token lives long, so the children's calls never need a second refresh.
    mode.access_token_ttl = 300;
    idp.set_mode(mode);
    let before = refreshes(&world);

    let meeting = world.dir.path().join("meeting");
    std::fs::create_dir_all(&meeting).unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|n| {
            let spec =
                format!("{}\n{}\n{}\n{n}", world.sandbox.base_url(), world.data_dir().display(), meeting.display());
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_makes_concurrent_authorized_calls", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, spec)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        // The sandbox runs on this runtime: wait for the child off it.
        let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
        assert!(
            output.status.success(),
            "a child failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    assert_eq!(refreshes(&world) - before, 1, "exactly one refresh for {CHILDREN} processes x {CALLS_PER_CHILD} calls");
    let core = world.core();
    assert!(matches!(core.session().state().await.unwrap(), SessionState::LoggedIn { .. }), "nobody was logged out");
    core.session().profile().await.unwrap();
    assert_eq!(refreshes(&world) - before, 1, "this process uses the refreshed tokens too");
}

/// Runs only as a child of the test above (it passes at once otherwise).
#[test]
fn child_makes_concurrent_authorized_calls() {
    let Ok(spec) = std::env::var(CHILD_ENV) else { return };
    let [portal, data_dir, meeting, number]: [&str; 4] =
        spec.split('\n').collect::<Vec<_>>().try_into().expect("four lines");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let data_dir = PathBuf::from(data_dir);
        let config = Config::new(portal, &data_dir).unwrap();
        let core = Arc::new(SmartHd::open(config, Services::with_key_dir(data_dir.join("keys"))).unwrap());
        meet(Path::new(meeting), number).await;
        let calls: Vec<_> = (0..CALLS_PER_CHILD)
            .map(|_| {
                let core = core.clone();
                tokio::spawn(async move { core.session().profile().await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().expect("every call succeeds with the one refreshed token");
        }
        assert!(matches!(core.session().state().await.unwrap(), SessionState::LoggedIn { .. }));
    });
}

/// Both children start their calls together, so their refreshes contend.
async fn meet(meeting: &Path, number: &str) {
    std::fs::write(meeting.join(number), b"").unwrap();
    for _ in 0..3000 {
        if std::fs::read_dir(meeting).unwrap().count() >= CHILDREN {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the other child never came");
}
