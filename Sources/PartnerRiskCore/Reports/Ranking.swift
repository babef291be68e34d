import Foundation

/// The risk ranking: every active partner with a score or a non-response, riskiest first.
public struct Ranking: Sendable {
    public struct Row: Sendable, Equatable {
        public var partner: Partner
        public var tier: RiskTier
        public var overallRisk: Double?
        public var worst: [String]
        public var flags: Int
        public var knockout: Bool
        public var nonResponse: Bool
        /// Past the deadline without an answer, not yet a knock-out: "overdue — reminder 1 of 2 due".
        public var overdue: String?
        /// The campaign whose deadline passed without a complete response (overdue and non-response rows).
        public var awaitedBy: Int64?
        public var lastReview: String?
        public var nextDue: String?
        public var headline: String
        /// Sanctions-list hits waiting for the officer (confirmed ones are knock-outs).
        public var openHits = 0
        /// Corrective actions still open, and those of them past their due date.
        public var openActions = 0
        public var overdueActions = 0

        /// Not scored, not a knock-out, but needing the officer: overdue, or a sanctions hit to review.
        public var isPending: Bool { overdue != nil || (overallRisk == nil && !knockout && !nonResponse && openHits > 0) }

        /// The tier as shown: "Overdue" for a partner past the deadline that is not yet a knock-out,
        /// "Unscored" for one with a sanctions hit to review and no answers yet.
        public var tierLabel: String { overdue != nil ? "Overdue" : (isPending ? "Unscored" : tier.label) }
    }

    public var rows: [Row]

    /// Rows already in order (a view of another ranking: filtered, sorted).
    public init(rows: [Row]) { self.rows = rows }

