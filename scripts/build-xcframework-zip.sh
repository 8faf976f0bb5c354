#!/usr/bin/env bash
# Packs the iOS XCFramework for a URL-based Swift binary target: builds it (scripts/build-ios.sh,
# macOS only), zips it as SwiftPM expects (the .xcframework folder at the top of the zip) and
# prints the zip's checksum, the value `.binaryTarget(url:checksum:)` needs.
#
#   scripts/build-xcframework-zip.sh [--xcframework DIR] [--out ZIP] [--url URL]
#
#   --xcframework DIR  zip this already-built SmartHDCoreFFI.xcframework instead of building
#                      (e.g. one built on a Mac, or the test's stand-in on Linux)
#   --out ZIP          where to write the zip (default: target/ios/SmartHDCoreFFI.xcframework.zip)
#   --url URL          where the zip will be published: the script then also prints the lines to
#                      put in Package.swift at the repository root (`releaseUrl`, `releaseChecksum`)
#
# The checksum is `swift package compute-checksum ZIP` when a Swift toolchain is there, else the
# SHA-256 of the zip in hex, which is what compute-checksum computes (the same value). Output:
# the last line is the checksum alone, so `checksum=$(... | tail -n 1)` works in a release job.
set -euo pipefail
cd "$(dirname "$0")/.."

xcframework=
out=target/ios/SmartHDCoreFFI.xcframework.zip
url=
while [ $# -gt 0 ]; do
    case "$1" in
        --xcframework) xcframework=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --url) url=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ -z "$xcframework" ]; then
    bash scripts/build-ios.sh >&2
    xcframework=bindings/swift/SmartHDCoreFFI.xcframework
fi
if [ ! -f "$xcframework/Info.plist" ]; then
    echo "build-xcframework-zip.sh: $xcframework is no XCFramework (no Info.plist)" >&2
    exit 1
fi

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out"
parent=$(cd "$(dirname "$xcframework")" && pwd)
name=$(basename "$xcframework")
# SwiftPM unzips and looks for exactly one *.xcframework at the top. ditto keeps symlinks and
# macOS metadata as Xcode's own archives do; elsewhere zip -y keeps the symlinks. Sorted entries
# and fixed times would make the zip reproducible; the checksum is of this zip, whatever it is.
if command -v ditto >/dev/null 2>&1; then
    (cd "$parent" && ditto -c -k --sequesterRsrc --keepParent "$name" "$out")
elif command -v zip >/dev/null 2>&1; then
    (cd "$parent" && zip -q -r -y -X "$out" "$name")
else
    python3 - "$parent" "$name" "$out" <<'EOF'
import os, sys, zipfile
parent, name, out = sys.argv[1:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(os.path.join(parent, name)):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(root, f)
            z.write(path, os.path.relpath(path, parent))
EOF
fi

if command -v swift >/dev/null 2>&1 && swift package compute-checksum "$out" >/dev/null 2>&1; then
    checksum=$(swift package compute-checksum "$out")
elif command -v sha256sum >/dev/null 2>&1; then
    checksum=$(sha256sum "$out" | cut -d' ' -f1)
else
    checksum=$(shasum -a 256 "$out" | cut -d' ' -f1)
fi

echo "zip: $out ($(wc -c <"$out" | tr -d ' ') bytes)" >&2
if [ -n "$url" ]; then
    cat >&2 <<EOF
In Package.swift at the repository root (on the release commit, with
bindings/swift/Sources/SmartHDCore/Generated/SmartHDCore.swift from the same build committed):
    let releaseUrl = "$url"
    let releaseChecksum = "$checksum"
EOF
fi
echo "$checksum"
