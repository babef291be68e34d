import Foundation

/// Everything one score is computed from. The engine does no I/O.
public struct ScoreInput: Sendable {
    public var survey: Survey
    public var config: ScoringConfig
    public var countries: CountryRiskList
    public var partner: Partner
    public var answers: AnswerSet
    /// The answers by position in `survey.questions`; when given, `answers` is not read.
    public var positionedAnswers: PositionedAnswers?
    /// Questions for which a document was provided and not rejected (pending review counts).
    public var evidenceProvided: Set<String>
    /// What the officer decided: memberships verified, evidence falsified, flags accepted.
    public var review: OfficerReview
    public var asOf: Date

    public init(survey: Survey, config: ScoringConfig, countries: CountryRiskList, partner: Partner, answers: AnswerSet,
                evidenceProvided: Set<String> = [], review: OfficerReview = .none, asOf: Date) {
        self.survey = survey
        self.config = config
        self.countries = countries
        self.partner = partner
        self.answers = answers
        self.evidenceProvided = evidenceProvided
        self.review = review
        self.asOf = asOf
    }

    /// An input whose answers are already by position (as read from storage).
    public init(survey: Survey, config: ScoringConfig, countries: CountryRiskList, partner: Partner,
                positionedAnswers: PositionedAnswers, evidenceProvided: Set<String> = [], review: OfficerReview = .none, asOf: Date) {
        self.init(survey: survey, config: config, countries: countries, partner: partner, answers: AnswerSet(),
                  evidenceProvided: evidenceProvided, review: review, asOf: asOf)
        self.positionedAnswers = positionedAnswers
    }
}

/// A category's running sums while scoring one partner.
struct CategorySums {
    var weighted = 0.0
    var total = 0.0
    var capped = false
    /// The must and knock-out questions without credit that capped the category, with their answers.
    var cappedBy: [(question: Question, value: JSONValue?)] = []
}

/// Credit a question lost, and why.
struct CreditLoss {
    var question: Question
    var value: JSONValue?
    var lost: Double
    var reason: FactorText.LossReason
}

/// One category's result: control score (0–100, higher is better) and risk (100 − control).
public struct CategoryScore: Sendable, Equatable, Codable {
    public var category: Category
    public var control: Double
    public var risk: Double
    /// A "must" answered no capped the control score.
    public var capped: Bool
    public var weight: Double

    public init(category: Category, control: Double, risk: Double, capped: Bool, weight: Double) {
        self.category = category
        self.control = control
        self.risk = risk
        self.capped = capped
        self.weight = weight
    }

    /// Reads `category:control:risk:capped;…` as `ScoreRecord.categories` stores it (weights are
    /// not stored); nil or unreadable items give none.
    public static func decodeList(_ text: String?) -> [CategoryScore] {
        (text ?? "").split(separator: ";").compactMap { item in
            let parts = item.split(separator: ":")
            guard parts.count == 4, let category = Category(rawValue: String(parts[0])), let control = Double(parts[1]), let risk = Double(parts[2]) else { return nil }
            return CategoryScore(category: category, control: control, risk: risk, capped: parts[3] == "1", weight: 0)
        }
    }
}

/// One thing that drove a score, in the order an officer should read them.
public struct ScoreFactor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case knockout, redFlag = "red_flag", country, membership
        /// Credit lost to the answer given.
        case loss
        /// Credit lost to missing (or rejected) evidence.
        case evidence
        /// Credit lost to an expired certificate.
        case expired
        /// A category's control score capped by a must without credit.
        case cap
    }
    public var kind: Kind
    public var code: String
    public var text: LocalizedText
    /// Risk points this factor added to the overall risk (losses only).
    public var points: Double
}

extension ScoreFactor {
    /// The stored explanation: a JSON list of factors, each naming its sentence by id (`t`) in
    /// the store's table of explanation texts. Written by hand: this runs 100,000 times in a rescore.
    /// `textID` gives the stored id of factor `index`'s sentence.
    public static func encodeList(_ factors: [ScoreFactor], textID: (_ index: Int) throws -> Int64) rethrows -> String {
        try StoredExplanation(factors).text(textID: textID)
    }

