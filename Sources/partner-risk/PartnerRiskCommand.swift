import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// The `partner-risk` command: the root that lists every subcommand.
struct PartnerRiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner-risk",
        abstract: "Run the yearly security review of your supply-chain partners (PIP, CTPAT, AEO).",
        discussion: """
            Import your partners, send them the security questionnaire by email, import the answer files \
            they send back, and rank them by risk with an explanation you can show the border agency.

            A first run: partner-risk partners import partners.csv; partner-risk campaign create \
            --survey pip-partner-security --deadline 2027-01-31; partner-risk campaign send 1; \
            partner-risk responses import replies/; partner-risk ranking.

            Every command works on one SQLite file: ./partner-risk.sqlite, or --db PATH, or $PARTNER_RISK_DB.
            Exit codes: 0 ok, 1 the operation failed, 2 bad usage or bad input.
            """,
        version: "0.1.0",
        subcommands: [DoctorCommand.self, CheckCommand.self, ConfigCommand.self, BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self, PartnersCommand.self, SurveysCommand.self, CampaignCommand.self, ResponsesCommand.self, RankingCommand.self, RescoreCommand.self, ReviewCommand.self, EvidenceCommand.self, FlagsCommand.self, ActionsCommand.self, ScreeningCommand.self, OfficerCommand.self, ReportCommand.self, InvitationsCommand.self, ServeCommand.self, DemoCommand.self, BenchSeedCommand.self, BenchScreenNaiveCommand.self]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database: a SQLite file, or postgres://USER@HOST:PORT/NAME with the password in $PARTNER_RISK_DB_PASSWORD (default: $PARTNER_RISK_DB, else ./partner-risk.sqlite).", valueName: "path-or-url"))
    var db: String?

    @Option(help: ArgumentHelp("Who is acting, as the audit trail names you (default: officer.name in the config, else your login name).", valueName: "name"))
    var officer: String?

    var workspace: Workspace { Workspace.resolve(databaseFlag: db) }

    /// The composition root for this command: the store, the config file (`config`, else the
    /// one beside the database) and the services built from them.
    func environment(config: String? = nil, time: any TimeSource = SystemTime()) throws -> AppEnvironment {
        try AppEnvironment.open(database: db, config: config, officer: officer, time: time)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension Sector: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
extension Language: ExpressibleByArgument {}
extension RiskTier: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
