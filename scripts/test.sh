#!/usr/bin/env bash
# Runs every test of the project on a fresh machine, installing what it lacks first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# --- what a fresh machine may lack ---
if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust (rustup) first" >&2
    exit 1
fi

# Two cores: keep parallel jobs to what the machine has.
export CARGO_TERM_COLOR=never
export RUST_BACKTRACE=1

log "Rust: unit and integration tests (core, sandbox, CLI, cross-crate)"
cargo test --workspace --locked 2>&1

log "the demo, end to end (debug build)"
cargo run --locked -q -p smarthd-cli -- demo > target/demo.log 2>&1 || { cat target/demo.log; exit 1; }
grep -q "Xong / done." target/demo.log
tail -n 5 target/demo.log

log "benchmarks compile and run once each (figures come from scripts/bench.sh)"
cargo test --locked -p smarthd-tests --benches 2>&1

log "all tests passed"
