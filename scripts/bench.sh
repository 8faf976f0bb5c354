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

# Peak RSS of a full sync of 10,000 procedures: the release CLI against a sandbox in another
# process, beside the same binary doing a 304 sync (its floor: runtime, TLS set-up, SQLite).
cargo build --release -q -p smarthd-cli
tmp=$(mktemp -d)
trap 'kill $sandbox_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/smarthd --data-dir "$tmp/sandbox" sandbox serve --addr "127.0.0.1:$port" --catalog-size 10000 2>"$tmp/sandbox.log" &
sandbox_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
portal="http://127.0.0.1:$port/"
full=$( { /usr/bin/time -f '%e s, %M KiB peak RSS' target/release/smarthd --portal "$portal" --data-dir "$tmp/client" catalog sync >/dev/null; } 2>&1 )
again=$( { /usr/bin/time -f '%e s, %M KiB peak RSS' target/release/smarthd --portal "$portal" --data-dir "$tmp/client" catalog sync >/dev/null; } 2>&1 )
echo "full sync of 10,000 (release CLI, separate process): $full" | tee "$out/rss.txt"
echo "304 sync, same binary (floor): $again" | tee -a "$out/rss.txt"
