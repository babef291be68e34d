import Foundation
import PartnerRiskCore

/// The ranking as the workspace shows it: filtered, sorted by any column and cut into pages,
/// from the query string (`tier`, `sector`, `country`, `campaign`, `overdue`, `hits`, `sort`,
/// `dir`, `page`). Presentation only: the ranking itself is `Ranking.build`'s.
struct RankingView {
    static let pageSize = 50
    static let columns = ["rank", "partner", "sector", "country", "tier", "risk", "flags", "last_review", "next_due", "open_actions", "open_hits"]

    var tier: RiskTier?
    var sector: Sector?
    var country: String?
    var campaign: Int64?
    var overdueOnly = false
    var hitsOnly = false
    var sort = "rank"
    var descending = false
    var page = 1

    init(query: [String: String]) {
        tier = query["tier"].flatMap { RiskTier(rawValue: $0.lowercased()) }
        sector = query["sector"].flatMap { Sector(name: $0) }
        country = query["country"].map { $0.uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        campaign = query["campaign"].flatMap { Int64($0) }
        overdueOnly = query["overdue"] == "1"
        hitsOnly = query["hits"] == "1"
        if let column = query["sort"], Self.columns.contains(column) { sort = column }
        descending = query["dir"] == "desc"
        page = max(1, query["page"].flatMap { Int($0) } ?? 1)
    }

    /// Ranked rows (with their rank in the full ranking) that pass the filters, in the chosen order.
    func rows(_ ranking: Ranking, campaignPartners: Set<Int64>?, today: String) -> [(rank: Int, row: Ranking.Row)] {
        var rows = ranking.rows.enumerated().map { (rank: $0.offset + 1, row: $0.element) }.filter { item in
            let row = item.row
            return (tier == nil || (row.tier == tier && !row.isPending)) && (sector == nil || row.partner.sector == sector)
                && (country == nil || row.partner.country == country) && (campaignPartners?.contains(row.partner.id) ?? true)
                && (!overdueOnly || row.overdue != nil || row.overdueActions > 0 || (row.nextDue.map { $0 < today } ?? false))
                && (!hitsOnly || row.openHits > 0)
        }
        if sort != "rank" || descending {
            rows.sort { a, b in
                let order = Self.compare(a, b, by: sort)
                return descending ? order == .orderedDescending : order == .orderedAscending
            }
        }
        return rows
    }

    static func compare(_ a: (rank: Int, row: Ranking.Row), _ b: (rank: Int, row: Ranking.Row), by column: String) -> ComparisonResult {
        func ordered<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : (a.rank < b.rank ? .orderedAscending : .orderedDescending)) }
        switch column {
        case "partner": return ordered(a.row.partner.name.lowercased(), b.row.partner.name.lowercased())
        case "sector": return ordered(a.row.partner.sector.rawValue, b.row.partner.sector.rawValue)
        case "country": return ordered(a.row.partner.country, b.row.partner.country)
        case "tier", "rank": return ordered(a.rank, b.rank)
        case "risk": return ordered(a.row.overallRisk ?? 101, b.row.overallRisk ?? 101)
        case "flags": return ordered(a.row.flags, b.row.flags)
        case "last_review": return ordered(a.row.lastReview ?? "", b.row.lastReview ?? "")
        case "next_due": return ordered(a.row.nextDue ?? "9999", b.row.nextDue ?? "9999")
        case "open_actions": return ordered(a.row.openActions, b.row.openActions)
        case "open_hits": return ordered(a.row.openHits, b.row.openHits)
        default: return ordered(a.rank, b.rank)
        }
    }

    /// The query string of this view with some values changed (nil removes one).
    func query(_ changes: [String: String?] = [:]) -> String {
        var values: [String: String] = [:]
        if let tier { values["tier"] = tier.rawValue }
        if let sector { values["sector"] = sector.rawValue }
        if let country { values["country"] = country }
        if let campaign { values["campaign"] = String(campaign) }
        if overdueOnly { values["overdue"] = "1" }
        if hitsOnly { values["hits"] = "1" }
        if sort != "rank" { values["sort"] = sort }
        if descending { values["dir"] = "desc" }
        if page > 1 { values["page"] = String(page) }
        for (key, value) in changes { values[key] = value }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return values.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}
