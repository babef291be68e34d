import Foundation

/// Decides who is due for re-review and why: the 12-month clock (6 for High and Critical), and
/// early triggers — a country list change touching the partner, an ownership change or incident
/// reported in an answer, a red flag, a changed partner record, an officer's flag.
public struct ReviewPlanner {
    public struct Due: Sendable, Equatable {
        public var partner: Partner
        public var reasons: [String]
        public var lastReview: String?
        public var hasFullReview: Bool
        /// The review interval of its tier has passed (an overdue review, not an early trigger).
        public var intervalPassed = false
    }

    public let config: ScoringConfig
    public let countries: CountryRiskList
    public let survey: Survey?

    public init(config: ScoringConfig, countries: CountryRiskList, survey: Survey?) {
        self.config = config
        self.countries = countries
        self.survey = survey
    }

    public func due(partners: [Partner], records: [ReviewRecord], asOf: Date) -> [Due] {
        let byPartner = Dictionary(records.map { ($0.partnerID, $0) }, uniquingKeysWith: { first, _ in first })
        return partners.compactMap { partner -> Due? in
            guard partner.active else { return nil }
            let id = partner.id
            let record = byPartner[id]
            if record?.pendingInvitation == true { return nil }
            let reasons = self.reasons(partner, record, asOf: asOf)
            guard !reasons.isEmpty else { return nil }
            var due = Due(partner: partner, reasons: reasons, lastReview: record?.reviewedAt.map(DayFormat.day), hasFullReview: record?.hasFullReview ?? false)
            due.intervalPassed = record.flatMap { intervalEnd($0) }.map { $0 <= asOf } ?? false
            return due
        }.sorted { $0.partner.name < $1.partner.name }
    }

    func reasons(_ partner: Partner, _ record: ReviewRecord?, asOf: Date) -> [String] {
        guard let record, let reviewed = record.reviewedAt else { return ["no complete review on file"] }
        var reasons: [String] = []
        let months = config.reviewInterval(for: record.tier ?? .high)
        if let due = intervalEnd(record), due <= asOf { reasons.append("\(months) months since the last review on \(DayFormat.day(reviewed)) (due \(DayFormat.day(due)))") }
        reasons += countryChanges(partner, record)
        reasons += answerTriggers(record)
        if !record.redFlags.isEmpty { reasons.append("knock-out or red flag at the last review: " + record.redFlags.joined(separator: ", ")) }
        if partner.updatedAt > reviewed { reasons.append("partner record changed on \(DayFormat.day(partner.updatedAt))") }
        reasons += record.openFlags.map { "officer flag: \($0)" }
        return reasons
    }

    /// When the review interval of the record's tier ends (nil without a review on file).
    func intervalEnd(_ record: ReviewRecord) -> Date? {
        record.reviewedAt.map { DayFormat.adding(months: config.reviewInterval(for: record.tier ?? .high), to: $0) }
    }

    func countryChanges(_ partner: Partner, _ record: ReviewRecord) -> [String] {
        guard let text = record.countryListText, text != countries.text,
              let old = ScoringConfigParser().parseCountryList(text, file: "stored").list else { return [] }
        var codes: Set<String> = [partner.country]
        for question in survey?.questions ?? [] where question.role?.hasPrefix("countries.") == true {
            for item in record.answers.value(question.id)?.arrayValue ?? [] { if let code = item.stringValue { codes.insert(code) } }
        }
        return codes.sorted().compactMap { code in
            let before = old.lists(containing: code), after = countries.lists(containing: code)
            guard before != after else { return nil }
            return "country list change: \(code) \(before.isEmpty ? "unlisted" : before.joined(separator: "+")) → \(after.isEmpty ? "unlisted" : after.joined(separator: "+")) (list of \(countries.listDate))"
        }
    }

    func answerTriggers(_ record: ReviewRecord) -> [String] {
        guard let survey else { return [] }
        var reasons: [String] = []
        for question in survey.questions {
            guard let role = question.role, role.hasPrefix("trigger."), let value = record.answers.value(question.id) else { continue }
            let fired: Bool
            if let items = value.arrayValue { fired = items.contains { $0.stringValue != "none" } } else { fired = value.stringValue == "yes" }
            if fired { reasons.append("reported at the last review: \(role.dropFirst("trigger.".count).replacingOccurrences(of: "_", with: " ")) (\(question.id))") }
        }
        return reasons
    }
}