    /// Builds the ranking as of `asOf` from the latest scores and the non-responders.
    public static func build(scores: [StoredScore], nonResponders: [NonResponder], partners: [Partner], config: ScoringConfig,
                             asOf: Date, language: Language = .en, hits: [ScreeningHit] = []) -> Ranking {
        let byID = Dictionary(uniqueKeysWithValues: partners.map { ($0.id, $0) })
        var rows: [Row] = []
        var seen = Set<Int64>()
        for score in scores {
            guard let partner = byID[score.partnerID] else { continue }
            seen.insert(score.partnerID)
            let reviewed = score.reviewedAt.flatMap { DayFormat.parseTimestamp($0) }
            let due = reviewed.map { DayFormat.adding(months: config.reviewInterval(for: score.tier), to: $0) }
            var risk = score.overallRisk
            var tier = score.tier
            var headline = (language == .fr ? score.topReasonFR : score.topReason) ?? score.factors.first?.text.text(language) ?? ""
            var lapsed = false
            if let due, due < asOf {
                risk = min(100, risk + config.overduePenaltyPoints)
                tier = max(tier, config.tier(for: risk))
                // Long overdue: the answers are too old to rely on, as if the partner had not answered.
                let late = DayFormat.daysBetween(due, asOf)
                if late > config.overdueAsNonResponseDays {
                    lapsed = true
                    tier = max(tier, config.knockoutMinTier)
                    headline = language == .fr ? "Revue en retard de \(late) jours (plus de \(config.overdueAsNonResponseDays)) : comptée comme une non-réponse"
                        : "Review overdue by \(late) days (more than \(config.overdueAsNonResponseDays)): counts as a non-response"
                }
            }
            let worst = score.worstSummary.map { $0.isEmpty ? [] : $0.components(separatedBy: ", ") }
                ?? score.categories.sorted { $0.risk > $1.risk }.prefix(2).map { "\($0.category.rawValue) \(Int($0.risk.rounded()))" }
            let flags = score.flagCount ?? score.factors.filter { $0.kind == .knockout || $0.kind == .redFlag }.count
            rows.append(Row(partner: partner, tier: tier, overallRisk: risk, worst: worst, flags: flags + (lapsed ? 1 : 0), knockout: score.knockout || lapsed,
                            nonResponse: lapsed, overdue: nil, lastReview: reviewed.map(DayFormat.day), nextDue: due.map(DayFormat.day),
                            headline: headline))
        }
        for missing in nonResponders where !seen.contains(missing.partnerID) {
            guard let partner = byID[missing.partnerID] else { continue }
            seen.insert(missing.partnerID)
            guard missing.knockout else {
                let status = overdueText(missing, config: config, language: language)
                rows.append(Row(partner: partner, tier: .medium, overallRisk: nil, worst: [], flags: 0, knockout: false, nonResponse: false,
                                overdue: status, awaitedBy: missing.campaignID, lastReview: nil, nextDue: nil, headline: status))
                continue
            }
            let reached = missing.undeliverable ? (en: "no message reached the partner", fr: "aucun message n'a atteint le partenaire")
                : (en: "\(missing.remindersSent) reminders sent", fr: "\(missing.remindersSent) rappels envoyés")
            rows.append(Row(partner: partner, tier: config.knockoutMinTier, overallRisk: nil, worst: [], flags: 1, knockout: true,
                            nonResponse: true, overdue: nil, awaitedBy: missing.campaignID, lastReview: nil, nextDue: nil,
                            headline: language == .fr ? "Aucune réponse complète \(config.nonResponseDaysAfterDeadline) jours après l'échéance du \(missing.deadline) (campagne \(missing.campaignID)), \(reached.fr)"
                                : "No complete response \(config.nonResponseDaysAfterDeadline) days after the \(missing.deadline) deadline (campaign \(missing.campaignID)), \(reached.en): unknown risk is high risk"))
        }
        // A confirmed sanctions hit ranks the partner as a knock-out even before it has answered.
        for hit in hits where hit.status == .confirmed && !seen.contains(hit.partnerID) {
            guard let partner = byID[hit.partnerID] else { continue }
            seen.insert(hit.partnerID)
            rows.append(Row(partner: partner, tier: config.knockoutMinTier, overallRisk: nil, worst: [], flags: 1, knockout: true, nonResponse: false,
                            overdue: nil, lastReview: nil, nextDue: nil, headline: FactorText.sanctionsHit(hit).text(language)))
        }
        let open = Dictionary(grouping: hits.filter { $0.status == .open }, by: \.partnerID)
        for index in rows.indices { rows[index].openHits = open[rows[index].partner.id]?.count ?? 0 }
        for (partnerID, partnerHits) in open where !seen.contains(partnerID) {
            guard let partner = byID[partnerID] else { continue }
            // Not yet answered, not yet decided: listed so the officer sees the hit, at the bottom.
            var row = Row(partner: partner, tier: .medium, overallRisk: nil, worst: [], flags: 0, knockout: false, nonResponse: false,
                          overdue: nil, lastReview: nil, nextDue: nil,
                          headline: language == .fr ? "Correspondance possible sur une liste de sanctions, à examiner" : "Possible sanctions list match to review")
            row.openHits = partnerHits.count
            rows.append(row)
        }
        // Positions are sorted on small keys and the rows moved once (a row is large to move).
        // An overdue partner (unknown risk, not yet a knock-out) sorts between High and Medium.
        let keys = rows.map { (tier: $0.tier.rank * 2 + ($0.isPending ? 1 : 0), risk: $0.overallRisk ?? 100, name: $0.partner.name) }
        let order = keys.indices.sorted { lhs, rhs in
            let (left, right) = (keys[lhs], keys[rhs])
            if left.tier != right.tier { return left.tier > right.tier }
            if left.risk != right.risk { return left.risk > right.risk }
            return left.name < right.name
        }
        return Ranking(rows: order.map { rows[$0] })
    }

    /// "overdue — reminder 1 of 2 due": what stands between an overdue partner and the non-response knock-out.
    static func overdueText(_ missing: NonResponder, config: ScoringConfig, language: Language) -> String {
        let next = min(missing.remindersSent + 1, max(1, config.nonResponseReminders))
        if missing.remindersSent < config.nonResponseReminders {
            return language == .fr ? "en retard — rappel \(next) sur \(config.nonResponseReminders) à envoyer (échéance du \(missing.deadline), campagne \(missing.campaignID))"
                : "overdue — reminder \(next) of \(config.nonResponseReminders) due (deadline \(missing.deadline), campaign \(missing.campaignID))"
        }
        return language == .fr ? "en retard — rappels envoyés; non-réponse \(config.nonResponseDaysAfterDeadline) jours après l'échéance du \(missing.deadline)"
            : "overdue — reminders sent; a non-response knock-out \(config.nonResponseDaysAfterDeadline) days after the \(missing.deadline) deadline"
    }

    /// The ranking with each partner's open and overdue corrective actions counted (as of `day`).
    public func counting(actions: [CorrectiveAction], on day: String) -> Ranking {
        let open = Dictionary(grouping: actions.filter(\.isOpen), by: \.partnerID)
        return Ranking(rows: rows.map { row in
            var row = row
            row.openActions = open[row.partner.id]?.count ?? 0
            row.overdueActions = open[row.partner.id]?.filter { $0.isOverdue(on: day) }.count ?? 0
            return row
        })
    }

