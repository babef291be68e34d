import Foundation
import PartnerRiskCore
import PostgresNIO

/// A whole database moved in or read out table by table (`migrate-store`).
extension PostgresStore: TableSink {
    public var transferTables: [String] { StoreTransfer.logicalTables }

    public func nonEmptyTables() throws -> [String] { try connections.withConnection { try TransferSession(session: $0).nonEmptyTables() } }

    public func transferColumns(of table: String) throws -> [String] { try connections.withConnection { try TransferSession(session: $0).transferColumns(of: table) } }

    public func insertRows(into table: String, columns: [String], rows: [[StoredValue]]) throws {
        try connections.transaction { try TransferSession(session: $0).insertRows(into: table, columns: columns, rows: rows) }
    }

    public func finishTransfer() throws { try connections.transaction { try TransferSession(session: $0).finishTransfer() } }

    public func transferRows(of table: String, columns: [String], batch: Int, _ body: ([[StoredValue]]) throws -> Void) throws {
        try connections.transaction { try TransferSession(session: $0).transferRows(of: table, columns: columns, batch: batch, body) }
    }

    /// A whole copy in one transaction: a restore or `migrate-store` that fails or is killed midway
    /// leaves the database empty, as it was.
    public func inOneTransaction<T>(_ body: (any TableSink) throws -> T) throws -> T {
        try connections.transaction { try body(TransferSession(session: $0)) }
    }

    /// `body` with the whole database as one consistent snapshot (a backup while `serve` writes):
    /// every table read in one read-only, repeatable-read transaction.
    public func withSnapshot<T>(_ body: (any TableSource) throws -> T) throws -> T {
        try connections.withConnection { session in
            try session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? session.query("ROLLBACK") }
            return try body(TransferSession(session: session))
        }
    }

    /// The tables as one transaction sees and writes them.
    struct TransferSession: TableSink {
        let session: PostgresSession

        var transferTables: [String] { StoreTransfer.logicalTables }

        func nonEmptyTables() throws -> [String] {
            try transferTables.filter { table in !(try session.query("SELECT 1 FROM \(unescaped: quoted(table)) LIMIT 1").isEmpty) }
        }

        func transferColumns(of table: String) throws -> [String] { try columnTypes(of: table).map(\.name) }

        /// The columns of a table with their types, in their order.
        func columnTypes(of table: String) throws -> [(name: String, type: String)] {
            try session.query("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
                """).map { try $0.decode((String, String).self) }
        }

        /// Rows as many to a statement as PostgreSQL's limit of bound values allows, each value
        /// bound as the column's type.
        func insertRows(into table: String, columns: [String], rows: [[StoredValue]]) throws {
            let types = Dictionary(uniqueKeysWithValues: try columnTypes(of: table).map { ($0.name, $0.type) })
            let perStatement = max(1, 30_000 / max(1, columns.count))
            let head = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES "
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                var binds = PostgresBindings()
                var tuples: [String] = []
                for row in rows[start..<min(start + perStatement, rows.count)] {
                    var places: [String] = []
                    for (index, value) in row.enumerated() {
                        try PostgresStore.bind(value, as: types[columns[index]] ?? "text", column: "\(table).\(columns[index])", into: &binds)
                        places.append("$\(binds.count)")
                    }
                    tuples.append("(" + places.joined(separator: ", ") + ")")
                }
                try session.query(PostgresQuery(unsafeSQL: head + tuples.joined(separator: ", "), binds: binds))
            }
        }

        /// Moves each id counter past the largest id copied, so new rows do not collide with them.
        func finishTransfer() throws {
            for table in transferTables where try columnTypes(of: table).contains(where: { $0.name == "id" && $0.type == "bigint" }) {
                try session.query("""
                    SELECT setval(pg_get_serial_sequence(\(table), 'id'), COALESCE((SELECT max(id) FROM \(unescaped: quoted(table))), 0) + 1, false)
                    """)
            }
        }

        /// The rows of `table` through a cursor that hands them over a batch at a time, however
        /// large the table (the session is in a transaction, as a cursor needs).
        func transferRows(of table: String, columns: [String], batch: Int, _ body: ([[StoredValue]]) throws -> Void) throws {
            try session.query("""
                DECLARE transfer NO SCROLL CURSOR FOR SELECT \(unescaped: columns.map(quoted).joined(separator: ", ")) FROM \(unescaped: quoted(table))
                """)
            while true {
                let rows = try session.query("FETCH \(unescaped: String(batch)) FROM transfer")
                guard !rows.isEmpty else { break }
                try body(try rows.map { row in try row.map(PostgresStore.storedValue) })
            }
            try session.query("CLOSE transfer")
        }

        func inOneTransaction<T>(_ body: (any TableSink) throws -> T) throws -> T { try body(self) }

        private func quoted(_ name: String) -> String { PostgresStore.quoted(name) }
    }

    /// What `partner-risk check` reads of a PostgreSQL database: the server's version (the server
    /// keeps the references itself) and every evidence file the database names.
    public func fullCheck() throws -> (server: String, evidence: [(sha256: String, name: String)]) {
        // The partners' evidence and the documents that closed corrective actions, as SQLite's `check` reads them.
        let evidence = try connections.query("""
            SELECT sha256, min(name) FROM (
                SELECT sha256, original_name AS name FROM evidence
                UNION ALL SELECT close_evidence_sha256, coalesce(close_evidence, 'closing document') FROM corrective_action
                WHERE close_evidence_sha256 IS NOT NULL
            ) AS files GROUP BY sha256 ORDER BY sha256
            """).map { try $0.decode((String, String).self) }.map { (sha256: $0.0, name: $0.1) }
        return (try serverVersion(), evidence)
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A cell as the stores exchange it: booleans as 0 and 1.
    static func storedValue(_ cell: PostgresCell) throws -> StoredValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Binds `value` as a value of the column's type (SQLite's integers become booleans, say).
    static func bind(_ value: StoredValue, as type: String, column: String, into binds: inout PostgresBindings) throws {
        func refuse() -> PartnerRiskError { PartnerRiskError.failed("\(column): the value \(value) does not fit the column's type \(type)") }
        if case .null = value { return binds.appendNull() }
        switch type {
        case "boolean":
            switch value {
            case .integer(let number): binds.append(number != 0)
            case .text(let text) where ["0", "1", "true", "false"].contains(text): binds.append(text == "1" || text == "true")
            default: throw refuse()
            }
        case "bigint", "integer", "smallint":
            switch value {
            case .integer(let number): binds.append(number)
            case .real(let number) where number.rounded() == number: binds.append(Int64(number))
            case .text(let text): guard let number = Int64(text) else { throw refuse() }; binds.append(number)
            default: throw refuse()
            }
        case "double precision", "real":
            switch value {
            case .real(let number): binds.append(number)
            case .integer(let number): binds.append(Double(number))
            case .text(let text): guard let number = Double(text) else { throw refuse() }; binds.append(number)
            default: throw refuse()
            }
        default:
            switch value {
            case .text(let text): binds.append(text)
            case .integer(let number): binds.append(String(number))
            case .real(let number): binds.append(String(number))
            case .blob(let bytes): binds.append(String(decoding: bytes, as: UTF8.self))
            case .null: binds.appendNull()
            }
        }
    }
}
