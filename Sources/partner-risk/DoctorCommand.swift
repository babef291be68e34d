import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation: libcurl, SQLite, the database file and the survey and template folders.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The settings file (default: partner-risk.yaml next to the database).", valueName: "file"))
    var config: String?

    func run() throws {
        let workspace = Workspace.resolve(databaseFlag: global.db, config: config)
        let settings = try AppConfig.load(explicitPath: Workspace.settingsFile(databaseFlag: global.db, config: config), databasePath: workspace.databasePath)
        let report = try Doctor(workspace: workspace, config: settings).run()
        print(report.text)
        if !report.healthy { throw ExitCode(1) }
    }
}
