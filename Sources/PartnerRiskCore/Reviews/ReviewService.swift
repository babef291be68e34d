import Foundation

/// The yearly cycle: who is due, start their re-review campaign, record the officer's decision.
public struct ReviewService: Sendable {
    public let store: any Repositories
    public let catalog: SurveyCatalog
    public let time: TimeSource

    public init(store: any Repositories, catalog: SurveyCatalog, time: TimeSource) {
        self.store = store
        self.catalog = catalog
        self.time = time
    }

    public func due() throws -> [ReviewPlanner.Due] {
        let full = try catalog.survey(id: "pip-partner-security")
        let (config, countries) = try catalog.scoring(for: full)
        let annual = try? catalog.survey(id: "pip-annual-update")
        var planner = ReviewPlanner(config: config, countries: countries, survey: full)
        let records = try store.reviewRecords()
        var due = planner.due(partners: try store.partners(matching: PartnerFilter()), records: records, asOf: time.now())
        // Answers to the annual survey carry its own trigger questions.
        if let annual {
            planner = ReviewPlanner(config: config, countries: countries, survey: annual)
            let extra = planner.due(partners: try store.partners(matching: PartnerFilter()), records: records, asOf: time.now())
            for item in extra where !due.contains(where: { $0.partner.id == item.partner.id }) { due.append(item) }
            due = due.map { item in
                var merged = item
                if let other = extra.first(where: { $0.partner.id == item.partner.id }) {
                    var seen = Set<String>()
                    merged.reasons = (item.reasons + other.reasons).filter { seen.insert($0).inserted }
                }
                return merged
            }
        }
        return try withConfirmedHits(try withOverdueActions(due)).sorted { $0.partner.name < $1.partner.name }
    }

    /// A partner with an open corrective action past its due date is due, with the action named.
    func withOverdueActions(_ due: [ReviewPlanner.Due]) throws -> [ReviewPlanner.Due] {
        let today = DayFormat.day(time.now())
        let overdue = Dictionary(grouping: try store.actions(partnerID: nil, openOnly: true).filter { $0.isOverdue(on: today) }, by: \.partnerID)
        return try adding(overdue.mapValues { $0.map { "corrective action \($0.id) overdue since \($0.due): \($0.finding) (\($0.owner))" } }, to: due)
    }

    /// A sanctions-list hit confirmed since the partner's last review makes it due, the hit named.
    func withConfirmedHits(_ due: [ReviewPlanner.Due]) throws -> [ReviewPlanner.Due] {
        let confirmed = Dictionary(grouping: try store.screeningHits(partnerID: nil, status: .confirmed), by: \.partnerID)
        guard !confirmed.isEmpty else { return due }
        let last = Dictionary(try store.reviewRecords().map { ($0.partnerID, $0.reviewedAt.map(DayFormat.timestamp) ?? "") }, uniquingKeysWith: { first, _ in first })
        let reasons = confirmed.mapValues { hits in
            hits.filter { ($0.decidedAt ?? "") > (last[$0.partnerID] ?? "") }
                .map { "sanctions list hit confirmed on \(($0.decidedAt ?? "").prefix(10)): \($0.list) \($0.entryKey) “\($0.matchedName)”" }
        }
        return try adding(reasons, to: due)
    }

    /// `due` with these reasons (by partner) added: to the partner's entry, or as a new one.
    func adding(_ reasons: [Int64: [String]], to due: [ReviewPlanner.Due]) throws -> [ReviewPlanner.Due] {
        let reasons = reasons.filter { !$0.value.isEmpty }
        guard !reasons.isEmpty else { return due }
        var result = due
        let records = Dictionary(try store.reviewRecords().map { ($0.partnerID, $0) }, uniquingKeysWith: { first, _ in first })
        for partner in try store.partners(matching: PartnerFilter()) {
            guard let extra = reasons[partner.id] else { continue }
            if let index = result.firstIndex(where: { $0.partner.id == partner.id }) {
                result[index].reasons += extra
            } else {
                let record = records[partner.id]
                result.append(ReviewPlanner.Due(partner: partner, reasons: extra, lastReview: record?.reviewedAt.map(DayFormat.day),
                                                hasFullReview: record?.hasFullReview ?? false))
            }
        }
        return result
    }

    /// One campaign for exactly the partners due: the annual update for those with a full review
    /// on file, the full survey for the others.
    public func start(deadline: String, sender: MailAddress) throws -> (Campaign, Int)? {
        let due = try self.due()
        guard !due.isEmpty else { return nil }
        let full = try catalog.survey(id: "pip-partner-security")
        let annual = try catalog.survey(id: "pip-annual-update")
        let withFull = Set(due.filter(\.hasFullReview).map(\.partner.id))
        let campaign = try CampaignService(partners: store, surveys: store, campaigns: store, time: time).create(
            survey: full, audience: .partners(due.map(\.partner.id)), deadline: deadline, sender: sender,
            name: "Annual partner re-review — \(DayFormat.day(time.now()))", alternateSurvey: annual,
            useAlternate: { withFull.contains($0.id) })
        return (campaign, due.count)
    }

    public static func listing(_ due: [ReviewPlanner.Due]) -> Listing {
        Listing(
            columns: ["id", "partner", "sector", "country", "last_review", "survey", "reasons"],
            rows: due.map { [String($0.partner.id), $0.partner.name, $0.partner.sector.rawValue, $0.partner.country, $0.lastReview ?? "-",
                             $0.hasFullReview ? "annual update" : "full", $0.reasons.joined(separator: "; ")] },
            objects: due.map {
                ["partner_id": .number(Double($0.partner.id)), "partner": .string($0.partner.name), "sector": .string($0.partner.sector.rawValue),
                 "country": .string($0.partner.country), "last_review": .text($0.lastReview),
                 "survey": .string($0.hasFullReview ? "pip-annual-update" : "pip-partner-security"),
                 "reasons": .array($0.reasons.map(JSONValue.string))]
            })
    }
}
