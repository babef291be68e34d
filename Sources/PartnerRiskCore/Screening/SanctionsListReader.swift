import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a list file the officer downloaded, in its official format, found from the content:
/// Canada's consolidated autonomous sanctions XML (old and bilingual tag names), the UN Security
/// Council consolidated XML, OFAC's `sdn.csv` (with `alt.csv` from the same folder) and
/// OpenSanctions' `targets.simple.csv`. XML goes through Foundation's `XMLParser` (libxml2);
/// CSV through `CSVReader`. A malformed file is refused with FILE:LINE and nothing is read.
public struct SanctionsListReader {
    public init() {}

    /// The list in `path` (a file, or a folder holding `sdn.csv`).
    public func read(_ path: String) throws -> SanctionsList {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw PartnerRiskError.badInput("\(path): no such file")
        }
        if isFolder.boolValue {
            let sdn = (path as NSString).appendingPathComponent("sdn.csv")
            guard FileManager.default.fileExists(atPath: sdn) else { throw PartnerRiskError.badInput("\(path): a folder without sdn.csv; give the list file itself") }
            return try ofac(sdn)
        }
        let data = try FileBytes.contents(of: path)
        let head = String(decoding: data.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
        if head.hasPrefix("<") {
            if head.contains("<data-set") { return try canada(data, path: path) }
            if head.contains("<CONSOLIDATED_LIST") { return try un(data, path: path) }
            throw PartnerRiskError.badInput("\(path):1: an XML file, but neither Canada's sanctions list (<data-set>) nor the UN consolidated list (<CONSOLIDATED_LIST>)")
        }
        if head.lowercased().replacingOccurrences(of: "\"", with: "").hasPrefix("id,schema,name") { return try openSanctions(data, path: path) }
        if (path as NSString).lastPathComponent.lowercased() == "sdn.csv" || head.range(of: #"^\d+,\""#, options: .regularExpression) != nil {
            return try ofac(path)
        }
        throw PartnerRiskError.badInput("\(path):1: not a list format PartnerRisk reads: use Canada's or the UN's XML, OFAC's sdn.csv, or OpenSanctions' targets.simple.csv")
    }

    // MARK: Canada

    /// Tag names without their French half (`GivenName-Prenom` → `GivenName`).
    static func canadaField(_ tag: String) -> String { String(tag.split(separator: "-").first ?? Substring(tag)) }

