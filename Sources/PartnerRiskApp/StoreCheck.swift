import Foundation
import PartnerRiskCore
import PartnerRiskStore

/// `partner-risk check`: the database and its evidence as they are — SQLite's integrity check,
/// the foreign keys, and every evidence file the database names present in the vault with its
/// SHA-256. Read only; nothing is repaired.
public struct StoreCheck {
    public let store: SQLiteStore
    public let vault: EvidenceVault

    public init(store: SQLiteStore, vault: EvidenceVault) {
        self.store = store
        self.vault = vault
    }

    /// The check of `environment`'s database file and evidence vault.
    public init(_ environment: AppEnvironment) throws {
        self.init(store: try environment.workspace.openStore(), vault: environment.evidence)
    }

    /// The findings as text (one line each, `ok` or `FAIL`), and whether all passed.
    public func run() throws -> Doctor.Report {
        let found = try store.fullCheck()
        var lines: [String] = []
        var healthy = true
        func line(_ ok: Bool, _ text: String) {
            lines.append((ok ? "ok   " : "FAIL ") + text)
            if !ok { healthy = false }
        }
        line(found.integrity == ["ok"], "integrity: " + found.integrity.prefix(20).joined(separator: "; "))
        line(found.foreignKeys.isEmpty, "foreign keys: " + (found.foreignKeys.isEmpty ? "every reference found" : "\(found.foreignKeys.count) broken"))
        for problem in found.foreignKeys.prefix(20) { line(false, "  " + problem) }
        let problems = found.evidence.compactMap { file in vault.problem(with: file.sha256).map { "  evidence \(file.sha256) (\(file.name)): \($0)" } }
        line(problems.isEmpty, "evidence: \(found.evidence.count - problems.count) of \(found.evidence.count) files present with their SHA-256 in \(vault.directory.path)")
        for problem in problems { line(false, problem) }
        return Doctor.Report(text: lines.joined(separator: "\n"), healthy: healthy)
    }
}
