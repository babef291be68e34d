import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "The yearly re-review: who is due and why, start their campaign, record your decision.",
        subcommands: [ReviewDueCommand.self, ReviewStartCommand.self, ReviewSignOffCommand.self])
}

/// `--as-of DATE` as a clock (end of that day), or the real clock.
func clock(asOf: String?) throws -> TimeSource {
    guard let asOf else { return SystemTime() }
    guard let date = DayFormat.parseDay(asOf) else { throw PartnerRiskError.badInput("--as-of \(asOf) is not a date (YYYY-MM-DD)") }
    return FixedTime(date.addingTimeInterval(86_399))
}

struct ReviewDueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "List partners due for re-review (12 months since the last review, 6 for High/Critical) or triggered early, each with its reasons.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Judge as of this date (YYYY-MM-DD) instead of today.", valueName: "date"))
    var asOf: String?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let due = try global.environment(time: try clock(asOf: asOf)).reviews.due()
        print(ReviewService.listing(due).render(format))
        if format == .table { print("\(due.count) partner(s) due") }
    }
}

struct ReviewStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Create a campaign for exactly the partners due: the annual update survey where a full review is on file, else the full survey. Prints the campaign id.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Judge as of this date (YYYY-MM-DD) instead of today.", valueName: "date"))
    var asOf: String?

    @Option(help: ArgumentHelp("Answer-by date (default: 30 days after --as-of or today).", valueName: "date"))
    var deadline: String?

    @Option(help: ArgumentHelp("The sender, e.g. \"Acme Compliance <compliance@acme.example>\".", valueName: "address"))
    var from: String?

    func run() throws {
        let time = try clock(asOf: asOf)
        let app = try global.environment(time: time)
        let sender = from.flatMap(MailAddress.init(parsing:)) ?? app.mail.defaultSender
        let answerBy = deadline ?? DayFormat.day(time.now().addingTimeInterval(30 * 86_400))
        guard let (campaign, count) = try app.reviews.start(deadline: answerBy, sender: sender) else {
            FileHandle.standardError.write(Data("no partner is due for re-review\n".utf8))
            return
        }
        FileHandle.standardError.write(Data("created campaign \(campaign.id) for \(count) partner(s); send with `partner-risk campaign send \(campaign.id)`\n".utf8))
        print(campaign.id)
    }
}

struct ReviewSignOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-off",
        abstract: "Record your decision on a partner's review in the audit log: accept, action-plan (corrective action required) or suspend (partner deactivated).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "id"))
    var partner: String


    @Option(help: "accept, action-plan (needs an open corrective action: `actions add`) or suspend (partner deactivated).")
    var decision: ReviewDecision = .accept

    @Option(help: ArgumentHelp("Your note: what you checked and why you decided so.", valueName: "text"))
    var note: String

    @Flag(name: .customLong("override"), help: "Accept although a knock-out or an open red flag stands (give --reason).")
    var overrideStanding = false

    @Option(help: ArgumentHelp("Why you accept despite what stands (with --override); recorded with the sign-off.", valueName: "text"))
    var reason: String?

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        if overrideStanding && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw PartnerRiskError.badInput("--override needs --reason \"why\": the reason is what CBSA will read")
        }
        say(try app.signOffs.signOff(found, decision: decision, note: note, overrideReason: overrideStanding ? reason : nil))
    }
}

extension ReviewDecision: ExpressibleByArgument {}

struct PartnersFlagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag an incident on a partner (seal breach, contraband, ownership change...): it becomes due for re-review now.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "id"))
    var partner: String


    @Option(help: ArgumentHelp("What happened.", valueName: "text"))
    var reason: String

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        try app.repositories.flagPartner(id: found.id, reason: reason, actor: app.officer, at: app.time.now())
        say("flagged partner \(found.id) \(found.name): \(reason)")
    }
}
