import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: OfficerAccountRepository {
    public func addOfficer(_ account: OfficerAccount) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO officer_account (name, role, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           arguments: [account.name, account.role.rawValue, account.passwordHash, account.createdAt, account.createdBy])
            try Self.audit(db, at: account.createdAt, actor: account.createdBy, action: "officer.add", subject: "officer:\(account.name)", detail: account.role.rawValue)
        }
    }

    public func officers() throws -> [OfficerAccount] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM officer_account ORDER BY name COLLATE NOCASE").map(Self.officer) }
    }

    public func officer(named name: String) throws -> OfficerAccount? {
        try pool.read { db in try Row.fetchOne(Self.statement(db, "SELECT * FROM officer_account WHERE name = ?"), arguments: [name]).map(Self.officer) }
    }

    public func setPassword(officer name: String, hash: String, actor: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE officer_account SET password_hash = ? WHERE name = ?", arguments: [hash, name])
            // A new password ends the sessions opened with the old one.
            try Self.endSessions(db, officer: name, reason: "password changed", at: time)
            try Self.audit(db, at: Self.timestamp(time), actor: actor, action: "officer.passwd", subject: "officer:\(name)", detail: "")
        }
    }

    public func disableOfficer(named name: String, actor: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE officer_account SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL", arguments: [Self.timestamp(time), name])
            try Self.endSessions(db, officer: name, reason: "account disabled", at: time)
            try Self.audit(db, at: Self.timestamp(time), actor: actor, action: "officer.disable", subject: "officer:\(name)", detail: "")
        }
    }

    public func createSession(_ session: OfficerSession) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO officer_session (token_sha256, officer, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [session.tokenSHA256, session.officer, session.csrf, Self.timestamp(session.createdAt), Self.timestamp(session.lastSeenAt)])
            try Self.audit(db, at: Self.timestamp(session.createdAt), actor: session.officer, action: "officer.login", subject: "officer:\(session.officer)", detail: "")
        }
    }

    public func session(tokenSHA256: String) throws -> OfficerSession? {
        try pool.read { db in
            try Row.fetchOne(Self.statement(db, "SELECT * FROM officer_session WHERE token_sha256 = ? AND ended_at IS NULL"), arguments: [tokenSHA256]).map { row in
                OfficerSession(tokenSHA256: row["token_sha256"], officer: row["officer"], csrf: row["csrf"],
                               createdAt: Self.date(row["created_at"]) ?? .distantPast, lastSeenAt: Self.date(row["last_seen_at"]) ?? .distantPast)
            }
        }
    }

    public func touchSession(tokenSHA256: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE officer_session SET last_seen_at = ? WHERE token_sha256 = ? AND ended_at IS NULL", arguments: [Self.timestamp(time), tokenSHA256])
        }
    }

    public func endSession(tokenSHA256: String, reason: String, at time: Date) throws {
        try pool.write { db in
            guard let officer = try String.fetchOne(db, sql: "SELECT officer FROM officer_session WHERE token_sha256 = ? AND ended_at IS NULL", arguments: [tokenSHA256])
            else { return }
            try db.execute(sql: "UPDATE officer_session SET ended_at = ?, end_reason = ? WHERE token_sha256 = ?", arguments: [Self.timestamp(time), reason, tokenSHA256])
            try Self.audit(db, at: Self.timestamp(time), actor: officer, action: "officer.logout", subject: "officer:\(officer)", detail: reason)
        }
    }

    private static func endSessions(_ db: Database, officer: String, reason: String, at time: Date) throws {
        // Names compare without case, as the account's own (a password changed for "DANA ROY" ends dana Roy's sessions).
        try db.execute(sql: "UPDATE officer_session SET ended_at = ?, end_reason = ? WHERE officer = ? COLLATE NOCASE AND ended_at IS NULL",
                       arguments: [timestamp(time), reason, officer])
    }

    private static func officer(_ row: Row) -> OfficerAccount {
        OfficerAccount(name: row["name"], role: OfficerRole(rawValue: row["role"]) ?? .viewer, passwordHash: row["password_hash"],
                       createdAt: row["created_at"], createdBy: row["created_by"], disabledAt: row["disabled_at"])
    }
}
