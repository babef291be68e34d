import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: AuditTrail {
    public func record(actor: String, action: String, subject: String, detail: String, at time: Date) throws {
        try connections.withConnection { try Self.appendAudit($0, actor: actor, action: action, subject: subject, detail: detail, at: time) }
    }

    public func auditEntries(subject: String?) throws -> [AuditEntry] {
        try connections.query("""
            SELECT at, actor, action, subject, detail FROM audit_log WHERE (\(subject)::text IS NULL OR subject = \(subject)) ORDER BY id
            """).map { row in
            let (at, actor, action, subject, detail) = try row.decode((String, String, String, String, String).self)
            return AuditEntry(at: at, actor: actor, action: action, subject: subject, detail: detail)
        }
    }
}

/// Officer accounts and their sessions, shared by every `serve` instance on the database (a
/// session opened through one is valid on the others behind the same load balancer).
extension PostgresStore: OfficerAccountRepository {
    static let officerColumns = "name, role, password_hash, created_at, created_by, disabled_at"

    public func addOfficer(_ account: OfficerAccount) throws {
        try connections.transaction { session in
            try session.query("""
                INSERT INTO officer_account (name, role, password_hash, created_at, created_by)
                VALUES (\(account.name), \(account.role.rawValue), \(account.passwordHash), \(account.createdAt), \(account.createdBy))
                """)
            try session.query("""
                INSERT INTO audit_log (at, actor, action, subject, detail)
                VALUES (\(account.createdAt), \(account.createdBy), 'officer.add', \("officer:\(account.name)"), \(account.role.rawValue))
                """)
        }
    }

    public func officers() throws -> [OfficerAccount] {
        try connections.query("SELECT \(unescaped: Self.officerColumns) FROM officer_account ORDER BY lower(name)").map(Self.officer)
    }

    public func officer(named name: String) throws -> OfficerAccount? {
        try connections.query("SELECT \(unescaped: Self.officerColumns) FROM officer_account WHERE lower(name) = lower(\(name))").first.map(Self.officer)
    }

    public func setPassword(officer name: String, hash: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            try session.query("UPDATE officer_account SET password_hash = \(hash) WHERE lower(name) = lower(\(name))")
            // A new password ends the sessions opened with the old one.
            try Self.endSessions(session, officer: name, reason: "password changed", at: time)
            try Self.appendAudit(session, actor: actor, action: "officer.passwd", subject: "officer:\(name)", detail: "", at: time)
        }
    }

    public func disableOfficer(named name: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            try session.query("UPDATE officer_account SET disabled_at = \(DayFormat.timestamp(time)) WHERE lower(name) = lower(\(name)) AND disabled_at IS NULL")
            try Self.endSessions(session, officer: name, reason: "account disabled", at: time)
            try Self.appendAudit(session, actor: actor, action: "officer.disable", subject: "officer:\(name)", detail: "", at: time)
        }
    }

    public func createSession(_ session: OfficerSession) throws {
        try connections.transaction { db in
            try db.query("""
                INSERT INTO officer_session (token_sha256, officer, csrf, created_at, last_seen_at)
                VALUES (\(session.tokenSHA256), \(session.officer), \(session.csrf), \(DayFormat.timestamp(session.createdAt)), \(DayFormat.timestamp(session.lastSeenAt)))
                """)
            try Self.appendAudit(db, actor: session.officer, action: "officer.login", subject: "officer:\(session.officer)", detail: "", at: session.createdAt)
        }
    }

    public func session(tokenSHA256: String) throws -> OfficerSession? {
        try connections.query("""
            SELECT token_sha256, officer, csrf, created_at, last_seen_at FROM officer_session WHERE token_sha256 = \(tokenSHA256) AND ended_at IS NULL
            """).first.map { row in
            let (token, officer, csrf, created, seen) = try row.decode((String, String, String, String, String).self)
            return OfficerSession(tokenSHA256: token, officer: officer, csrf: csrf, createdAt: DayFormat.parseTimestamp(created) ?? .distantPast,
                                  lastSeenAt: DayFormat.parseTimestamp(seen) ?? .distantPast)
        }
    }

    public func touchSession(tokenSHA256: String, at time: Date) throws {
        try connections.query("UPDATE officer_session SET last_seen_at = \(DayFormat.timestamp(time)) WHERE token_sha256 = \(tokenSHA256) AND ended_at IS NULL")
    }

    public func endSession(tokenSHA256: String, reason: String, at time: Date) throws {
        try connections.transaction { session in
            let ended = try session.query("""
                UPDATE officer_session SET ended_at = \(DayFormat.timestamp(time)), end_reason = \(reason)
                WHERE token_sha256 = \(tokenSHA256) AND ended_at IS NULL RETURNING officer
                """)
            guard let officer = try ended.first?.decode(String.self) else { return }
            try Self.appendAudit(session, actor: officer, action: "officer.logout", subject: "officer:\(officer)", detail: reason, at: time)
        }
    }

    static func endSessions(_ session: PostgresSession, officer: String, reason: String, at time: Date) throws {
        try session.query("""
            UPDATE officer_session SET ended_at = \(DayFormat.timestamp(time)), end_reason = \(reason) WHERE lower(officer) = lower(\(officer)) AND ended_at IS NULL
            """)
    }

    static func officer(_ row: PostgresRow) throws -> OfficerAccount {
        let (name, role, hash, created, createdBy, disabled) = try row.decode((String, String, String, String, String, String?).self)
        return OfficerAccount(name: name, role: OfficerRole(rawValue: role) ?? .viewer, passwordHash: hash, createdAt: created,
                              createdBy: createdBy, disabledAt: disabled)
    }
}
