#!/usr/bin/env bash
# Runs every test of the project on a fresh machine, installing what it lacks first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage prints the time so far; the end lists each stage's minutes (the CI budget is 45).
stage=""
stage_start=$SECONDS
stage_times=()
log() {
    [[ -z $stage ]] || stage_times+=("$(printf '%4d s  %s' $((SECONDS - stage_start)) "$stage")")
    stage=$*
    stage_start=$SECONDS
    # The disk left beside each stage: a full disk shows up as a linker's bus error, not as itself.
    printf '\n== [%d:%02d] %s (disk free: %s)\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" \
        "$(df -h --output=avail . | tail -n 1 | tr -d ' ')"
}

log "installing what this machine lacks"
if ! command -v cargo >/dev/null; then
    echo "cargo is missing: install Rust (rustup) first" >&2
    exit 1
fi
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v curl >/dev/null || missing+=(curl)
command -v npm >/dev/null || missing+=(npm)
# Not root: through sudo (a developer's machine).
as_root=()
[[ $(id -u) == 0 ]] || as_root=(sudo)
if ((${#missing[@]})); then
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's own Python refuses pip outside a virtual environment (PEP 668): then past that.
pip_install() {
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "$@" 2>/dev/null ||
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --break-system-packages "$@"
}
python3 -c 'import selenium, pytest' 2>/dev/null || pip_install selenium pytest
python3 -c 'import schemathesis' 2>/dev/null || pip_install 'schemathesis>=4,<5'

export CARGO_TERM_COLOR=never
# One pass over a fresh tree gains nothing from incremental state, and it would add ~3.5 GB to the
# build directory (a CI machine ran out of disk linking in the bindings stage).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
# axe-core for the browser tests' accessibility checks: a pinned release from the npm registry.
axe_version=4.11.0
axe_dir="$target/axe"
if [[ "$(cat "$axe_dir/version" 2>/dev/null)" != "$axe_version" ]]; then
    rm -rf "$axe_dir" && mkdir -p "$axe_dir"
    (cd "$axe_dir" && npm pack --silent "axe-core@$axe_version" >/dev/null &&
        tar -xzf "axe-core-$axe_version.tgz" package/axe.min.js && mv package/axe.min.js . &&
        rmdir package && rm "axe-core-$axe_version.tgz")
    echo "$axe_version" >"$axe_dir/version"
fi
AXE_JS="$(cd "$axe_dir" && pwd)/axe.min.js"
export AXE_JS
export RUST_BACKTRACE=1

log "Rust: lints, and no import circle inside a crate"
cargo clippy --workspace --all-targets --locked -- -D warnings 2>&1
python3 scripts/check-layers.py model core sandbox cli bindings tests

log "Rust: unit and integration tests (core, sandbox, CLI, cross-crate, crash)"
cargo test --workspace --locked 2>&1

log "browser tests: headless Chromium on the sandbox's pages"
cargo build --locked -q -p smarthd-cli
python3 -m pytest -q tests/browser 2>&1

log "the portal contract: schemathesis against the sandbox's /openapi.json (fixed seed, bounded)"
bash scripts/test-contract.sh

log "bindings: exports, Python and Kotlin suites on the host library, Swift generation, size budget, the Python wheel"
bash scripts/test-bindings.sh

log "shells: the Android screen state holders on the JVM against the host library and the sandbox"
bash scripts/test-shells.sh

log "the app's screens on the desktop JVM: UI tests against the core and the sandbox, and the gallery"
bash scripts/test-ui.sh

log "the demo, end to end (debug build)"
cargo run --locked -q -p smarthd-cli -- demo > "$target/demo.log" 2>&1 || { cat "$target/demo.log"; exit 1; }
grep -q "Xong / done." "$target/demo.log"
tail -n 5 "$target/demo.log"

log "the manual pages and shell completions, generated from the CLI's definitions"
mkdir -p "$target/man"
"$target/debug/smarthd" man --dir "$target/man" >/dev/null
test -s "$target/man/smarthd.1" && test -s "$target/man/smarthd-dossier-new.1"
for shell in bash zsh fish; do
    "$target/debug/smarthd" completions "$shell" >"$target/man/smarthd.$shell"
    grep -q withdraw "$target/man/smarthd.$shell"
done
ls "$target/man" | wc -l

log "fuzzing what strangers can feed the phone: every target, a bounded time each (fuzz/README.md)"
FUZZ_SECONDS="${FUZZ_SECONDS:-10}" CARGO_TARGET_DIR="$(realpath "$target")/fuzz" bash scripts/fuzz.sh

log "benchmarks compile and run once each (figures come from scripts/bench.sh)"
cargo test --locked -p smarthd-tests --benches 2>&1

log "all tests passed"
du -sh "$target"
printf '%s\n' "${stage_times[@]}"
