#!/usr/bin/env bash
# The app's screens, compiled and seen: the Compose screens of android/ui (the files the Android
# app compiles) built for the desktop JVM with Compose for Desktop, on a fresh Debian machine:
#   1. scripts/jvm-setup.sh: a JDK, Maven, fonts, the host library, the CLI (the sandbox), the
#      bindings;
#   2. mvn test on android/ui: the UI tests (Compose UI test for desktop) drive the real screens
#      against the real core and the sandbox, accessibility checked on each screen;
#   3. the gallery: every screen in Vietnamese and English, light and dark, font scale 1.0 and 2.0,
#      phone and tablet, to target/ui/*.png with an index.html; fails on a blank image or two
#      identical ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jvm-setup.sh

log "the screens on the desktop JVM: UI tests against the core and the sandbox"
mvn_suite -f android/ui/pom.xml test

log "the gallery: every screen, every variant"
mvn_suite -f android/ui/pom.xml -q dependency:build-classpath -Dmdep.outputFile="$target_dir/ui-classpath.txt"
out="$target_dir/ui"
rm -rf "$out"
java -Djava.awt.headless=true -Djna.library.path="$target_dir/debug" -Dsmarthd.bin="$target_dir/debug/smarthd" \
    -cp "android/ui/target/classes:$(cat "$target_dir/ui-classpath.txt")" \
    vn.gov.haiduong.smarthd.app.desktop.GalleryKt "$out"
echo "gallery: $(ls "$out"/*.png | wc -l) images in $out/index.html"
