import Foundation

/// A plain text table for the terminal: left-aligned columns, a header and a rule.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns wider than this are cut with an ellipsis.
    public var maxColumnWidth: Int

    public init(headers: [String], rows: [[String]], maxColumnWidth: Int = 40) {
        self.headers = headers
        self.rows = rows
        self.maxColumnWidth = maxColumnWidth
    }

    public func render() -> String {
        let cells = ([headers] + rows).map { $0.map { clip($0) } }
        var widths = Array(repeating: 0, count: headers.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var output = [line(cells[0]), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        output += cells.dropFirst().map(line)
        return output.joined(separator: "\n")
    }

    private func clip(_ text: String) -> String {
        Self.cut(TerminalText.escaped(text.replacingOccurrences(of: "\n", with: " ")), width: maxColumnWidth)
    }

    /// `text` in at most `width` characters: whole when it fits, else cut after the last whole list
    /// item (`seals 80, corporate 50` → `seals 80, …`, never `corporate 5`) or, in plain text, after
    /// the last whole word, with an ellipsis. Only a first word longer than the column is cut inside.
    static func cut(_ text: String, width: Int) -> String {
        guard text.count > width, width > 1 else { return text }
        let room = text.prefix(width - 2)  // a space and the ellipsis follow what is kept
        let next = text[text.index(text.startIndex, offsetBy: width - 2)]
        var kept = room
        if next == " " || next == "," || next == ";" {
            kept = room  // the cut falls on a boundary already
        } else if let item = room.range(of: ", ", options: .backwards) ?? room.range(of: "; ", options: .backwards) {
            kept = room[..<item.lowerBound]
        } else if let space = room.lastIndex(of: " ") {
            kept = room[..<space]
        } else {
            return String(text.prefix(width - 1)) + "…"
        }
        while let last = kept.last, last == " " || last == "," || last == ";" || last == ":" { kept = kept.dropLast() }
        let separator = text.contains(", ") || text.contains("; ") ? ", …" : " …"
        return String(kept) + (kept.count + separator.count <= width ? separator : "…")
    }
}

/// The output formats every listing command offers.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

/// Renders a list of records as a table, CSV or a plain JSON list of objects.
public struct Listing {
    public var columns: [String]
    public var rows: [[String]]
    /// Typed values for JSON output (numbers stay numbers), one dictionary per row.
    public var objects: [[String: JSONValue]]

    public init(columns: [String], rows: [[String]], objects: [[String: JSONValue]]) {
        self.columns = columns
        self.rows = rows
        self.objects = objects
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: return TextTable(headers: columns, rows: rows).render()
        case .csv: return ([CSVWriter.row(columns)] + rows.map(CSVWriter.row)).joined(separator: "\n")
        case .json:
            // A plain JSON list of objects, one per line (hand-written: JSONEncoder is slow for 100,000 rows).
            guard !objects.isEmpty else { return "[]" }
            return "[\n" + objects.map { "  " + CanonicalJSON.text(.object($0)) }.joined(separator: ",\n") + "\n]"
        }
    }
}
