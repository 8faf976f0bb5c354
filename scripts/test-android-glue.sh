#!/usr/bin/env bash
# The Android glue's JVM tests (android/app/src/test/kotlin): MainActivity and SmartHdApplication
# run on Robolectric's Android framework (API 35) with the real core (the host library, through
# JNA) and a sandbox portal, the Keystore being the one test double. Uses what
# scripts/check-android-glue.sh compiled and resolved (run it first), with each AAR's R class
# from its R.txt and its BuildConfig stand-in; no resource table (aapt2 is not on Maven Central), so library code that looks
# a resource up finds none.
#
#   scripts/test-android-glue.sh [BINDINGS_KOTLIN_DIR]   (default: target/bindings/kotlin)
#
# Needs the debug host library and CLI (cargo build -p smarthd-ffi -p smarthd-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)
glue=$target_dir/android-glue
out=$glue/robolectric
[ -d "$glue/classes" ] && [ -d "$glue/r" ] || { echo "run scripts/check-android-glue.sh first" >&2; exit 1; }
[ -x "$target_dir/debug/smarthd" ] || { echo "no $target_dir/debug/smarthd: cargo build -p smarthd-ffi -p smarthd-cli" >&2; exit 1; }
catalog=$(sed -n 's/^robolectric = "\(.*\)"/\1/p' android/gradle/libs.versions.toml)
pom=$(sed -n 's:.*<robolectric.version>\(.*\)</robolectric.version>.*:\1:p' android/app/glue-check/robolectric/pom.xml)
[ "$catalog" = "$pom" ] ||
    { echo "libs.versions.toml says Robolectric $catalog, android/app/glue-check/robolectric/pom.xml $pom: make them one" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out/sdk" "$out/aar"

mvn_q() { mvn -B -ntp -q ${SMARTHD_MAVEN_REPO:+-Dmaven.repo.local="$SMARTHD_MAVEN_REPO"} -f android/app/glue-check/robolectric/pom.xml "$@"; }
mvn_q dependency:build-classpath -DexcludeArtifactIds=android-all,android-all-instrumented -Dmdep.outputFile="$out/classpath.txt"
mvn_q dependency:copy-dependencies -DincludeArtifactIds=android-all,android-all-instrumented -DoutputDirectory="$out/sdk"
# Two AARs among Robolectric's dependencies (androidx.test): the JVM reads their classes.jar.
robolectric_cp=""
for entry in $(tr ':' '\n' < "$out/classpath.txt"); do
    if [[ $entry == *.aar ]]; then
        unzip -p "$entry" classes.jar > "$out/aar/$(basename "$entry" .aar).jar"
        entry=$out/aar/$(basename "$entry" .aar).jar
    fi
    robolectric_cp+=${robolectric_cp:+:}$entry
done
android_all=$(ls "$out"/sdk/android-all-[0-9]*.jar)
app_cp=$(grep -v '/android-all-' "$glue/classpath.txt" | paste -sd:)
compile_android=$(grep '/android-all-' "$glue/classpath.txt")

# The R classes, and BuildConfig's stand-in (kotlinc compiled the glue against its source only).
javac -nowarn -d "$out/java-classes" $(find "$glue/r" "$glue/generated" -name '*.java')
cp "$glue/r/library-values.properties" "$out/java-classes/"
java -Xmx1536m -cp "$(cat "$glue/kotlinc.txt")" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler \
    -jvm-target 17 -no-stdlib -no-reflect -module-name app-test -nowarn \
    -classpath "$robolectric_cp:$app_cp:$glue/classes:$compile_android" \
    -d "$out/test-classes" android/app/src/test/kotlin android/testing/src/main/kotlin

tests=$(cd android/app/src/test/kotlin && grep -rl "^@RunWith" . | sort | sed 's:^\./::; s:\.kt$::; s:/:.:g')
# A process for each class (each has its sandbox; the core's native state is per process); a
# hung test fails the run instead of holding CI.
failed=""
for test in $tests; do
    timeout 900 java -Xmx2g \
        -Drobolectric.offline=true -Drobolectric.dependency.dir="$out/sdk" \
        -Djna.library.path="$target_dir/debug" -Dsmarthd.bin="$target_dir/debug/smarthd" \
        -cp "$out/test-classes:$out/java-classes:$glue/classes:$app_cp:$robolectric_cp:$android_all" \
        org.junit.runner.JUnitCore "$test" || failed+=" $test"
done
[ -z "$failed" ] || { echo "Android glue tests failed:$failed" >&2; exit 1; }
