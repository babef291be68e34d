import Foundation
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskApp

@Suite struct DoctorTests {
    @Test func doctorChecksLibcurlGMimeSQLiteTheDatabaseAndTheFolders() throws {
        let directory = TemporaryDirectory()
        let workspace = Workspace.resolve(databaseFlag: directory.path("doctor.sqlite"), environment: ProjectRoot.workspaceHome)
        let report = try Doctor(workspace: workspace).run()
        #expect(report.healthy, "\(report.text)")
        for label in ["libcurl:", "libcurl protocols:", "GMime: 3.", "SQLite:", "database:", "migrations:", "surveys folder:", "templates folder:"] {
            #expect(report.text.contains("ok   \(label)"), "\(label) missing from\n\(report.text)")
        }
    }
}
