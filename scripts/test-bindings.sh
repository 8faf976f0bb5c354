#!/usr/bin/env bash
# Tests the UniFFI bindings on a fresh Debian machine, installing what is missing first:
#   1. builds the host library (smarthd-ffi) and the CLI (the sandbox portal), generates the
#      Kotlin, Swift and Python bindings (scripts/gen-bindings.sh);
#   2. checks that TLS stays on ring (no aws-lc-rs in the library's tree);
#   3. Rust tests of smarthd-ffi; Python: pytest against the sandbox; Kotlin on the JVM: mvn test;
#   4. Swift: bindings generated (smoke) and the thin Swift layer checked against them by name
#      (no Swift toolchain here: nothing Swift is compiled);
#   5. scripts/size.sh: the release-mobile library for aarch64 and x86_64, within 8 MiB.
# SKIP_SIZE=1 skips step 5 (it needs two fat-LTO builds, several minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Where cargo builds: CARGO_TARGET_DIR (absolute, or relative to the root) or target/.
target_dir=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)

log() { printf '\n== %s\n' "$*"; }
apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        if [ -z "${APT_UPDATED:-}" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; APT_UPDATED=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "test-bindings.sh: missing $*; install it (apt-get install $*)" >&2
        return 1
    fi
}

log "tools the binding tests need"
command -v python3 >/dev/null || apt_install python3
if ! python3 -c "import pytest" 2>/dev/null; then
    python3 -m pip install --quiet "pytest>=8" 2>/dev/null \
        || apt_install python3-pytest \
        || python3 -m pip install --quiet --break-system-packages "pytest>=8"
fi
# cryptography: the Python tests' platform signer (ECDSA P-256) signs real DPoP proofs.
if ! python3 -c "import cryptography" 2>/dev/null; then
    python3 -m pip install --quiet cryptography 2>/dev/null \
        || apt_install python3-cryptography \
        || python3 -m pip install --quiet --break-system-packages cryptography
fi
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven
python3 -c "import pytest, cryptography; print('pytest', pytest.__version__, 'cryptography', cryptography.__version__)"
mvn -B -v | sed -n 1p

log "host library, CLI (sandbox) and generated bindings"
cargo build --locked -q -p smarthd-ffi -p smarthd-cli
bindings=$(bash scripts/gen-bindings.sh)
ls -l "$bindings"/kotlin/vn/gov/haiduong/smarthd/smarthd.kt "$bindings"/python/smarthd.py \
    "$bindings"/swift/SmartHDCore.swift "$bindings"/swift/SmartHDCoreFFI.h "$bindings"/swift/SmartHDCoreFFI.modulemap

log "TLS on ring: no aws-lc-rs in the library"
if cargo tree --locked -p smarthd-ffi -i aws-lc-rs --target all >/dev/null 2>&1; then
    cargo tree --locked -p smarthd-ffi -i aws-lc-rs --target all
    echo "test-bindings.sh: aws-lc-rs is in smarthd-ffi's tree (use rustls with ring)" >&2
    exit 1
fi
echo "no aws-lc-rs"

log "Rust: smarthd-ffi (exported API with test doubles, against the sandbox)"
cargo test --locked -q -p smarthd-ffi 2>&1

log "Python: pytest against the sandbox over loopback"
(cd bindings/python && SMARTHD_PYTHON_BINDINGS="$root/$bindings/python" SMARTHD_BIN="$target_dir/debug/smarthd" \
    python3 -m pytest -q -p no:cacheprovider)

log "Kotlin on the JVM: generated bindings + the Kotlin layer, JUnit against the sandbox"
mvn -B -ntp -f bindings/kotlin/pom.xml test \
    -Dsmarthd.bindings="$root/$bindings/kotlin" -Dsmarthd.libdir="$target_dir/debug" \
    -Dsmarthd.bin="$target_dir/debug/smarthd" 2>&1 | grep -v '^\[INFO\] \(Download\|Copying\)'
test "${PIPESTATUS[0]}" -eq 0

log "Swift: generated on Linux (smoke; no Swift toolchain here, nothing Swift is compiled)"
swift_generated=$bindings/swift/SmartHDCore.swift
grep -q "public static func \`open\`(config: CoreConfig, storage: SecureStorage" "$swift_generated"
# Every generated method the thin layer calls must exist under that name.
for method in $(grep -ohE '(\$0|core|api)\.[a-zA-Z]+\(' bindings/swift/Sources/SmartHDCore/*.swift \
    | sed -E 's/.*\.([a-zA-Z]+)\(/\1/' | sort -u); do
    grep -qE "func \`?$method\`?\(" "$swift_generated" \
        || { echo "the Swift layer calls $method, which the generated Swift lacks" >&2; exit 1; }
done
echo "Swift bindings generated; the Swift layer matches their names"

if [ -z "${SKIP_SIZE:-}" ]; then
    log "size of the mobile library (release-mobile)"
    bash scripts/size.sh
fi

log "bindings: all tests passed"
