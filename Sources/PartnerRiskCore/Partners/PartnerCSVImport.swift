import Foundation

/// A row of an import file that was refused, reported as `FILE:LINE: column: reason`.
public struct RowProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String
    public var reason: String

    public init(file: String, line: Int, column: String, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(column): \(reason)" }
}

/// Reads a partner CSV file into validated drafts and per-row problems. Does no I/O on the store.
public struct PartnerCSVImport {
    public static let requiredColumns = ["name", "email", "country", "sector"]
    public static let optionalColumns = ["contact", "language", "tags", "external_id", "trusted_trader", "aliases"]

    /// The outcome of reading a file: rows ready to store and rows refused.
    public struct Result: Sendable {
        public var drafts: [PartnerDraft]
        public var problems: [RowProblem]
    }

    public let fileName: String

    public init(fileName: String) {
        self.fileName = fileName
    }

    /// Parses and validates. Throws a bad-input error when the file is not CSV or lacks columns.
    public func read(_ data: Data) throws -> Result {
        let records: [CSVRecord]
        do {
            records = try CSVReader(data: data).records()
        } catch let failure as CSVReader.Failure {
            throw PartnerRiskError.badInput("\(fileName):\(failure.line): not a readable CSV file: \(failure.reason)")
        }
        guard let header = records.first else {
            throw PartnerRiskError.badInput("\(fileName): the file is empty; expected a header row with \(Self.requiredColumns.joined(separator: ", "))")
        }
        let columns = try columnIndex(header)
        var seenEmails: [String: Int] = [:]
        var seenExternalIDs: [String: Int] = [:]
        var result = Result(drafts: [], problems: [])
        for record in records.dropFirst() {
            switch draft(from: record, columns: columns) {
            case .failure(let problem):
                result.problems.append(problem)
            case .success(let draft):
                if let first = seenEmails[draft.email.lowercased()] {
                    result.problems.append(problem(record, "email", "duplicate within the file (first on line \(first))"))
                    continue
                }
                if let id = draft.externalID, let first = seenExternalIDs[id] {
                    result.problems.append(problem(record, "external_id", "duplicate within the file (first on line \(first))"))
                    continue
                }
                seenEmails[draft.email.lowercased()] = record.line
                if let id = draft.externalID { seenExternalIDs[id] = record.line }
                result.drafts.append(draft)
            }
        }
        return result
    }

    private func columnIndex(_ header: CSVRecord) throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in header.fields.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
            if index[key] == nil { index[key] = position }
        }
        let missing = Self.requiredColumns.filter { index[$0] == nil }
        if !missing.isEmpty {
            throw PartnerRiskError.badInput(
                "\(fileName):1: missing required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); "
                    + "the header row must name \(Self.requiredColumns.joined(separator: ", ")) "
                    + "(optional: \(Self.optionalColumns.joined(separator: ", ")))")
        }
        return index
    }

    private func problem(_ record: CSVRecord, _ column: String, _ reason: String) -> RowProblem {
        RowProblem(file: fileName, line: record.line, column: column, reason: reason)
    }

    private func draft(from record: CSVRecord, columns: [String: Int]) -> Swift.Result<PartnerDraft, RowProblem> {
        // A quoted field may span lines; a partner's name or contact goes into mail headers, which
        // must never carry a line break, so every value is kept as one line (breaks become a space).
        func value(_ column: String) -> String {
            guard let position = columns[column], position < record.fields.count else { return "" }
            return record.fields[position].split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        let name = value("name")
        guard !name.isEmpty else { return .failure(problem(record, "name", "missing name")) }
        let email = value("email")
        guard EmailAddress.isValid(email) else {
            return .failure(problem(record, "email", email.isEmpty ? "missing email" : "not a valid email address: \(email)"))
        }
        guard let country = CountryCode.normalize(value("country")) else {
            return .failure(problem(record, "country", "unknown country \"\(value("country"))\"; use an ISO 3166-1 alpha-2 code such as CA, US, MX"))
        }
        guard let sector = Sector(name: value("sector")) else {
            return .failure(problem(record, "sector", "unknown sector \"\(value("sector"))\"; use one of \(Sector.allNames)"))
        }
        var language = Language.en
        if !value("language").isEmpty {
            guard let parsed = Language(name: value("language")) else {
                return .failure(problem(record, "language", "unknown language \"\(value("language"))\"; use en or fr"))
            }
            language = parsed
        }
        let trustedTrader = value("trusted_trader")
        if !trustedTrader.isEmpty && TrustedTraderID(trustedTrader) == nil {
            return .failure(problem(record, "trusted_trader", "\"\(trustedTrader)\" is not PROGRAM:NUMBER such as CTPAT:12345678 or PIP:1234567"))
        }
        let tags = Array(Set(value("tags").split(separator: ";").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty })).sorted()
        // Aliases keep their spelling (they are screened and shown); `;` separates them, as in the lists.
        var aliases: [String] = []
        for alias in value("aliases").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !alias.isEmpty && alias != name && !aliases.contains(alias) { aliases.append(alias) }
        let contact = value("contact")
        let externalID = value("external_id")
        return .success(PartnerDraft(
            line: record.line, name: name, email: email.lowercased(), country: country, sector: sector,
            contactName: contact.isEmpty ? nil : contact, language: language, tags: tags,
            externalID: externalID.isEmpty ? nil : externalID,
            trustedTrader: trustedTrader.isEmpty ? nil : TrustedTraderID(trustedTrader)?.description, aliases: aliases))
    }
}

/// A pragmatic check of an email address: one `@`, a local part, a dotted domain, no spaces.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, text.count <= 254 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>()[]\\,;:\""))
        return text.unicodeScalars.allSatisfy { !forbidden.contains($0) }
    }
}

/// A trusted-trader membership reference: program and number, e.g. `CTPAT:12345678`.
public struct TrustedTraderID: Sendable, Equatable, CustomStringConvertible {
    public var program: String
    public var number: String

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy({ $0.isLetter || $0 == "-" || $0 == "_" }) else { return nil }
        program = parts[0].uppercased()
        number = parts[1]
    }

    public var description: String { "\(program):\(number)" }
}
