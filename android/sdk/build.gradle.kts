// The Rust core for the app: the UniFFI-generated Kotlin and the libraries built by
// scripts/build-android.sh (target/android/bindings/kotlin, target/android/jniLibs; never edited
// by hand, never committed), plus the idiomatic Kotlin layer (bindings/kotlin/src/main/kotlin).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val workspace = rootDir.parentFile
val generated = workspace.resolve("target/android/bindings/kotlin")
val nativeLibs = workspace.resolve("target/android/jniLibs")

android {
    namespace = "vn.gov.haiduong.smarthd.sdk"
    compileSdk = 36
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        kotlin.srcDirs(workspace.resolve("bindings/kotlin/src/main/kotlin"), generated)
        jniLibs.srcDir(nativeLibs)
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // JNA's AAR carries libjnidispatch.so for every ABI (the plain jar has none for Android).
    api("${libs.jna.get()}@aar")
    api(libs.kotlinx.coroutines.android)
}

// Fail early with the fix, instead of a "cannot find symbol SmartHd".
tasks.named("preBuild") {
    doFirst {
        check(generated.resolve("vn/gov/haiduong/smarthd/smarthd.kt").isFile && nativeLibs.isDirectory) {
            "Run scripts/build-android.sh first (needs the NDK and cargo-ndk): it writes $generated and $nativeLibs"
        }
    }
}
