import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Printable HTML records to show the border agency: one partner's review, or the whole program.",
        subcommands: [ReportPartnerCommand.self, ReportProgramCommand.self])
}

struct ReportPartnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: "One partner's evidence record: answers, evidence with SHA-256, score, explanation, history, sign-offs.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "id"))
    var partner: String

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file.html"))
    var out: String

    func run() throws {
        let reports = try global.environment().reports()
        let found = try PartnerRegistry(repository: reports.store).find(partner)
        try Data(try reports.partnerReport(found).utf8).write(to: URL(fileURLWithPath: out))
        print(out)
    }
}

struct ReportProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program",
        abstract: "The whole partner base: tier counts, overdue reviews, open flags and the ranking.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file.html"))
    var out: String

    @Option(name: .customLong("as-of"), help: ArgumentHelp("As of this date (YYYY-MM-DD) instead of today.", valueName: "date"))
    var asOf: String?

    func run() throws {
        let time = try clock(asOf: asOf)
        let app = try global.environment(time: time)
        let reports = try app.reports()
        let ranking = try app.ranking()
        let due = try app.reviews.due()
        try Data(try reports.programReport(ranking: ranking, due: due).utf8).write(to: URL(fileURLWithPath: out))
        print(out)
    }
}
