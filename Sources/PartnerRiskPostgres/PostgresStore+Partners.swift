import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: PartnerRepository {
    static let partnerColumns = "id, external_id, name, email, country, sector, contact_name, language, tags, trusted_trader, active, created_at, updated_at, aliases"

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
            // Links die with the partner once invitations live here too (the next step of issue 20).
            try Self.appendAudit(session, actor: actor, action: "partners.deactivate", subject: "partner:\(id)", detail: "", at: time)
        }
    }

    /// A partner from a row of `partnerColumns`.
    static func partner(_ row: PostgresRow) throws -> Partner {
        let (id, externalID, name, email, country, sector, contact) = try row.decode((Int64, String?, String, String, String, String, String?).self)
        let columns = Array(row)
        let language = try columns[7].decode(String.self), tags = try columns[8].decode(String.self)
        let trustedTrader = try columns[9].decode(String?.self), active = try columns[10].decode(Bool.self)
        let created = try columns[11].decode(String.self), updated = try columns[12].decode(String.self), aliases = try columns[13].decode(String.self)
        return Partner(id: id, externalID: externalID, name: name, email: email, country: country, sector: Sector(rawValue: sector) ?? .importer,
                       contactName: contact, language: Language(rawValue: language) ?? .en, tags: tags.split(separator: ";").map(String.init),
                       trustedTrader: trustedTrader, aliases: aliases.split(separator: ";").map(String.init), active: active,
                       createdAt: DayFormat.parseTimestamp(created) ?? Date(timeIntervalSince1970: 0),
                       updatedAt: DayFormat.parseTimestamp(updated) ?? Date(timeIntervalSince1970: 0))
    }
}
