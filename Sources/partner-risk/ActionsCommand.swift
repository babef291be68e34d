import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct ActionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actions",
        abstract: "Corrective actions asked of partners: add, list (overdue ones), close.",
        discussion: "Overdue actions make the partner due in `review due` and appear in the ranking and both reports.",
        subcommands: [ActionsAddCommand.self, ActionsListCommand.self, ActionsCloseCommand.self])
}

struct ActionsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Ask a partner for a corrective action on a finding.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "partner"))
    var partner: String

    @Option(help: ArgumentHelp("The finding's code: a question id (F5_broken_seal_procedure), a red flag's code, or your own.", valueName: "code"))
    var finding: String

    @Option(help: ArgumentHelp("When it must be done.", valueName: "YYYY-MM-DD"))
    var due: String

    @Option(help: ArgumentHelp("Who must do it (a person or team at the partner).", valueName: "name"))
    var owner: String

    @Option(help: ArgumentHelp("What is asked.", valueName: "text"))
    var note: String = ""

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        let id = try app.signOffs.addAction(found, finding: finding, due: due, owner: owner, note: note)
        say("corrective action \(id) for partner \(found.id) \(found.name): \(finding), due \(due), owner \(owner)")
    }
}

struct ActionsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List corrective actions (open ones unless --all).")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only this partner's actions.", valueName: "partner"))
    var partner: String?

    @Flag(help: "Only actions past their due date and still open.")
    var overdue = false

    @Flag(help: "Include closed actions.")
    var all = false

    @Option(help: ArgumentHelp("The day the due dates are compared with (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let app = try global.environment()
        let partnerID = try partner.map { try PartnerRegistry(repository: app.repositories).find($0).id }
        let today = try asOf.map { day in
            guard let parsed = DayFormat.parseDay(day) else { throw PartnerRiskError.badInput("--as-of \"\(day)\" is not a date: write YYYY-MM-DD") }
            return DayFormat.day(parsed)
        } ?? DayFormat.day(app.time.now())
        var actions = try app.repositories.actions(partnerID: partnerID, openOnly: !all)
        if overdue { actions = actions.filter { $0.isOverdue(on: today) } }
        print(ActionListing.listing(actions, today: today).render(format))
        if format == .table { print("\(actions.count) action(s)") }
    }
}

struct ActionsCloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a corrective action, saying how it was done.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The action's id (see `actions list`).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("How it was done and what you checked.", valueName: "text"))
    var note: String

    @Option(help: ArgumentHelp("A file that shows it done, kept in the evidence folder with its SHA-256.", valueName: "file"))
    var evidence: String?

    func run() throws {
        let app = try global.environment()
        let closed = try app.signOffs.closeAction(id: id, note: note, evidence: evidence.map { URL(fileURLWithPath: $0) }, vault: app.evidence)
        say("closed corrective action \(closed.id) of partner \(closed.partnerID) \(closed.partnerName)"
            + (closed.closeEvidenceSHA256.map { ", evidence \(closed.closeEvidence ?? "") sha256 \($0)" } ?? ""))
    }
}
