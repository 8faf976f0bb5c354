//! The `smarthd` binary against a real sandbox over loopback.

use std::process::{Command, Output};

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
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let first = &hits.as_array().expect("an array")[0];
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
    let hits: serde_json::Value = serde_json::from_slice(&filtered.stdout).unwrap();
    let hits = hits.as_array().unwrap();
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
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["name"], "Đăng ký khai sinh");
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = smarthd(&["--portal", "http://portal.example.vn", "--data-dir", data, "catalog", "sync"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing plain http://"));

    let out = smarthd(&["--portal", "http://127.0.0.1:9", "--data-dir", data, "catalog", "show", "9.999999"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not found"), "{stderr}");
}
