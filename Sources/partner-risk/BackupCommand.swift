import ArgumentParser
import Foundation
import PartnerRiskApp

/// `partner-risk backup --out FILE`: the database and its evidence files in one file.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database and every evidence file into one file (safe while serve runs).",
        discussion: "The file is an SQLite database: SQLite's online backup of yours, plus a table holding each evidence file. Restore it with `partner-risk restore FILE`.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The backup file to write (must not exist yet).", valueName: "file"))
    var out: String

    func run() throws {
        let count = try Backups.backup(try global.environment(), to: out)
        say("backed up \(global.workspace.databasePath) and \(count) evidence file(s) to \(out)")
    }
}
