import Foundation

/// A supply-chain business partner under review: carrier, importer, warehouse, broker, ...
public struct Partner: Codable, Sendable, Equatable, Identifiable {
    /// The stored row's id (a partner not yet stored is a `PartnerDraft`).
    public var id: Int64
    public var externalID: String?
    public var name: String
    public var email: String
    public var country: String
    public var sector: Sector
    public var contactName: String?
    public var language: Language
    /// Free labels from the officer (`tier1`, `cross-border`), stored sorted and unique.
    public var tags: [String]
    /// A trusted-trader membership such as `CTPAT:12345678` or `PIP:1234567`.
    public var trustedTrader: String?
    /// Other names the partner trades under (former names, trade names), screened like its name.
    public var aliases: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, externalID: String? = nil, name: String, email: String, country: String,
        sector: Sector, contactName: String? = nil, language: Language = .en, tags: [String] = [],
        trustedTrader: String? = nil, aliases: [String] = [], active: Bool = true, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.externalID = externalID
        self.name = name
        self.email = email
        self.country = country
        self.sector = sector
        self.contactName = contactName
        self.language = language
        self.tags = tags
        self.trustedTrader = trustedTrader
        self.aliases = aliases
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// True when the fields an import can set are the same as in `draft`.
    public func matches(_ draft: PartnerDraft) -> Bool {
        name == draft.name && email.lowercased() == draft.email.lowercased() && country == draft.country
            && sector == draft.sector && contactName == draft.contactName && language == draft.language
            && tags == draft.tags && externalID == draft.externalID && trustedTrader == draft.trustedTrader
            && aliases == draft.aliases
    }
}

/// A partner as read from an import file, validated but not yet stored.
public struct PartnerDraft: Sendable, Equatable {
    public var line: Int
    public var name: String
    public var email: String
    public var country: String
    public var sector: Sector
    public var contactName: String?
    public var language: Language
    public var tags: [String]
    public var externalID: String?
    public var trustedTrader: String?
    public var aliases: [String]

    public init(
        line: Int, name: String, email: String, country: String, sector: Sector, contactName: String? = nil,
        language: Language = .en, tags: [String] = [], externalID: String? = nil, trustedTrader: String? = nil, aliases: [String] = []
    ) {
        self.line = line
        self.name = name
        self.email = email
        self.country = country
        self.sector = sector
        self.contactName = contactName
        self.language = language
        self.tags = tags
        self.externalID = externalID
        self.trustedTrader = trustedTrader
        self.aliases = aliases
    }
}

/// Which partners a listing or a campaign covers.
public struct PartnerFilter: Sendable, Equatable {
    public var sector: Sector?
    public var country: String?
    public var tag: String?
    public var includeInactive: Bool

    public init(sector: Sector? = nil, country: String? = nil, tag: String? = nil, includeInactive: Bool = false) {
        self.sector = sector
        self.country = country?.uppercased()
        self.tag = tag?.lowercased()
        self.includeInactive = includeInactive
    }

    public func accepts(_ partner: Partner) -> Bool {
        if !includeInactive && !partner.active { return false }
        if let sector, partner.sector != sector { return false }
        if let country, partner.country != country { return false }
        if let tag, !partner.tags.contains(tag) { return false }
        return true
    }
}

/// What an import did: counts and the rows it refused.
public struct PartnerImportSummary: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected: [RowProblem] = []
    /// The e-mail addresses of the rows imported (created, updated or unchanged).
    public var emails: [String] = []

    public init() {}

    public var line: String {
        "created \(created), updated \(updated), unchanged \(unchanged), rejected \(rejected.count)"
    }
}
