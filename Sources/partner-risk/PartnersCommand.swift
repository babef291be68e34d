import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct PartnersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners",
        abstract: "Manage the partner registry: import from CSV, list, show (with score and explanation), deactivate, flag an incident.",
        subcommands: [PartnersImportCommand.self, PartnersListCommand.self, PartnersShowCommand.self, PartnersDeactivateCommand.self, PartnersFlagCommand.self,
                      PartnersVerifyMembershipCommand.self, PartnersUnverifyMembershipCommand.self])
}

struct PartnersImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add or update partners from a CSV file.",
        discussion: """
            Columns are found by their header name (any case): name, email, country (ISO code such as CA), \
            sector, and optionally contact, language (en or fr), tags (separated by ;), external_id, \
            trusted_trader (e.g. CTPAT:12345678), aliases (other names the partner trades under, separated by ;: \
            screened against the sanctions lists like its name).
            Sectors: \(Sector.allNames).
            A partner is matched by external_id, else by email; importing the same file twice changes nothing. \
            Rows with problems are listed as FILE:LINE: column: reason and skipped; the others are imported.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The CSV file to import.", valueName: "file.csv"))
    var file: String

    @Flag(help: "Refuse the whole file if any row has a problem (nothing is written).")
    var strict = false

    func run() throws {
        let app = try global.environment()
        let store = app.repositories
        let summary = try PartnerRegistry(repository: store).importFile(at: file, strict: strict, progress: terminalProgress("importing partners"))
        for problem in summary.rejected {
            FileHandle.standardError.write(Data((TerminalText.escapedLines("\(problem)") + "\n").utf8))
        }
        if strict && !summary.rejected.isEmpty {
            throw PartnerRiskError.badInput("\(file): \(summary.rejected.count) row(s) with problems; nothing was imported (--strict)")
        }
        say("\(file): \(summary.line)")
        let imported = Set(summary.emails.map { $0.lowercased() })
        let partners = try store.partners(matching: PartnerFilter()).filter { imported.contains($0.email.lowercased()) }
        try warnAboutCountries(partners, app: app)
        // Screened at once against the lists on file; every standing hit is named.
        let ids = Set(partners.map(\.id))
        _ = try app.screening.run(partnerIDs: ids)
        warn(try app.screening.standingHits(partnerIDs: ids).map(ScreeningService.warning))
    }
}

struct PartnersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List active partners, optionally filtered.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only this sector.", valueName: "sector"))
    var sector: Sector?

    @Option(help: ArgumentHelp("Only this country (ISO code such as CA).", valueName: "code"))
    var country: String?

    @Option(help: ArgumentHelp("Only partners with this tag.", valueName: "tag"))
    var tag: String?

    @Flag(help: "Include deactivated partners.")
    var all = false

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try global.environment().repositories
        let filter = PartnerFilter(sector: sector, country: country, tag: tag, includeInactive: all)
        let partners = try PartnerRegistry(repository: store).list(filter)
        print(PartnerRegistry.listing(partners).render(format))
        if format == .table { print("\(partners.count) partner(s)") }
    }
}

struct PartnersShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one partner: details, campaigns, answers, score and its explanation.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "id|email"))
    var partner: String

    @Option(help: "Output format: table (readable text), csv (one row) or json.")
    var format: OutputFormat = .table

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        let sheet = try PartnerSheet.build(partner: found, store: app.repositories, language: app.officerLanguage)
        switch format {
        case .table: say(sheet.text)
        case .csv: print(sheet.csv)
        case .json: print(sheet.json)
        }
    }
}

struct PartnersDeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate",
        abstract: "Deactivate a partner: kept in history, left out of new campaigns.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "id"))
    var partner: String

    func run() throws {
        let store = try global.environment().repositories
        let found = try PartnerRegistry(repository: store).deactivate(partner)
        say("deactivated partner \(found.id) \(found.name)")
    }
}


/// Lines for the officer on standard error, escaped.
func warn(_ lines: [String]) {
    for line in lines { FileHandle.standardError.write(Data((TerminalText.escapedLines(line) + "\n").utf8)) }
}

/// Names, on standard error, the partners registered in a knock-out or at-least-High country.
func warnAboutCountries(_ partners: [Partner], app: AppEnvironment) throws {
    warn(try app.countryWarnings(partners).map(\.line))
}
