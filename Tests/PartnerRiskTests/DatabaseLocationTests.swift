import Foundation
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskPostgres

/// `--db`: a path is a SQLite file, a `postgres://` URL a PostgreSQL database (issue 20).
@Suite struct DatabaseLocationTests {
    @Test func aPathIsSQLiteAndAURLIsPostgreSQLWithTLSRequiredForAnotherMachine() throws {
        #expect(try DatabaseLocation.parse("data/partner-risk.sqlite") == .sqlite(path: "data/partner-risk.sqlite"))
        #expect(try DatabaseLocation.parse("postgres-notes.sqlite") == .sqlite(path: "postgres-notes.sqlite"))
        let remote = try DatabaseLocation.parse("postgres://risk@db.acme.example:6432/partnerrisk")
        #expect(remote == .postgres(.init(host: "db.acme.example", port: 6432, user: "risk", database: "partnerrisk", tls: true)))
        #expect(remote.description == "postgres://risk@db.acme.example:6432/partnerrisk")
        let local = try DatabaseLocation.parse("postgresql://risk@127.0.0.1/pr", login: "ignored")
        #expect(local == .postgres(.init(host: "127.0.0.1", port: 5432, user: "risk", database: "pr", tls: false)))
        // No user: the login name, as psql does; sslmode turns TLS on or off explicitly.
        #expect(try DatabaseLocation.parse("postgres://localhost/pr?sslmode=require", login: "jroy")
                == .postgres(.init(host: "localhost", port: 5432, user: "jroy", database: "pr", tls: true)))
        #expect(try DatabaseLocation.parse("postgres://u@db.example/pr?sslmode=disable") == .postgres(.init(host: "db.example", user: "u", database: "pr", tls: false)))
    }

    @Test func aPasswordInTheURLIsRefusedWithoutRepeatingItAndBadURLsSayHowToWriteThem() {
        for bad in ["postgres://risk:Hunter2Secret@db.example/pr", "postgres://db.example", "postgres://db.example/", "postgres:///pr",
                    "postgres://u@db.example/pr?sslmode=prefer", "postgres://u@db.example/pr?password=Hunter2Secret"] {
            do {
                _ = try DatabaseLocation.parse(bad)
                Issue.record("\(bad) was accepted")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("Hunter2Secret"), "\(message)")
                #expect(message.contains("PARTNER_RISK_DB_PASSWORD") || message.contains("sslmode"), "\(message)")
            }
        }
    }

    @Test func theWorkspaceFilesOfAPostgreSQLDatabaseGoInTheWorkingDirectory() {
        let postgres = Workspace.resolve(databaseFlag: "postgres://u@db.example/pr", environment: ProjectRoot.workspaceHome)
        #expect(postgres.isPostgres && postgres.folder == "" && postgres.linkKeyFile.path.hasSuffix("/link.key"))
        #expect(postgres.quarantineDirectory(AppConfig()).lastPathComponent == "quarantine" && !postgres.quarantineDirectory(AppConfig()).path.contains("db.example"))
        #expect(AppConfig.defaultPath(databasePath: "postgres://u@db.example/pr") == "partner-risk.yaml")
        let sqlite = Workspace.resolve(databaseFlag: "/srv/pr/partner-risk.sqlite", environment: ProjectRoot.workspaceHome)
        #expect(!sqlite.isPostgres && sqlite.beside("outbox") == "/srv/pr/outbox")
    }

    @Test func theSettingsFileCanNameTheDatabaseAfterTheFlagAndTheEnvironment() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("team.yaml", "database: postgres://risk@db.acme.example/partnerrisk\nlink_grace_days: 10\n")
        #expect(Workspace.resolve(databaseFlag: nil, config: config, environment: [:]).databasePath == "postgres://risk@db.acme.example/partnerrisk")
        #expect(Workspace.resolve(databaseFlag: nil, config: config, environment: ["PARTNER_RISK_DB": "env.sqlite"]).databasePath == "env.sqlite")
        #expect(Workspace.resolve(databaseFlag: "flag.sqlite", config: config, environment: ["PARTNER_RISK_DB": "env.sqlite"]).databasePath == "flag.sqlite")
        #expect(Workspace.settingsFile(databaseFlag: nil, config: config, environment: [:]) == config)
        // A password in it is a FILE:LINE:COLUMN problem that does not repeat the password.
        let bad = directory.write("bad.yaml", "officer: {name: Jeanne Roy}\ndatabase: postgres://risk:Hunter2Secret@db.acme.example/pr\n")
        let problems = try ConfigCheck.file(bad, databasePath: "postgres://risk@db.acme.example/pr").problems()
        #expect(problems.count == 1 && problems[0].hasPrefix("\(bad):2:11: `database`: ") && !problems[0].contains("Hunter2Secret"), "\(problems)")
    }

    @Test func theDatabasePasswordComesFromTheEnvironmentOrAnOwnerOnlyFile() throws {
        let address = DatabaseLocation.PostgresAddress(host: "db.example", user: "u", database: "pr")
        #expect(try Workspace.postgresSettings(address, environment: ["PARTNER_RISK_DB_PASSWORD": "s3"]).password == "s3")
        let directory = TemporaryDirectory()
        let file = directory.write("db-password", "from-file\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        #expect(throws: PartnerRiskError.self) { try Workspace.postgresSettings(address, environment: ["PARTNER_RISK_DB_PASSWORD_FILE": file]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let settings = try Workspace.postgresSettings(address, environment: ["PARTNER_RISK_DB_PASSWORD_FILE": file, "PARTNER_RISK_DB_CA": "/etc/ca.pem"])
        #expect(settings.password == "from-file" && settings.requireTLS && settings.caFile == "/etc/ca.pem")
    }

    @Test(.enabled(if: PostgresTestServer.port != nil, "needs the PostgreSQL test server (scripts/test-postgres.sh)"))
    func doctorSaysWhichStoreIsInUseAndItsVersion() throws {
        let (store, drop) = try PostgresTestServer.freshStore()
        defer { drop() }
        let settings = store.connections.settings
        let url = "postgres://\(settings.user)@127.0.0.1:\(settings.port)/\(settings.database)"
        let workspace = Workspace.resolve(databaseFlag: url, environment: ProjectRoot.workspaceHome)
        let report = try Doctor(workspace: workspace, environment: ["PARTNER_RISK_DB_PASSWORD": PostgresTestServer.password]).run()
        #expect(report.healthy, "\(report.text)")
        #expect(report.text.contains("ok   store: PostgreSQL 1") && report.text.contains("ok   database: \(url) (no TLS)"), "\(report.text)")
        #expect(report.text.contains("v8-scores-and-officer-decisions") && !report.text.contains(PostgresTestServer.password))
        let wrong = try Doctor(workspace: workspace, environment: ["PARTNER_RISK_DB_PASSWORD": "not-the-password"]).run()
        #expect(!wrong.healthy && wrong.text.contains("FAIL database: \(url)") && !wrong.text.contains("not-the-password"), "\(wrong.text)")
    }
}
