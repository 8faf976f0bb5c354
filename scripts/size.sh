#!/usr/bin/env bash
# Size of the mobile library: builds libsmarthd_ffi.so with the release-mobile profile (opt-level
# "s", fat LTO, one codegen unit, stripped, panic unwind) for aarch64-unknown-linux-gnu (Debian's
# cross gcc as linker: the stand-in for Android arm64 here, 16 KB page alignment as on Android),
# and with --x86_64 for x86_64 too, and prints the stripped sizes. Exits non-zero when the aarch64
# library is over the budget (8 MiB; the target is 5 MiB). Each fat-LTO build takes minutes on
# 2 cores: scripts/test.sh measures aarch64 only, the library that ships.
#
# Installs what is missing on a fresh Debian machine: the rustup target and gcc-aarch64-linux-gnu.
set -euo pipefail
cd "$(dirname "$0")/.."

with_x86=
case "${1:-}" in
    --x86_64) with_x86=1 ;;
    "") ;;
    *) echo "usage: size.sh [--x86_64]" >&2; exit 2 ;;
esac

BUDGET=$((8 * 1024 * 1024))
TARGET_SIZE=$((5 * 1024 * 1024))
ARM=aarch64-unknown-linux-gnu
X86=x86_64-unknown-linux-gnu

if ! rustup target list --installed 2>/dev/null | grep -qx "$ARM"; then
    echo "== rustup target add $ARM" >&2
    rustup target add "$ARM"
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "== apt-get install gcc-aarch64-linux-gnu (the cross linker and C compiler)" >&2
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "size.sh: aarch64-linux-gnu-gcc is missing; install gcc-aarch64-linux-gnu" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
# Google Play requires 16 KB page alignment for Android 15+; measure what would ship.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-Wl,-z,max-page-size=16384"

build() { # only the cdylib: the staticlib is for iOS and would double the link time
    cargo rustc --locked -q -p smarthd-ffi --lib --profile release-mobile --target "$1" --crate-type cdylib
}

size_of() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

echo "== building $ARM${with_x86:+ and $X86} (release-mobile)" >&2
build "$ARM"
[ -z "$with_x86" ] || build "$X86"

target_dir=${CARGO_TARGET_DIR:-target}
arm_lib=$target_dir/$ARM/release-mobile/libsmarthd_ffi.so
x86_lib=$target_dir/$X86/release-mobile/libsmarthd_ffi.so
# The profile strips already; strip again to be sure the figure is the stripped one.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aarch64-linux-gnu-strip -o "$tmp/arm.so" "$arm_lib"
arm=$(size_of "$tmp/arm.so")

echo
echo "libsmarthd_ffi.so, release-mobile, stripped:"
printf '  %-28s %10d bytes  (%s)\n' "$ARM" "$arm" "$(mib "$arm")"
if [ -n "$with_x86" ]; then
    strip -o "$tmp/x86.so" "$x86_lib"
    x86=$(size_of "$tmp/x86.so")
    printf '  %-28s %10d bytes  (%s)\n' "$X86" "$x86" "$(mib "$x86")"
fi
if command -v aarch64-linux-gnu-readelf >/dev/null; then
    align=$(aarch64-linux-gnu-readelf -lW "$arm_lib" | awk '$1 == "LOAD" { print $NF }' | sort -u | tr '\n' ' ')
    echo "  aarch64 LOAD segment alignment: $align(0x4000 = 16 KB)"
fi
echo "  budget (aarch64): $(mib $BUDGET); target: $(mib $TARGET_SIZE)"
if [ "$arm" -gt "$BUDGET" ]; then
    echo "size.sh: FAIL: the aarch64 library is over the $(mib $BUDGET) budget" >&2
    exit 1
fi
if [ "$arm" -gt "$TARGET_SIZE" ]; then
    echo "  note: within the budget but above the 5 MiB target"
fi
echo "size: ok"
