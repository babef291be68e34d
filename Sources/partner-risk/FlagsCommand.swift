import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct FlagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "Red flags that need the officer: accept a partner's explanation.",
        subcommands: [FlagsAcceptCommand.self])
}

struct FlagsAcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept the partner's explanation of a red flag on its current answers.",
        discussion: """
            Until you accept it, a knock-out red flag stays a knock-out even when the partner explained it, and any open \
            money-laundering red flag keeps the partner at least High. The acceptance holds for the current revision of the \
            answers only; the partner is rescored at once. `partners show P` lists the flags with the partner's explanation.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The partner's id, email or external id.", valueName: "partner"))
    var partner: String

    @Argument(help: ArgumentHelp("The red flag's code, e.g. ml_cash_payments.", valueName: "code"))
    var code: String

    @Option(help: ArgumentHelp("What you checked and why the explanation holds.", valueName: "text"))
    var note: String

    func run() throws {
        let app = try global.environment()
        let found = try PartnerRegistry(repository: app.repositories).find(partner)
        say(try app.decisions.acceptFlag(partner: found, code: code, note: note).message)
    }
}
