import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation: libcurl, SQLite, the database file and the survey and template folders.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let report = try Doctor(workspace: global.workspace).run()
        print(report.text)
        if !report.healthy { throw ExitCode(1) }
    }
}
