import Foundation
import PartnerRiskCore
import PartnerRiskTemplates

/// The history chart of a partner's page: overall risk (thick) and each category's risk (thin)
/// by review, 0–100, as inline SVG made on the server (no script; the same numbers are in the
/// history table below it). Every text put in the SVG is escaped here.
enum RiskChart {
    static let width = 640.0, height = 220.0, left = 36.0, bottom = 24.0, top = 10.0, right = 110.0

    static func svg(_ scores: [StoredScore]) -> String {
        guard scores.count >= 2 else { return "" }
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double { left + plotWidth * Double(index) / Double(scores.count - 1) }
        func y(_ risk: Double) -> Double { top + plotHeight * (1 - max(0, min(100, risk)) / 100) }
        func points(_ values: [Double]) -> String { values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ") }
        var parts = ["<svg class=\"chart\" role=\"img\" aria-label=\"Risk by review, 0 to 100\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"]
        parts += grid(y)
        let palette = ["#7a5300", "#1e6b34", "#0b4f8a", "#6b2fa3", "#9a2d05", "#39424e", "#00727a", "#a3005c"]
        for (index, category) in Category.scored.enumerated() {
            let values = scores.map { score in score.categories.first { $0.category == category }?.risk ?? 0 }
            guard values.contains(where: { $0 > 0 }) else { continue }
            let colour = palette[index % palette.count]
            parts.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1\" points=\"\(points(values))\"/>")
            parts.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" fill=\"\(colour)\">%@</text>", width - right + 6, y(values.last ?? 0) + 3, escape(category.rawValue)))
        }
        parts.append("<polyline fill=\"none\" stroke=\"#b42318\" stroke-width=\"3\" points=\"\(points(scores.map(\.overallRisk)))\"/>")
        parts.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" fill=\"#b42318\">overall</text>", width - right + 6, y(scores.last?.overallRisk ?? 0) - 6))
        for (index, score) in scores.enumerated() {
            parts.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" font-size=\"9\" fill=\"#5f6b7a\" text-anchor=\"middle\">%@</text>", x(index), height - 6, escape(String(score.computedAt.prefix(10)))))
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String { ScalarHTMLEscape.escape(text) }

    /// The 0–100 grid lines with their labels, for a plot whose `y` maps a risk to its height.
    static func grid(_ y: (Double) -> Double) -> [String] {
        [0.0, 25, 50, 75, 100].map { value in
            String(format: "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#d9dde3\"/><text x=\"4\" y=\"%.1f\" font-size=\"10\" fill=\"#5f6b7a\">%.0f</text>",
                   left, y(value), width - right, y(value), y(value) + 3, value)
        }
    }

    /// Horizontal bars, one per tier, labelled with the tier's name and count (never colour alone).
    static func tierBars(_ tiers: [ProgramFigures.TierCount]) -> String {
        let most = Double(max(1, tiers.map(\.count).max() ?? 1)), rowHeight = 26.0
        let colours = ["critical": "#b42318", "high": "#e0652e", "pending": "#8a94a3", "medium": "#d9a400", "low": "#2f8f4e"]
        var parts = ["<svg class=\"chart\" role=\"img\" aria-label=\"Partners by tier\" viewBox=\"0 0 520 \(Int(rowHeight * Double(tiers.count) + 8))\" xmlns=\"http://www.w3.org/2000/svg\">"]
        for (index, tier) in tiers.enumerated() {
            let y = 4 + rowHeight * Double(index), length = 300 * Double(tier.count) / most
            parts.append(String(format: "<text x=\"0\" y=\"%.1f\" font-size=\"12\" fill=\"#1f2933\">%@</text>", y + 16, escape(tier.label)))
            parts.append(String(format: "<rect x=\"150\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"%@\"/>", y + 3, max(1, length), colours[tier.key] ?? "#8a94a3"))
            parts.append(String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#1f2933\">%d</text>", 156 + length, y + 16, tier.count))
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// The monthly trend: average overall risk (line, 0–100) of the scores of each month.
    static func trend(_ months: [MonthlyRisk]) -> String {
        guard months.count >= 2 else { return "" }
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double { left + plotWidth * Double(index) / Double(months.count - 1) }
        func y(_ risk: Double) -> Double { top + plotHeight * (1 - max(0, min(100, risk)) / 100) }
        var parts = ["<svg class=\"chart\" role=\"img\" aria-label=\"Average overall risk by month, 0 to 100\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"]
        parts += grid(y)
        let points = months.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element.averageRisk)) }.joined(separator: " ")
        parts.append("<polyline fill=\"none\" stroke=\"#b42318\" stroke-width=\"3\" points=\"\(points)\"/>")
        for (index, month) in months.enumerated() {
            parts.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" font-size=\"9\" fill=\"#5f6b7a\" text-anchor=\"middle\">%@</text>", x(index), height - 6, escape(month.month)))
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
