// The Smart-Hải Dương Android app: `sdk` (the Rust core: generated UniFFI Kotlin + the Kotlin
// layer + jniLibs) and `app` (Compose screens over the state holders in state/, which are also a
// Maven project tested on the desktop JVM by scripts/test-shells.sh).
//
// NOT BUILT on the project's machines (no Android SDK, no Gradle distribution there):
// see docs/testing-on-emulators.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "SmartHaiDuong"
include(":sdk", ":app")
