// swift-tools-version: 6.2
import PackageDescription

// Every target builds in the Swift 6 language mode (the tools version's default).
// The module map (docs/architecture.md): each target names what it may import, and the
// compiler refuses anything else. Core holds the domain and its protocols and imports no
// GRDB, Hummingbird or libcurl; the store, mail, templates and web modules implement those
// protocols; PartnerRiskApp wires them together from the config; the executable stays thin.
let package = Package(
    name: "PartnerRisk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "partner-risk", targets: ["partner-risk"]),
        .library(name: "PartnerRiskCore", targets: ["PartnerRiskCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // GMime 3: the MIME parser for received mail and form bodies (a kept library, not ours).
        .systemLibrary(
            name: "CGMime",
            pkgConfig: "gmime-3.0",
            providers: [.apt(["libgmime-3.0-dev"])]
        ),
        // The domain: partners, surveys, campaigns and the outbox as data, responses, scoring,
        // reviews, reports as data, and the repository / transport / mailbox / clock protocols.
        .target(
            name: "PartnerRiskCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // GRDB: every SQL string and the migrations; implements Core's repositories.
        .target(
            name: "PartnerRiskStore",
            dependencies: ["PartnerRiskCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // PostgresNIO: the same repositories on a shared PostgreSQL database (issue 20, in steps).
        .target(
            name: "PartnerRiskPostgres",
            dependencies: [
                "PartnerRiskCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libcurl: the SMTP transport and the IMAP mailbox reader; GMime: parsing of incoming mail.
        .target(
            name: "PartnerRiskMail",
            dependencies: ["PartnerRiskCore", "CCurl", "CGMime"]
        ),
        // Mustache: the officer-editable templates in Templates/, behind Core's TemplateRendering.
        .target(
            name: "PartnerRiskTemplates",
            dependencies: ["PartnerRiskCore", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // Hummingbird: the partner site and the officer workspace (bcrypt from hummingbird-auth).
        .target(
            name: "PartnerRiskWeb",
            dependencies: [
                "PartnerRiskCore", "PartnerRiskMail", "PartnerRiskTemplates",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The demo's simulated partners and the benchmark seeder: not part of the product's library.
        .target(
            name: "PartnerRiskDemo",
            dependencies: ["PartnerRiskCore", "PartnerRiskMail"]
        ),
        // The composition root: reads the config once and builds the store, transports, clock and services.
        .target(
            name: "PartnerRiskApp",
            dependencies: [
                "PartnerRiskCore", "PartnerRiskStore", "PartnerRiskPostgres", "PartnerRiskMail", "PartnerRiskTemplates", "PartnerRiskWeb",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "partner-risk",
            dependencies: [
                "PartnerRiskApp", "PartnerRiskCore", "PartnerRiskDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PartnerRiskTests",
            dependencies: [
                "PartnerRiskCore", "PartnerRiskStore", "PartnerRiskMail", "PartnerRiskTemplates", "PartnerRiskWeb",
                "PartnerRiskDemo", "PartnerRiskApp", "PartnerRiskPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Golden", "Fixtures"]  // read from the source tree by the tests
        ),
    ]
)