    public func filtered(tier: RiskTier?, sector: Sector?, country: String?) -> Ranking {
        Ranking(rows: rows.filter { row in
            (tier == nil || (row.tier == tier && !row.isPending)) && (sector == nil || row.partner.sector == sector)
                && (country.map { row.partner.country == $0.uppercased() } ?? true)
        })
    }

    public var listing: Listing {
        Listing(
            columns: ["rank", "id", "partner", "sector", "country", "tier", "risk", "worst", "flags", "last_review", "next_due", "open_actions", "overdue_actions", "open_hits"],
            rows: rows.enumerated().map { index, row in
                [String(index + 1), String(row.partner.id), row.partner.name, row.partner.sector.rawValue, row.partner.country,
                 row.tierLabel + (row.knockout ? " KO" : ""), row.overallRisk.map { String(Int($0.rounded())) } ?? "n/r",
                 row.worst.joined(separator: ", "), String(row.flags), row.lastReview ?? "-", row.nextDue ?? "-",
                 String(row.openActions), String(row.overdueActions), String(row.openHits)]
            },
            objects: rows.enumerated().map { index, row in
                ["rank": .number(Double(index + 1)), "partner_id": .number(Double(row.partner.id)), "partner": .string(row.partner.name),
                 "sector": .string(row.partner.sector.rawValue), "country": .string(row.partner.country),
                 "tier": .string(row.tierLabel), "overdue": .text(row.overdue),
                 "overall_risk": row.overallRisk.map { .number(($0 * 10).rounded() / 10) } ?? .null, "knockout": .bool(row.knockout),
                 "non_response": .bool(row.nonResponse), "worst_categories": .array(row.worst.map(JSONValue.string)),
                 "flags": .number(Double(row.flags)), "last_review": .text(row.lastReview), "next_review_due": .text(row.nextDue),
                 "top_reason": .string(row.headline), "open_actions": .number(Double(row.openActions)),
                 "overdue_actions": .number(Double(row.overdueActions)), "open_hits": .number(Double(row.openHits))]
            })
    }

    /// The terminal table: fits 100 columns, colour by tier when `colour` (a TTY).
    public func terminalTable(colour: Bool) -> String {
        let headers = ["#", "id", "partner", "sector", "cc", "tier", "risk", "worst categories", "flags", "due"]
        let body = rows.enumerated().map { index, row -> [String] in
            let risk: String = row.overallRisk.map { String(Int($0.rounded())) } ?? "n/r"
            let tier: String = row.tierLabel + (row.knockout ? "!" : "")
            return [String(index + 1), String(row.partner.id), String(row.partner.name.prefix(24)), String(row.partner.sector.rawValue.prefix(15)),
                    row.partner.country, tier, risk, String(row.worst.joined(separator: ", ").prefix(22)), String(row.flags + row.openHits), row.nextDue ?? "-"]
        }
        var lines = TextTable(headers: headers, rows: body, maxColumnWidth: 24).render().components(separatedBy: "\n")
        if colour {
            for (index, row) in rows.enumerated() where index + 2 < lines.count {
                let code: String
                switch row.tier {
                case .low: code = "32"
                case .medium: code = "33"
                case .high: code = "31"
                case .critical: code = "1;31"
                }
                lines[index + 2] = "\u{1B}[\(code)m" + lines[index + 2] + "\u{1B}[0m"
            }
        }
        var counts = RiskTier.allCases.reversed().map { tier in "\(tier.label) \(rows.filter { $0.tier == tier && !$0.isPending }.count)" }
        let overdue = rows.filter { $0.overdue != nil }.count
        if overdue > 0 { counts.insert("Overdue \(overdue)", at: 2) }
        let unscored = rows.filter { $0.isPending && $0.overdue == nil }.count
        if unscored > 0 { counts.append("Unscored with a hit \(unscored)") }
        var footer = ["", "\(rows.count) partners ranked: " + counts.joined(separator: ", ") + "  (! = knock-out, n/r = no response)"]
        let late = rows.filter { $0.overdueActions > 0 }
        if !late.isEmpty {
            footer.append("overdue corrective actions: " + late.map { "\($0.partner.id) (\($0.overdueActions))" }.joined(separator: ", ") + " (see `partner-risk actions list --overdue`)")
        }
        return (lines + footer).joined(separator: "\n")
    }
}
