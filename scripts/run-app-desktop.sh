#!/usr/bin/env bash
# Opens the app's screens in a window on the desktop, for testers without an emulator:
#   scripts/run-app-desktop.sh              a sandbox of its own (smarthd sandbox serve)
#   scripts/run-app-desktop.sh PORTAL_URL   a sandbox already running (http only on loopback)
# Login and payment are done by a robot at the sandbox's pages (resident 030095001234, level 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jvm-setup.sh

log "the app in a window"
mvn_suite -f android/ui/pom.xml -q compile dependency:build-classpath -Dmdep.outputFile="$target_dir/ui-classpath.txt"
exec java -Djna.library.path="$target_dir/debug" -Dsmarthd.bin="$target_dir/debug/smarthd" \
    -cp "android/ui/target/classes:$(cat "$target_dir/ui-classpath.txt")" \
    vn.gov.haiduong.smarthd.app.desktop.DesktopAppKt "$@"
