import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// `partner-risk migrate-store --from FILE.sqlite --to postgres://…`: the move to a shared database.
struct MigrateStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy a SQLite database, its evidence files and link key into an empty PostgreSQL database.",
        discussion: """
            Copies every table (partners, surveys, campaigns, outbox, responses, evidence, scores, decisions, audit), \
            keeping every id, then reads each table back and compares its row count and checksum. Refuses a target \
            that already holds data. The password comes from PARTNER_RISK_DB_PASSWORD or PARTNER_RISK_DB_PASSWORD_FILE. \
            Evidence files go to the target's evidence folder (evidence_dir in the settings, else ./evidence).
            """)

    @Option(help: ArgumentHelp("The SQLite database file to copy (it is not changed, but for migrating it to this version).", valueName: "file"))
    var from: String

    @Option(help: ArgumentHelp("The empty PostgreSQL database to fill: postgres://USER@HOST:PORT/NAME.", valueName: "url"))
    var to: String

    @Option(help: ArgumentHelp("The settings file of the PostgreSQL workspace (default: ./partner-risk.yaml).", valueName: "file"))
    var config: String?

    func run() throws {
        // A table that differs after the copy makes `run` throw, the copy rolled back: each row here checked out.
        let outcome = try StoreMigration.run(from: from, to: to, config: config)
        say(TextTable(headers: ["table", "rows", "checksum", "check"], rows: outcome.tables.map { report in
            [report.table, String(report.rows), String(report.checksum.prefix(16)), "ok"]
        }).render())
        say("evidence: \(outcome.evidenceCopied) file(s) copied" + (outcome.evidenceMissing.isEmpty ? "" : "; \(outcome.evidenceMissing.count) named by the database were not in its evidence folder: \(outcome.evidenceMissing.joined(separator: ", "))"))
        if outcome.linkKeyCopied { say("link key copied: links already mailed keep working and resent mail carries the same links") }
        say("copied \(outcome.tables.reduce(0) { $0 + $1.rows }) rows in \(outcome.tables.count) tables; every table checked")
    }
}
