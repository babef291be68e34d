import Crypto
import Foundation

/// One published list version as read from the officer's file: which list, its date, its entries.
public struct SanctionsList: Sendable, Equatable {
    /// The list formats PartnerRisk reads, each named as the list is stored (`--list` overrides).
    public enum Format: String, Sendable, CaseIterable {
        case canadaSEMA = "canada-sema"
        case unConsolidated = "un-consolidated"
        case ofacSDN = "ofac-sdn"
        case openSanctions = "opensanctions"

        /// Who publishes it and where the officer downloads it (README repeats this).
        public var source: String {
            switch self {
            case .canadaSEMA: return "Global Affairs Canada, Consolidated Canadian Autonomous Sanctions List (SEMA, JVCFOA), XML"
            case .unConsolidated: return "United Nations Security Council Consolidated List, XML"
            case .ofacSDN: return "U.S. Treasury OFAC Specially Designated Nationals list, sdn.csv with alt.csv"
            case .openSanctions: return "OpenSanctions targets.simple.csv"
            }
        }
    }

    public var name: String
    public var format: Format
    /// The day the list was published (from the file, else `--as-of`, else the import day).
    public var date: String?
    public var entries: [SanctionsEntry]

    public init(name: String, format: Format, date: String?, entries: [SanctionsEntry]) {
        self.name = name
        self.format = format
        self.date = date
        self.entries = entries
    }
}

/// One listed person, organisation or vessel: its stable key in the list, every name it is
/// listed under (the primary name first, then aliases) and what the list says about it.
public struct SanctionsEntry: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case individual, entity, vessel }

    /// Stable across versions of the list: Canada (Country, Schedule, Item), UN `DATAID`,
    /// OFAC `ent_num`, OpenSanctions `id`.
    public var key: String
    public var kind: Kind
    public var names: [String]
    /// The sanctions regime or program (Canada's `Country` is the regime, not a nationality).
    public var program: String
    public var listedOn: String?
    /// Other facts worth showing the officer (date of birth, IMO number, remarks).
    public var details: String

    public init(key: String, kind: Kind, names: [String], program: String, listedOn: String?, details: String) {
        self.key = key
        self.kind = kind
        self.names = names
        self.program = program
        self.listedOn = listedOn
        self.details = details
    }

    public var primaryName: String { names.first ?? key }

    /// The SHA-256 of everything the list says about the entry: any change of a name, the
    /// program or a detail changes it (a cleared hit is opened again then).
    public var contentSHA256: String {
        let content = CanonicalJSON.bytes(.object(["key": .string(key), "kind": .string(kind.rawValue), "names": .array(names.map(JSONValue.string)),
                                                   "program": .string(program), "listed_on": .text(listedOn), "details": .string(details)]))
        return CanonicalJSON.hex(SHA256.hash(data: content))
    }
}

/// What importing a list version changed against the version stored before.
public struct SanctionsListChanges: Sendable, Equatable {
    public var added: [SanctionsEntry] = []
    public var changed: [SanctionsEntry] = []
    public var removed: [SanctionsEntry] = []

    public init(added: [SanctionsEntry] = [], changed: [SanctionsEntry] = [], removed: [SanctionsEntry] = []) {
        self.added = added
        self.changed = changed
        self.removed = removed
    }

    /// The entries of `new` compared by key with those of `old`.
    public static func between(old: [SanctionsEntry], new: [SanctionsEntry]) -> SanctionsListChanges {
        let before = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.map(\.key))
        var changes = SanctionsListChanges()
        for entry in new {
            if let earlier = before[entry.key] { if earlier != entry { changes.changed.append(entry) } } else { changes.added.append(entry) }
        }
        changes.removed = old.filter { !after.contains($0.key) }
        return changes
    }
}