    /// Reads a stored explanation: texts by id from `texts`, or inline (`text`) as scores stored
    /// before the text table had them.
    public static func decodeList(_ text: String, texts: [Int64: LocalizedText]) -> [ScoreFactor] {
        guard let items = JSONParser.parse(text)?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let object = item.objectValue, let kind = object["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) else { return nil }
            let localized: LocalizedText
            if let id = object["t"]?.numberValue { localized = texts[Int64(id)] ?? LocalizedText(en: "", fr: "") } else {
                let inline = object["text"]?.objectValue
                localized = LocalizedText(en: inline?["en"]?.stringValue ?? "", fr: inline?["fr"]?.stringValue ?? "")
            }
            return ScoreFactor(kind: kind, code: object["code"]?.stringValue ?? "", text: localized, points: object["points"]?.numberValue ?? 0)
        }
    }
}

/// A partner's computed risk with its explanation.
public struct ScoreResult: Sendable, Equatable {
    public var categories: [CategoryScore]
    public var baseRisk: Double
    public var countryMultiplier: Double
    public var overallRisk: Double
    public var tier: RiskTier
    public var knockout: Bool
    public var factors: [ScoreFactor]

    public var worstCategories: [CategoryScore] {
        categories.filter { $0.weight > 0 }.sorted { $0.risk > $1.risk }.prefix(2).map { $0 }
    }
}

/// The scoring model of `scoring.md`, driven entirely by the survey and the scoring config:
/// credit per answer, category control scores with the must-cap, sector weights, the country
/// multiplier, knock-outs, red flags, evidence, staleness and trusted-trader waivers.
public struct ScoringEngine {
    /// What this engine has worked out before: the same sentences and countries recur for
    /// thousands of partners.
    private let memo = ScoringMemo()

    public init() {}

