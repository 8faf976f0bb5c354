// swift-tools-version:5.9
// The Swift package of the core for local work in this folder: always the local XCFramework
// (scripts/build-ios.sh). Apps add the package at the repository's root (../../Package.swift),
// which takes the released XCFramework zip by URL once a release names it.
//
// NOT COMPILED HERE: the project's machines have no Swift toolchain or Xcode.
import PackageDescription

let package = Package(
    name: "SmartHDCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "SmartHDCore", targets: ["SmartHDCore"]),
    ],
    targets: [
        .binaryTarget(name: "SmartHDCoreFFI", path: "SmartHDCoreFFI.xcframework"),
        .target(
            name: "SmartHDCore",
            dependencies: ["SmartHDCoreFFI"],
            path: "Sources/SmartHDCore"
        ),
    ]
)
