// swift-tools-version:6.1
import PackageDescription

// Targets are split by concern: pure logic (JSON, patterns, schemas, framing,
// rings) has no I/O and no NIO dependency; C lives in C-prefixed targets.
let package = Package(
    name: "junction",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "junction", targets: ["junction"]),
        .library(name: "JunctionClient", targets: ["JunctionClient"]),
        .library(name: "JunctionPatterns", targets: ["JunctionPatterns"]),
        .library(name: "JunctionSchema", targets: ["JunctionSchema"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // MARK: C
        .target(
            name: "CJunctionWire",
            path: "Sources/CJunctionWire",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .target(
            name: "CJunctionOpenSSLShims",
            dependencies: ["COpenSSL"],
            path: "Sources/CJunctionOpenSSLShims",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CJunctionCRC", path: "Sources/CJunctionCRC"),
        .target(name: "CJunctionFileShims", path: "Sources/CJunctionFileShims"),

        // MARK: pure logic
        .target(name: "JunctionJSON"),
        .target(name: "JunctionPatterns", dependencies: ["JunctionJSON"]),
        .target(name: "JunctionSchema", dependencies: ["JunctionJSON"]),
        .target(name: "JunctionWire", dependencies: ["CJunctionWire"]),
        .target(name: "JunctionRing", dependencies: [.product(name: "Atomics", package: "swift-atomics")]),
        .target(name: "JunctionAdmin", dependencies: ["JunctionWire"]),

        // MARK: I/O
        .target(
            name: "JunctionTLS",
            dependencies: [
                "COpenSSL", "CJunctionOpenSSLShims",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(name: "JunctionStore", dependencies: ["CSQLite", "CJunctionCRC", "CJunctionFileShims"]),
        .target(
            name: "JunctionGateway",
            dependencies: [
                "JunctionWire", "JunctionRing", "JunctionTLS", "JunctionPatterns",
                "JunctionSchema", "JunctionStore", "JunctionAdmin",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "JunctionClient",
            dependencies: [
                "JunctionWire", "JunctionTLS", "CJunctionWire", "JunctionAdmin", "JunctionSchema",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "junction",
            dependencies: [
                "JunctionGateway", "JunctionClient", "JunctionPatterns", "JunctionSchema", "JunctionJSON",
                "JunctionWire", "CJunctionWire", "JunctionTLS", "JunctionAdmin", "JunctionStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: benchmarks (release builds; see BENCHMARKS.md)
        .executableTarget(name: "RingBench", dependencies: ["JunctionRing"], path: "Benchmarks/RingBench"),
        .executableTarget(name: "StoreBench", dependencies: ["JunctionStore"], path: "Benchmarks/StoreBench"),
        .executableTarget(name: "junction-pattern-bench", dependencies: ["JunctionPatterns", "JunctionJSON", "JunctionTestSupport"],
                          path: "Benchmarks/PatternBench"),

        // MARK: tests
        .target(name: "JunctionTestSupport", path: "Tests/JunctionTestSupport"),
        .testTarget(name: "JunctionJSONTests", dependencies: ["JunctionJSON"]),
        .testTarget(name: "JunctionPatternsTests", dependencies: ["JunctionPatterns", "JunctionJSON", "JunctionTestSupport"]),
        .testTarget(name: "JunctionSchemaTests", dependencies: ["JunctionSchema", "JunctionJSON", "JunctionTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "JunctionWireTests", dependencies: ["JunctionWire", "CJunctionWire", "JunctionTestSupport"]),
        .testTarget(name: "JunctionRingTests", dependencies: ["JunctionRing"]),
        .testTarget(
            name: "JunctionTLSTests",
            dependencies: [
                "JunctionTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "JunctionStoreTests", dependencies: ["JunctionStore", "JunctionTestSupport"]),
        .testTarget(
            name: "JunctionGatewayTests",
            dependencies: [
                "JunctionGateway", "JunctionClient", "JunctionWire", "CJunctionWire", "JunctionTLS", "JunctionAdmin", "JunctionStore", "JunctionSchema", "JunctionTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
