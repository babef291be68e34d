import Foundation
import GRDB
import PartnerRiskCore

/// The one SQLite database file that holds everything: WAL mode, foreign keys, busy timeout,
/// versioned migrations. Implements the repository protocols the domain talks to.
public final class SQLiteStore: ActingStore {
    /// The default file name in the working directory.
    public static let defaultPath = Workspace.defaultDatabasePath

    public let path: String
    let pool: DatabasePool
    /// Who the audit trail names for what this store records on a person's behalf: the officer
    /// (`--officer`, `officer.name`, else the login name).
    public let actor: String
    /// Stored survey versions, parsed once each (a version never changes: its content is pinned by hash).
    let surveyVersions: SurveyVersionCache
    /// Explanation sentences' ids, kept from one score transaction to the next.
    let sentences: SentenceIDCache

    /// The same database (the same connections), recording `actor` as who acts.
    private init(sharing store: SQLiteStore, actor: String) {
        self.path = store.path
        self.pool = store.pool
        self.actor = actor
        self.surveyVersions = store.surveyVersions
        self.sentences = store.sentences
    }

    public func acting(as actor: String) -> any Repositories { SQLiteStore(sharing: self, actor: actor) }

    /// Writes the WAL into the database file (and empties it), then closes every connection. For a
    /// server stopping; nothing may use the store afterwards. The checkpoint is explicit because
    /// GRDB closes the writer before the readers, and a read-only last connection leaves the WAL.
    public func close() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }

    /// Opens (creating if needed) and migrates the database at `path`; `actor` is who the audit
    /// trail names (default: the login name).
    public init(path: String, actor: String = Actor.current) throws {
        self.path = path
        self.actor = actor
        self.surveyVersions = SurveyVersionCache()
        self.sentences = SentenceIDCache()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // NORMAL is durable in WAL mode except for the last commits on power loss. A 64 MB page
            // cache (filled only as used) keeps the score and ranking indexes in memory during a
            // rescore, and a 32 MB WAL between checkpoints writes repeated pages back once.
            // Temporary storage in memory keeps statement journals off the disk: each
            // `INSERT OR REPLACE` into the ranking otherwise copied its pages to a temp file
            // (1.4 GB of writes in a rescore of 100,000 partners).
            // 16 KB pages, for a database being created (SQLite ignores it for one that exists): a
            // response's answers (2–3 KB) otherwise take a 4 KB page to itself, as no second one
            // fits beside it; seven fit in 16 KB, so an import writes half the pages (10% less CPU).
            try db.execute(sql: "PRAGMA page_size = 16384")
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = \(33_554_432 / pageSize); PRAGMA temp_store = MEMORY")
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            // Readable by its owner only, even when an earlier version created it world-readable.
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) { chmod(path + suffix, 0o600) }
            try Schema.migrator().migrate(pool)
        } catch let error as DatabaseError {
            throw PartnerRiskError.failed("cannot open the database \(path): \(error.message ?? "\(error)"); check the path and its permissions")
        } catch {
            throw PartnerRiskError.failed("cannot open the database \(path): \(error.localizedDescription); check the path and its permissions")
        }
    }

    /// The SQLite library version in use.
    public func sqliteVersion() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?" }
    }

    /// The journal mode (expected `wal`) and the applied migrations, for `doctor`.
    public func health() throws -> (journalMode: String, migrations: [String], integrity: String) {
        try pool.read { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
            let integrity = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
            return (mode, try Schema.migrator().appliedMigrations(db), integrity)
        }
    }

    /// Every file the vault must hold, once each with one of its names: the partners' evidence and
    /// the documents that closed corrective actions.
    static let evidenceFilesSQL = """
        SELECT sha256, min(name) FROM (
            SELECT sha256, original_name AS name FROM evidence
            UNION ALL SELECT close_evidence_sha256, coalesce(close_evidence, 'closing document') FROM corrective_action
            WHERE close_evidence_sha256 IS NOT NULL
        ) AS files GROUP BY sha256 ORDER BY sha256
        """

    /// A full check for `partner-risk check`: SQLite's `integrity_check` ("ok" or its findings),
    /// `foreign_key_check` (one line per row pointing at nothing), and every evidence file the
    /// database names (its SHA-256 and one of its names), to be looked for in the vault.
    public func fullCheck() throws -> (integrity: [String], foreignKeys: [String], evidence: [(sha256: String, name: String)]) {
        try pool.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                "\(row[0] as String) row \((row[1] as Int64?).map(String.init) ?? "?") names a missing \(row[2] as String) row"
            }
            let evidence = try Row.fetchAll(db, sql: Self.evidenceFilesSQL)
                .map { (sha256: $0[0] as String, name: $0[1] as String) }
            return (integrity, foreignKeys, evidence)
        }
    }

    static func timestamp(_ date: Date) -> String { DayFormat.timestamp(date) }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return DayFormat.parseTimestamp(text) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

extension SQLiteStore: AuditTrail {
    public func record(actor: String, action: String, subject: String, detail: String, at time: Date) throws {
        try pool.write { db in
            try Self.appendAudit(db, actor: actor, action: action, subject: subject, detail: detail, at: time)
        }
    }

    static func appendAudit(_ db: Database, actor: String, action: String, subject: String, detail: String, at time: Date) throws {
        try audit(db, at: timestamp(time), actor: actor, action: action, subject: subject, detail: detail)
    }

    /// `column = ? AND …` for the values given, with their arguments (`1` when none is given). A
    /// value not given leaves its condition out rather than `(? IS NULL OR column = ?)`, a form that
    /// keeps SQLite from using an index: it read whole tables for one partner's rows.
    static func filter(_ values: KeyValuePairs<String, (any DatabaseValueConvertible)?>) -> (sql: String, arguments: StatementArguments) {
        let given = values.compactMap { column, value in value.map { (column, $0) } }
        guard !given.isEmpty else { return ("1", []) }
        return (given.map { "\($0.0) = ?" }.joined(separator: " AND "), StatementArguments(given.map { $0.1 }))
    }

    public func auditEntries(subject: String?) throws -> [AuditEntry] {
        try pool.read { db in
            let filter = Self.filter(["subject": subject])
            let rows = try Row.fetchAll(db, sql: "SELECT at, actor, action, subject, detail FROM audit_log WHERE \(filter.sql) ORDER BY id",
                                        arguments: filter.arguments)
            return rows.map { AuditEntry(at: $0["at"], actor: $0["actor"], action: $0["action"], subject: $0["subject"], detail: $0["detail"]) }
        }
    }
}
