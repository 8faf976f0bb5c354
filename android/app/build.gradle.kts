// The app: Compose + Material 3 screens over the state holders in ../state (plain Kotlin, tested
// on the JVM by scripts/test-shells.sh), which are compiled into this module as sources.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

// The portal the debug build talks to. The core refuses plain http except on loopback, so the
// emulator reaches the sandbox on the host through `adb reverse tcp:8787 tcp:8787`, not 10.0.2.2.
val sandboxPortal = providers.gradleProperty("smarthd.portal").getOrElse("http://127.0.0.1:8787/")

android {
    namespace = "vn.gov.haiduong.smarthd.app"
    compileSdk = 36
    defaultConfig {
        applicationId = "vn.gov.haiduong.smarthd"
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
        // Vietnamese is the default (values/), English in values-en/.
        androidResources.localeFilters += listOf("vi", "en")
    }
    buildTypes {
        debug {
            buildConfigField("String", "PORTAL_URL", "\"$sandboxPortal\"")
        }
        release {
            buildConfigField("String", "PORTAL_URL", "\"https://dichvucong.haiduong.gov.vn/\"")
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    // The screens (android/ui, also built for the desktop here) and their state holders.
    sourceSets["main"].kotlin.srcDir(rootDir.resolve("ui/src/main/kotlin"))
    sourceSets["main"].kotlin.srcDir(rootDir.resolve("state/src/main/kotlin"))
    // MainActivity's tests on Robolectric use the sandbox helpers of the state holders' tests.
    sourceSets["test"].kotlin.srcDir(rootDir.resolve("testing/src/main/kotlin"))
    testOptions.unitTests.isIncludeAndroidResources = true
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":sdk"))
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.browser)
    implementation(libs.androidx.work.runtime)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.material.icons)
    implementation(libs.compose.ui.tooling.preview)
    debugImplementation(libs.compose.ui.tooling)
    testImplementation(libs.robolectric)
    testImplementation(libs.junit4)
}
