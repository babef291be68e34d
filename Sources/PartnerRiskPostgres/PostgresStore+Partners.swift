import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: PartnerRepository {
    static let partnerColumns = partnerColumnList(prefix: "")

    /// The columns `partner(_:)` reads, in its order, each with `prefix` (a table alias and a dot).
    static func partnerColumnList(prefix: String) -> String {
        ["id", "external_id", "name", "email", "country", "sector", "contact_name", "language", "tags", "trusted_trader", "active", "created_at",
         "updated_at", "aliases"].map { prefix + $0 }.joined(separator: ", ")
    }

    public func upsertPartners(_ drafts: [PartnerDraft], at time: Date, progress: ProgressMeter?) throws -> PartnerImportSummary {
        progress?.begin(total: drafts.count)
        defer { progress?.finish() }
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            var summary = PartnerImportSummary()
            let existing = try session.query("SELECT \(unescaped: Self.partnerColumns) FROM partner").map(Self.partner)
            var byExternalID: [String: Partner] = [:], byEmail: [String: Partner] = [:]
            for partner in existing {
                if let id = partner.externalID { byExternalID[id] = partner }
                byEmail[partner.email.lowercased()] = partner
            }
            for (number, draft) in drafts.enumerated() {
                if let progress, number % 256 == 255 || number == drafts.count - 1 { progress.advance(number % 256 + 1) }
                let tags = draft.tags.joined(separator: ";"), aliases = draft.aliases.joined(separator: ";")
                if let match = draft.externalID.flatMap({ byExternalID[$0] }) ?? byEmail[draft.email.lowercased()] {
                    if match.matches(draft) {
                        summary.unchanged += 1
                        continue
                    }
                    try session.query("""
                        UPDATE partner SET external_id = \(draft.externalID), name = \(draft.name), email = \(draft.email), country = \(draft.country),
                            sector = \(draft.sector.rawValue), contact_name = \(draft.contactName), language = \(draft.language.rawValue), tags = \(tags),
                            trusted_trader = \(draft.trustedTrader), aliases = \(aliases), updated_at = \(now)
                        WHERE id = \(match.id)
                        """)
                    summary.updated += 1
                } else {
                    try session.query("""
                        INSERT INTO partner (external_id, name, email, country, sector, contact_name, language, tags, trusted_trader, aliases,
                                             active, created_at, updated_at)
                        VALUES (\(draft.externalID), \(draft.name), \(draft.email), \(draft.country), \(draft.sector.rawValue), \(draft.contactName),
                                \(draft.language.rawValue), \(tags), \(draft.trustedTrader), \(aliases), true, \(now), \(now))
                        """)
                    summary.created += 1
                }
            }
            if summary.created + summary.updated > 0 {
                try Self.appendAudit(session, actor: actor, action: "partners.import", subject: "partners",
                                     detail: "created \(summary.created), updated \(summary.updated)", at: time)
            }
            return summary
        }
    }

    public func partners(matching filter: PartnerFilter) throws -> [Partner] {
        // `%` and `_` in a tag are letters, not patterns.
        let tag = filter.tag.map { tag in
            "%;" + tag.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + ";%"
        }
        return try connections.query("""
            SELECT \(unescaped: Self.partnerColumns) FROM partner
            WHERE (\(filter.includeInactive) OR active) AND (\(filter.sector?.rawValue)::text IS NULL OR sector = \(filter.sector?.rawValue))
              AND (\(filter.country)::text IS NULL OR country = \(filter.country)) AND (\(tag)::text IS NULL OR (';' || tags || ';') LIKE \(tag))
            ORDER BY lower(name), id
            """).map(Self.partner)
    }

    public func partner(identifiedBy key: String) throws -> Partner? {
        if let id = Int64(key) { return try partner(id: id) }
        return try connections.query("""
            SELECT \(unescaped: Self.partnerColumns) FROM partner WHERE lower(email) = \(key.lowercased()) OR external_id = \(key) ORDER BY id LIMIT 1
            """).first.map(Self.partner)
    }

    public func partner(id: Int64) throws -> Partner? {
        try connections.query("SELECT \(unescaped: Self.partnerColumns) FROM partner WHERE id = \(id)").first.map(Self.partner)
    }

    public func deactivatePartner(id: Int64, at time: Date) throws {
        try connections.transaction { session in
            let changed = try session.query("UPDATE partner SET active = false, updated_at = \(DayFormat.timestamp(time)) WHERE id = \(id) RETURNING id")
            guard !changed.isEmpty else { throw PartnerRiskError.badInput("no partner with id \(id); see `partner-risk partners list`") }
            // A deactivated partner's links stop working at once.
            try Self.revoke(session, invitationIDs: Self.invitationIDs(session, partnerID: id), at: DayFormat.timestamp(time))
            try Self.appendAudit(session, actor: actor, action: "partners.deactivate", subject: "partner:\(id)", detail: "", at: time)
        }
    }

    /// A partner from a row of `partnerColumns`.
    static func partner(_ row: PostgresRow) throws -> Partner { try partner(Array(row)[...]) }

    /// A partner from the 14 cells of `partnerColumns`, wherever they sit in a longer row.
    static func partner(_ cells: ArraySlice<PostgresCell>) throws -> Partner {
        let column = { (index: Int) in cells[cells.startIndex + index] }
        let text = { (index: Int) throws -> String in try column(index).decode(String.self) }
        let optional = { (index: Int) throws -> String? in try column(index).decode(String?.self) }
        return Partner(id: try column(0).decode(Int64.self), externalID: try optional(1), name: try text(2), email: try text(3), country: try text(4),
                       sector: Sector(rawValue: try text(5)) ?? .importer, contactName: try optional(6), language: Language(rawValue: try text(7)) ?? .en,
                       tags: try text(8).split(separator: ";").map(String.init), trustedTrader: try optional(9),
                       aliases: try text(13).split(separator: ";").map(String.init), active: try column(10).decode(Bool.self),
                       createdAt: DayFormat.parseTimestamp(try text(11)) ?? Date(timeIntervalSince1970: 0),
                       updatedAt: DayFormat.parseTimestamp(try text(12)) ?? Date(timeIntervalSince1970: 0))
    }
}
