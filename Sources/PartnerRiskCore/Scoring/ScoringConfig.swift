import Crypto
import Foundation
import Yams

/// The numbers of the scoring model (`Surveys/scoring.yaml`): credits, caps, tiers, sector
/// weights, country multipliers. Versioned; every score records the version it used.
public struct ScoringConfig: Sendable, Equatable {
    public var id: String
    public var version: String
    public var credit: [String: Double]
    public var mustNoCap: Double
    public var evidenceMissingMaxCredit: Double
    /// Lower bounds of Medium, High, Critical.
    public var tiers: [RiskTier: Double]
    public var knockoutMinTier: RiskTier
    public var countryMultipliers: [String: Double]
    public var countryKnockoutLists: [String]
    public var countryListFile: String
    public var nonResponseDaysAfterDeadline: Int
    public var reviewMonths: [String: Int]
    public var overduePenaltyPoints: Double
    public var overdueAsNonResponseDays: Int
    public var sectorWeights: [Sector: [Category: Double]]
    /// The trusted-trader programs the officer can verify a membership of; only `recognised`
    /// ones (PIP and its mutual-recognition partners, seed 002) waive evidence.
    public var programs: [TrustedTraderProgram] = []
    /// The least tier of a partner with an open (not accepted by the officer) money-laundering red flag.
    public var openMoneyFlagMinTier: RiskTier? = .high
    /// The least tier of a partner with a country on a list (`enhanced_due_diligence: high`).
    public var countryMinTier: [String: RiskTier] = [:]
    /// Reminders sent before a partner without a response counts as a non-responder.
    public var nonResponseReminders: Int = 2
    public var contentHash: String
    public var source: String

    public func tier(for risk: Double) -> RiskTier {
        if risk >= (tiers[.critical] ?? 80) { return .critical }
        if risk >= (tiers[.high] ?? 60) { return .high }
        if risk >= (tiers[.medium] ?? 30) { return .medium }
        return .low
    }

    /// The program with this id, if the config knows it.
    public func program(_ id: String) -> TrustedTraderProgram? { programs.first { $0.id == id.lowercased() } }

    /// Months between reviews for a partner in `tier`.
    public func reviewInterval(for tier: RiskTier) -> Int {
        reviewMonths[tier.rawValue] ?? reviewMonths["default"] ?? 12
    }
}

/// A trusted-trader program: PIP, CTPAT and the AEO programs of CBSA's mutual recognition
/// arrangements (seed 002) are `recognised`; others (the EU AEO) can be recorded but waive nothing.
public struct TrustedTraderProgram: Sendable, Equatable {
    public var id: String
    public var name: String
    public var authority: String
    /// When CBSA's arrangement with the program was signed (`2008-06`); nil for PIP itself.
    public var arrangement: String?
    public var recognised: Bool

    public init(id: String, name: String, authority: String, arrangement: String?, recognised: Bool) {
        self.id = id
        self.name = name
        self.authority = authority
        self.arrangement = arrangement
        self.recognised = recognised
    }
}

/// The risk tiers, in rising order.
public enum RiskTier: String, CaseIterable, Sendable, Codable, Comparable {
    case low, medium, high, critical

    public var label: String { rawValue.capitalized }

    /// 0 for low up to 3 for critical.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (lhs: RiskTier, rhs: RiskTier) -> Bool { lhs.rank < rhs.rank }
}

/// Country risk lists (FATF, FINTRAC) with their publication date.
public struct CountryRiskList: Sendable, Equatable {
    public var listDate: String
    public var source: String
    /// List name (`increased_monitoring`, `countermeasures`, ...) to country codes.
    public var lists: [String: Set<String>]
    public var names: [String: String]
    public var contentHash: String
    public var text: String

    /// The lists a country is on.
    public func lists(containing country: String) -> [String] {
        lists.filter { $0.value.contains(country) }.map(\.key).sorted()
    }
}

/// Reads `scoring.yaml` and country list files, reporting problems like the survey validator.
public struct ScoringConfigParser {
    public init() {}

