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
        for label in ["libcurl:", "libcurl protocols:", "GMime: 3.", "store: SQLite 3.", "database:", "migrations:", "surveys folder:", "templates folder:"] {
            #expect(report.text.contains("ok   \(label)"), "\(label) missing from\n\(report.text)")
        }
    }
}

extension DoctorTests {
    @Test func doctorWarnsAboutLinksPartnersCannotOpenButStaysHealthy() throws {
        let directory = TemporaryDirectory()
        let workspace = Workspace.resolve(databaseFlag: directory.path("doctor.sqlite"), environment: ProjectRoot.workspaceHome)
        // PARTNER_RISK_PUBLIC_URL (the environment) wins over the config: only meaningful when it is unset.
        guard ProcessInfo.processInfo.environment["PARTNER_RISK_PUBLIC_URL"] == nil else { return }
        let unset = try Doctor(workspace: workspace).run()
        #expect(unset.healthy && unset.text.contains("warn links: public_url is not set"), "\(unset.text)")
        let privateNet = try Doctor(workspace: workspace, config: AppConfig(publicURL: "http://10.1.2.3:8080")).run()
        #expect(privateNet.text.contains("warn links: public_url http://10.1.2.3:8080 is a private network address"))
        let fine = try Doctor(workspace: workspace, config: AppConfig(publicURL: "https://survey.acme.example")).run()
        #expect(!fine.text.contains("warn links"))
    }

    @Test func publicLinksAreJudgedByTheirHost() {
        for url in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://192.168.1.5", "http://172.20.0.1",
                    "http://10.0.0.1", "http://169.254.1.1", "http://100.64.0.1", "http://[fd00::1]/", "http://[fe80::1]/", "http://printer.local"] {
            #expect(PublicLinkCheck.problem(url) != nil, "\(url)")
        }
        for url in ["https://survey.acme.example.com", "http://203.0.113.7:8080", "http://172.32.0.1", "http://[2001:db8::1]/"] {
            #expect(PublicLinkCheck.problem(url) == nil, "\(url)")
        }
        #expect(PublicLinkCheck.problem(nil)?.hasPrefix("public_url is not set") == true)
    }
}
