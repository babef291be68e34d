import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Send the questionnaire to partners, follow up, and see who has answered.",
        subcommands: [CampaignCreateCommand.self, CampaignListCommand.self, CampaignSendCommand.self, CampaignStatusCommand.self,
                      CampaignRemindCommand.self, CampaignCloseCommand.self])
}

/// Mail options shared by `campaign send` and `campaign remind`; they override the config file.
struct MailOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml next to the database).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Send through this SMTP server: smtp://host:port (STARTTLS) or smtps://host:port. User and password come from PARTNER_RISK_SMTP_USER / PARTNER_RISK_SMTP_PASSWORD (or PARTNER_RISK_SMTP_PASSWORD_FILE).", valueName: "url"))
    var smtp: String?

    @Option(help: "TLS for smtp://: required (default: STARTTLS or nothing is sent), optional, or none.")
    var tls: MailTLS?

    @Option(help: ArgumentHelp("Parallel SMTP connections (default 2).", valueName: "n"))
    var connections: Int?

    @Option(help: ArgumentHelp("Do not send: write each message as an .eml file into this folder.", valueName: "dir"))
    var drop: String?

    @Option(name: .customLong("max-per-minute"), help: ArgumentHelp("Send at most this many messages a minute (provider quotas).", valueName: "n"))
    var maxPerMinute: Int?

    @Flag(name: .customLong("allow-local-links"), help: ArgumentHelp(
        "Mail links even though public_url is unset or names this machine or a private network (trials and tests; also allow_local_links: true in the config)."))
    var allowLocalLinks = false

    var overrides: MailSetup.Overrides {
        MailSetup.Overrides(smtp: smtp, tls: tls, connections: connections, drop: drop, maxPerMinute: maxPerMinute)
    }

    func validate() throws {
        if let connections, !(1...32).contains(connections) { throw ValidationError("--connections must be between 1 and 32") }
        if let smtp, !(smtp.hasPrefix("smtp://") || smtp.hasPrefix("smtps://")) { throw ValidationError("--smtp must start with smtp:// or smtps://") }
    }
}

extension MailTLS: ExpressibleByArgument {}

/// Sends a campaign's due messages and prints the outcome.
func runSender(campaignID: Int64, global: GlobalOptions, mail: MailOptions, resendUncertain: Bool) throws -> CampaignSender.Report {
    let app = try global.environment(config: mail.config)
    let sender = try app.campaignSender(campaignID: campaignID, overrides: mail.overrides, resendUncertain: resendUncertain)
    try app.mail.checkLinks(publicURL: app.mail.configuredPublicURL, transports: sender.transports, allow: mail.allowLocalLinks)
    print("campaign \(campaignID): sending via \(sender.transports.summary)")
    let report = try sender.send(campaignID: campaignID, progress: terminalProgress("sending"))
    print("campaign \(campaignID): \(report.line)")
    return report
}

struct CampaignCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a campaign: one personal invitation per selected partner. Prints the new campaign's id.",
        discussion: "Nothing is sent yet: run `partner-risk campaign send ID`. The survey version is pinned (by content hash) for this campaign.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The survey id (see `partner-risk surveys list`).", valueName: "id"))
    var survey: String

    @Option(help: ArgumentHelp("Which partners: all (default).", valueName: "all"))
    var partners: String = "all"

    @Option(help: ArgumentHelp("Only partners of this sector.", valueName: "sector"))
    var sector: Sector?

    @Option(help: ArgumentHelp("Only partners with this tag.", valueName: "tag"))
    var tag: String?

    @Option(help: ArgumentHelp("Only partners in this country (ISO code).", valueName: "code"))
    var country: String?

    @Option(help: ArgumentHelp("The date partners must answer by (YYYY-MM-DD).", valueName: "date"))
    var deadline: String

    @Option(help: ArgumentHelp("The sender, e.g. \"Acme Compliance <compliance@acme.example>\" (default: from the config file).", valueName: "address"))
    var from: String?

    @Option(help: ArgumentHelp("A name for the campaign.", valueName: "text"))
    var name: String?

    @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml next to the database).", valueName: "file"))
    var config: String?

    func validate() throws {
        if partners != "all" { throw ValidationError("--partners takes only `all`; use --sector, --tag or --country to narrow") }
        if [sector != nil, tag != nil, country != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --sector, --tag, --country")
        }
    }

    func run() throws {
        let app = try global.environment(config: config)
        var sender = app.mail.defaultSender
        if let from {
            guard let parsed = MailAddress(parsing: from) else { throw PartnerRiskError.badInput("--from \"\(from)\" is not an address like \"Name <addr@example.com>\"") }
            sender = parsed
        }
        let audience: CampaignAudience = sector.map { .sector($0) } ?? tag.map { .tag($0) } ?? country.map { .country($0) } ?? .all
        let found = try app.catalog.survey(id: survey)
        let campaign = try app.campaigns.create(survey: found, audience: audience, deadline: deadline, sender: sender, name: name)
        let counts = try app.repositories.invitationCounts(campaignID: campaign.id)
        FileHandle.standardError.write(Data("created campaign \(campaign.id): \(counts.invited) invitations queued; send with `partner-risk campaign send \(campaign.id)`\n".utf8))
        let invited = try app.repositories.invitedPartners(campaignID: campaign.id)
        try warnAboutCountries(try app.repositories.partners(matching: PartnerFilter()).filter { invited.contains($0.id) }, app: app)
        print(campaign.id)
    }
}