    public func parse(_ text: String, file: String) -> (config: ScoringConfig?, problems: [SurveyProblem]) {
        let reader = YAMLReader(file: file)
        guard let root = reader.compose(text), let top = reader.mapping(root, "the scoring config") else { return (nil, reader.problems) }
        reader.checkKeys(top, known: [
            "id", "version", "credit", "must_no_cap", "evidence_missing_max_credit", "tiers", "knockout_min_tier",
            "country_multipliers", "country_knockout_lists", "country_list", "non_response_days_after_deadline",
            "review_months", "overdue_penalty_points", "overdue_as_non_response_days", "sector_weights",
            "trusted_trader_programs", "open_money_flag_min_tier", "country_min_tier", "non_response_reminders",
        ], in: "the scoring config")
        let id = reader.string(top, "id", in: "the scoring config", owner: root)
        let version = reader.string(top, "version", in: "the scoring config", owner: root)
        func numbers(_ key: String) -> [String: Double] {
            guard let node = top[key], let mapping = reader.mapping(node, "`\(key)`") else { return [:] }
            var result: [String: Double] = [:]
            for (name, value) in mapping { if let name = name.string, let number = reader.number(value, "\(key).\(name)") { result[name] = number } }
            return result
        }
        func scalarNumber(_ key: String, _ fallback: Double) -> Double { top[key].flatMap { reader.number($0, key) } ?? fallback }
        func days(_ key: String, _ fallback: Int) -> Int { top[key].flatMap { reader.wholeNumber($0, key, in: 0...3_650) } ?? fallback }
        func months(_ key: String) -> [String: Int] {
            guard let node = top[key], let mapping = reader.mapping(node, "`\(key)`") else { return [:] }
            var result: [String: Int] = [:]
            for (name, value) in mapping {
                if let name = name.string, let number = reader.wholeNumber(value, "\(key).\(name)", in: 1...120) { result[name] = number }
            }
            return result
        }
        var tiers: [RiskTier: Double] = [:]
        for (name, value) in numbers("tiers") {
            if let tier = RiskTier(rawValue: name) { tiers[tier] = value } else {
                reader.report(top["tiers"], "unknown tier \"\(name)\"", "use medium, high and critical (lower bounds)")
            }
        }
        if let medium = tiers[.medium], let high = tiers[.high], let critical = tiers[.critical], !(medium < high && high < critical) {
            reader.report(top["tiers"], "tier bounds are not rising (medium < high < critical)", "order the bounds, e.g. {medium: 30, high: 60, critical: 80}")
        }
        let weights = sectorWeights(top["sector_weights"], reader: reader, owner: root)
        let knockoutTier = reader.scalar(top["knockout_min_tier"], "knockout_min_tier").flatMap(RiskTier.init(rawValue:)) ?? .high
        let knockoutLists = reader.sequence(top["country_knockout_lists"], "country_knockout_lists")?.compactMap { reader.scalar($0, "a list name") } ?? []
        func tier(_ node: Node?, _ what: String) -> RiskTier? {
            guard let name = reader.scalar(node, what) else { return nil }
            guard let tier = RiskTier(rawValue: name) else {
                reader.report(node, "unknown tier \"\(name)\" for \(what)", "use low, medium, high or critical")
                return nil
            }
            return tier
        }
        var countryTiers: [String: RiskTier] = [:]
        if let node = top["country_min_tier"], let mapping = reader.mapping(node, "`country_min_tier`") {
            for (key, value) in mapping { if let list = key.string, let floor = tier(value, "country_min_tier.\(list)") { countryTiers[list] = floor } }
        }
        let programs = self.programs(top["trusted_trader_programs"], reader: reader)
        let hash = CanonicalJSON.hex(SHA256.hash(data: Data(text.utf8)))
        guard let id, let version, reader.problems.isEmpty else { return (nil, reader.problems) }
        var config = ScoringConfig(
            id: id, version: version, credit: numbers("credit"), mustNoCap: scalarNumber("must_no_cap", 50),
            evidenceMissingMaxCredit: scalarNumber("evidence_missing_max_credit", 0.5), tiers: tiers,
            knockoutMinTier: knockoutTier, countryMultipliers: numbers("country_multipliers"),
            countryKnockoutLists: knockoutLists,
            countryListFile: reader.scalar(top["country_list"], "country_list") ?? "countries/fatf-2026-06.yaml",
            nonResponseDaysAfterDeadline: days("non_response_days_after_deadline", 30),
            reviewMonths: months("review_months"),
            overduePenaltyPoints: scalarNumber("overdue_penalty_points", 10),
            overdueAsNonResponseDays: days("overdue_as_non_response_days", 90),
            sectorWeights: weights, contentHash: hash, source: text)
        config.programs = programs
        if let node = top["open_money_flag_min_tier"] { config.openMoneyFlagMinTier = tier(node, "open_money_flag_min_tier") }
        config.countryMinTier = countryTiers
        config.nonResponseReminders = top["non_response_reminders"].flatMap { reader.wholeNumber($0, "non_response_reminders", in: 0...20) } ?? 2
        return (config, reader.problems)
    }