    public func score(_ input: ScoreInput) -> ScoreResult {
        let sector = input.partner.sector
        var answers = input.positionedAnswers ?? input.survey.positionedAnswers(input.answers)
        let visibleIndices = input.survey.hideUnshown(for: sector, in: &answers)
        let questions = input.survey.questions
        let standing = membershipStanding(input, answers)
        let sectorWeights = input.config.sectorWeights[sector] ?? [:]
        var factors = standing.factors
        var sums = [CategorySums](repeating: CategorySums(), count: Category.allCases.count)
        var losses: [CreditLoss] = []
        for index in visibleIndices where questions[index].isScored {
            let question = questions[index]
            if case .notApplicable? = answers[index], question.allowNA { continue }
            let value = AnswerSet.usableValue(answers[index])
            let answered = self.credit(question, value, input)
            var credit = answered
            var reason = FactorText.LossReason.answer
            if let falsified = input.review.falsified[question.id] {
                (credit, reason) = (0, .falsified)
                factors.append(ScoreFactor(kind: .knockout, code: "evidence.falsified.\(question.id)",
                                           text: FactorText.falsified(question, reason: falsified), points: 0))
            } else if let expired = expiredCertificate(question, at: index, answers, standing, input) {
                (credit, reason) = (0, .expired(role: question.reliesOn ?? "", day: expired))
            } else if question.evidence.mode == .required && !input.evidenceProvided.contains(question.id)
                        && !(question.evidence.waivable && standing.waives) && answered > input.config.evidenceMissingMaxCredit {
                (credit, reason) = (input.config.evidenceMissingMaxCredit, .evidence)
            }
            let weight = Double(question.weight ?? 1)
            let category = question.category.ordinal
            sums[category].weighted += weight * credit
            sums[category].total += weight
            if credit == 0 && (question.level == .must || question.level == .knockout) {
                sums[category].capped = true
                sums[category].cappedBy.append((question, value))
            }
            if answered == 0 && question.level == .knockout {
                factors.append(ScoreFactor(kind: .knockout, code: question.id,
                                           text: FactorText.knockout(question, answer: FactorText.answer(question, value)), points: 0))
            }
            if answered < 1 { losses.append(CreditLoss(question: question, value: value, lost: 1 - answered, reason: .answer)) }
            if credit < answered { losses.append(CreditLoss(question: question, value: value, lost: answered - credit, reason: reason)) }
        }
        var categories: [CategoryScore] = []
        var uncapped: [Double] = []
        for category in Category.scored {
            let entry = sums[category.ordinal]
            guard entry.total > 0 else { continue }
            var control = 100 * entry.weighted / entry.total
            uncapped.append(control)
            if entry.capped { control = min(control, input.config.mustNoCap) }
            categories.append(CategoryScore(category: category, control: control, risk: 100 - control, capped: entry.capped,
                                            weight: sectorWeights[category] ?? 0))
        }
        let totalWeight = categories.reduce(0) { $0 + $1.weight }
        let baseRisk = totalWeight > 0 ? categories.reduce(0) { $0 + $1.weight * $1.risk } / totalWeight : 100
        let flags = redFlags(input, answers: answers)
        factors += flags.factors
        factors += input.review.confirmedHits.map {
            ScoreFactor(kind: .knockout, code: "sanctions.\($0.list).\($0.entryKey)", text: FactorText.sanctionsHit($0), points: 0)
        }
        let country = countryRisk(input, answers)
        factors += country.factors
        let knockout = factors.contains { $0.kind == .knockout }
        let overall = min(100, baseRisk * country.multiplier)
        var tier = input.config.tier(for: overall)
        if knockout { tier = max(tier, input.config.knockoutMinTier) }
        if flags.openMoney, let floor = input.config.openMoneyFlagMinTier { tier = max(tier, floor) }
        if let floor = country.floor { tier = max(tier, floor) }
        // The largest point losses and caps, together at most `maxLossFactors`.
        let caps = capFactors(categories, uncapped: uncapped, sums: sums, totalWeight: totalWeight, config: input.config)
        let points = lossFactors(losses, categories: categories, totalWeight: totalWeight, sums: sums, config: input.config)
        factors += caps.isEmpty ? points : Array((caps + points).sorted { $0.points > $1.points }.prefix(Self.maxLossFactors))
        return ScoreResult(categories: categories, baseRisk: baseRisk, countryMultiplier: country.multiplier, overallRisk: overall,
                           tier: tier, knockout: knockout, factors: order(factors))
    }

    /// Credit for one answer: yes 1, partial 0.5, no 0 (from config), option credits, number bands,
    /// stale dates 0, anything else 1 when answered; unanswered 0.
    func credit(_ question: Question, _ value: JSONValue?, _ input: ScoreInput) -> Double {
        guard let value else { return 0 }
        switch question.type {
        case .yesNo, .yesNoPartial:
            return value.stringValue.flatMap { input.config.credit[$0] } ?? 0
        case .singleChoice:
            return value.stringValue.flatMap { question.option($0)?.credit } ?? 0
        case .multiChoice:
            let chosen = value.arrayValue?.compactMap { $0.stringValue.flatMap(question.option) } ?? []
            return chosen.compactMap(\.credit).max() ?? (chosen.isEmpty ? 0 : 1)
        case .number:
            guard let number = value.numberValue else { return 0 }
            return question.bands.first { $0.holds(number) }?.credit ?? 1
        case .date:
            guard let date = value.stringValue.flatMap(DayFormat.parseDay) else { return 0 }
            if let limit = question.staleAfterDays, DayFormat.daysBetween(date, input.asOf) > limit { return 0 }
            return 1
        case .text, .evidence, .countryList:
            return 1
        }
    }

    /// Whether a verified membership waives evidence, the trusted-trader expiry date questions
    /// may rely on, and why a membership waives nothing.
    struct MembershipStanding {
        var waives = false
        /// The verified membership's expiry (the latest of the recognised ones), else the partner's declared one.
        var expiry: String?
        var factors: [ScoreFactor] = []
    }

