import Foundation
import Logging
import PartnerRiskCore
import PostgresNIO
import Synchronization

/// The repositories on a shared PostgreSQL database, for teams with several officers or several
/// `serve` instances (issue 20). Built in steps: this step holds the partner registry and the
/// audit trail, with its own versioned migrations; the other repositories follow, each checked by
/// the same contract tests as the SQLite store's.
public final class PostgresStore: Sendable {
    public let connections: PostgresConnections
    /// Who the audit trail names.
    public let actor: String
    /// Stored survey versions, parsed once each (a version never changes).
    let surveyVersions = Mutex<[Int64: Survey]>([:])

    /// Connects, and migrates the database to the current schema.
    public init(settings: PostgresConnections.Settings, actor: String = Actor.current, logger: Logger = Logger(label: "partner-risk.postgres")) throws {
        connections = try PostgresConnections(settings: settings, logger: logger)
        self.actor = actor
        do {
            try PostgresSchema.migrate(connections, at: Date())
        } catch {
            connections.close()
            throw error
        }
    }

    /// The migrations applied, in order.
    public func migrations() throws -> [String] {
        try connections.query("SELECT name FROM schema_migration ORDER BY applied_at, name").map { try $0.decode(String.self) }
    }

    public func close() { connections.close() }

    static func appendAudit(_ session: PostgresSession, actor: String, action: String, subject: String, detail: String, at time: Date) throws {
        try session.query("""
            INSERT INTO audit_log (at, actor, action, subject, detail)
            VALUES (\(DayFormat.timestamp(time)), \(actor), \(action), \(subject), \(detail))
            """)
    }
}
