#!/usr/bin/env bash
# Generates the Kotlin, Swift and Python bindings from the host library (UniFFI library mode).
# Generated files are never edited by hand: they are written under target/bindings/ (not in git)
# and the Kotlin, Python and Swift projects read them from there.
#
#   scripts/gen-bindings.sh [--profile dev|release] [--out DIR] [--lib PATH]
#
# Prints the output folder. Needs only cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=dev
out=target/bindings
lib=
while [ $# -gt 0 ]; do
    case "$1" in
        --profile) profile=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --lib) lib=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

case "$(uname -s)" in
    Darwin) ext=dylib ;;
    *) ext=so ;;
esac

# Cargo builds where CARGO_TARGET_DIR says (a shared target folder), else in target/.
target_dir=${CARGO_TARGET_DIR:-target}
if [ -z "$lib" ]; then
    cargo build --locked -q --profile "$profile" -p smarthd-ffi
    lib=$target_dir/$dir/libsmarthd_ffi.$ext
fi
cargo build --locked -q -p uniffi-bindgen
bindgen=$target_dir/debug/uniffi-bindgen

rm -rf "$out"
for language in kotlin swift python; do
    "$bindgen" generate "$lib" --language "$language" --out-dir "$out/$language" \
        --no-format >&2
done
# The Python package loads the library from beside smarthd.py.
cp "$lib" "$out/python/"
echo "$out"
