import Foundation
import PartnerRiskCore
import PartnerRiskMail
import PartnerRiskPostgres

/// Checks that the installation can do its job: libcurl with the mail protocols, GMime, the
/// store in use (SQLite or PostgreSQL, its version and migrations), and the officer-editable folders.
public struct Doctor {
    public let workspace: Workspace
    /// The settings read for the workspace (the links partners get are checked from them).
    public let config: AppConfig

    /// Where the database password and CA come from (`PARTNER_RISK_DB_PASSWORD`, `PARTNER_RISK_DB_CA`).
    let environment: [String: String]

    public init(workspace: Workspace, config: AppConfig = AppConfig(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.workspace = workspace
        self.config = config
        self.environment = environment
    }

    /// The findings as text, and whether everything needed is there.
    public struct Report {
        public var text: String
        public var healthy: Bool
    }

    public func run() throws -> Report {
        var lines: [String] = []
        var healthy = true
        func check(_ ok: Bool, _ label: String, _ detail: String) {
            lines.append("\(ok ? "ok  " : "FAIL") \(label): \(detail)")
            if !ok { healthy = false }
        }
        let protocols = CurlLibrary.protocols
        let needed = ["smtp", "smtps", "imap", "imaps"]
        let missing = needed.filter { !protocols.contains($0) }
        check(true, "libcurl", "\(CurlLibrary.version) (\(CurlLibrary.tlsBackend))")
        check(missing.isEmpty, "libcurl protocols", missing.isEmpty
            ? protocols.joined(separator: " ")
            : "missing \(missing.joined(separator: ", ")); install libcurl4-openssl-dev")
        check(true, "GMime", "\(MIMEReader.version) (reads replies and form uploads)")
        if workspace.isPostgres {
            let shown = (try? workspace.database().description) ?? "a PostgreSQL URL that cannot be read"
            do {
                let store = try workspace.openRepositories(environment: environment)
                guard let postgres = store as? PostgresStore else { throw PartnerRiskError.failed("not a PostgreSQL store") }
                defer { postgres.close() }
                check(true, "store", "PostgreSQL \(try postgres.serverVersion())")
                check(true, "database", shown + (postgres.connections.settings.requireTLS ? " (TLS)" : " (no TLS)"))
                check(true, "migrations", try postgres.migrations().joined(separator: ", "))
            } catch {
                check(false, "database", "\(shown): \(error)")
            }
        } else {
            do {
                let store = try workspace.openStore()
                let health = try store.health()
                check(true, "store", "SQLite \(try store.sqliteVersion())")
                check(health.journalMode == "wal", "database", "\(workspace.databasePath) (journal \(health.journalMode), integrity \(health.integrity))")
                check(true, "migrations", health.migrations.joined(separator: ", "))
            } catch {
                check(false, "database", "\(workspace.databasePath): \(error)")
            }
        }
        let fileManager = FileManager.default
        check(fileManager.fileExists(atPath: workspace.surveysDirectory.path), "surveys folder", workspace.surveysDirectory.path)
        check(fileManager.fileExists(atPath: workspace.templatesDirectory.path), "templates folder", workspace.templatesDirectory.path)
        // A warning, not a failure: the local mail drop and trials need no public address.
        if let problem = PublicLinkCheck.problem(MailSetup(config: config, workspace: workspace).configuredPublicURL) {
            lines.append("warn links: \(problem); `campaign send` through an SMTP server refuses until public_url is set (or --allow-local-links)")
        }
        return Report(text: lines.joined(separator: "\n"), healthy: healthy)
    }
}
