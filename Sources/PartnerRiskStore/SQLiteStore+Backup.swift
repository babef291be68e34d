import Foundation
import GRDB
import PartnerRiskCore

/// Backups as one SQLite file: the database copied with SQLite's online backup API (a consistent
/// snapshot, safe while `serve` or a command writes), and every evidence file that snapshot names
/// in its table `backup_evidence` (SHA-256, bytes). One file carries everything, and SQLite's
/// own integrity check covers the documents too. `restore` takes the documents out again.
extension SQLiteStore {
    /// The table of evidence files inside a backup file (never in a live database).
    static let backupEvidenceTable = "backup_evidence"

    /// Writes the backup to `path` (which must not exist): the snapshot, then each evidence file
    /// the snapshot names, read by `evidence` (nil: the file is missing, which fails the backup).
    /// Returns how many evidence files it holds.
    public func backup(to path: String, evidence: (String) throws -> Data?) throws -> Int {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw PartnerRiskError.badInput("\(path) already exists; give a new file name to --out")
        }
        do {
            let target = try DatabaseQueue(path: path)
            try pool.backup(to: target)
            let count = try target.write { db in
                try db.execute(sql: "CREATE TABLE \(Self.backupEvidenceTable) (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
                // Every file the vault must hold, as `check` looks for them.
                let hashes = try Row.fetchAll(db, sql: Self.evidenceFilesSQL).map { $0[0] as String }
                for hash in hashes {
                    guard let data = try evidence(hash) else {
                        throw PartnerRiskError.failed("evidence file \(hash) is missing from the vault; run `partner-risk check`, then back up again")
                    }
                    try db.execute(sql: "INSERT INTO \(Self.backupEvidenceTable) (sha256, data) VALUES (?, ?)", arguments: [hash, data])
                }
                return hashes.count
            }
            try target.close()
            chmod(path, 0o600)
            return count
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Restores the backup at `backupPath` into the database file `path`: checks the backup's
    /// integrity first, hands each evidence file to `evidence` (SHA-256, bytes; it must check and
    /// store it), then puts the database in place (a file beside it, renamed over). An existing
    /// database is replaced only when `force`. Returns how many evidence files were restored.
    public static func restore(from backupPath: String, to path: String, force: Bool, evidence: (String, Data) throws -> Void) throws -> Int {
        guard FileManager.default.fileExists(atPath: backupPath) else { throw PartnerRiskError.badInput("there is no backup at \(backupPath)") }
        if FileManager.default.fileExists(atPath: path) && !force {
            throw PartnerRiskError.badInput("\(path) already exists; restoring would replace it: add --force, or give another --db")
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        let source: DatabaseQueue
        do { source = try DatabaseQueue(path: backupPath, configuration: readOnly) } catch {
            throw PartnerRiskError.badInput("\(backupPath) is not a PartnerRisk backup (\(error)); nothing was changed")
        }
        let count = try source.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else {
                throw PartnerRiskError.badInput("\(backupPath) fails SQLite's integrity check (\(integrity.prefix(3).joined(separator: "; "))); nothing was changed")
            }
            guard try db.tableExists(Self.backupEvidenceTable), try db.tableExists("partner") else {
                throw PartnerRiskError.badInput("\(backupPath) is not a PartnerRisk backup (made by `partner-risk backup`); nothing was changed")
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT sha256, data FROM \(Self.backupEvidenceTable) ORDER BY sha256")
            var count = 0
            while let row = try rows.next() {
                try evidence(row[0], row[1])
                count += 1
            }
            return count
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let staging = path + ".restoring"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
        do {
            let target = try DatabaseQueue(path: staging)
            try source.backup(to: target)
            try target.writeWithoutTransaction { db in
                try db.execute(sql: "DROP TABLE \(Self.backupEvidenceTable)")
                try db.execute(sql: "VACUUM")
            }
            try target.close()
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            chmod(staging, 0o600)
            guard rename(staging, path) == 0 else { throw PartnerRiskError.failed("cannot move the restored database to \(path): \(String(cString: strerror(errno)))") }
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
            throw error
        }
        return count
    }
}
