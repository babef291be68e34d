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

    /// The positions in `ranking.rows` (rank − 1) of the rows that pass the filters, in the chosen
    /// order. Positions, not rows: copying 100,000 rows for each page view showed in the profile.
    func positions(_ ranking: Ranking, campaignPartners: Set<Int64>?, today: String) -> [Int] {
        let rows = ranking.rows
        let filtering = tier != nil || sector != nil || country != nil || campaignPartners != nil || overdueOnly || hitsOnly
        var positions = filtering ? rows.indices.filter { index in
            let row = rows[index]
            return (tier == nil || (row.tier == tier && !row.isPending)) && (sector == nil || row.partner.sector == sector)
                && (country == nil || row.partner.country == country) && (campaignPartners?.contains(row.partner.id) ?? true)
                && (!overdueOnly || row.overdue != nil || row.overdueActions > 0 || (row.nextDue.map { $0 < today } ?? false))
                && (!hitsOnly || row.openHits > 0)
        } : Array(rows.indices)
        if sort != "rank" && sort != "tier" || descending {
            positions.sort { a, b in
                let order = Self.compare(rows[a], a, rows[b], b, by: sort)
                return descending ? order == .orderedDescending : order == .orderedAscending
            }
        }
        return positions
    }

    /// The page to show (the one asked for, at most the last), how many pages there are, and the
    /// positions on that page (`pageSize` a page).
    func page(of positions: [Int]) -> (page: Int, pages: Int, shown: ArraySlice<Int>) {
        let pages = max(1, (positions.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(self.page, pages)
        return (page, pages, positions.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize))
    }

    /// How two rows compare on `column`; ties keep the ranking's order (by position).
    static func compare(_ a: Ranking.Row, _ i: Int, _ b: Ranking.Row, _ j: Int, by column: String) -> ComparisonResult {
        func ordered<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : (i < j ? .orderedAscending : .orderedDescending)) }
        switch column {
        case "partner": return ordered(a.partner.name.lowercased(), b.partner.name.lowercased())
        case "sector": return ordered(a.partner.sector.rawValue, b.partner.sector.rawValue)
        case "country": return ordered(a.partner.country, b.partner.country)
        case "risk": return ordered(a.overallRisk ?? 101, b.overallRisk ?? 101)
        case "flags": return ordered(a.flags, b.flags)
        case "last_review": return ordered(a.lastReview ?? "", b.lastReview ?? "")
        case "next_due": return ordered(a.nextDue ?? "9999", b.nextDue ?? "9999")
        case "open_actions": return ordered(a.openActions, b.openActions)
        case "open_hits": return ordered(a.openHits, b.openHits)
        default: return ordered(i, j)
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