struct CampaignListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List campaigns with their ids.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        print(try global.environment().campaigns.listing().render(format))
    }
}

struct CampaignSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send every queued invitation and reminder of a campaign, and retry deferred ones that are due.",
        discussion: """
            Safe to run again at any time: a partner never gets a second copy of a message the server accepted. \
            If a run is killed, the messages that were in flight are listed as `uncertain` and are re-sent \
            only with --resend-uncertain.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mail: MailOptions

    @Argument(help: "The campaign id.")
    var id: Int64

    @Flag(name: .customLong("resend-uncertain"), help: "Also re-send messages whose delivery is uncertain after an interrupted run.")
    var resendUncertain = false

    @Flag(name: .customLong("block-on-hits"), help: "Send nothing while an invited partner has an open or confirmed sanctions-list hit.")
    var blockOnHits = false

    func run() throws {
        let app = try global.environment()
        let hits = try app.screening.standingHits(partnerIDs: try app.repositories.invitedPartners(campaignID: id))
        warn(hits.map(ScreeningService.warning))
        if blockOnHits && !hits.isEmpty {
            throw PartnerRiskError.badInput("campaign \(id): nothing sent (--block-on-hits): \(Set(hits.map(\.partnerID)).count) invited partner(s) have sanctions-list hits to decide (`partner-risk screening hits`)")
        }
        let report = try runSender(campaignID: id, global: global, mail: mail, resendUncertain: resendUncertain)
        if report.failed > 0 || report.deferred > 0 {
            FileHandle.standardError.write(Data("some messages were not accepted; see `partner-risk campaign status \(id)`\n".utf8))
        }
    }
}

struct CampaignStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Counts per delivery state, answers received, and each failure with the server's reply.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The campaign id.")
    var id: Int64

    func run() throws {
        say(try global.environment().campaigns.status(id))
    }
}

struct CampaignRemindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remind",
        abstract: "Remind invited partners who have not answered yet, and send the reminders.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mail: MailOptions

    @Argument(help: "The campaign id.")
    var id: Int64

    @Option(name: .customLong("max-reminders"), help: "Never send a partner more reminders than this.")
    var maxReminders = 2

    @Option(name: .customLong("min-days"), help: "Wait at least this many days after the last message to a partner.")
    var minDays = 7

    @Flag(name: .customLong("after-deadline"), help: "Remind even though the deadline has passed.")
    var afterDeadline = false

    func run() throws {
        let queued = try global.environment(config: mail.config).campaigns.remind(id, maxReminders: maxReminders, minDays: minDays, afterDeadline: afterDeadline)
        print("campaign \(id): \(queued) reminder(s) queued")
        _ = try runSender(campaignID: id, global: global, mail: mail, resendUncertain: false)
    }
}

struct CampaignCloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a campaign: its links stop accepting answers.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The campaign id.")
    var id: Int64

    func run() throws {
        try global.environment().campaigns.close(id)
        print("campaign \(id) closed")
    }
}
