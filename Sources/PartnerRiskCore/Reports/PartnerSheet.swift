import Foundation

/// Everything about one partner on one page: details now; later issues add campaigns,
/// answers, the score, its explanation and the history.
public struct PartnerSheet {
    public var partner: Partner
    public var audit: [AuditEntry]
    public var scores: [StoredScore] = []
    public var responses: [ResponseSummary] = []
    /// What changed between the last two complete reviews: answers, then category risks.
    public var changes: [String] = []
    /// Memberships the officer verified.
    public var memberships: [VerifiedMembership] = []
    public var evidence: [EvidenceItem] = []
    /// Sanctions-list hits, every status.
    public var hits: [ScreeningHit] = []
    /// The officer's language: explanations are shown in it, whatever the partner's.
    public var language: Language = .en

    public static func build(partner: Partner, store: any Repositories, language: Language = .en) throws -> PartnerSheet {
        var sheet = PartnerSheet(partner: partner, audit: try store.auditEntries(subject: "partner:\(partner.id)"),
                                 scores: try store.scoreHistory(partnerID: partner.id), responses: try store.responses(campaignID: nil, partnerID: partner.id))
        sheet.memberships = try store.verifiedMemberships(partnerID: partner.id)
        sheet.evidence = try store.evidenceItems(partnerID: partner.id, status: nil)
        sheet.hits = try store.screeningHits(partnerID: partner.id, status: nil)
        sheet.language = language
        sheet.changes = try changesBetweenLastReviews(sheet, store: store)
        return sheet
    }

    static func changesBetweenLastReviews(_ sheet: PartnerSheet, store: any Repositories) throws -> [String] {
        let complete = sheet.responses.filter(\.complete)
        guard complete.count >= 2 else { return [] }
        let (older, newer) = (complete[complete.count - 2], complete[complete.count - 1])
        let before = try store.answers(responseID: older.id), after = try store.answers(responseID: newer.id)
        var lines: [String] = []
        for id in Set(before.answers.keys).union(after.answers.keys).sorted() where before[id] != after[id] {
            let old = before[id].map { $0.json.rendered() } ?? "—", new = after[id].map { $0.json.rendered() } ?? "—"
            lines.append("  \(id): \(old) → \(new)")
        }
        let scored = sheet.scores.filter { $0.responseID == older.id || $0.responseID == newer.id }
        if let first = scored.last(where: { $0.responseID == older.id }), let last = scored.last(where: { $0.responseID == newer.id }) {
            for category in last.categories {
                guard let previous = first.categories.first(where: { $0.category == category.category }), abs(previous.risk - category.risk) >= 0.05 else { continue }
                lines.append("  \(category.category.rawValue) risk \(String(format: "%.1f", previous.risk)) → \(String(format: "%.1f", category.risk))")
            }
            if first.tier != last.tier { lines.append("  tier \(first.tier.label) → \(last.tier.label)") }
        }
        return lines
    }

