# Sourced by the JVM suites (test-shells.sh, test-ui.sh, run-app-desktop.sh): installs what a fresh
# Debian machine lacks for them (a JDK, Maven, fonts for the screens; Maven then downloads the
# Java libraries from Maven Central), builds the host library and the CLI (the sandbox) and
# generates the bindings. Sets root, target_dir (where cargo builds) and bindings.
root=$PWD
# Where cargo builds: CARGO_TARGET_DIR (absolute, or relative to the root) or target/.
target_dir=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)

log() { printf '\n== %s\n' "$*"; }
apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "$0: missing $*; install it (apt-get install $*)" >&2
        return 1
    fi
}

log "tools the JVM suites need"
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven
# Compose draws text with the system's fonts (DejaVu has every Vietnamese letter).
fc-list 2>/dev/null | grep -q DejaVu || apt_install fontconfig fonts-dejavu-core
mvn -B -v | sed -n 1p

log "host library, CLI (sandbox) and generated bindings"
cargo build --locked -q -p smarthd-ffi -p smarthd-cli
bindings=$(bash scripts/gen-bindings.sh)

# mvn ARGS... with the paths every JVM suite passes, without Maven's download chatter.
mvn_suite() {
    mvn -B -ntp "$@" \
        -Dsmarthd.bindings="$root/$bindings/kotlin" -Dsmarthd.libdir="$target_dir/debug" \
        -Dsmarthd.bin="$target_dir/debug/smarthd" 2>&1 | grep -v '^\[INFO\] \(Download\|Copying\)'
    return "${PIPESTATUS[0]}"
}
