import Crypto
import Foundation

/// One stored value as the stores exchange it when a database moves to another store (booleans
/// as integers 0 and 1, as SQLite keeps them).
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A store whose tables can be read whole, in batches (the source of `migrate-store`, and the
/// target read back to check what was written).
public protocol TableSource {
    /// The columns of `table` as the store has them (empty when it has no such table).
    func transferColumns(of table: String) throws -> [String]
    /// Every row of `table`, `columns` in that order, handed over a batch at a time.
    func transferRows(of table: String, columns: [String], batch: Int, _ body: ([[StoredValue]]) throws -> Void) throws
}

/// A store that can take a whole database from another one.
public protocol TableSink: TableSource {
    /// The tables to fill, in an order that respects their references.
    var transferTables: [String] { get }
    /// The tables that already hold rows (a copy goes only into an empty database).
    func nonEmptyTables() throws -> [String]
    /// Writes the rows of one table, keeping their ids.
    func insertRows(into table: String, columns: [String], rows: [[StoredValue]]) throws
    /// Called once every table is written: id counters move past the copied ids.
    func finishTransfer() throws
    /// `body` with this store as one transaction: all of a copy lands, or none of it.
    func inOneTransaction<T>(_ body: (any TableSink) throws -> T) throws -> T
}

extension TableSink {
    /// A store without a transaction to offer (a scratch file) writes as it goes.
    public func inOneTransaction<T>(_ body: (any TableSink) throws -> T) throws -> T { try body(self) }
}

/// Copies every table of one store into an empty other store and checks the copy: each table's
/// row count and a checksum of its rows, read back from the target (independent of row order).
public struct StoreTransfer {
    /// What was copied of one table.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        public var rows: Int
        public var checksum: String
        public var matches: Bool
    }

    /// The tables of the logical schema both stores keep, each after the tables it refers to.
    public static let logicalTables = [
        "partner", "audit_log", "survey_version", "officer_account", "officer_session", "imap_seen", "corrective_action", "campaign",
        "invitation", "invitation_token", "send_run", "response", "mail_message", "mail_attempt", "rejected_input",
        "screening_list_version", "screening_entry", "screening_hit", "draft", "evidence", "service_state", "reminder_offset",
        "scoring_config_version", "explanation_text", "score", "current_score", "membership_verification", "evidence_review",
        "flag_acceptance", "partner_flag", "review_sign_off", "failed_attempt",
    ]

    public let source: any TableSource
    public let target: any TableSink
    public var batch = 1_000

    public init(source: any TableSource, target: any TableSink) {
        self.source = source
        self.target = target
    }

    /// Copies, then checks, in one transaction of the target where it has them: a copy that fails
    /// (or is killed) midway leaves the target as it was. Throws before writing anything when the
    /// target holds data or a table of the target needs a column the source lacks.
    public func copy(progress: ProgressMeter? = nil) throws -> [TableReport] {
        try target.inOneTransaction { sink in
            let reports = try copy(into: sink, progress: progress)
            let differ = reports.filter { !$0.matches }.map(\.table)
            guard differ.isEmpty else {
                throw PartnerRiskError.failed("\(differ.joined(separator: ", ")) did not copy whole (row count or checksum differs); the copy was not kept")
            }
            return reports
        }
    }

    private func copy(into target: any TableSink, progress: ProgressMeter?) throws -> [TableReport] {
        let filled = try target.nonEmptyTables()
        guard filled.isEmpty else {
            throw PartnerRiskError.badInput("the target database already holds data (\(filled.prefix(5).joined(separator: ", "))); "
                + "migrate-store only fills an empty database: give it a new one")
        }
        var plan: [(table: String, columns: [String])] = []
        for table in target.transferTables {
            let wanted = try target.transferColumns(of: table), available = Set(try source.transferColumns(of: table))
            let missing = wanted.filter { !available.contains($0) }
            guard missing.isEmpty else {
                throw PartnerRiskError.failed("table \(table) of the source lacks \(missing.joined(separator: ", ")); open it with this version first (`partner-risk doctor --db FILE`) to migrate it")
            }
            plan.append((table, wanted))
        }
        var reports: [TableReport] = []
        for (table, columns) in plan {
            var written = Checksum()
            try source.transferRows(of: table, columns: columns, batch: batch) { rows in
                try target.insertRows(into: table, columns: columns, rows: rows)
                written.add(rows)
                progress?.advance(rows.count)
            }
            var readBack = Checksum()
            try target.transferRows(of: table, columns: columns, batch: batch) { readBack.add($0) }
            reports.append(TableReport(table: table, rows: written.count, checksum: written.hex,
                                       matches: written == readBack))
        }
        try target.finishTransfer()
        return reports
    }

    /// A checksum of a set of rows that does not depend on their order: the rows' SHA-256 digests
    /// added up as 256-bit numbers, with the count beside it.
    public struct Checksum: Equatable {
        public private(set) var count = 0
        private var lanes: [UInt64] = [0, 0, 0, 0]

        public init() {}

        public mutating func add(_ rows: [[StoredValue]]) {
            for row in rows {
                var hasher = SHA256()
                for value in row { Self.feed(value, into: &hasher) }
                let digest = Array(hasher.finalize())
                var carry: UInt64 = 0
                for lane in (0..<4).reversed() {
                    let word = digest[(lane * 8)..<(lane * 8 + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let (sum, overflow1) = lanes[lane].addingReportingOverflow(word)
                    let (total, overflow2) = sum.addingReportingOverflow(carry)
                    lanes[lane] = total
                    carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
                }
                count += 1
            }
        }

        public var hex: String { lanes.map { String(format: "%016llx", $0) }.joined() }

        /// Each value with its kind and length, so that no two different rows feed the same bytes.
        private static func feed(_ value: StoredValue, into hasher: inout SHA256) {
            func put(_ tag: UInt8, _ bytes: [UInt8]) {
                hasher.update(data: [tag] + withUnsafeBytes(of: UInt64(bytes.count).bigEndian, Array.init) + bytes)
            }
            switch value {
            case .null: put(0, [])
            case .integer(let number): put(1, withUnsafeBytes(of: number.bigEndian, Array.init))
            case .real(let number): put(2, withUnsafeBytes(of: number.bitPattern.bigEndian, Array.init))
            case .text(let text): put(3, Array(text.utf8))
            case .blob(let bytes): put(4, bytes)
            }
        }
    }
}
