//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libsmarthd_ffi.so ...`:
//! UniFFI's generator, pinned to the version the library is built with, plus one change to the
//! Kotlin it writes (`call_status`).

mod call_status;

use std::path::Path;
use std::process::exit;

fn main() {
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    if let (Some(language), Some(out_dir)) = (value_of("--language"), value_of("--out-dir"))
        && language == "kotlin"
        && let Err(e) = call_status::pool_in_dir(Path::new(out_dir))
    {
        eprintln!("uniffi-bindgen: {e}");
        exit(1);
    }
}
