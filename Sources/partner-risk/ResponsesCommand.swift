import ArgumentParser
import Foundation
import PartnerRisk

struct ResponsesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responses",
        abstract: "Answers from partners: import returned answer files, list what was received, list what was refused.",
        subcommands: [ResponsesImportCommand.self, ResponsesListCommand.self, ResponsesRejectedCommand.self])
}

struct ResponsesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import answer files: .json files saved from the offline answer file, .eml messages carrying them, or folders of both.",
        discussion: """
            Each file is checked (token, survey version, checksum, every answer against its question). An accepted file \
            becomes a new revision of that partner's answers; nothing is ever overwritten. A file that cannot be accepted \
            is copied to the quarantine folder (quarantine/ next to the database) with its reason: see \
            `partner-risk responses rejected`. Bad files do not make the command fail; only operational errors do.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Files or folders to import.", valueName: "path"))
    var paths: [String]

    @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml next to the database).", valueName: "file"))
    var config: String?

    func run() throws {
        let workspace = global.workspace
        let store = try workspace.openStore()
        let settings = try AppConfig.load(explicitPath: config, databasePath: workspace.databasePath)
        let ingest = ResponseIngest(responses: store, surveys: store, quarantine: workspace.quarantineDirectory(settings))
        let summary = try ingest.importPaths(paths)
        for rejected in summary.rejected { print("rejected \(rejected.source): \(rejected.reason)") }
        try ScoringHook.scoreAccepted(summary.acceptedResponseIDs, store: store, workspace: workspace)
        print(summary.line)
    }
}

struct ResponsesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List received responses: partner, channel, revision, completeness, receipt time.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only this campaign.", valueName: "id"))
    var campaign: Int64?

    @Option(help: ArgumentHelp("Only this partner (id).", valueName: "id"))
    var partner: Int64?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try global.workspace.openStore()
        print(ResponseListing.make(try store.responses(campaignID: campaign, partnerID: partner)).render(format))
    }
}

struct ResponsesRejectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rejected", abstract: "List inputs that were refused, with the reason and the quarantined copy.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try global.workspace.openStore()
        print(ResponseListing.rejected(try store.rejectedInputs()).render(format))
    }
}
