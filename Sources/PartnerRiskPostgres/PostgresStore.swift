import Foundation
import Logging
import PartnerRiskCore
import PostgresNIO

/// The repositories on a shared PostgreSQL database, for teams with several officers or several
/// `serve` instances (issue 20): every repository the SQLite store implements, with its own
/// versioned migrations (`PostgresSchema`), checked by the same contract tests.
public final class PostgresStore: ActingStore {
    public let connections: PostgresConnections
    /// Who the audit trail names.
    public let actor: String
    /// Stored survey versions, parsed once each (a version never changes).
    let surveyVersions: SurveyVersionCache

    /// The same database (the same connections), recording `actor` as who acts.
    private init(sharing store: PostgresStore, actor: String) {
        connections = store.connections
        surveyVersions = store.surveyVersions
        self.actor = actor
    }

    public func acting(as actor: String) -> any Repositories { PostgresStore(sharing: self, actor: actor) }

    /// Connects, and migrates the database to the current schema.
    public init(settings: PostgresConnections.Settings, actor: String = Actor.current, logger: Logger = Logger(label: "partner-risk.postgres")) throws {
        connections = try PostgresConnections(settings: settings, logger: logger)
        self.actor = actor
        surveyVersions = SurveyVersionCache()
        do {
            try PostgresSchema.migrate(connections, at: Date())
        } catch {
            connections.close()
            throw error
        }
    }

    /// The migrations applied, in the order they are defined (those of a newer version last).
    public func migrations() throws -> [String] {
        let applied = try connections.query("SELECT name FROM schema_migration ORDER BY applied_at, name").map { try $0.decode(String.self) }
        let known = PostgresSchema.migrations.map(\.name)
        return known.filter(applied.contains) + applied.filter { !known.contains($0) }
    }

    public func close() { connections.close() }

    /// The server's version (`doctor`).
    public func serverVersion() throws -> String {
        try connections.query("SHOW server_version").first.orThrow("no server version").decode(String.self)
    }

    static func appendAudit(_ session: PostgresSession, actor: String, action: String, subject: String, detail: String, at time: Date) throws {
        try session.query("""
            INSERT INTO audit_log (at, actor, action, subject, detail)
            VALUES (\(DayFormat.timestamp(time)), \(actor), \(action), \(subject), \(detail))
            """)
    }
}
