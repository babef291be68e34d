import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Review the partners' evidence files: list, accept, reject, find falsified, assign to a question.",
        discussion: """
            A file pending review counts as provided; a rejected one counts as missing; falsified evidence is a knock-out. \
            Every decision is recorded with who made it and rescores the partner at once.
            """,
        subcommands: [EvidenceListCommand.self, EvidenceAcceptCommand.self, EvidenceRejectCommand.self, EvidenceFalsifiedCommand.self,
                      EvidenceAssignCommand.self])
}

extension EvidenceStatus: ExpressibleByArgument {}

struct EvidenceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List evidence files with their review status.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only this partner's files (id, email or external id).", valueName: "partner"))
    var partner: String?

    @Option(help: ArgumentHelp("Only files with this status: pending, accepted, rejected or falsified.", valueName: "status"))
    var status: EvidenceStatus?

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let app = try global.environment()
        let partnerID = try partner.map { try PartnerRegistry(repository: app.repositories).find($0).id }
        let items = try app.repositories.evidenceItems(partnerID: partnerID, status: status)
        print(EvidenceListing.listing(items).render(format))
        if format == .table { print("\(items.count) file(s)") }
    }
}

/// `evidence accept`, `reject` and `falsified` differ only in the decision they record.
protocol EvidenceReviewCommand: ParsableCommand {
    static var status: EvidenceStatus { get }
    var global: GlobalOptions { get }
    var id: Int64 { get }
    var reason: String { get }
}

extension EvidenceReviewCommand {
    func run() throws {
        let app = try global.environment()
        say(try app.decisions.reviewEvidence(id: id, status: Self.status, reason: reason).message)
    }
}

struct EvidenceAcceptCommand: EvidenceReviewCommand {
    static let configuration = CommandConfiguration(commandName: "accept", abstract: "Accept an evidence file.")
    static let status = EvidenceStatus.accepted

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file's id (see `evidence list`).", valueName: "id"))
    var id: Int64

    @Option(name: .customLong("note"), help: ArgumentHelp("What you checked.", valueName: "text"))
    var reason: String = ""
}

struct EvidenceRejectCommand: EvidenceReviewCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject an evidence file (unreadable, out of date, not what was asked): it counts as missing.")
    static let status = EvidenceStatus.rejected

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file's id (see `evidence list`).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("Why it is rejected.", valueName: "text"))
    var reason: String
}

struct EvidenceFalsifiedCommand: EvidenceReviewCommand {
    static let configuration = CommandConfiguration(commandName: "falsified", abstract: "Record that an evidence file was found falsified: a knock-out.")
    static let status = EvidenceStatus.falsified

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file's id (see `evidence list`).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("What shows it was falsified.", valueName: "text"))
    var reason: String
}

struct EvidenceAssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Assign a file that came with a reply but not with a question to the question it supports.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file's id (see `evidence list`).", valueName: "id"))
    var id: Int64

    @Option(help: ArgumentHelp("The question's id, e.g. F1_iso17712_seals.", valueName: "id"))
    var question: String

    func run() throws {
        let app = try global.environment()
        say(try app.decisions.assignEvidence(id: id, questionID: question).message)
    }
}
