#!/usr/bin/env bash
# Runs every test of the project on a fresh machine, installing what it lacks first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "installing what this machine lacks"
if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust (rustup) first" >&2
    exit 1
fi
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -c 'import selenium, pytest' 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore selenium pytest

export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
export RUST_BACKTRACE=1

log "Rust: lints, and no import circle inside a crate"
cargo clippy --workspace --all-targets --locked -- -D warnings 2>&1
python3 scripts/check-layers.py model core sandbox cli bindings tests

log "Rust: unit and integration tests (core, sandbox, CLI, cross-crate, crash)"
cargo test --workspace --locked 2>&1

log "browser tests: headless Chromium on the sandbox's pages"
cargo build --locked -q -p smarthd-cli
python3 -m pytest -q tests/browser 2>&1

log "bindings: exports, Python and Kotlin suites on the host library, Swift generation, size budget, the Python wheel"
bash scripts/test-bindings.sh

log "shells: the Android screen state holders on the JVM against the host library and the sandbox"
bash scripts/test-shells.sh

log "the demo, end to end (debug build)"
cargo run --locked -q -p smarthd-cli -- demo > "$target/demo.log" 2>&1 || { cat "$target/demo.log"; exit 1; }
grep -q "Xong / done." "$target/demo.log"
tail -n 5 "$target/demo.log"

log "fuzzing what strangers can feed the phone: every target, a bounded time each (fuzz/README.md)"
FUZZ_SECONDS="${FUZZ_SECONDS:-10}" CARGO_TARGET_DIR="$(realpath "$target")/fuzz" bash scripts/fuzz.sh

log "benchmarks compile and run once each (figures come from scripts/bench.sh)"
cargo test --locked -p smarthd-tests --benches 2>&1

log "all tests passed"
