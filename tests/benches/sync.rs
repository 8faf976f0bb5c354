//! Catalog sync from the sandbox over loopback: full sync of 10,000 procedures, delta sync of
//! 50 changes, and the 304 path; each beside a floor measured in the same run (the same HTTP
//! requests with the body read and parsed but nothing stored, and a bare loopback GET).

use std::time::Duration;

use criterion::{BatchSize, Criterion};
use smarthd_core::SyncOutcome;
use smarthd_core::catalog::model::ChangesPage;
use smarthd_tests::World;

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::new(10_000));
    let base = world.sandbox.base_url();
    let mut criterion = Criterion::default().configure_from_args().measurement_time(Duration::from_secs(20));

    let mut group = criterion.benchmark_group("sync_10k");
    group.sample_size(10);
    let counter = std::sync::atomic::AtomicU32::new(0);
    group.bench_function("full", |b| {
        b.iter_batched(
            || {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // The copy filled by the sync before (its core dropped) goes, so that the kernel
                // does not write its 50 MB back while this one is timed.
                let _ = std::fs::remove_dir_all(world.dir.path().join(format!("full-{}", n.wrapping_sub(1))));
                let dir = world.dir.path().join(format!("full-{n}"));
                let config = smarthd_core::Config::new(&base, &dir).unwrap();
                smarthd_core::SmartHd::open(config, smarthd_core::Services::with_key_dir(dir.join("keys"))).unwrap()
            },
            |core| {
                let report = runtime.block_on(core.sync().catalog()).unwrap();
                assert_eq!(report.upserted, 10_000);
            },
            BatchSize::PerIteration,
        )
    });
    let http = plain_client();
    group.bench_function("full/floor_fetch_and_parse_only", |b| {
        b.iter(|| runtime.block_on(fetch_and_parse(&http, &base)))
    });
    group.finish();

    let core = world.core();
    runtime.block_on(core.sync().catalog()).unwrap();
    let mut group = criterion.benchmark_group("sync_small");
    group.bench_function("delta_50_changes", |b| {
        b.iter_batched(
            || {
                world.sandbox.portal().mutate(50).unwrap();
            },
            |()| {
                let report = runtime.block_on(core.sync().catalog()).unwrap();
                assert_eq!(report.upserted, 50);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("not_modified_304", |b| {
        b.iter(|| {
            let report = runtime.block_on(core.sync().catalog()).unwrap();
            assert_eq!(report.outcome, SyncOutcome::NotModified);
        })
    });
    group.bench_function("floor_bare_loopback_get", |b| {
        b.iter(|| {
            runtime.block_on(async { http.get(format!("{base}healthz")).send().await.unwrap().bytes().await.unwrap() })
        })
    });
    group.finish();

    // The ratio lines `scripts/bench.sh` reads: medians, each beside its floor in the same run.
    let full_run = std::env::args().any(|a| a == "--bench");
    let median = |mut samples: Vec<Duration>| {
        samples.sort();
        samples[samples.len() / 2].as_secs_f64()
    };
    let timed = |work: &mut dyn FnMut()| {
        let t = std::time::Instant::now();
        work();
        t.elapsed()
    };
    // Eleven rounds: with five, the median of a sync that varies by a tenth from one run to the
    // next read 1.60-1.98 across runs of the same code (criterion's means 1.78-1.92).
    let (mut full, mut fetch) = (Vec::new(), Vec::new());
    for n in 0..if full_run { 11 } else { 1 } {
        let dir = world.dir.path().join(format!("ratio-{n}"));
        let fresh = smarthd_core::SmartHd::open(
            smarthd_core::Config::new(&base, &dir).unwrap(),
            smarthd_core::Services::with_key_dir(dir.join("keys")),
        )
        .unwrap();
        full.push(timed(&mut || assert_eq!(runtime.block_on(fresh.sync().catalog()).unwrap().upserted, 10_000)));
        drop(fresh);
        std::fs::remove_dir_all(&dir).unwrap();
        fetch.push(timed(&mut || runtime.block_on(fetch_and_parse(&http, &base))));
    }
    println!("ratio full_sync_to_fetch_and_parse: {:.2} (target 2.00)", median(full) / median(fetch));
    let (mut not_modified, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..if full_run { 201 } else { 3 } {
        not_modified.push(timed(&mut || {
            assert_eq!(runtime.block_on(core.sync().catalog()).unwrap().outcome, SyncOutcome::NotModified)
        }));
        bare.push(timed(&mut || {
            runtime.block_on(async { http.get(format!("{base}healthz")).send().await.unwrap().bytes().await.unwrap() });
        }));
    }
    println!("ratio not_modified_to_bare_get: {:.2} (target 2.00)", median(not_modified) / median(bare));
    criterion.final_summary();
}

/// The full sync's floor: the same pages fetched and parsed, nothing stored.
async fn fetch_and_parse(http: &reqwest::Client, base: &str) {
    let mut since = 0;
    loop {
        let page: ChangesPage = http
            .get(format!("{base}api/v1/catalog/changes?since={since}&limit={}", smarthd_core::sync::PAGE_SIZE))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !page.has_more {
            break;
        }
        since = page.next_since;
    }
}

/// A loopback-only client for the floors (plain http, so no TLS provider is involved).
fn plain_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}