    /// Only a membership the officer verified, of a program the config recognises, with an
    /// expiry date not yet passed, waives evidence. A declared one (answers, partner file) is
    /// named as such.
    func membershipStanding(_ input: ScoreInput, _ answers: PositionedAnswers) -> MembershipStanding {
        let plan = input.survey.plan
        let today = DayFormat.day(input.asOf)
        var standing = MembershipStanding()
        func add(_ program: String, _ issue: FactorText.MembershipIssue, kind: ScoreFactor.Kind = .membership) {
            let name = input.config.program(program)?.name ?? program
            standing.factors.append(ScoreFactor(kind: kind, code: "membership.\(program)", text: FactorText.membership(name, issue), points: 0))
        }
        for membership in input.review.memberships {
            guard input.config.program(membership.program)?.recognised == true else { add(membership.program, .notRecognised); continue }
            guard let expires = membership.expires else { add(membership.program, .noExpiry); continue }
            standing.expiry = max(standing.expiry ?? expires, expires)
            if expires < today { add(membership.program, .expired(expires), kind: .expired) } else { standing.waives = true }
        }
        let declared = plan.trustedTraderProgram.flatMap { AnswerSet.usableValue(answers[$0])?.stringValue }.flatMap { $0 == "none" ? nil : $0 }
        if input.review.memberships.isEmpty, let program = declared ?? input.partner.trustedTrader.map({ _ in "trusted-trader" }) {
            add(program, .declaredOnly)
        }
        if standing.expiry == nil, input.review.memberships.isEmpty {
            standing.expiry = plan.trustedTraderExpiry.flatMap { AnswerSet.usableValue(answers[$0])?.stringValue }
                .flatMap(DayFormat.parseDay).map(DayFormat.day)
        }
        return standing
    }

    /// The day the certificate `question` relies on expired, when it is before the as-of day.
    func expiredCertificate(_ question: Question, at index: Int, _ answers: PositionedAnswers, _ standing: MembershipStanding,
                            _ input: ScoreInput) -> String? {
        guard let role = question.reliesOn else { return nil }
        let day: String?
        if role == "trusted_trader.expiry" { day = standing.expiry } else {
            day = input.survey.plan.reliesOn[index].flatMap { AnswerSet.usableValue(answers[$0])?.stringValue }
                .flatMap(DayFormat.parseDay).map(DayFormat.day)
        }
        guard let day, day < DayFormat.day(input.asOf) else { return nil }
        return day
    }

    /// Raised red flags. One the officer accepted is listed as a red flag; an open knock-out flag
    /// stays a knock-out even when the partner explained it (the explanation is shown); any open
    /// money-laundering flag sets `openMoney` (a tier floor).
    func redFlags(_ input: ScoreInput, answers: PositionedAnswers) -> (factors: [ScoreFactor], openMoney: Bool) {
        var factors: [ScoreFactor] = []
        var openMoney = false
        let plan = input.survey.plan
        for (index, flag) in plan.flags.enumerated() where flag.when.evaluate(answers) {
            let accepted = input.review.acceptedFlags[flag.rule.id]
            let explained = flag.unless?.evaluate(answers) ?? false
            let explanation = explained ? flag.explanation.flatMap { AnswerSet.usableValue(answers[$0])?.stringValue } : nil
            let text = explanation == nil && accepted == nil
                ? memo.flagText(plan, index) { FactorText.flag(flag.rule, partnerExplanation: nil, accepted: nil) }
                : FactorText.flag(flag.rule, partnerExplanation: explanation, accepted: accepted)
            if accepted == nil && flag.rule.kind == "money" { openMoney = true }
            factors.append(ScoreFactor(kind: flag.rule.knockout && accepted == nil ? .knockout : .redFlag, code: flag.rule.id, text: text, points: 0))
        }
        return (factors, openMoney)
    }