    public var text: String {
        var lines = [
            "Partner \(partner.id): \(partner.name)\(partner.active ? "" : " (deactivated)")",
            "  email:          \(partner.email)",
            "  contact:        \(partner.contactName ?? "-")",
            "  country:        \(partner.country)",
            "  sector:         \(partner.sector.rawValue)",
            "  language:       \(partner.language.rawValue)",
            "  tags:           \(partner.tags.isEmpty ? "-" : partner.tags.joined(separator: ", "))",
            "  aliases:        \(partner.aliases.isEmpty ? "-" : partner.aliases.joined(separator: "; "))",
            "  external id:    \(partner.externalID ?? "-")",
            "  trusted trader: \(partner.trustedTrader.map { "\($0) (declared, not verified)" } ?? "-")",
            "  updated:        \(DayFormat.timestamp(partner.updatedAt))",
        ]
        if !memberships.isEmpty {
            lines.append("Verified memberships:")
            lines += memberships.map {
                "  \($0.program) \($0.number), expires \($0.expires ?? "— (no expiry: waives nothing)"), verified by \($0.verifiedBy) on \($0.verifiedAt.prefix(10))"
                    + ($0.note.isEmpty ? "" : ": \($0.note)")
            }
        }
        if !hits.isEmpty {
            lines.append("Sanctions screening:")
            lines += hits.map { hit in
                "  hit \(hit.id)  \(hit.status.rawValue)  \(hit.list) \(hit.entryKey) “\(hit.matchedName)” ~ \(hit.screenedAs) “\(hit.screenedName)” "
                    + "(similarity \(String(format: "%.2f", hit.score)))" + (hit.decidedBy.map { ", \(hit.status.rawValue) by \($0)" } ?? "")
                    + (hit.note.isEmpty ? "" : ": \(hit.note)")
            }
        }
        if !evidence.isEmpty {
            lines.append("Evidence:")
            lines += evidence.map {
                "  \($0.id)  \($0.questionID ?? "(unassigned)")  \($0.name)  \($0.status.rawValue)" + ($0.reviewedBy.map { " by \($0)" } ?? "")
                    + ($0.reason.isEmpty ? "" : ": \($0.reason)")
            }
        }
        if !responses.isEmpty {
            lines.append("Responses:")
            lines += responses.map {
                "  campaign \($0.campaignID) revision \($0.revision) via \($0.channel), \($0.receivedAt), \($0.complete ? "complete" : "incomplete: \($0.missing.count) missing")"
            }
        }
        if let score = scores.last {
            lines.append("Risk: \(score.tier.label)\(score.knockout ? " (knock-out)" : ""), overall \(String(format: "%.1f", score.overallRisk))"
                + " = base \(String(format: "%.1f", score.baseRisk)) × country \(score.countryMultiplier.formatted()) "
                + "(survey \(score.surveyVersion ?? "-"), scoring \(score.configVersion ?? "-"), computed \(score.computedAt))")
            lines.append("Categories (risk, higher is worse):")
            lines += score.categories.sorted { $0.risk > $1.risk }.map {
                "  \($0.category.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%5.1f", $0.risk))\($0.capped ? "  (capped: a must answered no)" : "")"
            }
            lines.append("What drove the score:")
            // Every knock-out, red flag and country; the largest other factors after them.
            let flagged = score.factors.filter { $0.kind == .knockout || $0.kind == .redFlag || $0.kind == .country }
            let shown = flagged + score.factors.filter { !flagged.contains($0) }.prefix(max(0, 12 - flagged.count))
            lines += shown.enumerated().map { "  \($0.offset + 1). \($0.element.text.text(language))" }
            if scores.count > 1 {
                lines.append("Trend:")
                lines += scores.map { "  \($0.computedAt)  \($0.tier.label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(format: "%.1f", $0.overallRisk))  scoring \($0.configVersion ?? "-")" }
            }
        }
        if !changes.isEmpty {
            lines.append("Changed since the previous review:")
            lines += changes
        }
        if !audit.isEmpty {
            lines.append("History:")
            lines += audit.map { "  \($0.at)  \($0.actor)  \($0.action)  \($0.detail)" }
        }
        return lines.joined(separator: "\n")
    }

    /// One CSV row: the partner's `partners list` columns, then its current score, explanation,
    /// hits and memberships (a list in one cell is joined with `; `).
    public var csv: String {
        let base = PartnerRegistry.listing([partner])
        let score = scores.last
        let columns = base.columns + ["tier", "overall_risk", "knockout", "categories", "explanation", "screening_hits", "memberships"]
        let row = base.rows[0] + [
            score?.tier.label ?? "", score.map { String(format: "%.1f", $0.overallRisk) } ?? "", score.map { $0.knockout ? "yes" : "no" } ?? "",
            score?.categories.map { "\($0.category.rawValue) \(String(format: "%.1f", $0.risk))" }.joined(separator: "; ") ?? "",
            score?.factors.map { $0.text.text(language) }.joined(separator: "; ") ?? "",
            hits.map { "\($0.list) \($0.entryKey) \($0.status.rawValue)" }.joined(separator: "; "),
            memberships.map { "\($0.program) \($0.number)" }.joined(separator: "; "),
        ]
        return Listing(columns: columns, rows: [row], objects: []).render(.csv)
    }

    public var json: String {
        var object = PartnerRegistry.listing([partner]).objects[0]
        object["history"] = .array(audit.map {
            .object(["at": .string($0.at), "actor": .string($0.actor), "action": .string($0.action), "detail": .string($0.detail)])
        })
        if let score = scores.last {
            object["tier"] = .string(score.tier.label)
            object["overall_risk"] = .number((score.overallRisk * 10).rounded() / 10)
            object["knockout"] = .bool(score.knockout)
            object["categories"] = .object(Dictionary(uniqueKeysWithValues: score.categories.map { ($0.category.rawValue, JSONValue.number(($0.risk * 10).rounded() / 10)) }))
            object["explanation"] = .array(score.factors.map {
                .object(["kind": .string($0.kind.rawValue), "code": .string($0.code), "text": .string($0.text.text(language)),
                         "points": .number(($0.points * 10).rounded() / 10)])
            })
            object["screening_hits"] = .array(hits.map {
                .object(["id": .number(Double($0.id)), "list": .string($0.list), "entry": .string($0.entryKey), "matched_name": .string($0.matchedName),
                         "score": .number(($0.score * 1000).rounded() / 1000), "status": .string($0.status.rawValue), "decided_by": .text($0.decidedBy),
                         "note": .string($0.note)])
            })
            object["memberships"] = .array(memberships.map {
                .object(["program": .string($0.program), "number": .string($0.number), "expires": .text($0.expires), "verified_by": .string($0.verifiedBy),
                         "verified_at": .string($0.verifiedAt), "note": .string($0.note)])
            })
        }
        return JSONValue.array([.object(object)]).rendered(pretty: true)
    }
}
