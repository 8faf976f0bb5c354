//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libsmarthd_ffi.so ...`:
//! UniFFI's generator, pinned to the version the library is built with.

fn main() {
    uniffi::uniffi_bindgen_main()
}
