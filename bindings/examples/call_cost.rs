//! Per-call cost of the same calls from Rust, beside the Kotlin figures (CallCostTest.kt): an
//! empty call, and a search returning 20 results, through the core directly and through the
//! exported Rust API of smarthd-ffi (what the scaffolding calls after lifting the arguments).
//!
//!     cargo run --release -p smarthd-ffi --example call_cost

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use smarthd_core::{PageRequest, SearchFilters};
use smarthd_ffi::{CoreConfig, SecureStorage, SmartHd, SmartHdError};
use smarthd_tests::World;

unsafe extern "C" {
    // The C ABI scaffolding UniFFI generates, which Kotlin calls through JNA: a method call is
    // a clone of the object's handle, then the method, which consumes that clone.
    fn uniffi_smarthd_ffi_fn_clone_smarthd(handle: u64, status: &mut uniffi::RustCallStatus) -> u64;
    fn uniffi_smarthd_ffi_fn_method_smarthd_ping(handle: u64, status: &mut uniffi::RustCallStatus);
}

/// The phone's secure storage, in memory (the exported core keeps its data key there).
#[derive(Default)]
struct MemoryStorage(Mutex<HashMap<String, Vec<u8>>>);

impl SecureStorage for MemoryStorage {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SmartHdError> {
        Ok(self.0.lock().unwrap().get(&key).cloned())
    }
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), SmartHdError> {
        self.0.lock().unwrap().insert(key, value);
        Ok(())
    }
    fn delete(&self, key: String) -> Result<(), SmartHdError> {
        self.0.lock().unwrap().remove(&key);
        Ok(())
    }
}

/// Median ns per call over `rounds` rounds of `calls` calls.
fn ns_per_call(rounds: usize, calls: usize, mut body: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                body();
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

#[tokio::main]
async fn main() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let direct = core.catalog();
    // Its own folder: the world's core seals its data with another storage's key.
    let config =
        CoreConfig::new(world.sandbox.base_url(), world.data_dir().with_extension("exported").to_string_lossy());
    let exported = SmartHd::open(config, Arc::new(MemoryStorage::default()), None, None, None).unwrap();
    exported.sync().catalog(None).await.unwrap();
    let exported_catalog = exported.catalog();
    let (filters, page, query) = (SearchFilters::default(), PageRequest { offset: 0, limit: 20 }, "dang ky");
    assert_eq!(direct.search(query, &filters, page).unwrap().hits.len(), 20);

    for _ in 0..2 {
        ns_per_call(3, 200, || drop(black_box(direct.search(black_box(query), &filters, page))));
    }
    let empty = ns_per_call(7, 1_000_000, || black_box(&exported).ping());
    // The same empty call through the C ABI entry point, as a foreign caller makes it.
    let handle = <Arc<SmartHd> as uniffi::Lower<smarthd_ffi::UniFfiTag>>::lower(exported.clone()).as_raw();
    let c_abi = ns_per_call(7, 1_000_000, || {
        let mut status = uniffi::RustCallStatus::default();
        unsafe {
            let clone = uniffi_smarthd_ffi_fn_clone_smarthd(black_box(handle), &mut status);
            uniffi_smarthd_ffi_fn_method_smarthd_ping(clone, &mut status);
        }
        black_box(&status);
    });
    let core_search = ns_per_call(7, 2_000, || drop(black_box(direct.search(black_box(query), &filters, page))));
    let ffi_search = ns_per_call(7, 2_000, || {
        drop(black_box(exported_catalog.search(black_box(query.to_owned()), filters.clone(), page)))
    });
    println!(
        "call cost (Rust): empty call {:.3} us (Rust API) / {:.3} us (C ABI scaffolding); \
         search returning 20 results {:.1} us (core) / {:.1} us (smarthd-ffi API)",
        empty / 1000.0,
        c_abi / 1000.0,
        core_search / 1000.0,
        ffi_search / 1000.0
    );
}
