import Foundation

/// Partners registered in a country the scoring config treats as a knock-out (FATF
/// countermeasures, FINTRAC ministerial directives) or as at least High (FATF enhanced due
/// diligence): named when they are imported or invited, so the officer knows before any answer.
public enum CountryWatch {
    public struct Warning: Sendable, Equatable {
        public var partner: Partner
        /// The lists the partner's country is on that knock out or set a tier.
        public var lists: [String]
        public var knockout: Bool
        public var line: String
    }

    public static func warnings(_ partners: [Partner], config: ScoringConfig, countries: CountryRiskList) -> [Warning] {
        partners.compactMap { partner in
            let lists = countries.lists(containing: partner.country).filter {
                config.countryKnockoutLists.contains($0) || config.countryMinTier[$0] != nil
            }
            guard !lists.isEmpty else { return nil }
            let knockout = lists.contains(where: config.countryKnockoutLists.contains)
            let floor = lists.compactMap { config.countryMinTier[$0] }.max()
            let name = countries.names[partner.country] ?? partner.country
            let consequence = knockout ? "a knock-out: it ranks at least \(config.knockoutMinTier.label)" : "it ranks at least \(floor?.label ?? "High")"
            let line = "warning: partner \(partner.id) \(partner.name) (\(partner.country)): \(name) is on the \(lists.joined(separator: " and ")) "
                + "list\(lists.count > 1 ? "s" : "") of \(countries.listDate) (\(countries.source)); \(consequence)"
            return Warning(partner: partner, lists: lists, knockout: knockout, line: line)
        }
    }
}
