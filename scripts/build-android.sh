#!/usr/bin/env bash
# Builds the Android libraries: libsmarthd_ffi.so for arm64-v8a, armeabi-v7a and x86_64 with the
# release-mobile profile and 16 KB page alignment (Google Play, Android 15+), into
# target/android/jniLibs/<abi>/, plus the Kotlin bindings into target/android/kotlin/.
#
# Prerequisites (none of which the project's Linux machines have; this script says what is
# missing and exits non-zero, it never pretends):
#   - the Android NDK (r26 or newer), with ANDROID_NDK_HOME (or ANDROID_NDK_ROOT) pointing at it
#   - cargo-ndk:   cargo install cargo-ndk
#   - the Rust targets:
#       rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# The app then puts target/android/jniLibs in src/main/jniLibs and the Kotlin files (generated
# and bindings/kotlin/src/main/kotlin) in its sources, with JNA's AAR and kotlinx-coroutines.
set -euo pipefail
cd "$(dirname "$0")/.."

API=${ANDROID_API:-24}
TARGETS=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android)
missing=()

ndk=${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}
if [ -z "$ndk" ] || [ ! -d "$ndk/toolchains/llvm/prebuilt" ]; then
    missing+=("the Android NDK: install it (Android Studio SDK Manager, or sdkmanager 'ndk;27.2.12479018') and set ANDROID_NDK_HOME")
fi
if ! cargo ndk --version >/dev/null 2>&1; then
    missing+=("cargo-ndk: cargo install cargo-ndk")
fi
installed=$(rustup target list --installed 2>/dev/null || true)
for t in "${TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("the Rust target $t: rustup target add $t")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-android.sh: cannot build the Android libraries here; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Nothing was built. (The aarch64 Linux stand-in for size checks is scripts/size.sh.)" >&2
    exit 1
fi

out=target/android
rm -rf "$out/jniLibs"
# 16 KB pages: required by Google Play for apps targeting Android 15+ (NDK r27 defaults to it,
# older NDKs need the flag).
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"
cargo ndk --platform "$API" -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$out/jniLibs" \
    build --locked -p smarthd-ffi --lib --profile release-mobile

readelf=$(ls "$ndk"/toolchains/llvm/prebuilt/*/bin/llvm-readelf | head -n1)
for abi in arm64-v8a armeabi-v7a x86_64; do
    lib=$out/jniLibs/$abi/libsmarthd_ffi.so
    align=$("$readelf" -lW "$lib" | awk '$1 == "LOAD" { print $NF }' | sort -u | tr '\n' ' ')
    printf '%-12s %10d bytes  LOAD alignment %s\n' "$abi" "$(stat -c %s "$lib")" "$align"
    case "$align" in *0x4000*|*0x10000*) ;; *) echo "build-android.sh: $abi is not 16 KB aligned" >&2; exit 1 ;; esac
done
bash scripts/gen-bindings.sh --lib "$out/jniLibs/arm64-v8a/libsmarthd_ffi.so" --out "$out/bindings" >/dev/null
echo "Kotlin bindings: $out/bindings/kotlin; libraries: $out/jniLibs"
