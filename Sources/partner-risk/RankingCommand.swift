import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct RankingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranking",
        abstract: "Rank partners from riskiest to safest, with tier, risk, worst categories, flags and review dates.",
        discussion: "Partners invited but without a complete response 30 days after the deadline are ranked as non-response knock-outs (unknown risk is high risk). An overdue review adds risk points.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only partners of this campaign.", valueName: "id"))
    var campaign: Int64?

    @Option(help: ArgumentHelp("Only this tier: low, medium, high or critical.", valueName: "tier"))
    var tier: RiskTier?

    @Option(help: ArgumentHelp("Only this sector.", valueName: "sector"))
    var sector: Sector?

    @Option(help: ArgumentHelp("Only this country (ISO code).", valueName: "code"))
    var country: String?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Rank as of this date (YYYY-MM-DD) instead of today.", valueName: "date"))
    var asOf: String?

    func run() throws {
        let time = try clock(asOf: asOf)
        let app = try global.environment(time: time)
        let ranking = try app.ranking(campaign: campaign).filtered(tier: tier, sector: sector, country: country)
        if format == .table {
            print(ranking.terminalTable(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil))
        } else {
            print(ranking.listing.render(format))
        }
    }
}

struct RescoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rescore",
        abstract: "Recompute scores after a change to scoring.yaml or the country list. New score rows are written; old ones stay in history.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Rescore every partner's current response (the default and only mode for now).")
    var all = false

    func run() throws {
        var scoring = try global.environment().scoringService()
        scoring.progress = terminalProgress("rescoring")
        let count = try scoring.rescoreAll()
        print("rescored \(count) response(s)")
    }
}
