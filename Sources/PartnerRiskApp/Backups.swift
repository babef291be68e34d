import Foundation
import PartnerRiskCore
import PartnerRiskStore

/// `partner-risk backup` and `restore`: one file holding the database (SQLite's online backup,
/// safe while `serve` runs) and every evidence file it names (see `SQLiteStore.backup`).
public enum Backups {
    /// Backs up `environment`'s database and evidence into `path`; returns how many evidence files it holds.
    public static func backup(_ environment: AppEnvironment, to path: String) throws -> Int {
        let vault = environment.evidence
        return try environment.workspace.openStore().backup(to: path) { hash in try? Data(contentsOf: vault.path(for: hash)) }
    }

    /// Restores `backupPath` into the database `--db` names (and its config's evidence folder),
    /// without opening that database first; returns how many evidence files were put back.
    public static func restore(from backupPath: String, database: String?, config: String? = nil, force: Bool) throws -> Int {
        let workspace = Workspace.resolve(databaseFlag: database)
        _ = try workspace.requireSQLite()
        let settings = try AppConfig.load(explicitPath: config, databasePath: workspace.databasePath)
        let vault = EvidenceVault(directory: workspace.evidenceDirectory(settings))
        let count = try SQLiteStore.restore(from: backupPath, to: workspace.databasePath, force: force) { hash, data in
            try vault.restore(data, sha256: hash)
        }
        _ = try workspace.openStore()  // migrates a backup made by an older version
        return count
    }
}
