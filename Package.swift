// swift-tools-version:6.1
import PackageDescription

/// Settings every target shares: Swift 6 mode, explicit existentials, and imports internal unless marked public.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "gitopsd",
    platforms: [.macOS(.v14)],
        products: [
        .executable(name: "gitopsd", targets: ["gitopsd"]),
        .executable(name: "gitopsd-bench", targets: ["gitopsd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // C libraries chosen by the design card, found through pkg-config.
        .systemLibrary(
            name: "CGit2", path: "Sources/CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        // zlib (a dependency of libgit2 anyway) inflates pack entries for GitSource's own pack reader.
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        // fork + exec for container processes: joins the container's cgroup and drops to the pod user in the
        // child, which posix_spawn cannot do and Swift must not do between fork and exec.
        .target(name: "CProcessSpawn", path: "Sources/CProcessSpawn"),

        .target(name: "API", dependencies: ["CYAML"], swiftSettings: swiftSettings),
        // Kustomize rendering over an abstract file tree (git objects or a directory), on top of API only.
        .target(name: "Kustomize", dependencies: ["API"], swiftSettings: swiftSettings),
        .target(
            name: "GitSource",
            dependencies: ["CGit2", "CZlib", "API", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(
            name: "Orchestrator",
            dependencies: [
                "API", "CProcessSpawn",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Reconciler",
            dependencies: [
                "API", "GitSource", "Orchestrator",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "gitopsd",
            dependencies: [
                "API", "GitSource", "Orchestrator", "Reconciler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),

        // `make bench` drivers: one subcommand per benchmark, built in release mode.
        .executableTarget(
            name: "gitopsd-bench",
            dependencies: [
                "API", "GitSource", "Orchestrator", "Reconciler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/GitopsdBench",
            swiftSettings: swiftSettings),

        // Helpers shared by the test targets: temporary git repositories, processes, clocks.
        .target(name: "TestSupport", dependencies: ["API"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "APITests", dependencies: ["API", "TestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(name: "KustomizeTests", dependencies: ["Kustomize", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "GitSourceTests", dependencies: ["GitSource", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: [
                "Orchestrator", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "gitopsdTests", dependencies: ["TestSupport"], swiftSettings: swiftSettings),
    ]
)
