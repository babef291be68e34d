import Foundation

/// The printable HTML records: one partner's evidence pack, and the whole program's overview.
public struct EvidenceReports {
    public let store: any Repositories
    public let catalog: SurveyCatalog
    public let templates: any TemplateRendering
    public let officer: AppConfig.Officer
    public let time: TimeSource

    public init(store: any Repositories, catalog: SurveyCatalog, templates: any TemplateRendering, officer: AppConfig.Officer, time: TimeSource) {
        self.store = store
        self.catalog = catalog
        self.templates = templates
        self.officer = officer
        self.time = time
    }

    var member: [String: Any] { ["company": officer.company ?? "—", "officer": officer.name ?? "—"] }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    public func partnerReport(_ partner: Partner) throws -> String {
        let id = partner.id
        let scores = try store.scoreHistory(partnerID: id)
        let responses = try store.responses(campaignID: nil, partnerID: id)
        var context: [String: Any] = ["generated_at": DayFormat.timestamp(time.now()), "member": member]
        var identity: [String: Any] = ["id": String(id), "name": partner.name, "email": partner.email, "country": partner.country,
                                       "sector": partner.sector.rawValue, "language": partner.language.rawValue]
        if let contact = partner.contactName { identity["contact"] = contact }
        if let trusted = partner.trustedTrader { identity["trusted_trader"] = trusted }
        if let external = partner.externalID { identity["external_id"] = external }
        if !partner.tags.isEmpty { identity["tags"] = partner.tags.joined(separator: ", ") }
        context["partner"] = identity
        if let score = scores.last {
            context["score"] = ["tier": score.tier.label, "risk": Self.number(score.overallRisk), "base": Self.number(score.baseRisk),
                                "multiplier": score.countryMultiplier.formatted(), "knockout": score.knockout,
                                "survey_version": score.surveyVersion ?? "-", "config_version": score.configVersion ?? "-",
                                "computed_at": score.computedAt]
            context["categories"] = score.categories.sorted { $0.risk > $1.risk }.map {
                ["name": $0.category.title.en, "risk": Self.number($0.risk), "control": Self.number($0.control), "capped": $0.capped] as [String: Any]
            }
            context["factors"] = score.factors.map { ["kind": $0.kind.rawValue, "text": $0.text.en] }
        }
        context["history"] = scores.map { ["computed_at": $0.computedAt, "tier": $0.tier.label, "risk": Self.number($0.overallRisk), "config_version": $0.configVersion ?? "-"] }
        context["responses"] = responses.map {
            ["campaign_id": String($0.campaignID), "revision": String($0.revision), "channel": $0.channel, "received_at": $0.receivedAt,
             "complete": $0.complete, "missing_count": String($0.missing.count)] as [String: Any]
        }
        if let current = responses.last(where: \.complete) ?? responses.last {
            let answers = try store.answers(responseID: current.id)
            let survey = try store.survey(rowID: try store.invitationContext(invitationID: current.invitationID).surveyVersionID)
            context["answers"] = survey.questions.compactMap { question -> [String: Any]? in
                guard let answer = answers[question.id] else { return nil }
                let text: String
                switch answer {
                case .notApplicable(let reason): text = "Not applicable: \(reason)"
                case .value(let value): text = value.stringValue ?? value.rendered()
                }
                return ["section": question.sectionID, "question_id": question.id, "text": question.text.en, "answer": text]
            }
        }
        context["evidence"] = try store.evidence(partnerID: id).map { file -> [String: Any] in
            var item: [String: Any] = ["name": file.originalName, "sha256": file.sha256, "uploaded_at": file.uploadedAt, "channel": file.channel]
            if let question = file.questionID { item["question_id"] = question }  // else "not yet assigned"
            return item
        }
        context["sign_offs"] = try store.signOffs(partnerID: id).map { ["at": $0.at, "actor": $0.actor, "decision": $0.decision, "note": $0.note] }
        context["audit"] = try store.auditEntries(subject: "partner:\(id)").map { ["at": $0.at, "actor": $0.actor, "action": $0.action, "detail": $0.detail] }
        return try templates.render("reports/partner.html", context)
    }

    public func programReport(ranking: Ranking, due: [ReviewPlanner.Due]) throws -> String {
        let overdue = due.filter { $0.reasons.contains { $0.contains("months since the last review") } }
        let flagged = ranking.rows.filter { $0.knockout || $0.flags > 0 }
        let context: [String: Any] = [
            "generated_at": DayFormat.timestamp(time.now()), "as_of": DayFormat.day(time.now()), "member": member,
            "totals": ["partners": String(try store.partners(matching: PartnerFilter()).count), "ranked": String(ranking.rows.count),
                       "non_responders": String(ranking.rows.filter(\.nonResponse).count), "overdue": String(overdue.count)],
            "tiers": RiskTier.allCases.reversed().map { tier in ["tier": tier.label, "count": String(ranking.rows.filter { $0.tier == tier }.count)] },
            "overdue": overdue.map { item in
                ["partner_id": String(item.partner.id), "name": item.partner.name, "due": item.lastReview ?? "-",
                 "tier": ranking.rows.first { row in row.partner.id == item.partner.id }?.tierLabel ?? "-"]
            },
            "flags": flagged.map { ["partner_id": String($0.partner.id), "name": $0.partner.name, "text": $0.headline] },
            "ranking": ranking.rows.enumerated().map { index, row in
                ["rank": String(index + 1), "partner_id": String(row.partner.id), "name": row.partner.name, "sector": row.partner.sector.rawValue,
                 "country": row.partner.country, "tier": row.tierLabel, "risk": row.overallRisk.map(Self.number) ?? (row.overdue == nil ? "no response" : "overdue"),
                 "worst": row.worst.joined(separator: ", "), "next_due": row.nextDue ?? "-"]
            },
        ]
        return try templates.render("reports/program.html", context)
    }
}
