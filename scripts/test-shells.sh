#!/usr/bin/env bash
# Tests the app shells' screen state holders (android/state: plain Kotlin, StateFlow, no androidx)
# on the desktop JVM, against the host library and the sandbox, on a fresh Debian machine:
#   1-2. scripts/jvm-setup.sh: a JDK and Maven, the host library, the CLI (the sandbox), the
#      bindings;
#   3. mvn test on android/state: login states, search as you type (virtual time), form
#      validation messages, queued then sent dossiers (the sandbox stopped and restarted on the
#      same port), payment states, the offline banner;
#   4. the Android app's Kotlin (the glue with the screens, state holders and bindings) compiled
#      against Android API 36 and the androidx AARs (scripts/check-android-glue.sh, ~2 min);
#   5. MainActivity and the application run on Robolectric's Android framework with the real
#      core and a sandbox (scripts/test-android-glue.sh): the permission asked once, a link
#      handled once and browser pages opened once across recreation, each notification opening
#      its dossier, the camera's photo kept across a rotation, the screens above the keyboard;
#   6. the iOS app's calls checked by name against the Swift layer and the generated Swift.
# The screens themselves are built and tested on the desktop JVM by scripts/test-ui.sh. The
# Android app is compiled but not packaged (no Android SDK or Gradle distribution: no resources,
# manifest merge or APK), the iOS app not built (no Xcode or Swift): docs/testing-on-emulators.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jvm-setup.sh

log "Android state holders on the JVM (JUnit 5 against the sandbox)"
mvn_suite -f android/state/pom.xml test

log "Android app: the glue compiled with the screens against Android API 36 (Kotlin + Compose compiler)"
bash scripts/check-android-glue.sh "$root/$bindings/kotlin"

log "Android app: MainActivity on Robolectric's Android (API 35) with the core and a sandbox"
bash scripts/test-android-glue.sh

log "iOS app: names checked against the Swift layer and the generated Swift (nothing Swift is compiled here)"
# The app calls client.CAPABILITY.METHOD(...): each method must be in that capability's client
# (the one call on the client itself is events(): a new stream for each reader).
if grep -rnE 'client\.[a-zA-Z]+\(' ios/SmartHD | grep -v 'client\.events()'; then
    echo "the iOS app calls the client directly; calls go through client.catalog, .session, .dossiers, .payments or .sync" >&2
    exit 1
fi
for call in $(grep -rohE 'client\.[a-z]+\.[a-zA-Z]+\(' ios/SmartHD | sort -u); do
    capability=$(echo "$call" | cut -d. -f2)
    method=$(echo "$call" | cut -d. -f3 | tr -d '(')
    layer=bindings/swift/Sources/SmartHDCore/${capability^}Client.swift
    grep -qE "func $method\(" "$layer" 2>/dev/null \
        || { echo "the iOS app calls client.$capability.$method, which $layer lacks" >&2; exit 1; }
done
for function in maskCccd fieldProblemMessage dossierStatusLabel paymentStatusLabel vietqrMatrix; do
    grep -q "public func $function(" "$bindings/swift/SmartHDCore.swift" \
        || { echo "the iOS app calls $function, which the generated Swift lacks" >&2; exit 1; }
done
echo "iOS app names match"

log "shells: state holders passed, Android app's Kotlin compiled (no APK; the iOS app is not built here)"
