import Foundation
import GRDB
import PartnerRiskCore

/// The SQLite file read whole, table by table (`migrate-store --from FILE.sqlite`).
extension SQLiteStore: TableSource {
    public func transferColumns(of table: String) throws -> [String] {
        try pool.read { db in
            guard try db.tableExists(table) else { return [] }
            return try db.columns(in: table).map(\.name)
        }
    }

    public func transferRows(of table: String, columns: [String], batch: Int, _ body: ([[StoredValue]]) throws -> Void) throws {
        try pool.read { db in
            let selected = columns.map { column in Self.transferExpression(table: table, column: column) }.joined(separator: ", ")
            let rows = try Row.fetchCursor(db, sql: "SELECT \(selected) FROM \(Self.quoted(table))")
            var chunk: [[StoredValue]] = []
            chunk.reserveCapacity(batch)
            while let row = try rows.next() {
                chunk.append((0..<columns.count).map { Self.storedValue(row[$0] as DatabaseValue) })
                if chunk.count == batch {
                    try body(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try body(chunk) }
        }
    }

    /// How a column is read for a copy: as it is, but for a score's categories, which scores
    /// written before v7 keep as `category_score` rows (brought into the one-column form).
    static func transferExpression(table: String, column: String) -> String {
        guard table == "score", column == "categories" else { return quoted(column) }
        return """
            COALESCE(categories, (SELECT group_concat(category || ':' || control || ':' || risk || ':' || capped, ';')
                                  FROM category_score c WHERE c.score_id = score.id))
            """
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func storedValue(_ value: DatabaseValue) -> StoredValue {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .real(number)
        case .string(let text): return .text(text)
        case .blob(let data): return .blob(Array(data))
        }
    }
}

/// An empty SQLite file filled from another store (a backup of a PostgreSQL database).
extension SQLiteStore: TableSink {
    public var transferTables: [String] { StoreTransfer.logicalTables }

    public func nonEmptyTables() throws -> [String] {
        try pool.read { db in
            try transferTables.filter { try db.tableExists($0) && Row.fetchOne(db, sql: "SELECT 1 FROM \(Self.quoted($0)) LIMIT 1") != nil }
        }
    }

    public func insertRows(into table: String, columns: [String], rows: [[StoredValue]]) throws {
        try pool.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO \(Self.quoted(table)) (\(columns.map(Self.quoted).joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                """)
            for row in rows { try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue))) }
        }
    }

    /// SQLite's AUTOINCREMENT counters follow the ids written; nothing more to do.
    public func finishTransfer() throws {}

    static func databaseValue(_ value: StoredValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        case .blob(let bytes): return Data(bytes).databaseValue
        }
    }
}
