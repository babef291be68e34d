import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct ResponsesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responses",
        abstract: "Answers from partners: import returned answer files, list what was received, list what was refused.",
        subcommands: [ResponsesImportCommand.self, ResponsesFetchCommand.self, ResponsesListCommand.self, ResponsesRejectedCommand.self])
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
        let app = try global.environment(config: config)
        var ingest = app.ingest
        ingest.progress = terminalProgress("importing answers")
        // Each stored batch is scored while the next files are read; what is left (an error
        // there) is scored by the receipt below, as after an interrupted import.
        let scoring = try app.submissions.scoringAlongside()
        ingest.onStored = scoring.submit
        let imported = Result { try ingest.importPaths(paths) }
        // While the last batches are scored, look for answers an earlier run left unscored
        // (this import's own are being scored); looked for again after an error in scoring.
        let leftover = try? app.submissions.unscoredResponseIDs(excluding: Set(imported.get().acceptedResponseIDs))
        let alongside = scoring.finish()
        let summary = try imported.get()
        if let error = alongside.error { warn(["scoring during the import stopped (\((error as? PartnerRiskError)?.message ?? "\(error)")); scoring what is left now"]) }
        for skipped in summary.skipped { say("skipped \(skipped.source): \(skipped.reason)") }
        for rejected in summary.rejected { say("rejected \(rejected.source): \(rejected.reason)") }
        printHistory(summary)
        reportReceipt(try app.submissions.accepted(summary.acceptedResponseIDs, evidenceFor: summary.evidenceInvitations,
                                                   scoredAlready: alongside.scored, acknowledgedIn: summary.acknowledgedCampaigns,
                                                   unscored: alongside.error == nil ? leftover : nil))
        // Only the partners whose answers arrived: new owners and banks come from their answers.
        if !summary.acceptedPartners.isEmpty { warnNewHits(try app.screening.run(partnerIDs: summary.acceptedPartners)) }
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
        let store = try global.environment().repositories
        print(ResponseListing.make(try store.responses(campaignID: campaign, partnerID: partner)).render(format))
    }
}

struct ResponsesRejectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rejected", abstract: "List inputs that were refused, with the reason and the quarantined copy.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try global.environment().repositories
        print(ResponseListing.rejected(try store.rejectedInputs()).render(format))
    }
}

struct ResponsesFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Read replies from a mailbox over IMAP and import the answer files attached to them.",
        discussion: """
            Only new messages are read: each one is remembered (UIDVALIDITY + UID, and Message-ID), so running the \
            command twice imports nothing twice. A message without a usable answer file is quarantined and reported, \
            not lost. User and password come from PARTNER_RISK_IMAP_USER and PARTNER_RISK_IMAP_PASSWORD (or \
            PARTNER_RISK_IMAP_PASSWORD_FILE, readable by its owner only); PARTNER_RISK_IMAP_CA names a CA file.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The mailbox: imaps://host/INBOX, or imap://host:port/INBOX (STARTTLS).", valueName: "url"))
    var imap: String

    @Option(name: .customLong("move-to"), help: ArgumentHelp("Move each processed message to this mailbox (created if missing).", valueName: "mailbox"))
    var moveTo: String?

    @Option(help: "TLS for imap://: required (default), optional, or none.")
    var tls: MailTLS = .required

    @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml next to the database).", valueName: "file"))
    var config: String?

    func run() throws {
        let app = try global.environment(config: config)
        let fetcher = try app.mailboxFetcher(url: imap, tls: tls, moveTo: moveTo)
        let result = try app.fetchReplies(fetcher)
        for rejected in result.summary.rejected { say("rejected \(rejected.source): \(rejected.reason)") }
        printHistory(result.summary)
        reportReceipt(result.receipt)
        warn(result.hits.map(ScreeningService.warning))
        print("\(fetcher.reader.mailbox): \(result.messages) new message(s), \(result.skipped) already seen by Message-ID; \(result.summary.line)")
    }
}

/// Names each file that arrived late (stored, but saved before the answers that stay current),
/// and each document that came with answers but was not kept.
func printHistory(_ summary: ResponseIngest.Summary) {
    for document in summary.evidenceNotKept { say("document not kept from \(document.source): \(document.reason)") }
    for late in summary.history {
        say("older than current \(late.source): saved before revision \(late.current), which stays current; kept as revision \(late.revision) (history)")
    }
}

/// Tells the officer (on standard error) that each accepted answer's receipt waits in the outbox.
func reportReceipt(_ receipt: SubmissionService.Receipt) {
    guard receipt.thankYous > 0 else { return }
    let campaigns = receipt.campaigns.sorted().map(String.init).joined(separator: ", ")
    FileHandle.standardError.write(Data("queued \(receipt.thankYous) thank-you message(s); they go out with `partner-risk campaign send` (campaign \(campaigns))\n".utf8))
}

/// Names, on standard error, the hits new answers brought (owners and banks are screened too).
func warnNewHits(_ outcome: ScreeningOutcome) {
    warn((outcome.new + outcome.reopened).map(ScreeningService.warning))
}