    /// The worst country list among registration, sites, banks and transit countries: the
    /// highest multiplier, the highest tier floor, and a factor per listed country.
    func countryRisk(_ input: ScoreInput, _ answers: PositionedAnswers) -> CountryRisk {
        var countries = [input.partner.country]
        for position in input.survey.plan.countryQuestions {
            for item in AnswerSet.usableValue(answers[position])?.arrayValue ?? [] {
                if let code = item.stringValue?.uppercased(), !countries.contains(code) { countries.append(code) }
            }
        }
        var total = CountryRisk(multiplier: 1, floor: nil, factors: [])
        for country in countries.sorted() {
            let risk = memo.countryRisk(country, config: input.config, countries: input.countries) {
                countryRisk(country, config: input.config, countries: input.countries)
            }
            total.multiplier = max(total.multiplier, risk.multiplier)
            if let floor = risk.floor { total.floor = max(total.floor ?? floor, floor) }
            total.factors += risk.factors
        }
        return total
    }

    /// One country's multiplier, tier floor and factors under the config's lists.
    func countryRisk(_ country: String, config: ScoringConfig, countries: CountryRiskList) -> CountryRisk {
        let name = countries.names[country] ?? country
        var risk = CountryRisk(multiplier: 1, floor: nil, factors: [])
        for list in countries.lists(containing: country) {
            let knockout = config.countryKnockoutLists.contains(list)
            let factor = config.countryMultipliers[list]
            let floor = config.countryMinTier[list]
            guard knockout || factor != nil || floor != nil else { continue }
            if let factor { risk.multiplier = max(risk.multiplier, factor) }
            if let floor, !knockout { risk.floor = max(risk.floor ?? floor, floor) }
            risk.factors.append(ScoreFactor(kind: knockout ? .knockout : .country, code: "country.\(country)", text: FactorText.country(
                name: name, code: country, list: list, date: countries.listDate, multiplier: factor, floor: knockout ? nil : floor,
                knockout: knockout), points: 0))
        }
        return risk
    }

    /// Risk points a loss of `lost` credit on `question` adds to the overall risk.
    func points(_ question: Question, lost: Double, sums: [CategorySums], weights: [Double], totalWeight: Double) -> Double {
        let categoryTotal = sums[question.category.ordinal].total
        guard categoryTotal > 0 else { return 0 }
        return 100 * Double(question.weight ?? 1) * lost / categoryTotal * weights[question.category.ordinal] / totalWeight
    }

    /// The largest point losses, in risk points of the overall score, each with its cause: the
    /// answer, missing evidence, an expired certificate, falsified evidence.
    func lossFactors(_ losses: [CreditLoss], categories: [CategoryScore], totalWeight: Double, sums: [CategorySums],
                     config: ScoringConfig) -> [ScoreFactor] {
        guard totalWeight > 0 else { return [] }
        var weights = [Double](repeating: 0, count: sums.count)
        for category in categories { weights[category.category.ordinal] = category.weight }
        // Points first; the text only for the largest losses (building text is the costly part).
        let scored: [(loss: CreditLoss, points: Double)] = losses.compactMap { loss in
            let points = self.points(loss.question, lost: loss.lost, sums: sums, weights: weights, totalWeight: totalWeight)
            return points > 0 ? (loss, points) : nil
        }
        return scored.sorted { $0.points > $1.points }.prefix(Self.maxLossFactors).map { loss, points in
            let kind: ScoreFactor.Kind
            switch loss.reason {
            case .answer: kind = .loss
            case .evidence: kind = .evidence
            case .expired, .falsified: kind = .expired
            }
            let text = memo.lossText(loss.question, value: loss.value, reason: loss.reason, tenths: Self.tenths(points)) {
                FactorText.loss(loss.question, answer: FactorText.answer(loss.question, loss.value), reason: loss.reason,
                                tenths: Self.tenths(points), maxCredit: config.evidenceMissingMaxCredit)
            }
            return ScoreFactor(kind: kind, code: loss.question.id, text: text, points: points)
        }
    }

