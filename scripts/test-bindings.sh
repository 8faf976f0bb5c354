#!/usr/bin/env bash
# Tests the UniFFI bindings on a fresh Debian machine, installing what is missing first:
#   1. builds the host library (smarthd-ffi) and the CLI (the sandbox portal), generates the
#      Kotlin, Swift and Python bindings (scripts/gen-bindings.sh);
#   2. checks that TLS stays on ring (no aws-lc-rs in the library's tree);
#   3. Rust tests of smarthd-ffi; Python: pytest against the sandbox; Kotlin on the JVM: mvn package
#      (the tests, then the SDK's jar);
#   4. Swift: bindings generated (smoke) and the thin Swift layer checked against them by name
#      (no Swift toolchain here: nothing Swift is compiled); the XCFramework zip script's checksum;
#   5. scripts/size.sh: the release-mobile library for aarch64 (what ships), within 8 MiB;
#   6. the Python wheel (scripts/build-wheel.sh --profile dev, maturin: the packaging, with the
#      debug library, not a second fat-LTO build) installed with pip into a fresh virtual
#      environment, offline, running a search against the sandbox (tests/test_wheel.py).
# Before the builds, scripts/check-ffi-exports.py: every core handle method exported and wrapped.
# SKIP_SIZE=1 skips step 5 (a fat-LTO build, several minutes on 2 cores); SKIP_WHEEL=1 skips
# step 6.
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
# venv with pip (ensurepip): the wheel's test installs it into a fresh virtual environment.
python3 -c "import ensurepip, venv" 2>/dev/null || apt_install python3-venv
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven
python3 -c "import pytest, cryptography; print('pytest', pytest.__version__, 'cryptography', cryptography.__version__)"
mvn -B -v | sed -n 1p

log "everything the core offers is exported (and wrapped in Kotlin and Swift)"
python3 scripts/check-ffi-exports.py

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
    python3 -m pytest -q -p no:cacheprovider --ignore=tests/test_wheel.py)

log "Kotlin on the JVM: generated bindings + the Kotlin layer, JUnit against the sandbox, then the SDK's jar"
mvn -B -ntp -f bindings/kotlin/pom.xml package \
    -Dsmarthd.bindings="$root/$bindings/kotlin" -Dsmarthd.libdir="$target_dir/debug" \
    -Dsmarthd.bin="$target_dir/debug/smarthd" 2>&1 | grep -v '^\[INFO\] \(Download\|Copying\)'
test "${PIPESTATUS[0]}" -eq 0
jar=$(ls bindings/kotlin/target/smarthd-core-*.jar)
for class in vn/gov/haiduong/smarthd/client/SmartHdClient.class vn/gov/haiduong/smarthd/SmartHd.class; do
    python3 -c "import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())" "$jar" "$class" \
        || { echo "$jar lacks $class" >&2; exit 1; }
done
echo "the SDK's JVM jar: $jar (the Kotlin layer and the generated bindings; the AAR: scripts/build-aar.sh)"

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
# Every error case the docs name exists in the generated Swift under that name.
# (the rows of the table under "| case | fields | what the app does |", up to its blank line)
for case in $(awk '/^\| case \| fields \|/ { t = 1; next } t && !/^\|/ { t = 0 } t' docs/bindings.md \
    | sed -n 's/^| `\([A-Za-z0-9]*\)`.*/\1/p' | sort -u); do
    grep -qE "^ *case $case\(" "$swift_generated" \
        || { echo "docs/bindings.md names the Swift error case $case, which the generated Swift lacks" >&2; exit 1; }
done
# The root Package.swift (the package apps add by URL) points at folders that exist.
for path in $(sed -n 's/.*path: "\([^"]*\)".*/\1/p' Package.swift); do
    case "$path" in *.xcframework) continue ;; esac  # built on a Mac
    test -d "$path" || { echo "Package.swift names $path, which does not exist" >&2; exit 1; }
done
grep -q 'binaryTarget(name: "SmartHDCoreFFI", url: releaseUrl, checksum: releaseChecksum)' Package.swift
# The zip for a URL binary target: its checksum is the zip's SHA-256 (what compute-checksum says).
stand_in=$(mktemp -d)
mkdir -p "$stand_in/SmartHDCoreFFI.xcframework/ios-arm64"
printf '<plist/>\n' >"$stand_in/SmartHDCoreFFI.xcframework/Info.plist"
printf 'stand-in\n' >"$stand_in/SmartHDCoreFFI.xcframework/ios-arm64/libsmarthd_ffi.a"
checksum=$(bash scripts/build-xcframework-zip.sh --xcframework "$stand_in/SmartHDCoreFFI.xcframework" \
    --out "$stand_in/out.zip" 2>/dev/null | tail -n 1)
test "$checksum" = "$(sha256sum "$stand_in/out.zip" | cut -d' ' -f1)"
python3 -c "import sys, zipfile; n = zipfile.ZipFile(sys.argv[1]).namelist(); assert 'SmartHDCoreFFI.xcframework/Info.plist' in n, n" \
    "$stand_in/out.zip"
rm -rf "$stand_in"
echo "Swift error cases as documented; Package.swift paths exist; XCFramework zip checksum $checksum"

if [ -z "${SKIP_SIZE:-}" ]; then
    log "size of the mobile library (release-mobile)"
    bash scripts/size.sh
fi

if [ -z "${SKIP_WHEEL:-}" ]; then
    log "Python wheel (maturin): pip install into a fresh venv, offline, and a search"
    wheel=$(bash scripts/build-wheel.sh --profile dev | tail -n 1)
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
    case "$(basename "$wheel")" in
        "smarthd-$version-"*) ;;
        *) echo "the wheel $wheel is not version $version (Cargo.toml)" >&2; exit 1 ;;
    esac
    ls -l "$wheel"
    (cd bindings/python && SMARTHD_WHEEL="$wheel" SMARTHD_WHEEL_PROFILE=dev SMARTHD_PYTHON_BINDINGS="$root/$bindings/python" \
        SMARTHD_BIN="$target_dir/debug/smarthd" python3 -m pytest -q -p no:cacheprovider tests/test_wheel.py)
fi

log "bindings: all tests passed"
