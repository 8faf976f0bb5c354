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
        b.iter(|| {
            runtime.block_on(async {
                let mut since = 0;
                loop {
                    let page: ChangesPage = http
                        .get(format!("{base}api/v1/catalog/changes?since={since}&limit=500"))
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
            })
        })
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
    criterion.final_summary();
}

/// A loopback-only client for the floors (plain http, so no TLS provider is involved).
fn plain_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}