    /// One factor per category the cap lowered, naming the questions that capped it; its points
    /// are what the cap added to the overall risk beyond the questions' own losses.
    func capFactors(_ categories: [CategoryScore], uncapped: [Double], sums: [CategorySums], totalWeight: Double,
                    config: ScoringConfig) -> [ScoreFactor] {
        guard totalWeight > 0 else { return [] }
        return zip(categories, uncapped).compactMap { category, uncapped in
            // A cap that changed nothing (the control score was below it anyway) is no factor: the
            // questions' own losses explain the category.
            let points = max(0, uncapped - category.control) * category.weight / totalWeight
            guard category.capped, Self.tenths(points) > 0 else { return nil }
            let by = sums[category.category.ordinal].cappedBy
            let tenths = Self.tenths(points)
            let text = memo.capText(category.category, by: by, tenths: tenths) {
                FactorText.withPoints(tenths, FactorText.capReason(category.category, by: by.map { ($0.question, FactorText.answer($0.question, $0.value)) },
                                                                   cap: config.mustNoCap))
            }
            return ScoreFactor(kind: .cap, code: "cap.\(category.category.rawValue)", text: text, points: points)
        }
    }

    /// `points` in tenths, as the explanation shows them.
    static func tenths(_ points: Double) -> Int { Int((points * 10).rounded()) }

    /// How many point losses and caps an explanation lists (knock-outs, red flags, countries,
    /// expired memberships are all listed).
    public static let maxLossFactors = 10

