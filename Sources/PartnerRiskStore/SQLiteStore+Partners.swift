import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: PartnerRepository {
    public func upsertPartners(_ drafts: [PartnerDraft], at time: Date, progress: ProgressMeter?) throws -> PartnerImportSummary {
        progress?.begin(total: drafts.count)
        defer { progress?.finish() }
        return try pool.write { db in
            var summary = PartnerImportSummary()
            // Only the importable fields: parsing 50,000 timestamps would dominate a re-import.
            let existing = try Row.fetchAll(db, sql: """
                SELECT id, external_id, name, email, country, sector, contact_name, language, tags, trusted_trader, aliases FROM partner
                """).map(ImportedFields.init)
            var byExternalID: [String: ImportedFields] = [:]
            var byEmail: [String: ImportedFields] = [:]
            for partner in existing {
                if let id = partner.externalID { byExternalID[id] = partner }
                byEmail[partner.email.lowercased()] = partner
            }
            let now = Self.timestamp(time)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO partner (external_id, name, email, country, sector, contact_name, language, tags,
                                     trusted_trader, aliases, active, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE partner SET external_id = ?, name = ?, email = ?, country = ?, sector = ?, contact_name = ?,
                                   language = ?, tags = ?, trusted_trader = ?, aliases = ?, updated_at = ?
                WHERE id = ?
                """)
            for (number, draft) in drafts.enumerated() {
                if let progress, number % 256 == 255 || number == drafts.count - 1 { progress.advance(number % 256 + 1) }
                let match = draft.externalID.flatMap { byExternalID[$0] } ?? byEmail[draft.email.lowercased()]
                let fields: [(any DatabaseValueConvertible)?] = [
                    draft.externalID, draft.name, draft.email, draft.country, draft.sector.rawValue, draft.contactName,
                    draft.language.rawValue, draft.tags.joined(separator: ";"), draft.trustedTrader, draft.aliases.joined(separator: ";"),
                ]
                if let match {
                    if match.matches(draft) {
                        summary.unchanged += 1
                        continue
                    }
                    try update.execute(arguments: StatementArguments(fields + [now, match.id]))
                    summary.updated += 1
                    if match.email.lowercased() != draft.email.lowercased() {
                        // Links mailed to the old address die with it.
                        try Self.revoke(db, invitationIDs: Self.invitationIDs(db, partnerID: match.id), at: now)
                    }
                } else {
                    try insert.execute(arguments: StatementArguments(fields + [now, now]))
                    summary.created += 1
                }
            }
            if summary.created + summary.updated > 0 {
                try Self.appendAudit(
                    db, actor: actor, action: "partners.import", subject: "partners",
                    detail: "created \(summary.created), updated \(summary.updated)", at: time)
            }
            return summary
        }
    }

    public func partners(matching filter: PartnerFilter) throws -> [Partner] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if !filter.includeInactive { conditions.append("active = 1") }
            if let sector = filter.sector {
                conditions.append("sector = ?")
                arguments.append(sector.rawValue)
            }
            if let country = filter.country {
                conditions.append("country = ?")
                arguments.append(country)
            }
            if let tag = filter.tag {
                conditions.append("(';' || tags || ';') LIKE ? ESCAPE '\\'")
                let escaped = tag.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                arguments.append("%;\(escaped);%")
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.partnerColumnList()) FROM partner \(whereClause) ORDER BY name COLLATE NOCASE, id",
                arguments: StatementArguments(arguments)
            ).map { Self.partner(from: $0, at: 0) }
        }
    }

    public func partner(identifiedBy key: String) throws -> Partner? {
        try pool.read { db in
            let row: Row?
            if let id = Int64(key) {
                row = try Row.fetchOne(db, sql: "SELECT \(Self.partnerColumnList()) FROM partner WHERE id = ?", arguments: [id])
            } else {
                row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.partnerColumnList()) FROM partner WHERE email = ? OR external_id = ? ORDER BY id LIMIT 1",
                    arguments: [key.lowercased(), key])
            }
            return row.map { Self.partner(from: $0, at: 0) }
        }
    }

    public func partner(id: Int64) throws -> Partner? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.partnerColumnList()) FROM partner WHERE id = ?", arguments: [id])
                .map { Self.partner(from: $0, at: 0) }
        }
    }

    public func deactivatePartner(id: Int64, at time: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE partner SET active = 0, updated_at = ? WHERE id = ?", arguments: [Self.timestamp(time), id])
            guard db.changesCount == 1 else { throw PartnerRiskError.badInput("no partner with id \(id); see `partner-risk partners list`") }
            // A deactivated partner's links stop working at once.
            try Self.revoke(db, invitationIDs: Self.invitationIDs(db, partnerID: id), at: Self.timestamp(time))
            try Self.appendAudit(db, actor: actor, action: "partners.deactivate", subject: "partner:\(id)", detail: "", at: time)
        }
    }

    /// The columns an import can change, for deciding created / updated / unchanged.
    struct ImportedFields {
        var id: Int64
        var externalID: String?
        var name, email, country, sector, language, tags: String
        var contactName, trustedTrader: String?
        var aliases: String

        init(_ row: Row) {
            id = row[0]; externalID = row[1]; name = row[2]; email = row[3]; country = row[4]; sector = row[5]
            contactName = row[6]; language = row[7]; tags = row[8]; trustedTrader = row[9]; aliases = row[10]
        }

        func matches(_ draft: PartnerDraft) -> Bool {
            name == draft.name && email.lowercased() == draft.email.lowercased() && country == draft.country
                && sector == draft.sector.rawValue && contactName == draft.contactName && language == draft.language.rawValue
                && tags == draft.tags.joined(separator: ";") && externalID == draft.externalID && trustedTrader == draft.trustedTrader
                && aliases == draft.aliases.joined(separator: ";")
        }
    }

    /// The partner columns, in the order `partner(from:at:)` reads them.
    static let partnerColumns = ["id", "external_id", "name", "email", "country", "sector", "contact_name", "language", "tags",
                                 "trusted_trader", "active", "created_at", "updated_at", "aliases"]

    /// `partnerColumns` for a select list, each name after `prefix` (such as `p.`).
    static func partnerColumnList(_ prefix: String = "") -> String { partnerColumns.map { prefix + $0 }.joined(separator: ", ") }

    /// A partner selected with `partnerColumnList` starting at column `offset`, read by position
    /// (every partner query selects these columns): reading by name searches the columns
    /// case-insensitively for each one, which showed in loading 100,000 partners.
    static func partner(from row: Row, at offset: Int) -> Partner {
        let tags: String = row[offset + 8], aliases: String = row[offset + 13]
        return Partner(
            id: row[offset], externalID: row[offset + 1], name: row[offset + 2], email: row[offset + 3],
            country: row[offset + 4], sector: Sector(rawValue: row[offset + 5]) ?? .importer,
            contactName: row[offset + 6], language: Language(rawValue: row[offset + 7]) ?? .en,
            tags: tags.split(separator: ";").map(String.init), trustedTrader: row[offset + 9],
            aliases: aliases.split(separator: ";").map(String.init),
            active: row[offset + 10], createdAt: date(row[offset + 11]) ?? Date(timeIntervalSince1970: 0),
            updatedAt: date(row[offset + 12]) ?? Date(timeIntervalSince1970: 0))
    }
}
