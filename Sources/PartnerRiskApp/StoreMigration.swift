import Foundation
import PartnerRiskCore
import PartnerRiskPostgres
import PartnerRiskStore

/// `partner-risk migrate-store`: a SQLite database moved onto an empty PostgreSQL database, with
/// its evidence files and link key, each table checked after the copy (rows and checksum).
public enum StoreMigration {
    /// What was moved.
    public struct Outcome: Sendable {
        public var tables: [StoreTransfer.TableReport]
        public var evidenceCopied: Int
        /// Files the source database names that were not in its evidence folder (nothing to copy).
        public var evidenceMissing: [String]
        public var linkKeyCopied: Bool
    }

    /// Copies `source` (a SQLite file) into `target` (a `postgres://` URL, empty). `config` is the
    /// target's settings file (its `evidence_dir`), else `partner-risk.yaml` in the working directory.
    public static func run(from source: String, to target: String, config: String? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Outcome {
        let from = Workspace.resolve(databaseFlag: source, environment: environment)
        let to = Workspace.resolve(databaseFlag: target, environment: environment)
        guard case .sqlite(let path) = try from.database() else {
            throw PartnerRiskError.badInput("--from names the SQLite file to move (a path), not \(try from.database())")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw PartnerRiskError.badInput("there is no database at \(path); --from names an existing SQLite file") }
        guard case .postgres = try to.database() else {
            throw PartnerRiskError.badInput("--to names the PostgreSQL database to fill (postgres://USER@HOST:PORT/NAME), not a file")
        }
        let sqlite = try SQLiteStore(path: path)
        guard let postgres = try to.openRepositories(environment: environment) as? PostgresStore else { throw PartnerRiskError.failed("not a PostgreSQL store") }
        defer { postgres.close() }
        let tables = try StoreTransfer(source: sqlite, target: postgres).copy()
        let sourceVault = EvidenceVault(directory: from.evidenceDirectory(try AppConfig.load(explicitPath: nil, databasePath: path)))
        let targetVault = EvidenceVault(directory: to.evidenceDirectory(try AppConfig.load(explicitPath: config, databasePath: target)))
        let (copied, missing) = try copyEvidence(named: try evidenceHashes(sqlite), from: sourceVault, to: targetVault)
        return Outcome(tables: tables, evidenceCopied: copied, evidenceMissing: missing, linkKeyCopied: try copyLinkKey(from: from, to: to))
    }

    /// Every evidence file the database names: documents and corrective actions' closing evidence.
    static func evidenceHashes(_ store: any TableSource) throws -> Set<String> {
        var hashes = Set<String>()
        for (table, column) in [("evidence", "sha256"), ("corrective_action", "close_evidence_sha256")] {
            try store.transferRows(of: table, columns: [column], batch: 1_000) { rows in
                for row in rows { if case .text(let hash) = row[0] { hashes.insert(hash) } }
            }
        }
        return hashes
    }

    static func copyEvidence(named hashes: Set<String>, from source: EvidenceVault, to target: EvidenceVault) throws -> (Int, [String]) {
        var copied = 0, missing: [String] = []
        for hash in hashes.sorted() {
            guard target.problem(with: hash) != nil else { continue }  // already there (the same folder, say)
            guard source.problem(with: hash) == nil, let data = try? Data(contentsOf: source.path(for: hash)) else {
                missing.append(hash)
                continue
            }
            try target.restore(data, sha256: hash)
            copied += 1
        }
        return (copied, missing)
    }

    /// The link key goes along when the target has none, so a message sent again carries the same link.
    static func copyLinkKey(from: Workspace, to: Workspace) throws -> Bool {
        let manager = FileManager.default
        guard manager.fileExists(atPath: from.linkKeyFile.path), !manager.fileExists(atPath: to.linkKeyFile.path),
              from.linkKeyFile.standardizedFileURL != to.linkKeyFile.standardizedFileURL else { return false }
        try manager.copyItem(at: from.linkKeyFile, to: to.linkKeyFile)
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: to.linkKeyFile.path)
        return true
    }
}
