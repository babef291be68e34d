import Foundation
import Testing

/// The module map of docs/architecture.md, checked against the sources: each target imports only
/// the modules its row allows. (Package.swift makes the compiler refuse the heavy ones in Core;
/// this also catches a module reached through a dependency but not meant for the target.)
@Suite struct ArchitectureTests {
    static let allowed: [String: Set<String>] = [
        "PartnerRiskCore": ["Foundation", "FoundationXML", "Crypto", "Yams", "Synchronization"],  // FoundationXML: the toolchain's XMLParser (sanctions lists)
        "PartnerRiskStore": ["Foundation", "GRDB", "PartnerRiskCore", "Synchronization"],
        "PartnerRiskPostgres": ["Foundation", "Logging", "NIOCore", "NIOPosix", "NIOSSL", "PartnerRiskCore", "PostgresNIO", "Synchronization"],
        "PartnerRiskMail": ["Foundation", "CCurl", "CGMime", "PartnerRiskCore"],
        "PartnerRiskTemplates": ["Foundation", "Mustache", "PartnerRiskCore"],
        "PartnerRiskWeb": ["Foundation", "Crypto", "Yams", "HTTPTypes", "Hummingbird", "HummingbirdBcrypt", "Logging", "NIOCore", "NIOPosix", "PartnerRiskCore", "PartnerRiskMail", "PartnerRiskTemplates", "ServiceLifecycle", "Synchronization"],
        "PartnerRiskDemo": ["Foundation", "PartnerRiskCore", "PartnerRiskMail"],
        "PartnerRiskApp": ["Foundation", "Logging", "PartnerRiskCore", "PartnerRiskStore", "PartnerRiskPostgres", "PartnerRiskMail", "PartnerRiskTemplates", "PartnerRiskWeb", "ServiceLifecycle", "Synchronization"],
        "partner-risk": ["Foundation", "ArgumentParser", "Logging", "PartnerRiskApp", "PartnerRiskCore", "PartnerRiskDemo"],
    ]

    /// Each Swift file of a target, by its path inside the target, with its text.
    static func sources(of target: String) throws -> [(file: String, text: String)] {
        let root = ProjectRoot.url.appendingPathComponent("Sources/\(target)")
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no sources under \(root.path)")
        return try files.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    static func imports(of target: String) throws -> [(file: String, module: String)] {
        try sources(of: target).flatMap { file, text in
            text.split(separator: "\n")
                .compactMap { line -> (String, String)? in
                    let words = line.split(separator: " ")
                    guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                          words[..<index].allSatisfy({ $0.hasPrefix("@") }) else { return nil }
                    return (file, String(words[index + 1]))
                }
        }
    }

    @Test(arguments: allowed.keys.sorted())
    func eachTargetImportsOnlyWhatItsRowAllows(target: String) throws {
        let allowed = try #require(Self.allowed[target])
        for (file, module) in try Self.imports(of: target) {
            #expect(allowed.contains(module), "\(target)/\(file) imports \(module)")
        }
    }

    @Test func theCoreNamesNoStoreMailOrWebType() throws {
        for (file, text) in try Self.sources(of: "PartnerRiskCore") {
            for name in ["SQLiteStore", "PostgresStore", "PostgresConnection", "DatabasePool", "CurlSMTPTransport", "CurlIMAPClient", "MIMEReader", "TemplateLibrary", "Router<"] {
                #expect(!text.contains(name), "PartnerRiskCore/\(file) names \(name)")
            }
        }
    }
}
