import Foundation
import PartnerRiskCore
import PartnerRiskPostgres
import PartnerRiskStore

/// `partner-risk check`: the database and its evidence as they are — SQLite's integrity check and
/// the foreign keys (PostgreSQL keeps both itself), and every evidence file the database names
/// present in the vault with its SHA-256. Read only; nothing is repaired.
public struct StoreCheck {
    /// The database checked: a SQLite file, or a PostgreSQL database (which keeps its references itself).
    public enum Store {
        case sqlite(SQLiteStore)
        case postgres(PostgresStore)
    }

    public let store: Store
    public let vault: EvidenceVault

    public init(store: Store, vault: EvidenceVault) {
        self.store = store
        self.vault = vault
    }

    public init(store: SQLiteStore, vault: EvidenceVault) { self.init(store: .sqlite(store), vault: vault) }

    /// The check of `environment`'s database and evidence vault.
    public init(_ environment: AppEnvironment) throws {
        if let postgres = environment.repositories as? PostgresStore {
            self.init(store: .postgres(postgres), vault: environment.evidence)
        } else {
            self.init(store: .sqlite(try environment.workspace.openStore()), vault: environment.evidence)
        }
    }

    /// The findings as text (one line each, `ok` or `FAIL`), and whether all passed.
    public func run() throws -> Doctor.Report {
        var lines: [String] = []
        var healthy = true
        func line(_ ok: Bool, _ text: String) {
            lines.append((ok ? "ok   " : "FAIL ") + text)
            if !ok { healthy = false }
        }
        let evidence: [(sha256: String, name: String)]
        switch store {
        case .sqlite(let sqlite):
            let found = try sqlite.fullCheck()
            line(found.integrity == ["ok"], "integrity: " + found.integrity.prefix(20).joined(separator: "; "))
            line(found.foreignKeys.isEmpty, "foreign keys: " + (found.foreignKeys.isEmpty ? "every reference found" : "\(found.foreignKeys.count) broken"))
            for problem in found.foreignKeys.prefix(20) { line(false, "  " + problem) }
            evidence = found.evidence
        case .postgres(let postgres):
            let found = try postgres.fullCheck()
            line(true, "integrity: PostgreSQL \(found.server) keeps the pages (checksums, replication and pg_amcheck are the server's)")
            line(true, "foreign keys: enforced by the server on every write")
            evidence = found.evidence
        }
        let problems = evidence.compactMap { file in vault.problem(with: file.sha256).map { "  evidence \(file.sha256) (\(file.name)): \($0)" } }
        line(problems.isEmpty, "evidence: \(evidence.count - problems.count) of \(evidence.count) files present with their SHA-256 in \(vault.directory.path)")
        for problem in problems { line(false, problem) }
        return Doctor.Report(text: lines.joined(separator: "\n"), healthy: healthy)
    }
}
