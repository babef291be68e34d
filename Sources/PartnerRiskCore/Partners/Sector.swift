/// The kind of supply-chain partner. Decides which questions apply and how categories weigh.
public enum Sector: String, CaseIterable, Codable, Sendable, Comparable {
    case importer, exporter, manufacturer
    case highwayCarrier = "highway-carrier"
    case railCarrier = "rail-carrier"
    case marineCarrier = "marine-carrier"
    case airCarrier = "air-carrier"
    case customsBroker = "customs-broker"
    case warehouse
    case freightForwarder = "freight-forwarder"
    case courier

    /// The accepted spellings, for help text and error messages.
    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a sector name, tolerant of case, spaces and underscores (`Highway Carrier`).
    public init?(name: String) {
        let normalized = name.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
        self.init(rawValue: normalized)
    }

    public static func < (lhs: Sector, rhs: Sector) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The language a partner reads: decides the survey text and mail templates.
public enum Language: String, CaseIterable, Codable, Sendable {
    case en, fr

    public init?(name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
