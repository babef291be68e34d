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
    /// Questions for which a document was provided.
    public var evidenceProvided: Set<String>
    public var asOf: Date

    public init(survey: Survey, config: ScoringConfig, countries: CountryRiskList, partner: Partner, answers: AnswerSet,
                evidenceProvided: Set<String> = [], asOf: Date) {
        self.survey = survey
        self.config = config
        self.countries = countries
        self.partner = partner
        self.answers = answers
        self.evidenceProvided = evidenceProvided
        self.asOf = asOf
    }

    /// An input whose answers are already by position (as read from storage).
    public init(survey: Survey, config: ScoringConfig, countries: CountryRiskList, partner: Partner,
                positionedAnswers: PositionedAnswers, evidenceProvided: Set<String> = [], asOf: Date) {
        self.init(survey: survey, config: config, countries: countries, partner: partner, answers: AnswerSet(),
                  evidenceProvided: evidenceProvided, asOf: asOf)
        self.positionedAnswers = positionedAnswers
    }
}

/// A category's running sums while scoring one partner.
struct CategorySums {
    var weighted = 0.0
    var total = 0.0
    var capped = false
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
}

/// One thing that drove a score, in the order an officer should read them.
public struct ScoreFactor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case knockout, redFlag = "red_flag", country, loss }
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
        let waiverValid = trustedTraderValid(input, answers)
        let sectorWeights = input.config.sectorWeights[sector] ?? [:]
        var factors: [ScoreFactor] = []
        var sums = [CategorySums](repeating: CategorySums(), count: Category.allCases.count)
        var losses: [(question: Question, credit: Double)] = []
        for index in visibleIndices where questions[index].isScored {
            let question = questions[index]
            if case .notApplicable? = answers[index], question.allowNA { continue }
            let value = AnswerSet.usableValue(answers[index])
            var credit = self.credit(question, value, input)
            if question.evidence.mode == .required && !input.evidenceProvided.contains(question.id)
                && !(question.evidence.waivable && waiverValid) {
                credit = min(credit, input.config.evidenceMissingMaxCredit)
            }
            let weight = Double(question.weight ?? 1)
            let category = question.category.ordinal
            sums[category].weighted += weight * credit
            sums[category].total += weight
            if credit == 0 && (question.level == .must || question.level == .knockout) { sums[category].capped = true }
            if credit == 0 && question.level == .knockout {
                factors.append(ScoreFactor(kind: .knockout, code: question.id, text: LocalizedText(
                    en: "Knock-out: \(question.id) “\(question.text.en)” answered \(describe(value, .en))",
                    fr: "Critère éliminatoire : \(question.id) « \(question.text.fr) » réponse \(describe(value, .fr))"), points: 0))
            }
            if credit < 1 { losses.append((question, credit)) }
        }
        var categories: [CategoryScore] = []
        for category in Category.scored {
            let entry = sums[category.ordinal]
            guard entry.total > 0 else { continue }
            var control = 100 * entry.weighted / entry.total
            if entry.capped { control = min(control, input.config.mustNoCap) }
            categories.append(CategoryScore(category: category, control: control, risk: 100 - control, capped: entry.capped,
                                            weight: sectorWeights[category] ?? 0))
        }
        let totalWeight = categories.reduce(0) { $0 + $1.weight }
        let baseRisk = totalWeight > 0 ? categories.reduce(0) { $0 + $1.weight * $1.risk } / totalWeight : 100
        factors += redFlags(input.survey, answers: answers)
        let (multiplier, countryFactors) = countryRisk(input, answers)
        factors += countryFactors
        let knockout = factors.contains { $0.kind == .knockout }
        let overall = min(100, baseRisk * multiplier)
        var tier = input.config.tier(for: overall)
        if knockout { tier = max(tier, input.config.knockoutMinTier) }
        factors += lossFactors(losses, categories: categories, totalWeight: totalWeight, sums: sums)
        return ScoreResult(categories: categories, baseRisk: baseRisk, countryMultiplier: multiplier, overallRisk: overall,
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

    /// A trusted-trader membership counts when the partner record or the answers name one that has not expired.
    func trustedTraderValid(_ input: ScoreInput, _ answers: PositionedAnswers) -> Bool {
        let plan = input.survey.plan
        let program = plan.trustedTraderProgram.flatMap { AnswerSet.usableValue(answers[$0])?.stringValue }
        let expiry = plan.trustedTraderExpiry.flatMap { AnswerSet.usableValue(answers[$0])?.stringValue }.flatMap(DayFormat.parseDay)
        let claimed = input.partner.trustedTrader != nil || (program != nil && program != "none")
        guard claimed else { return false }
        if let expiry { return expiry >= input.asOf }
        return input.partner.trustedTrader != nil
    }

    func redFlags(_ survey: Survey, answers: PositionedAnswers) -> [ScoreFactor] {
        var factors: [ScoreFactor] = []
        for (index, flag) in survey.plan.flags.enumerated() where flag.when.evaluate(answers) {
            let explained = flag.unless?.evaluate(answers) ?? false
            let text = memo.flagText(survey.plan, index, explained: explained) { Self.flagText(flag.rule, explained: explained) }
            factors.append(ScoreFactor(kind: flag.rule.knockout && !explained ? .knockout : .redFlag, code: flag.rule.id, text: text, points: 0))
        }
        return factors
    }

    /// The sentence for a raised red flag.
    static func flagText(_ rule: RedFlagRule, explained: Bool) -> LocalizedText {
        let suffix = explained ? LocalizedText(en: " (explained by the partner)", fr: " (expliqué par le partenaire)") : LocalizedText(en: "", fr: "")
        return LocalizedText(en: "Red flag \(rule.name.en)\(suffix.en): \(rule.explanation.en)",
                             fr: "Signal d'alerte « \(rule.name.fr) »\(suffix.fr) : \(rule.explanation.fr)")
    }

    /// The worst country list among registration, sites, banks and transit countries.
    func countryRisk(_ input: ScoreInput, _ answers: PositionedAnswers) -> (Double, [ScoreFactor]) {
        var countries = [input.partner.country]
        for position in input.survey.plan.countryQuestions {
            for item in AnswerSet.usableValue(answers[position])?.arrayValue ?? [] {
                if let code = item.stringValue?.uppercased(), !countries.contains(code) { countries.append(code) }
            }
        }
        var multiplier = 1.0
        var factors: [ScoreFactor] = []
        for country in countries.sorted() {
            let risk = memo.countryRisk(country, config: input.config, countries: input.countries) {
                countryRisk(country, config: input.config, countries: input.countries)
            }
            multiplier = max(multiplier, risk.multiplier)
            factors += risk.factors
        }
        return (multiplier, factors)
    }

    /// One country's multiplier and factors under the config's lists.
    func countryRisk(_ country: String, config: ScoringConfig, countries: CountryRiskList) -> CountryRisk {
        let name = countries.names[country] ?? country
        var risk = CountryRisk(multiplier: 1, factors: [])
        for list in countries.lists(containing: country) {
            if config.countryKnockoutLists.contains(list) {
                risk.factors.append(ScoreFactor(kind: .knockout, code: "country.\(country)", text: LocalizedText(
                    en: "Knock-out: \(name) (\(country)) is on the \(list) list of \(countries.listDate)",
                    fr: "Critère éliminatoire : \(name) (\(country)) figure sur la liste \(list) du \(countries.listDate)"), points: 0))
            } else if let factor = config.countryMultipliers[list] {
                risk.multiplier = max(risk.multiplier, factor)
                risk.factors.append(ScoreFactor(kind: .country, code: "country.\(country)", text: LocalizedText(
                    en: "Country risk ×\(factor.formatted()): \(name) (\(country)) is on the FATF \(list) list of \(countries.listDate)",
                    fr: "Risque pays ×\(factor.formatted()) : \(name) (\(country)) figure sur la liste \(list) du GAFI du \(countries.listDate)"), points: 0))
            }
        }
        return risk
    }

    /// The largest point losses, in risk points of the overall score.
    func lossFactors(_ losses: [(question: Question, credit: Double)], categories: [CategoryScore], totalWeight: Double,
                     sums: [CategorySums]) -> [ScoreFactor] {
        guard totalWeight > 0 else { return [] }
        var weights = [Double](repeating: 0, count: sums.count)
        for category in categories { weights[category.category.ordinal] = category.weight }
        // Points first; the text only for the largest losses (building text is the costly part).
        let scored: [(question: Question, points: Double)] = losses.compactMap { loss in
            let category = loss.question.category.ordinal
            let categoryTotal = sums[category].total
            guard categoryTotal > 0 else { return nil }
            let points = 100 * Double(loss.question.weight ?? 1) * (1 - loss.credit) / categoryTotal * weights[category] / totalWeight
            return points > 0 ? (loss.question, points) : nil
        }
        return scored.sorted { $0.points > $1.points }.prefix(Self.maxLossFactors).map { question, points in
            ScoreFactor(kind: .loss, code: question.id, text: memo.lossText(question, tenths: Self.tenths(points)), points: points)
        }
    }

    /// `points` in tenths, as the explanation shows them.
    static func tenths(_ points: Double) -> Int { Int((points * 10).rounded()) }

    /// The sentence for a loss of `tenths` tenths of a point on `question`.
    static func lossText(_ question: Question, tenths: Int) -> LocalizedText {
        let level = question.level?.rawValue ?? "should"
        let shown = (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
        return LocalizedText(en: "−\(shown) pts \(question.category.rawValue): \(question.id) (\(level)) “\(question.text.en)”",
                             fr: "−\(shown) pts \(question.category.rawValue) : \(question.id) (\(level)) « \(question.text.fr) »")
    }

    /// How many point losses an explanation lists (knock-outs, red flags and countries are all listed).
    public static let maxLossFactors = 10

    /// Knock-outs first, then red flags, then country factors, then the largest losses.
    func order(_ factors: [ScoreFactor]) -> [ScoreFactor] {
        func rank(_ kind: ScoreFactor.Kind) -> Int {
            switch kind {
            case .knockout: return 0
            case .redFlag: return 1
            case .country: return 2
            case .loss: return 3
            }
        }
        return factors.enumerated().sorted { lhs, rhs in
            let (left, right) = (rank(lhs.element.kind), rank(rhs.element.kind))
            if left != right { return left < right }
            if lhs.element.points != rhs.element.points { return lhs.element.points > rhs.element.points }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    func describe(_ value: JSONValue?, _ language: Language) -> String {
        guard let value else { return language == .fr ? "sans réponse" : "unanswered" }
        switch value {
        case .string(let text): return "“\(text)”"
        default: return value.rendered()
        }
    }
}

/// A country's share of the country risk: the highest multiplier of its lists and the factors.
struct CountryRisk {
    var multiplier: Double
    var factors: [ScoreFactor]
}

/// Loss sentences by question and tenths of a point, and countries' risk under one config and
/// country list, worked out once per engine. An engine belongs to one thread at a time (the
/// scoring service makes one per chunk of work), so this takes no lock and is not `Sendable`.
final class ScoringMemo {
    private struct LossKey: Hashable {
        let question: ObjectIdentifier
        let tenths: Int
    }

    /// The questions are kept so an identifier is never reused while cached.
    private var losses: [LossKey: (question: Question, text: LocalizedText)] = [:]
    private struct FlagKey: Hashable {
        let plan: ObjectIdentifier
        let flag: Int
        let explained: Bool
    }

    /// The plans are kept so an identifier is never reused while cached.
    private var flags: [FlagKey: (plan: SurveyPlan, text: LocalizedText)] = [:]
    private var countries: [String: CountryRisk] = [:]
    /// The config and country list `countries` was worked out under.
    private var countriesUnder: (config: String, list: String)?

    func lossText(_ question: Question, tenths: Int) -> LocalizedText {
        let key = LossKey(question: ObjectIdentifier(question), tenths: tenths)
        if let cached = losses[key] { return cached.text }
        let text = ScoringEngine.lossText(question, tenths: tenths)
        losses[key] = (question, text)
        return text
    }

    func flagText(_ plan: SurveyPlan, _ flag: Int, explained: Bool, build: () -> LocalizedText) -> LocalizedText {
        let key = FlagKey(plan: ObjectIdentifier(plan), flag: flag, explained: explained)
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
            bytes += ",\"kind\":\"\(factor.kind.rawValue)\",\"points\":\(StoredExplanation.thousandths(factor.points)),\"t\":".utf8
            idOffsets.append(bytes.count)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `value` to three decimals, as stored: explanations show tenths of a point, and the full
    /// seventeen digits made every stored factor a dozen bytes longer.
    static func thousandths(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

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
