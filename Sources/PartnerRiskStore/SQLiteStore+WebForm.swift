import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: WebFormRepository {
    public func draft(invitationID: Int64) throws -> [String: JSONValue]? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT answers FROM draft WHERE invitation_id = ?", arguments: [invitationID])
                .flatMap { JSONValue.parse($0)?.objectValue }
        }
    }

    public func saveDraft(invitationID: Int64, answers: [String: JSONValue], at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO draft (invitation_id, answers, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (invitation_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at
                """, arguments: [invitationID, JSONValue.object(answers).rendered(), Self.timestamp(time)])
        }
    }

    public func formVisit(tokenHash: String, at time: Date) throws -> (invitation: InvitationContext, state: WebFormState)? {
        try pool.read { db in
            guard let invitation = try Self.invitations(db, tokenHashes: [tokenHash], now: Self.timestamp(time))[tokenHash] else { return nil }
            return (invitation, try Self.formState(db, invitationID: invitation.invitationID))
        }
    }

    static func formState(_ db: Database, invitationID: Int64) throws -> WebFormState {
        let draft = try String.fetchOne(Self.statement(db, "SELECT answers FROM draft WHERE invitation_id = ?"), arguments: [invitationID])
        let current = try Row.fetchOne(Self.statement(db, """
            SELECT r.*, i.campaign_id, i.partner_id, p.name AS partner_name, 1 AS is_current
            FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            WHERE r.invitation_id = ? ORDER BY r.saved_at DESC, r.id DESC LIMIT 1
            """), arguments: [invitationID]).map(Self.responseSummary)
        let evidence = try Row.fetchAll(Self.statement(db, "SELECT * FROM evidence WHERE invitation_id = ? ORDER BY id"), arguments: [invitationID])
        return WebFormState(draftJSON: draft, current: current, evidence: evidence.map(Self.evidenceFile))
    }

    public func deleteDraft(invitationID: Int64) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM draft WHERE invitation_id = ?", arguments: [invitationID]) }
    }

    @discardableResult
    public func addEvidence(_ file: EvidenceFile, at time: Date) throws -> Bool {
        try pool.write { db in
            let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM evidence WHERE invitation_id = ? AND question_id IS ? AND sha256 = ?",
                                          arguments: [file.invitationID, file.questionID, file.sha256]) ?? false
            guard !known else { return false }
            try db.execute(sql: """
                INSERT INTO evidence (invitation_id, question_id, sha256, original_name, content_type, size, uploaded_at, channel, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [file.invitationID, file.questionID, file.sha256, file.originalName, file.contentType, file.size,
                                 Self.timestamp(time), file.channel, file.source])
            let actor = file.channel == "web" ? "partner" : self.actor
            try Self.appendAudit(db, actor: actor, action: "evidence.add", subject: "invitation:\(file.invitationID)",
                                 detail: "\(file.questionID ?? "not yet assigned"): \(file.originalName) sha256:\(file.sha256) via \(file.channel)", at: time)
            return true
        }
    }

    public func evidence(invitationID: Int64) throws -> [EvidenceFile] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM evidence WHERE invitation_id = ? ORDER BY id", arguments: [invitationID]).map(Self.evidenceFile)
        }
    }

    public func evidence(partnerID: Int64) throws -> [EvidenceFile] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.* FROM evidence e JOIN invitation i ON i.id = e.invitation_id WHERE i.partner_id = ? ORDER BY e.id
                """, arguments: [partnerID]).map(Self.evidenceFile)
        }
    }

    private static func evidenceFile(_ row: Row) -> EvidenceFile {
        EvidenceFile(invitationID: row["invitation_id"], questionID: row["question_id"], sha256: row["sha256"],
                     originalName: row["original_name"], contentType: row["content_type"], size: row["size"], uploadedAt: row["uploaded_at"],
                     channel: row["channel"], source: row["source"])
    }
}
