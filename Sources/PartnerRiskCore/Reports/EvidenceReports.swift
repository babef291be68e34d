import Foundation

/// The printable HTML records: one partner's evidence pack, and the whole program's overview.
public struct EvidenceReports {
    public let store: any Repositories
    /// The scoring config (its knock-out floor is explained), parsed once per change of the file.
    public let scoring: ScoringSource
    public let templates: any TemplateRendering
    public let officer: AppConfig.Officer
    /// The as-of clock (`--as-of`): what the report is about.
    public let time: TimeSource
    /// The real clock: when the report was made.
    public let clock: TimeSource
    /// The officer's language, for explanations and answers.
    public let language: Language

    public init(store: any Repositories, scoring: ScoringSource, templates: any TemplateRendering, officer: AppConfig.Officer, time: TimeSource,
                clock: TimeSource = SystemTime(), language: Language = .en) {
        self.store = store
        self.scoring = scoring
        self.templates = templates
        self.officer = officer
        self.time = time
        self.clock = clock
        self.language = language
    }

    /// "Generated …" is the real time; "as of …" is added when the report looks at another day.
    var stamps: [String: Any] {
        let (generated, asOf) = (clock.now(), time.now())
        var stamps: [String: Any] = ["generated_at": DayFormat.timestamp(generated)]
        if DayFormat.day(generated) != DayFormat.day(asOf) { stamps["as_of"] = DayFormat.day(asOf) }
        return stamps
    }

    /// The banner of a knock-out, worded for the tier the partner has.
    func knockoutBanner(_ tier: RiskTier) throws -> String {
        let floor = (try? scoring.scoring().0.knockoutMinTier) ?? .high
        return "Knock-out: a critical control is missing or a red line is crossed, which rates a partner at least \(floor.label) "
            + "whatever its other answers. This partner is rated \(tier.label)."
    }

    var member: [String: Any] { ["company": officer.company ?? "—", "officer": officer.name ?? "—"] }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    public func partnerReport(_ partner: Partner) throws -> String {
        try templates.render("reports/partner.html", try partnerContext(partner))
    }

