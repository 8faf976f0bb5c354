#!/usr/bin/env bash
# Benchmarks (criterion), each beside its baseline measured in the same run; figures go into
# docs/performance.md by hand, with the machine line this script prints.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "rustc: $(rustc --version)"

cargo bench -p smarthd-tests --bench search -- --warm-up-time 1 --measurement-time 3 2>&1 | tee "$out/search.txt"
cargo bench -p smarthd-tests --bench sync 2>&1 | tee "$out/sync.txt"
cargo bench -p smarthd-tests --bench outbox -- --warm-up-time 1 --measurement-time 5 2>&1 | tee "$out/outbox.txt"
cargo bench -p smarthd-tests --bench photo -- --warm-up-time 1 --measurement-time 10 2>&1 | tee "$out/photo.txt"
cargo bench -p smarthd-tests --bench inbox 2>&1 | tee "$out/inbox.txt"
# The fleet model (one simulated day of 3 x 2,000 devices against the sandbox, about 2 minutes):
# figures only, no target (docs/performance.md, "Fleet model").
cargo bench -p smarthd-tests --bench fleet 2>&1 | tee "$out/fleet.txt"

# Peak RSS of a full sync of 10,000 procedures: the CLI against a sandbox in another process,
# beside the same binary doing a 304 sync (its floor: runtime, TLS set-up, SQLite). The target
# is read from the CLI built as the phones' libraries are (`release-mobile`: the code mapped
# from the binary is part of the peak: 10 MB of machine code against 18 MB in `release`); the
# `release` CLI's figures are printed beside it.
cargo build --release -q -p smarthd-cli
cargo build --profile release-mobile -q -p smarthd-cli
tmp=$(mktemp -d)
trap 'kill $sandbox_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/smarthd --data-dir "$tmp/sandbox" sandbox serve --addr "127.0.0.1:$port" --catalog-size 10000 2>"$tmp/sandbox.log" &
sandbox_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
portal="http://127.0.0.1:$port/"
: > "$out/rss.txt"
# Three full syncs of each binary, each into a new data dir, then a 304; the target is the
# median of the release-mobile CLI's three peaks.
for profile in release release-mobile; do
    peaks=()
    for run in 1 2 3; do
        full=$( { /usr/bin/time -f '%e s, %M KiB peak RSS' "target/$profile/smarthd" --portal "$portal" --data-dir "$tmp/$profile-$run" catalog sync >/dev/null; } 2>&1 )
        echo "full sync of 10,000 ($profile CLI, separate process, run $run): $full" | tee -a "$out/rss.txt"
        peaks+=("$(echo "$full" | sed -n 's/.*, \([0-9]*\) KiB peak RSS/\1/p')")
    done
    again=$( { /usr/bin/time -f '%e s, %M KiB peak RSS' "target/$profile/smarthd" --portal "$portal" --data-dir "$tmp/$profile-3" catalog sync >/dev/null; } 2>&1 )
    echo "304 sync, same binary (floor): $again" | tee -a "$out/rss.txt"
done
median_kib=$(printf '%s\n' "${peaks[@]}" | sort -n | sed -n 2p)
echo "target full_sync_peak_mib: $(awk -v k="$median_kib" 'BEGIN { printf "%.1f", k / 1024 }') (target 20)" | tee -a "$out/rss.txt"
# What the peak is made of: private memory (anonymous) and the binary's code mapped from the
# page cache (file-backed), polled from /proc/PID/smaps_rollup while each sync runs. Figures only.
split() {
    python3 - "$@" <<'PY'
import re, subprocess, sys
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = {"Rss": 0, "Anonymous": 0}
while process.poll() is None:
    try:
        text = open(f"/proc/{process.pid}/smaps_rollup").read()
    except OSError:
        continue
    for key in peak:
        found = re.search(rf"^{key}:\s+(\d+)", text, re.M)
        if found:
            peak[key] = max(peak[key], int(found.group(1)))
print(f"peak RSS {peak['Rss'] / 1024:.1f} MiB, of which private (anonymous) at most {peak['Anonymous'] / 1024:.1f} MiB")
PY
}
mobile=target/release-mobile/smarthd
echo "full sync, polled: $(split $mobile --portal "$portal" --data-dir "$tmp/polled" catalog sync)" | tee -a "$out/rss.txt"
echo "304 sync, polled: $(split $mobile --portal "$portal" --data-dir "$tmp/polled" catalog sync)" | tee -a "$out/rss.txt"

# The boundary: calls from Kotlin (JNA, and the search page across JNI: CallCostTest.kt) beside
# the same calls from Rust
# (bindings/examples/call_cost.rs), on the same 300-procedure catalog, in alternating processes,
# three rounds each; the targets (#16) are read from the medians.
cargo build --release -q -p smarthd-ffi --examples
bindings=$(scripts/gen-bindings.sh --profile release --out "$out/bindings")
: > "$out/calls.log"
for round in 1 2 3; do
    target/release/examples/call_cost | tee -a "$out/calls.log"
    mvn -B -ntp -q -f bindings/kotlin/pom.xml test -Dtest=CallCostTest -Dsmarthd.bench.scale=20 \
        -Dsmarthd.bindings="$PWD/$bindings/kotlin" -Dsmarthd.libdir="$PWD/target/release" \
        -Dsmarthd.bin="$PWD/target/release/smarthd" | grep -o 'call cost (Kotlin.*' | tee -a "$out/calls.log"
done
python3 - "$out/calls.log" <<'PY' | tee "$out/calls.txt"
import re, statistics, sys
log = open(sys.argv[1]).read()
def median(pattern):
    return statistics.median(float(v) for v in re.findall(pattern, log))
rust_search = median(r"search returning 20 results ([0-9.]+) us \(core\)")
kotlin_empty = median(r"empty method call ([0-9.]+) us")
kotlin_search = median(r"Kotlin/JVM.*search returning 20 results ([0-9.]+) us \(JNI")
kotlin_jna_search = median(r"Kotlin/JVM.* ([0-9.]+) us \(JNA, generated\)")
print(f"Kotlin: empty method call {kotlin_empty:.2f} us, search {kotlin_search:.1f} us (JNI; {kotlin_jna_search:.1f} us through JNA); Rust: search {rust_search:.1f} us")
print(f"target kotlin_empty_call_us: {kotlin_empty:.2f} (target 5)")
print(f"ratio kotlin_search: {kotlin_search / rust_search:.2f} (target 1.20)")
PY

# Every benchmark prints `ratio NAME: X (target Y)` (to its floor measured in the same run) or
# `target NAME: X (target Y)` (an absolute limit) for each of its targets: at most Y, or at least
# Y when written `(target >= Y)`. The list of targets met and missed; a miss fails the script.
python3 - "$out" <<'PY'
import pathlib, re, sys
line = re.compile(r"^(ratio|target) (.+): ([0-9.]+) \(target (>= )?([0-9.]+)\)")
met, missed = [], []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.txt")):
    for text in path.read_text(errors="replace").splitlines():
        m = line.match(text.strip())
        if not m:
            continue
        kind, name, value, at_least, target = m.groups()
        value, target = float(value), float(target)
        ok = value >= target if at_least else value <= target
        (met if ok else missed).append(f"{kind} {name}: {value:g} ({'>=' if at_least else '<='} {target:g})")
print(f"\ntargets met ({len(met)}):")
for t in met:
    print("  " + t)
print(f"targets missed ({len(missed)}):")
for t in missed:
    print("  " + t)
sys.exit(1 if missed else 0)
PY
