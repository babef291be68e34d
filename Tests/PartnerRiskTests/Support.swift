import Foundation
@testable import PartnerRiskCore
@testable import PartnerRiskStore

/// A throw-away directory for one test, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("partner-risk-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) -> String {
        let path = path(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A fresh, migrated SQLite store in this directory.
    func store(_ name: String = "test.sqlite") throws -> SQLiteStore { try SQLiteStore(path: path(name)) }
}

/// The project root (for Surveys/, Templates/ and the built binary).
enum ProjectRoot {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }
    static var workspaceHome: [String: String] { ["PARTNER_RISK_HOME": url.path] }
}

let fixedNow = DayFormat.parseDay("2026-11-24")!.addingTimeInterval(12 * 3600)

extension EvidenceIntake {
    /// Evidence kept in the `evidence` folder beside the database and recorded in `store`.
    static func inVault(of store: SQLiteStore) -> EvidenceIntake {
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent().appendingPathComponent("evidence")
        return EvidenceIntake(vault: EvidenceVault(directory: folder), files: store)
    }
}

/// A fixed link key for tests (the product makes one per database, in `link.key`).
let testLinkKey = TokenKey(bytes: Data(repeating: 7, count: 32))
