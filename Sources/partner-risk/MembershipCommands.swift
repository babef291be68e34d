import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct PartnersVerifyMembershipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-membership",
        abstract: "Record a trusted-trader membership you checked with the program: only a verified, unexpired membership of a program PIP recognises waives evidence.",
        discussion: """
            Programs are listed in Surveys/scoring.yaml (trusted_trader_programs): pip, ctpat and the programs of CBSA's \
            mutual recognition arrangements. A membership of another program, or without --expires, is recorded but waives nothing. \
            The partner is rescored at once.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "partner"))
    var partner: String

    @Option(help: ArgumentHelp("The program's id (pip, ctpat, aeo_japan, ...).", valueName: "id"))
    var program: String

    @Option(help: ArgumentHelp("The membership or account number you checked.", valueName: "number"))
    var number: String

    @Option(help: ArgumentHelp("The membership's expiry or next revalidation date.", valueName: "YYYY-MM-DD"))
    var expires: String?

    @Option(help: ArgumentHelp("How you checked it (\"checked on the CTPAT portal\").", valueName: "text"))
    var note: String = ""

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        let outcome = try app.decisions.verifyMembership(partner: found, program: program, number: number, expires: expires, note: note)
        say(outcome.message + (outcome.rescored > 0 ? " (rescored)" : ""))
    }
}

struct PartnersUnverifyMembershipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unverify-membership",
        abstract: "Withdraw a membership's verification (suspended, cancelled, checked wrongly): it waives nothing from now on.",
        aliases: ["unverify"])

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "partner"))
    var partner: String

    @Option(help: ArgumentHelp("The program's id.", valueName: "id"))
    var program: String

    @Option(help: ArgumentHelp("Why the verification is withdrawn.", valueName: "text"))
    var note: String = ""

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        say(try app.decisions.unverifyMembership(partner: found, program: program, note: note).message)
    }
}