    /// `trusted_trader_programs`: a list of `{id, name, authority, arrangement, recognised}`.
    private func programs(_ node: Node?, reader: YAMLReader) -> [TrustedTraderProgram] {
        guard let node, let items = reader.sequence(node, "`trusted_trader_programs`") else { return [] }
        var programs: [TrustedTraderProgram] = []
        for item in items {
            guard let mapping = reader.mapping(item, "a trusted-trader program") else { continue }
            reader.checkKeys(mapping, known: ["id", "name", "authority", "arrangement", "recognised"], in: "a trusted-trader program")
            guard let id = reader.string(mapping, "id", in: "a trusted-trader program", owner: item),
                  let name = reader.string(mapping, "name", in: "program \(id)", owner: item) else { continue }
            if programs.contains(where: { $0.id == id }) { reader.report(item, "program \(id) is listed twice", "keep one entry per program id") }
            programs.append(TrustedTraderProgram(
                id: id, name: name, authority: reader.string(mapping, "authority", in: "program \(id)", owner: item, required: false) ?? "",
                arrangement: reader.string(mapping, "arrangement", in: "program \(id)", owner: item, required: false),
                recognised: reader.bool(mapping["recognised"], "recognised") ?? false))
        }
        return programs
    }

    private func sectorWeights(_ node: Node?, reader: YAMLReader, owner: Node) -> [Sector: [Category: Double]] {
        guard let node else {
            reader.report(owner, "the scoring config has no `sector_weights`", "add a weight per category for every sector")
            return [:]
        }
        guard let mapping = reader.mapping(node, "`sector_weights`") else { return [:] }
        var result: [Sector: [Category: Double]] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            guard let sector = Sector(rawValue: name) else {
                reader.report(key, "unknown sector \"\(name)\" in sector_weights", "use one of \(Sector.allNames)")
                continue
            }
            guard let weights = reader.mapping(value, "weights of \(name)") else { continue }
            var categories: [Category: Double] = [:]
            for (categoryKey, weightNode) in weights {
                guard let categoryName = categoryKey.string else { continue }
                guard let category = Category(rawValue: categoryName), category != .profile else {
                    reader.report(categoryKey, "unknown category \"\(categoryName)\" in the weights of \(name)", "use \(Category.scored.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                categories[category] = reader.number(weightNode, "\(name).\(categoryName)") ?? 0
            }
            let total = categories.values.reduce(0, +)
            if abs(total - 100) > 0.001 {
                reader.report(value, "the weights of \(name) add up to \(total.formatted()), not 100", "adjust them so they sum to 100")
            }
            result[sector] = categories
        }
        for sector in Sector.allCases where result[sector] == nil {
            reader.report(node, "sector_weights has no weights for \(sector.rawValue)", "add a `\(sector.rawValue):` line with the eight category weights")
        }
        return result
    }

    public func parseCountryList(_ text: String, file: String) -> (list: CountryRiskList?, problems: [SurveyProblem]) {
        let reader = YAMLReader(file: file)
        guard let root = reader.compose(text), let top = reader.mapping(root, "the country list") else { return (nil, reader.problems) }
        reader.checkKeys(top, known: ["list_date", "source", "lists", "names"], in: "the country list")
        let date = reader.string(top, "list_date", in: "the country list", owner: root)
        if let date, DayFormat.parseDay(date) == nil {
            reader.report(top["list_date"], "list_date \"\(date)\" is not a date", "write it as YYYY-MM-DD")
        }
        var lists: [String: Set<String>] = [:]
        if let node = reader.required(top, "lists", in: "the country list", owner: root), let mapping = reader.mapping(node, "`lists`") {
            for (key, value) in mapping {
                guard let name = key.string, let items = reader.sequence(value, "list \(name)") else { continue }
                var codes = Set<String>()
                for item in items {
                    guard let code = reader.scalar(item, "a country code") else { continue }
                    if let normalized = CountryCode.normalize(code) { codes.insert(normalized) } else {
                        reader.report(item, "\"\(code)\" in list \(name) is not an ISO 3166-1 alpha-2 code", "use two-letter codes such as KP, IR, MM")
                    }
                }
                lists[name] = codes
            }
        }
        var names: [String: String] = [:]
        if let node = top["names"], let mapping = reader.mapping(node, "`names`") {
            for (key, value) in mapping { if let code = key.string, let name = value.string { names[code] = name } }
        }
        let hash = CanonicalJSON.hex(SHA256.hash(data: Data(text.utf8)))
        guard let date, reader.problems.isEmpty else { return (nil, reader.problems) }
        return (CountryRiskList(listDate: date, source: top["source"]?.string ?? "", lists: lists, names: names, contentHash: hash, text: text), [])
    }
}
