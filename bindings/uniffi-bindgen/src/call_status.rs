//! Every native call from the generated Kotlin passes a call status, a JNA `Structure`, and
//! UniFFI 0.32 makes a new one per call (two per method call: the handle's clone, then the
//! method). Each new `Structure` allocates native memory that JNA tracks in a global map until the
//! garbage collector and JNA's cleaner thread free it: 12-13 us per status on this machine, most
//! of an empty call's 25 us (docs/performance.md, "The boundary"). This rewrites the one helper
//! that makes them so that a call takes a status from a small per-thread pool and gives it back
//! when the call succeeded (a failed call's status is left to the garbage collector). Per thread,
//! so a call that calls back into Kotlin, which calls Rust again, takes another status.

use std::fs;
use std::io;
use std::path::Path;

const FRESH_STATUS: &str = "\
private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}
";

const POOLED_STATUS: &str = "\
private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    val status = uniffiTakeCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    uniffiGiveBackCallStatus(status)
    return return_value
}

// smarthd (bindings/uniffi-bindgen/src/call_status.rs): a call status from a per-thread pool, not
// a new JNA Structure (and its tracked native memory) per call.
private val uniffiCallStatuses = ThreadLocal.withInitial { ArrayList<UniffiRustCallStatus>(2) }

private fun uniffiTakeCallStatus(): UniffiRustCallStatus {
    val status = uniffiCallStatuses.get().removeLastOrNull() ?: return UniffiRustCallStatus()
    status.code = UNIFFI_CALL_SUCCESS
    status.error_buf.capacity = 0
    status.error_buf.len = 0
    status.error_buf.data = null
    return status
}

private fun uniffiGiveBackCallStatus(status: UniffiRustCallStatus) {
    val pool = uniffiCallStatuses.get()
    if (pool.size < 4) pool.add(status)
}
";

/// Rewrites the generated Kotlin under `dir`; an error when no file had the helper, so that a
/// UniFFI upgrade that changes it is noticed.
pub fn pool_in_dir(dir: &Path) -> io::Result<()> {
    let mut rewritten = 0;
    for file in kotlin_files(dir)? {
        let text = fs::read_to_string(&file)?;
        if let Some(pooled) = pool(&text) {
            fs::write(&file, pooled)?;
            rewritten += 1;
        }
    }
    if rewritten == 0 {
        return Err(io::Error::other(format!(
            "no generated Kotlin under {} has UniFFI 0.32's uniffiRustCallWithError: update bindings/uniffi-bindgen/src/call_status.rs",
            dir.display()
        )));
    }
    Ok(())
}

/// The text with its call statuses pooled, or None when it has no such helper.
fn pool(kotlin: &str) -> Option<String> {
    kotlin.contains(FRESH_STATUS).then(|| kotlin.replacen(FRESH_STATUS, POOLED_STATUS, 1))
}

fn kotlin_files(dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(kotlin_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "kt") {
            files.push(path);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_takes_its_status_from_the_pool() {
        let generated = format!("// before\n{FRESH_STATUS}\n// after\n");
        let pooled = pool(&generated).expect("the helper is found");
        assert!(!pooled.contains("var status = UniffiRustCallStatus()"));
        assert!(pooled.contains("val status = uniffiTakeCallStatus()"));
        assert!(pooled.starts_with("// before\n") && pooled.ends_with("// after\n"));
    }

    #[test]
    fn a_changed_template_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("smarthd.kt"), FRESH_STATUS.replace("var status", "val status")).unwrap();
        assert!(pool_in_dir(dir.path()).is_err());
    }
}
