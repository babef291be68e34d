import Foundation

/// Everything about one partner on one page: details now; later issues add campaigns,
/// answers, the score, its explanation and the history.
public struct PartnerSheet {
    public var partner: Partner
    public var audit: [AuditEntry]

    public static func build(partner: Partner, store: SQLiteStore) throws -> PartnerSheet {
        PartnerSheet(partner: partner, audit: try store.auditEntries(subject: "partner:\(partner.id!)"))
    }

    public var text: String {
        var lines = [
            "Partner \(partner.id!): \(partner.name)\(partner.active ? "" : " (deactivated)")",
            "  email:          \(partner.email)",
            "  contact:        \(partner.contactName ?? "-")",
            "  country:        \(partner.country)",
            "  sector:         \(partner.sector.rawValue)",
            "  language:       \(partner.language.rawValue)",
            "  tags:           \(partner.tags.isEmpty ? "-" : partner.tags.joined(separator: ", "))",
            "  external id:    \(partner.externalID ?? "-")",
            "  trusted trader: \(partner.trustedTrader ?? "-")",
            "  updated:        \(DayFormat.timestamp(partner.updatedAt))",
        ]
        if !audit.isEmpty {
            lines.append("History:")
            lines += audit.map { "  \($0.at)  \($0.actor)  \($0.action)  \($0.detail)" }
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        var object = PartnerRegistry.listing([partner]).objects[0]
        object["history"] = .array(audit.map {
            .object(["at": .string($0.at), "actor": .string($0.actor), "action": .string($0.action), "detail": .string($0.detail)])
        })
        return JSONValue.array([.object(object)]).rendered(pretty: true)
    }
}
