#!/usr/bin/env bash
# Builds the iOS XCFramework: libsmarthd_ffi.a for devices (aarch64-apple-ios) and the simulator
# (aarch64-apple-ios-sim + x86_64-apple-ios, joined with lipo), with the release-mobile profile,
# plus the generated Swift: bindings/swift/SmartHDCoreFFI.xcframework and
# bindings/swift/Sources/SmartHDCore/Generated/SmartHDCore.swift (both git-ignored), so that
# bindings/swift/Package.swift builds.
#
# Prerequisites (the project's Linux machines have none; this script says what is missing and
# exits non-zero, it never pretends):
#   - macOS with Xcode 15 or newer (xcodebuild, lipo, the iOS SDKs)
#   - the Rust targets:
#       rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
missing=()
if [ "$(uname -s)" != Darwin ]; then
    missing+=("macOS: iOS libraries are built on a Mac (this is $(uname -s))")
fi
command -v xcodebuild >/dev/null 2>&1 || missing+=("Xcode (xcodebuild): install Xcode 15+ and run xcode-select")
command -v lipo >/dev/null 2>&1 || missing+=("lipo (Xcode command line tools)")
installed=$(rustup target list --installed 2>/dev/null || true)
for t in "${TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("the Rust target $t: rustup target add $t")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-ios.sh: cannot build the iOS XCFramework here; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Nothing was built. (Swift bindings can still be generated here: scripts/gen-bindings.sh.)" >&2
    exit 1
fi

export IPHONEOS_DEPLOYMENT_TARGET=15.0
for t in "${TARGETS[@]}"; do
    cargo rustc --locked -p smarthd-ffi --lib --profile release-mobile --target "$t" --crate-type staticlib
done

out=target/ios
rm -rf "$out" bindings/swift/SmartHDCoreFFI.xcframework
mkdir -p "$out/headers" "$out/sim"
# Swift bindings from the host build (same sources; metadata is the same on every target).
bindings=$(bash scripts/gen-bindings.sh --out "$out/bindings")
cp "$bindings/swift/SmartHDCoreFFI.h" "$out/headers/"
cp "$bindings/swift/SmartHDCoreFFI.modulemap" "$out/headers/module.modulemap"
lipo -create target/aarch64-apple-ios-sim/release-mobile/libsmarthd_ffi.a \
    target/x86_64-apple-ios/release-mobile/libsmarthd_ffi.a -output "$out/sim/libsmarthd_ffi.a"
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release-mobile/libsmarthd_ffi.a -headers "$out/headers" \
    -library "$out/sim/libsmarthd_ffi.a" -headers "$out/headers" \
    -output bindings/swift/SmartHDCoreFFI.xcframework
mkdir -p bindings/swift/Sources/SmartHDCore/Generated
cp "$bindings/swift/SmartHDCore.swift" bindings/swift/Sources/SmartHDCore/Generated/
echo "bindings/swift is ready: swift build (or add the package in Xcode)"
