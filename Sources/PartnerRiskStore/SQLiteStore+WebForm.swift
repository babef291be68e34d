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
