import Foundation
import PartnerRiskCore
import PartnerRiskPostgres
import PartnerRiskStore

/// `partner-risk backup` and `restore`: one file holding the database (SQLite's online backup,
/// safe while `serve` runs) and every evidence file it names (see `SQLiteStore.backup`). The same
/// file from and into PostgreSQL, through a SQLite copy of one consistent snapshot.
public enum Backups {
    /// Backs up `environment`'s database and evidence into `path`; returns how many evidence files it holds.
    public static func backup(_ environment: AppEnvironment, to path: String) throws -> Int {
        let vault = environment.evidence
        let read: (String) -> Data? = { hash in try? Data(contentsOf: vault.path(for: hash)) }
        guard let postgres = environment.repositories as? PostgresStore else {
            return try environment.workspace.openStore().backup(to: path, evidence: read)
        }
        // The same backup file from PostgreSQL: one consistent snapshot of every table copied into
        // a fresh SQLite file (checked table by table), then backed up as a SQLite database is.
        guard !FileManager.default.fileExists(atPath: path) else { throw PartnerRiskError.badInput("\(path) already exists; give a new file name to --out") }
        return try withScratchFolder(near: path) { folder in
            let scratch = try SQLiteStore(path: folder + "/scratch.sqlite")
            defer { try? scratch.close() }
            // `copy` throws when a table did not copy whole: no backup file is written then.
            _ = try postgres.withSnapshot { snapshot in try StoreTransfer(source: snapshot, target: scratch).copy() }
            return try scratch.backup(to: path, evidence: read)
        }
    }

    /// `body` with a new private folder beside `path` (for a scratch database), removed afterwards.
    static func withScratchFolder<T>(near path: String, _ body: (String) throws -> T) throws -> T {
        let parent = (path as NSString).deletingLastPathComponent
        let folder = (parent.isEmpty ? "." : parent) + "/.partner-risk-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    /// Restores `backupPath` into the database `--db` names (and its config's evidence folder),
    /// without opening that database first; returns how many evidence files were put back.
    public static func restore(from backupPath: String, database: String?, config: String? = nil, force: Bool) throws -> Int {
        let workspace = Workspace.resolve(databaseFlag: database, config: config)
        let settings = try AppConfig.load(explicitPath: Workspace.settingsFile(databaseFlag: database, config: config), databasePath: workspace.databasePath)
        let vault = EvidenceVault(directory: workspace.evidenceDirectory(settings))
        if workspace.isPostgres { return try restore(from: backupPath, intoPostgres: workspace, vault: vault, force: force) }
        let count = try SQLiteStore.restore(from: backupPath, to: workspace.databasePath, force: force) { hash, data in
            try vault.restore(data, sha256: hash)
        }
        _ = try workspace.openStore()  // migrates a backup made by an older version
        return count
    }

    /// A backup restored into an empty PostgreSQL database: taken out into a scratch SQLite file
    /// (integrity and every document's hash checked), then copied table by table and checked.
    static func restore(from backupPath: String, intoPostgres workspace: Workspace, vault: EvidenceVault, force: Bool) throws -> Int {
        guard !force else {
            throw PartnerRiskError.badInput("--force cannot empty a PostgreSQL database; restore into a new, empty one (your database team's `createdb`)")
        }
        guard let postgres = try workspace.openRepositories() as? PostgresStore else { throw PartnerRiskError.failed("not a PostgreSQL store") }
        defer { postgres.close() }
        let filled = try postgres.nonEmptyTables()
        guard filled.isEmpty else {
            throw PartnerRiskError.badInput("the database already holds data (\(filled.prefix(5).joined(separator: ", "))); restore into a new, empty one")
        }
        return try withScratchFolder(near: backupPath) { folder in
            let path = folder + "/scratch.sqlite"
            let count = try SQLiteStore.restore(from: backupPath, to: path, force: false) { hash, data in try vault.restore(data, sha256: hash) }
            let restored = try SQLiteStore(path: path)
            defer { try? restored.close() }
            // One transaction: a table that did not copy whole leaves the database empty, as it was.
            _ = try StoreTransfer(source: restored, target: postgres).copy()
            return count
        }
    }
}
