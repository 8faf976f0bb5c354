#!/usr/bin/env bash
# The Android SDK as an AAR, for app developers: the Rust core for every Android ABI
# (scripts/build-android.sh), the generated Kotlin and the Kotlin layer, built by Gradle from
# android/sdk into android/sdk/build/outputs/aar/sdk-release.aar. Prints the AAR's path.
#
# Needs what scripts/build-android.sh needs (the NDK, cargo-ndk, the Rust Android targets) plus
# the Android SDK (ANDROID_HOME) and Gradle 8.14 or the wrapper in android/. The project's Linux
# machines have none of these: the script says what is missing and exits non-zero. There, the same
# Kotlin layer and bindings build as a JVM jar: `mvn -f bindings/kotlin/pom.xml package`
# (scripts/test-bindings.sh checks it).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
sdk=${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}
[ -n "$sdk" ] && [ -d "$sdk/platforms" ] || missing+=("the Android SDK: install it (Android Studio) and set ANDROID_HOME")
if [ -x android/gradlew ]; then
    gradle=(android/gradlew -p android)
elif command -v gradle >/dev/null; then
    gradle=(gradle -p android)
else
    missing+=("Gradle: run 'gradle wrapper --gradle-version 8.14.3' in android/, or install Gradle 8.14")
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "build-aar.sh: cannot build the AAR here; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Nothing was built. (The JVM jar: mvn -f bindings/kotlin/pom.xml package.)" >&2
    exit 1
fi

bash scripts/build-android.sh >&2
"${gradle[@]}" :sdk:assembleRelease >&2
aar=android/sdk/build/outputs/aar/sdk-release.aar
test -s "$aar"
echo "$aar"
