// swift-tools-version:5.9
// The Smart-Hải Dương core for iOS, as a Swift package at the repository's root so that an app
// can add it by the repository's git URL: the Rust library as an XCFramework (binary target
// SmartHDCoreFFI) and the Swift module SmartHDCore in bindings/swift: the UniFFI-generated
// SmartHDCore.swift (in Sources/SmartHDCore/Generated, copied there by scripts/build-ios.sh,
// never edited by hand) plus the thin layer in SmartHdClient.swift. bindings/swift/Package.swift
// is the same package for local work in that folder (always the local build).
//
// Where the binary target comes from (docs/bindings.md, "iOS (Swift)"):
// - local (default while `releaseUrl` is empty, and always with SMARTHD_LOCAL_XCFRAMEWORK=1):
//   bindings/swift/SmartHDCoreFFI.xcframework, made by scripts/build-ios.sh;
// - by URL: a release sets `releaseUrl` and `releaseChecksum` to the zip and checksum that
//   scripts/build-xcframework-zip.sh --url URL prints, and commits the generated Swift of the
//   same build, so an app adds this package by its git URL and version tag.
//
// NOT COMPILED HERE: the project's machines have no Swift toolchain or Xcode. The generated
// bindings are produced on Linux as a smoke check; this package is built on a Mac.
import PackageDescription

/// The released XCFramework zip (empty: no release yet, the local build is used).
let releaseUrl = ""
/// Its checksum (`swift package compute-checksum`, the SHA-256 of the zip).
let releaseChecksum = ""

let useLocalBuild = releaseUrl.isEmpty || Context.environment["SMARTHD_LOCAL_XCFRAMEWORK"] == "1"
let ffiTarget: Target = useLocalBuild
    ? .binaryTarget(name: "SmartHDCoreFFI", path: "bindings/swift/SmartHDCoreFFI.xcframework")
    : .binaryTarget(name: "SmartHDCoreFFI", url: releaseUrl, checksum: releaseChecksum)

let package = Package(
    name: "SmartHDCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "SmartHDCore", targets: ["SmartHDCore"]),
    ],
    targets: [
        ffiTarget,
        .target(
            name: "SmartHDCore",
            dependencies: ["SmartHDCoreFFI"],
            path: "bindings/swift/Sources/SmartHDCore"
        ),
    ]
)
