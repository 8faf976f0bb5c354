#!/usr/bin/env bash
# Fuzzes every parser of what strangers can feed the phone (fuzz/README.md), each for a bounded
# time, starting from the checked-in seeds in fuzz/corpus/<target>/ (which it never modifies).
# Installs what a fresh Debian machine lacks: a C++ compiler, the nightly toolchain, cargo-fuzz.
#
#   FUZZ_SECONDS    seconds per target (default 20)
#   FUZZ_TARGETS    space-separated subset of targets (default: all)
#   FUZZ_SANITIZER  none (default: fast to build and run; Rust checks bounds itself) or address
#   CARGO_TARGET_DIR where to build (default fuzz/target); new inputs and crashes go under it
#
# Exits non-zero when any target finds a crash, printing the crashing input's path.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
SANITIZER=${FUZZ_SANITIZER:-none}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/fuzz/target}

say() { printf '== fuzz: %s\n' "$*"; }

if ! command -v c++ >/dev/null; then
    say "installing a C++ compiler (libFuzzer is C++)"
    SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq build-essential
fi
if ! command -v rustup >/dev/null; then
    say "installing rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain stable
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    say "installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

cd "$ROOT/fuzz"
TARGETS=${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}
say "building ($(echo "$TARGETS" | wc -w) targets, sanitizer $SANITIZER)"
cargo +nightly fuzz build --sanitizer "$SANITIZER"

RUN_DIR=$CARGO_TARGET_DIR/fuzz-runs
failed=()
for target in $TARGETS; do
    corpus=$RUN_DIR/corpus/$target
    artifacts=$RUN_DIR/artifacts/$target
    rm -rf "$artifacts"
    mkdir -p "$corpus" "$artifacts"
    say "running $target for ${SECONDS_PER_TARGET}s"
    # New inputs go to the scratch corpus (first directory); the checked-in seeds are only read.
    if ! cargo +nightly fuzz run --sanitizer "$SANITIZER" "$target" "$corpus" "$ROOT/fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$RUN_DIR/$target.log" 2>&1; then
        failed+=("$target")
        say "$target FAILED (log: $RUN_DIR/$target.log)"
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$RUN_DIR/$target.log" | head -5 || true
        for crash in "$artifacts"/*; do
            [ -e "$crash" ] && say "crashing input: $crash"
        done
    else
        grep -E '^stat::number_of_executed_units' "$RUN_DIR/$target.log" | sed "s/^/   $target /" || true
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    say "crashes in: ${failed[*]}"
    say "reproduce: cd fuzz && cargo +nightly fuzz run --sanitizer $SANITIZER <target> <crashing input>"
    exit 1
fi
say "no crash in $(echo "$TARGETS" | wc -w) targets"
