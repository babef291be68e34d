import Foundation

/// One record of a CSV file with the physical line it starts on (line 1 is the first line).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// An RFC 4180 CSV reader: UTF-8 with or without BOM, CRLF or LF, quoted fields holding commas,
/// quotes and newlines. Keeps the starting line of each record so errors can name it.
public struct CSVReader {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private let bytes: [UInt8]

    public init(data: Data) throws {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.contains(0) { throw Failure(line: 1, reason: "the file is binary, not text") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Failure(line: 1, reason: "the file is not UTF-8 text; save it as \"CSV UTF-8\"")
        }
        self.bytes = bytes
    }

    /// Reads every record. Blank lines between records are skipped.
    public func records() throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var fieldWasQuoted = false
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\""):
                    if field.allSatisfy({ $0 == UInt8(ascii: " ") }) && !fieldWasQuoted {
                        field.removeAll()
                        inQuotes = true
                        fieldWasQuoted = true
                    } else {
                        throw Failure(line: line, reason: "a quote (\") in the middle of an unquoted field; quote the whole field and double inner quotes")
                    }
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\n"):
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    if fieldWasQuoted && byte != UInt8(ascii: " ") {
                        throw Failure(line: line, reason: "text after a closing quote; quote the whole field")
                    }
                    if !fieldWasQuoted { field.append(byte) }
                }
            }
            index += 1
        }
        if inQuotes {
            throw Failure(line: recordLine, reason: "a quoted field is never closed (missing \")")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

/// Writes CSV fields, quoting only when needed.
public enum CSVWriter {
    /// One field, quoted when it holds a comma, a quote or a line break (looked for by Unicode
    /// scalar: CR LF is one `Character` in Swift, so a search by Character misses it). A field a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or CR first) gets a leading
    /// `'`, unless it is a plain number.
    public static func escape(_ field: String) -> String {
        var field = field
        if let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(field) == nil {
            field = "'" + field
        }
        if field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }

    public static func row(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }
}
