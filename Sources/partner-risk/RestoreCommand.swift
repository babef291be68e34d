import ArgumentParser
import Foundation
import PartnerRiskApp

/// `partner-risk restore FILE`: a backup put back as the database, its evidence files in the vault.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `partner-risk backup` as the database, with its evidence files.",
        discussion: "The backup's integrity is checked first and every evidence file against its SHA-256; an existing database is replaced only with --force. Run `partner-risk check` afterwards.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
    var file: String

    @Flag(help: "Replace the database when one exists already.")
    var force = false

    func run() throws {
        let count = try Backups.restore(from: file, database: global.db, force: force)
        say("restored \(file) to \(global.workspace.databasePath) with \(count) evidence file(s)")
    }
}