    /// What the partner report shows, as template values (the officer workspace's partner page
    /// shows the same, with its forms around it).
    public func partnerContext(_ partner: Partner) throws -> [String: Any] {
        let id = partner.id
        let scores = try store.scoreHistory(partnerID: id)
        let responses = try store.responses(campaignID: nil, partnerID: id)
        var context: [String: Any] = stamps.merging(["member": member]) { first, _ in first }
        var identity: [String: Any] = ["id": String(id), "name": partner.name, "email": partner.email, "country": partner.country,
                                       "sector": partner.sector.rawValue, "language": partner.language.rawValue]
        if let contact = partner.contactName { identity["contact"] = contact }
        if let trusted = partner.trustedTrader { identity["trusted_trader"] = trusted + " (declared in the partner file, not verified)" }
        if let external = partner.externalID { identity["external_id"] = external }
        if !partner.tags.isEmpty { identity["tags"] = partner.tags.joined(separator: ", ") }
        if !partner.aliases.isEmpty { identity["aliases"] = partner.aliases.joined(separator: "; ") }
        context["partner"] = identity
        if let score = scores.last {
            context["score"] = ["tier": score.tier.label, "risk": Self.number(score.overallRisk), "base": Self.number(score.baseRisk),
                                "multiplier": score.countryMultiplier.formatted(), "knockout": score.knockout,
                                "survey_version": score.surveyVersion ?? "-", "config_version": score.configVersion ?? "-",
                                "computed_at": score.computedAt, "banner": score.knockout ? try knockoutBanner(score.tier) : ""]
            context["categories"] = score.categories.sorted { $0.risk > $1.risk }.map {
                ["name": $0.category.title.text(language), "risk": Self.number($0.risk), "control": Self.number($0.control), "capped": $0.capped] as [String: Any]
            }
            context["factors"] = score.factors.map {
                ["kind": $0.kind.rawValue, "code": $0.code, "flag": $0.kind == .redFlag, "label": FactorText.kindLabel($0.kind, language), "text": $0.text.text(language)]
            }
        }
        context["changes"] = try PartnerSheet.changesBetweenLastReviews(PartnerSheet(partner: partner, audit: [], scores: scores, responses: responses), store: store)
            .map { $0.trimmingCharacters(in: .whitespaces) }
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
                let section = survey.sections.first { $0.id == question.sectionID }?.title.text(language) ?? question.sectionID
                return ["section": section, "question_id": question.id, "text": question.text.text(language),
                        "answer": FactorText.label(question, answer, language)]
            }
            context["declared_membership"] = survey.questions.filter { $0.role?.hasPrefix("trusted_trader.") == true }.compactMap { question -> [String: Any]? in
                guard let answer = answers[question.id] else { return nil }
                return ["text": question.text.text(language), "answer": FactorText.label(question, answer, language)]
            }
        }
        context["evidence"] = try store.evidenceItems(partnerID: id, status: nil).map { file -> [String: Any] in
            var item: [String: Any] = ["id": String(file.id), "name": file.name, "sha256": file.sha256, "uploaded_at": file.receivedAt, "channel": file.channel,
                                       "status": file.status.rawValue, "reason": file.reason]
            if let question = file.questionID { item["question_id"] = question }  // else "not yet assigned"
            if let reviewer = file.reviewedBy { item["reviewed"] = "\(reviewer), \(file.reviewedAt ?? "")" }
            return item
        }
        context["memberships"] = try store.verifiedMemberships(partnerID: id).map { membership -> [String: Any] in
            ["program": membership.program, "number": membership.number, "expires": membership.expires ?? "none (waives nothing)",
             "verified_by": membership.verifiedBy, "verified_at": membership.verifiedAt, "note": membership.note]
        }
        context["hits"] = try store.screeningHits(partnerID: id, status: nil).map { hit -> [String: Any] in
            ["id": String(hit.id), "list": hit.list, "entry": "\(hit.entryKey) \(hit.entryName)", "program": hit.program, "matched_name": hit.matchedName,
             "screened": "\(hit.screenedAs) “\(hit.screenedName)”", "score": String(format: "%.2f", hit.score), "status": hit.status.rawValue,
             "decided": hit.decidedBy.map { "\($0), \(hit.decidedAt ?? "")" } ?? "", "note": hit.note]
        }
        let today = DayFormat.day(time.now())
        context["actions"] = try store.actions(partnerID: id, openOnly: false).map { action -> [String: Any] in
            ["id": String(action.id), "finding": action.finding, "due": action.due, "owner": action.owner, "note": action.note,
             "status": action.isOpen ? (action.isOverdue(on: today) ? "overdue" : "open") : "closed",
             "closed": action.closedAt.map { "\($0) by \(action.closedBy ?? "?"): \(action.closeNote ?? "")" + (action.closeEvidenceSHA256.map { " (SHA-256 \($0))" } ?? "") } ?? ""]
        }
        context["sign_offs"] = try store.signOffs(partnerID: id).map { ["at": $0.at, "actor": $0.actor, "decision": $0.decision, "note": $0.note] }
        context["audit"] = try store.auditEntries(subject: "partner:\(id)").map { ["at": $0.at, "actor": $0.actor, "action": $0.action, "detail": $0.detail] }
        return context
    }

    public func programReport(ranking: Ranking, due: [ReviewPlanner.Due]) throws -> String {
        let overdue = due.filter(\.intervalPassed)
        // Every open knock-out and red flag of every partner, not only the first reason.
        let factors = Dictionary(try store.latestScoresDetailed().map { ($0.partnerID, $0.factors) }, uniquingKeysWith: { first, _ in first })
        let flags: [[String: Any]] = ranking.rows.flatMap { row -> [[String: Any]] in
            let base: [String: Any] = ["partner_id": String(row.partner.id), "name": row.partner.name, "tier": row.tierLabel]
            var status: [[String: Any]] = []
            if row.nonResponse || row.overdue != nil {
                let label = row.knockout ? FactorText.kindLabel(.knockout, language) : "Overdue"
                status = [base.merging(["text": row.headline, "knockout": row.knockout, "label": label] as [String: Any]) { first, _ in first }]
            }
            if row.openHits > 0 {
                let text = "\(row.openHits) possible sanctions-list match(es) to confirm or clear (`partner-risk screening hits --partner \(row.partner.id)`)"
                status.append(base.merging(["text": text, "knockout": false, "label": "Screening"] as [String: Any]) { first, _ in first })
            }
            return status + (factors[row.partner.id] ?? []).filter { $0.kind == .knockout || $0.kind == .redFlag }.map { factor in
                let item: [String: Any] = ["text": factor.text.text(language), "knockout": factor.kind == .knockout, "label": FactorText.kindLabel(factor.kind, language)]
                return base.merging(item) { first, _ in first }
            }
        }
        var tiers = RiskTier.allCases.reversed().map { tier in ["tier": tier.label, "count": String(ranking.rows.filter { $0.tier == tier && !$0.isPending }.count)] }
        tiers.insert(["tier": "Overdue", "count": String(ranking.rows.filter { $0.overdue != nil }.count)], at: 2)
        let today = DayFormat.day(time.now())
        let totals: [String: String] = [
            "partners": String(try store.partners(matching: PartnerFilter()).count), "ranked": String(ranking.rows.count),
            "non_responders": String(ranking.rows.filter(\.nonResponse).count), "overdue": String(overdue.count),
            "overdue_actions": String(ranking.rows.reduce(0) { $0 + $1.overdueActions })]
        let overdueRows: [[String: String]] = overdue.map { item in
            ["partner_id": String(item.partner.id), "name": item.partner.name, "due": item.lastReview ?? "-",
             "tier": ranking.rows.first { row in row.partner.id == item.partner.id }?.tierLabel ?? "-"]
        }
        let lateActions: [[String: String]] = try store.actions(partnerID: nil, openOnly: true).filter { $0.isOverdue(on: today) }.map { action in
            ["id": String(action.id), "partner_id": String(action.partnerID), "name": action.partnerName, "finding": action.finding,
             "due": action.due, "owner": action.owner]
        }
        let rankingRows: [[String: Any]] = ranking.rows.enumerated().map { index, row in
            let risk = row.overallRisk.map(Self.number) ?? (row.overdue == nil ? "no response" : "overdue")
            return ["rank": String(index + 1), "partner_id": String(row.partner.id), "name": row.partner.name, "sector": row.partner.sector.rawValue,
                    "country": row.partner.country, "tier": row.tierLabel, "knockout": row.knockout, "risk": risk,
                    "worst": row.worst.joined(separator: ", "), "next_due": row.nextDue ?? "-",
                    "overdue_actions": row.overdueActions > 0 ? String(row.overdueActions) : ""]
        }
        var context = stamps
        context["as_of"] = today
        context["member"] = member
        context["totals"] = totals
        context["tiers"] = tiers
        context["overdue"] = overdueRows
        context["actions"] = lateActions
        context["flags"] = flags
        context["ranking"] = rankingRows
        return try templates.render("reports/program.html", context)
    }
}