    /// Knock-outs first, then red flags, country factors, expired certificates and memberships
    /// that waive nothing, caps, then the largest losses.
    func order(_ factors: [ScoreFactor]) -> [ScoreFactor] {
        func rank(_ kind: ScoreFactor.Kind) -> Int {
            switch kind {
            case .knockout: return 0
            case .redFlag: return 1
            case .country: return 2
            case .expired, .membership: return 3
            case .cap: return 4
            case .loss, .evidence: return 5
            }
        }
        return factors.enumerated().sorted { lhs, rhs in
            let (left, right) = (rank(lhs.element.kind), rank(rhs.element.kind))
            if left != right { return left < right }
            if lhs.element.points != rhs.element.points { return lhs.element.points > rhs.element.points }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}

/// A country's share of the country risk: the highest multiplier of its lists and the factors.
struct CountryRisk {
    var multiplier: Double
    /// The least tier a country on a list gives (`country_min_tier`).
    var floor: RiskTier?
    var factors: [ScoreFactor]
}

/// Loss and cap sentences by question and tenths of a point, and countries' risk under one config and
/// country list, worked out once per engine. An engine belongs to one thread at a time (the
/// scoring service lends its engines to one chunk of work at a time and keeps them from batch to
/// batch), so this takes no lock and is not `Sendable`. Each table is emptied when it reaches
/// `maxEntries` (dates and numbers make many distinct losses), so memory stays bounded.
final class ScoringMemo {
    static let maxEntries = 20_000

    private struct LossKey: Hashable {
        let question: ObjectIdentifier
        let tenths: Int
        let reason: FactorText.LossReason
        let value: JSONValue?
    }

    /// The questions are kept so an identifier is never reused while cached.
    private var losses: [LossKey: (question: Question, text: LocalizedText)] = [:]
    private struct FlagKey: Hashable {
        let plan: ObjectIdentifier
        let flag: Int
    }

    /// The plans are kept so an identifier is never reused while cached.
    private var flags: [FlagKey: (plan: SurveyPlan, text: LocalizedText)] = [:]
    private var countries: [String: CountryRisk] = [:]
    /// The config and country list `countries` was worked out under.
    private var countriesUnder: (config: String, list: String)?

    func lossText(_ question: Question, value: JSONValue?, reason: FactorText.LossReason, tenths: Int, build: () -> LocalizedText) -> LocalizedText {
        let key = LossKey(question: ObjectIdentifier(question), tenths: tenths, reason: reason, value: value)
        if let cached = losses[key] { return cached.text }
        let text = build()
        if losses.count >= Self.maxEntries { losses = [:] }
        losses[key] = (question, text)
        return text
    }

    private struct CapKey: Hashable {
        let category: Category
        let questions: [ObjectIdentifier]
        let values: [JSONValue?]
        let tenths: Int
    }

    /// The questions are kept so an identifier is never reused while cached.
    private var caps: [CapKey: (questions: [Question], text: LocalizedText)] = [:]

    func capText(_ category: Category, by: [(question: Question, value: JSONValue?)], tenths: Int, build: () -> LocalizedText) -> LocalizedText {
        let key = CapKey(category: category, questions: by.map { ObjectIdentifier($0.question) }, values: by.map(\.value), tenths: tenths)
        if let cached = caps[key] { return cached.text }
        let text = build()
        if caps.count >= Self.maxEntries { caps = [:] }
        caps[key] = (by.map(\.question), text)
        return text
    }

    func flagText(_ plan: SurveyPlan, _ flag: Int, build: () -> LocalizedText) -> LocalizedText {
        let key = FlagKey(plan: ObjectIdentifier(plan), flag: flag)
        if let cached = flags[key] { return cached.text }
        let text = build()
        flags[key] = (plan, text)
        return text
    }

    func countryRisk(_ country: String, config: ScoringConfig, countries list: CountryRiskList, build: () -> CountryRisk) -> CountryRisk {
        if countriesUnder?.config != config.contentHash || countriesUnder?.list != list.contentHash {
            countries = [:]
            countriesUnder = (config.contentHash, list.contentHash)
        }
        if let cached = countries[country] { return cached }
        let risk = build()
        countries[country] = risk
        return risk
    }
}

/// A stored explanation written as far as it can be without the sentences' ids: the bytes with
/// the place of each id. Made on a scoring thread, so the single database writer only puts the
/// ids in.
public struct StoredExplanation: Sendable {
    private var bytes: [UInt8] = [UInt8(ascii: "[")]
    /// Where factor `i`'s text id goes in `bytes`.
    private var idOffsets: [Int] = []

    public init(_ factors: [ScoreFactor]) {
        bytes.reserveCapacity(64 * (factors.count + 1))
        for (index, factor) in factors.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += "{\"code\":".utf8
            CanonicalJSON.writeString(factor.code, into: &bytes)
            bytes += ",\"kind\":\"".utf8
            bytes += factor.kind.rawValue.utf8
            bytes += "\",\"points\":".utf8
            Self.writeThousandths(factor.points, into: &bytes)
            bytes += ",\"t\":".utf8
            idOffsets.append(bytes.count)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `value` to three decimals, as stored: explanations show tenths of a point, and the full
    /// seventeen digits made every stored factor a dozen bytes longer.
    static func thousandths(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// `thousandths(value)` as Swift writes a `Double` ("0.0", "1.5", "3.571"), digit by digit:
    /// the general formatter was a tenth of the work of making a score ready to store. Exact for
    /// the values stored (below 10^9 in magnitude: a whole number of thousandths is then the
    /// shortest text that reads back as the same `Double`); any other value goes the general way.
    static func writeThousandths(_ value: Double, into bytes: inout [UInt8]) {
        let scaled = (value * 1000).rounded()
        guard scaled.magnitude < 1e12 else { return bytes += "\(scaled / 1000)".utf8 }
        if (scaled / 1000).sign == .minus { bytes.append(UInt8(ascii: "-")) }
        let whole = Int64(scaled.magnitude)
        bytes += String(whole / 1000).utf8
        bytes.append(UInt8(ascii: "."))
        var fraction = whole % 1000
        guard fraction != 0 else { return bytes.append(UInt8(ascii: "0")) }
        var divisor: Int64 = 100
        while fraction != 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// `writeThousandths` as a string.
    static func thousandthsText(_ value: Double) -> String {
        var bytes: [UInt8] = []
        writeThousandths(value, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON text with `textID(i)` in place of factor `i`'s id.
    public func text(textID: (_ index: Int) throws -> Int64) rethrows -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8 * idOffsets.count)
        var copied = 0
        for (index, offset) in idOffsets.enumerated() {
            output += bytes[copied..<offset]
            output += String(try textID(index)).utf8
            copied = offset
        }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }
}
