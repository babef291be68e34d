import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// `partner-risk check`: the database's integrity, its foreign keys and its evidence files.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database: SQLite's integrity check, the foreign keys, and every evidence file present with its SHA-256.",
        discussion: "Reads only; exits 1 when anything is wrong, naming each problem.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = global.workspace.databasePath
        guard global.workspace.isPostgres || FileManager.default.fileExists(atPath: path) else {
            throw PartnerRiskError.failed("there is no database at \(path); give the file to check with --db PATH")
        }
        let report = try StoreCheck(try global.environment()).run()
        say(report.text)
        if !report.healthy { throw ExitCode(1) }
    }
}
