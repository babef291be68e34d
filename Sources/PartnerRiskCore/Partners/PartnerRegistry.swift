import Foundation

/// The partner registry's use cases: import a CSV file, list, show, deactivate.
public struct PartnerRegistry {
    public let repository: PartnerRepository
    public let time: TimeSource

    public init(repository: PartnerRepository, time: TimeSource = SystemTime()) {
        self.repository = repository
        self.time = time
    }

    /// Imports a CSV file in one transaction. Bad rows are reported and skipped; with `strict`,
    /// any bad row rejects the whole file and nothing is written.
    public func importFile(at path: String, strict: Bool, progress: ProgressMeter? = nil) throws -> PartnerImportSummary {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PartnerRiskError.badInput("\(path): cannot read the file (\(error.localizedDescription))")
        }
        return try importData(data, fileName: path, strict: strict, progress: progress)
    }

    public func importData(_ data: Data, fileName: String, strict: Bool, progress: ProgressMeter? = nil) throws -> PartnerImportSummary {
        let result = try PartnerCSVImport(fileName: fileName).read(data)
        if strict && !result.problems.isEmpty {
            var summary = PartnerImportSummary()
            summary.rejected = result.problems
            return summary
        }
        var summary = try repository.upsertPartners(result.drafts, at: time.now(), progress: progress)
        summary.rejected = result.problems
        summary.emails = result.drafts.map(\.email)
        return summary
    }

    public func list(_ filter: PartnerFilter) throws -> [Partner] {
        try repository.partners(matching: filter)
    }

    public func find(_ key: String) throws -> Partner {
        guard let partner = try repository.partner(identifiedBy: key) else {
            throw PartnerRiskError.badInput("no partner with id, email or external id \"\(key)\"; see `partner-risk partners list`")
        }
        return partner
    }

    public func deactivate(_ key: String) throws -> Partner {
        let partner = try find(key)
        try repository.deactivatePartner(id: partner.id, at: time.now())
        return partner
    }

    /// A listing of partners in any output format.
    public static func listing(_ partners: [Partner]) -> Listing {
        let columns = ["id", "name", "email", "country", "sector", "language", "tags", "external_id", "trusted_trader", "active", "aliases"]
        let rows = partners.map { partner in
            [String(partner.id), partner.name, partner.email, partner.country, partner.sector.rawValue,
             partner.language.rawValue, partner.tags.joined(separator: ";"), partner.externalID ?? "",
             partner.trustedTrader ?? "", partner.active ? "yes" : "no", partner.aliases.joined(separator: ";")]
        }
        let objects: [[String: JSONValue]] = partners.map { partner in
            [
                "id": .number(Double(partner.id)), "name": .string(partner.name), "email": .string(partner.email),
                "country": .string(partner.country), "sector": .string(partner.sector.rawValue),
                "contact": .text(partner.contactName), "language": .string(partner.language.rawValue),
                "tags": .array(partner.tags.map(JSONValue.string)), "external_id": .text(partner.externalID),
                "trusted_trader": .text(partner.trustedTrader), "active": .bool(partner.active),
                "aliases": .array(partner.aliases.map(JSONValue.string)),
            ]
        }
        return Listing(columns: columns, rows: rows, objects: objects)
    }
}
