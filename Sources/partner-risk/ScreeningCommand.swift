import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct ScreeningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screening",
        abstract: "Sanctions and denied-party screening: import the official lists, screen partners, confirm or clear hits.",
        discussion: """
            Lists are read from files you download (nothing is fetched): Canada's Consolidated Autonomous Sanctions List (XML), \
            the UN Security Council Consolidated List (XML), OFAC's sdn.csv (with alt.csv beside it) and OpenSanctions' \
            targets.simple.csv. A confirmed hit is a knock-out; a cleared one stays cleared until its list entry changes.
            """,
        subcommands: [ScreeningListsCommand.self, ScreeningRunCommand.self, ScreeningHitsCommand.self, ScreeningConfirmCommand.self,
                      ScreeningClearCommand.self])
}

struct ScreeningListsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lists", abstract: "The sanctions lists on file: import a new version, or show the latest of each.",
        subcommands: [ScreeningListsImportCommand.self, ScreeningListsShowCommand.self], defaultSubcommand: ScreeningListsShowCommand.self)
}

struct ScreeningListsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a list file (its format is found from its content), keep it as a new version, print what changed, and screen every partner again.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The list file, or the folder holding OFAC's sdn.csv and alt.csv.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The list's name (default: canada-sema, un-consolidated, ofac-sdn or opensanctions).", valueName: "name"))
    var list: String?

    @Option(help: ArgumentHelp("The list's date when the file gives none (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    func run() throws {
        let app = try global.environment()
        if let asOf, DayFormat.parseDay(asOf) == nil { throw PartnerRiskError.badInput("--as-of \"\(asOf)\" is not a date: write YYYY-MM-DD") }
        let result = try app.screening.importList(file, name: list, asOf: asOf)
        let changes = result.changes
        say("\(file): list \(result.list.name) of \(result.list.date ?? "?"), \(result.list.entries.count) entries: added \(changes.added.count), changed \(changes.changed.count), removed \(changes.removed.count)")
        for entry in changes.added.prefix(20) { say("  added \(entry.key): \(entry.primaryName)") }
        for entry in changes.changed.prefix(20) { say("  changed \(entry.key): \(entry.primaryName)") }
        for entry in changes.removed.prefix(20) { say("  removed \(entry.key): \(entry.primaryName)") }
        reportScreening(result.screening)
    }
}

struct ScreeningListsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "The latest version of each list on file.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let versions = try global.environment().repositories.listVersions()
        print(Listing(columns: ["list", "format", "date", "entries", "imported_at"],
                      rows: versions.map { [$0.list, $0.format, $0.date ?? "-", String($0.entries), $0.importedAt] },
                      objects: versions.map { ["list": .string($0.list), "format": .string($0.format), "date": .text($0.date),
                                               "entries": .number(Double($0.entries)), "imported_at": .string($0.importedAt)] }).render(format))
    }
}

struct ScreeningRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Screen every partner (or one) against the latest version of every list.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only this partner (id, email or external id).", valueName: "partner"))
    var partner: String?

    func run() throws {
        let app = try global.environment()
        let partnerID = try partner.map { try PartnerRegistry(repository: app.repositories).find($0).id }
        var screening = app.screening
        screening.progress = terminalProgress("screening")
        reportScreening(try screening.run(partnerID: partnerID))
    }
}

struct ScreeningHitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hits", abstract: "List screening hits.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only hits with this status: open, confirmed or cleared.", valueName: "status"))
    var status: ScreeningHit.Status?

    @Option(help: ArgumentHelp("Only this partner's hits.", valueName: "partner"))
    var partner: String?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let app = try global.environment()
        let partnerID = try partner.map { try PartnerRegistry(repository: app.repositories).find($0).id }
        let hits = try app.repositories.screeningHits(partnerID: partnerID, status: status)
        print(ScreeningListing.listing(hits).render(format))
        if format == .table { print("\(hits.count) hit(s)") }
    }
}

extension ScreeningHit.Status: ExpressibleByArgument {}

struct ScreeningConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Confirm a hit: the partner is the listed party. A knock-out, and a re-review trigger.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The hit's id (see `screening hits`).", valueName: "hit"))
    var hit: Int64

    @Option(help: ArgumentHelp("What you checked (address, registration number, date of birth, ownership).", valueName: "text"))
    var note: String

    func run() throws {
        let decided = try global.environment().screening.decide(hit: hit, status: .confirmed, note: note)
        say("confirmed hit \(decided.id): partner \(decided.partnerID) \(decided.partnerName) is \(decided.list) \(decided.entryKey) \(decided.entryName) (a knock-out)")
    }
}

struct ScreeningClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Clear a hit as a false positive; it stays cleared until that list entry changes.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The hit's id (see `screening hits`).", valueName: "hit"))
    var hit: Int64

    @Option(help: ArgumentHelp("Why it is not the listed party.", valueName: "text"))
    var note: String

    func run() throws {
        let decided = try global.environment().screening.decide(hit: hit, status: .cleared, note: note)
        say("cleared hit \(decided.id) of partner \(decided.partnerID) \(decided.partnerName)")
    }
}

/// Tells the officer what a screening found.
func reportScreening(_ outcome: ScreeningOutcome) {
    for hit in outcome.new + outcome.reopened {
        say("\(outcome.reopened.contains(hit) ? "hit opened again" : "new hit") \(hit.id): partner \(hit.partnerID) \(hit.partnerName) ~ \(hit.list) \(hit.entryKey) “\(hit.matchedName)” (similarity \(String(format: "%.2f", hit.score)))")
    }
    say("screening: \(outcome.new.count) new hit(s), \(outcome.reopened.count) opened again, \(outcome.unchanged) already known")
}