    func canada(_ data: Data, path: String) throws -> SanctionsList {
        let records = try XMLRecords.read(data, path: path, record: "record", nested: [])
        var entries: [SanctionsEntry] = []
        for record in records {
            var fields: [String: String] = [:]
            for (tag, value) in record.fields { fields[Self.canadaField(tag), default: ""] += value }
            func field(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            // The regime as the English half of a bilingual value ("Russia / Russie" → "Russia"), so
            // the key stays the same between the older and the bilingual files.
            let regime = field("Country").components(separatedBy: " / ").first?.trimmingCharacters(in: .whitespaces) ?? ""
            let schedule = field("Schedule"), item = field("Item")
            guard !regime.isEmpty || !item.isEmpty else { continue }
            let entityOrShip = field("EntityOrShip")
            let person = [field("GivenName"), field("LastName")].filter { !$0.isEmpty }.joined(separator: " ")
            let imo = field("ShipIMONumber")
            let kind: SanctionsEntry.Kind = entityOrShip.isEmpty ? .individual : (imo.isEmpty ? .entity : .vessel)
            let primary = entityOrShip.isEmpty ? person : entityOrShip
            guard !primary.isEmpty else { throw PartnerRiskError.badInput("\(path):\(record.line): a record with neither a person's name nor an entity or ship") }
            let title = field("TitleOrShip").isEmpty ? field("TitleOrShipType") : field("TitleOrShip")  // the bilingual files renamed it
            let details = [title, field("DateOfBirthOrShipBuildDate").isEmpty ? "" : "born/built \(field("DateOfBirthOrShipBuildDate"))",
                           imo.isEmpty ? "" : "IMO \(imo)"].filter { !$0.isEmpty }.joined(separator: "; ")
            entries.append(SanctionsEntry(key: "\(regime)/\(schedule)/\(item)", kind: kind, names: [primary] + Self.aliases(field("Aliases")),
                                          program: "\(regime) \(schedule)".trimmingCharacters(in: .whitespaces),
                                          listedOn: Self.day(field("DateOfListing")), details: details))
        }
        return SanctionsList(name: SanctionsList.Format.canadaSEMA.rawValue, format: .canadaSEMA, date: entries.compactMap(\.listedOn).max(), entries: entries)
    }

    /// Canada's aliases, separated by `;`. Commas are left alone: one alias may hold one
    /// (`Завод "Кама Прибор", АО`), so a list that separates by commas gives one longer alias.
    static func aliases(_ text: String) -> [String] {
        text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// OpenSanctions' multi-value cells: values joined by `;`, a value holding a quote or `;`
    /// quoted CSV-style, its quotes doubled.
    static func multiValues(_ text: String) -> [String] {
        var values: [String] = [], current = "", quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else { current.append(character) }
            } else if character == "\"" && current.trimmingCharacters(in: .whitespaces).isEmpty {
                current = ""
                quoted = true
            } else if character == ";" {
                values.append(current)
                current = ""
            } else { current.append(character) }
        }
        values.append(current)
        return values.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    // MARK: UN

    func un(_ data: Data, path: String) throws -> SanctionsList {
        let records = try XMLRecords.read(data, path: path, record: ["INDIVIDUAL", "ENTITY"], nested: ["INDIVIDUAL_ALIAS", "ENTITY_ALIAS"])
        var entries: [SanctionsEntry] = []
        for record in records {
            func field(_ name: String) -> String { record.fields.filter { $0.tag == name }.map(\.value).joined().trimmingCharacters(in: .whitespacesAndNewlines) }
            let id = field("DATAID")
            guard !id.isEmpty else { throw PartnerRiskError.badInput("\(path):\(record.line): an \(record.name) without DATAID") }
            let individual = record.name == "INDIVIDUAL"
            let primary = individual ? ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"].map(field).filter { !$0.isEmpty }.joined(separator: " ")
                : field("FIRST_NAME")
            let aliases = record.nested.compactMap { $0["ALIAS_NAME"]?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            entries.append(SanctionsEntry(key: id, kind: individual ? .individual : .entity, names: [primary] + aliases,
                                          program: [field("UN_LIST_TYPE"), field("REFERENCE_NUMBER")].filter { !$0.isEmpty }.joined(separator: " "),
                                          listedOn: Self.day(field("LISTED_ON")), details: field("COMMENTS1")))
        }
        let generated = records.first.flatMap { _ in XMLRecords.rootAttribute(data, "dateGenerated") }.flatMap { Self.day($0) }
        return SanctionsList(name: SanctionsList.Format.unConsolidated.rawValue, format: .unConsolidated, date: generated, entries: entries)
    }

    // MARK: OFAC

    func ofac(_ sdnPath: String) throws -> SanctionsList {
        let rows = try Self.csvRows(sdnPath)
        var aliases: [String: [String]] = [:]
        let altPath = ((sdnPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("alt.csv")
        if FileManager.default.fileExists(atPath: altPath) {
            for row in try Self.csvRows(altPath) {
                guard row.fields.count >= 4 else { throw PartnerRiskError.badInput("\(altPath):\(row.line): \(row.fields.count) columns, alt.csv has 5 (ent_num, alt_num, alt_type, alt_name, alt_remarks)") }
                if let name = Self.ofacValue(row.fields[3]) { aliases[row.fields[0].trimmingCharacters(in: .whitespaces), default: []].append(name) }
            }
        }
        let entries = try rows.map { row -> SanctionsEntry in
            guard row.fields.count == 12 else {
                throw PartnerRiskError.badInput("\(sdnPath):\(row.line): \(row.fields.count) columns, sdn.csv has 12 (ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks)")
            }
            let key = row.fields[0].trimmingCharacters(in: .whitespaces)
            guard Int(key) != nil, let name = Self.ofacValue(row.fields[1]) else {
                throw PartnerRiskError.badInput("\(sdnPath):\(row.line): an entry without its ent_num or SDN_Name")
            }
            let type = Self.ofacValue(row.fields[2])?.lowercased()
            let kind: SanctionsEntry.Kind = type == "individual" ? .individual : (type == "vessel" ? .vessel : .entity)
            return SanctionsEntry(key: key, kind: kind, names: [name] + (aliases[key] ?? []), program: Self.ofacValue(row.fields[3]) ?? "",
                                  listedOn: nil, details: [row.fields[4], row.fields[11]].compactMap(Self.ofacValue).joined(separator: "; "))
        }
        return SanctionsList(name: SanctionsList.Format.ofacSDN.rawValue, format: .ofacSDN, date: nil, entries: entries)
    }

    /// OFAC writes `-0-` for an empty value.
    static func ofacValue(_ field: String) -> String? {
        let value = field.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty || value == "-0-" ? nil : value
    }

    /// The records of a CSV file: a trailing end-of-file mark (Ctrl-Z, as OFAC's files end) is
    /// dropped, and a file that is not UTF-8 is read as Windows-1252 (OFAC's legacy files).
    static func csvRows(_ path: String) throws -> [CSVRecord] {
        var data = try FileBytes.contents(of: path)
        while let last = data.last, last == 0x1A || last == 0x0A || last == 0x0D { data.removeLast() }
        if String(data: data, encoding: .utf8) == nil, let text = String(data: data, encoding: .windowsCP1252) { data = Data(text.utf8) }
        do { return try CSVReader(data: data).records() } catch let failure as CSVReader.Failure {
            throw PartnerRiskError.badInput("\(path):\(failure.line): \(failure.reason)")
        }
    }

    // MARK: OpenSanctions

    func openSanctions(_ data: Data, path: String) throws -> SanctionsList {
        let rows = try Self.csvRows(path)
        guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else { return SanctionsList(name: "opensanctions", format: .openSanctions, date: nil, entries: []) }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw PartnerRiskError.badInput("\(path):1: no `\(name)` column") }
            return index
        }
        let (id, schema, name, aliases) = (try column("id"), try column("schema"), try column("name"), try column("aliases"))
        let sanctions = header.firstIndex(of: "sanctions"), firstSeen = header.firstIndex(of: "first_seen"), lastChange = header.firstIndex(of: "last_change")
        let birth = header.firstIndex(of: "birth_date"), countries = header.firstIndex(of: "countries")
        var latest: String?
        let entries = try rows.dropFirst().map { row -> SanctionsEntry in
            guard row.fields.count == header.count else {
                throw PartnerRiskError.badInput("\(path):\(row.line): \(row.fields.count) columns, the header has \(header.count)")
            }
            func value(_ index: Int?) -> String { index.map { row.fields[$0].trimmingCharacters(in: .whitespacesAndNewlines) } ?? "" }
            let type = value(schema)
            let kind: SanctionsEntry.Kind = type == "Person" ? .individual : (type == "Vessel" ? .vessel : .entity)
            if let changed = Self.day(value(lastChange)), changed > (latest ?? "") { latest = changed }
            let details = [value(birth).isEmpty ? "" : "born \(value(birth))", value(countries)].filter { !$0.isEmpty }.joined(separator: "; ")
            return SanctionsEntry(key: value(id), kind: kind, names: [value(name)] + Self.multiValues(value(aliases)),
                                  program: value(sanctions), listedOn: Self.day(value(firstSeen)), details: details)
        }
        return SanctionsList(name: SanctionsList.Format.openSanctions.rawValue, format: .openSanctions, date: latest, entries: entries)
    }

    /// The YYYY-MM-DD at the start of a date or timestamp, if there is one.
    static func day(_ text: String) -> String? {
        let prefix = String(text.trimmingCharacters(in: .whitespaces).prefix(10))
        return DayFormat.parseDay(prefix).map(DayFormat.day)
    }
}

/// Elements of an XML file collected per record element: its child elements' text, and for
/// `nested` children (an alias block) their own child elements. Foundation's `XMLParser` does
/// the parsing; this only gathers what the list readers need.
final class XMLRecords: NSObject, XMLParserDelegate {
    struct Record {
        var name: String
        var line: Int
        var fields: [(tag: String, value: String)] = []
        var nested: [[String: String]] = []
    }

    private let recordNames: Set<String>
    private let nestedNames: Set<String>
    private var records: [Record] = []
    private var current: Record?
    private var nested: [String: String]?
    private var text = ""
    private weak var parser: XMLParser?
    /// Elements open now; whether the root was seen; the last line reached; the first error.
    private(set) var depth = 0
    private(set) var sawRoot = false
    private(set) var lastLine = 1
    private(set) var failure: (line: Int, reason: String)?

    private init(record: Set<String>, nested: Set<String>) {
        recordNames = record
        nestedNames = nested
    }

    static func read(_ data: Data, path: String, record: Set<String>, nested: Set<String>) throws -> [Record] {
        let parser = XMLParser(data: data)
        let collector = XMLRecords(record: record, nested: nested)
        collector.parser = parser
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        let parsed = parser.parse()
        if !parsed || collector.failure != nil {
            let line = collector.failure?.line ?? parser.lineNumber
            let reason = collector.failure?.reason ?? parser.parserError.map { ($0 as NSError).localizedDescription } ?? "not well-formed"
            throw PartnerRiskError.badInput("\(path):\(max(1, line)): not well-formed XML (\(reason)); download the list again")
        }
        // Some XMLParser builds stop quietly at a cut-off file: the root element must have closed.
        guard collector.depth == 0, collector.sawRoot else {
            throw PartnerRiskError.badInput("\(path):\(max(1, collector.lastLine)): the file ends before its last element is closed (cut off?); download the list again")
        }
        return collector.records
    }

    static func read(_ data: Data, path: String, record: String, nested: Set<String>) throws -> [Record] {
        try read(data, path: path, record: [record], nested: nested)
    }

    /// An attribute of the document's root element (the UN list's `dateGenerated`).
    static func rootAttribute(_ data: Data, _ name: String) -> String? {
        let head = String(decoding: data.prefix(4096), as: UTF8.self)
        guard let range = head.range(of: name + #"=""#) else { return nil }
        return head[range.upperBound...].split(separator: "\"").first.map(String.init)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        guard failure == nil else { return }
        let code = (parseError as NSError).code
        // libxml2's codes, as XMLParser passes them on: 5 is "premature end of data".
        let reason = code == 5 ? "the file ends before its last element is closed (cut off?)" : "libxml2 error \(code) at column \(parser.columnNumber)"
        failure = (parser.lineNumber, reason)
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        sawRoot = true
        lastLine = parser.lineNumber
        if recordNames.contains(element) {
            current = Record(name: element, line: parser.lineNumber)
        } else if current != nil, nestedNames.contains(element) {
            nested = [:]
        }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        lastLine = parser.lineNumber
        if recordNames.contains(element), let record = current {
            records.append(record)
            current = nil
        } else if nestedNames.contains(element), let block = nested {
            current?.nested.append(block)
            nested = nil
        } else if nested != nil {
            nested?[element] = text
        } else if current != nil {
            current?.fields.append((element, text))
        }
        text = ""
    }
}
