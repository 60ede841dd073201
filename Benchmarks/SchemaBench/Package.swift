// swift-tools-version:6.1
// Schema validation benchmark: `swift run -c release` in this folder (see docs/bench-schemas.md).
import PackageDescription

let package = Package(
    name: "SchemaBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "junction", path: "../.."),
    ],
    targets: [
        .target(
            name: "CSchemaBench",
            path: "Sources/CSchemaBench",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .executableTarget(
            name: "SchemaBench",
            dependencies: ["CSchemaBench", .product(name: "JunctionSchema", package: "junction")],
            path: "Sources/SchemaBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
