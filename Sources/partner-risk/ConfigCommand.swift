import ArgumentParser
import Foundation
import PartnerRiskApp

/// `partner-risk config check`: reads `partner-risk.yaml` as every command would, and says where it is wrong.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the settings file (partner-risk.yaml).",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the settings file: unknown keys, URLs, choices, password files and the templates it needs; each problem as FILE:LINE:COLUMN (exit 2).")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml beside the database).", valueName: "file"))
        var config: String?

        func run() throws {
            let (path, problems) = try AppEnvironment.checkConfig(database: global.db, config: config)
            guard problems.isEmpty else {
                for problem in problems { warn([problem]) }
                throw ExitCode(2)
            }
            say(path.map { "ok   \($0)" } ?? "ok   no settings file beside the database: the defaults apply")
        }
    }
}
