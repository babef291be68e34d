import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: CorrectiveActionRepository {
    public func addAction(partnerID: Int64, finding: String, due: String, owner: String, note: String, actor: String, at time: Date) throws -> Int64 {
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(sql: """
                INSERT INTO corrective_action (partner_id, finding, due, owner, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [partnerID, finding, due, owner, note, actor, now])
            let id = db.lastInsertedRowID
            try Self.audit(db, at: now, actor: actor, action: "action.add", subject: "partner:\(partnerID)",
                           detail: "action \(id) for \(finding), due \(due), owner \(owner)" + (note.isEmpty ? "" : ": \(note)"))
            return id
        }
    }

    private static let actionSQL = "SELECT a.*, p.name AS partner_name FROM corrective_action a JOIN partner p ON p.id = a.partner_id"

    private static func action(_ row: Row) -> CorrectiveAction {
        CorrectiveAction(id: row["id"], partnerID: row["partner_id"], partnerName: row["partner_name"], finding: row["finding"], due: row["due"],
                         owner: row["owner"], note: row["note"], createdBy: row["created_by"], createdAt: row["created_at"],
                         closedBy: row["closed_by"], closedAt: row["closed_at"], closeNote: row["close_note"],
                         closeEvidence: row["close_evidence"], closeEvidenceSHA256: row["close_evidence_sha256"])
    }

    public func actions(partnerID: Int64?, openOnly: Bool) throws -> [CorrectiveAction] {
        let filter = Self.filter(["a.partner_id": partnerID])
        return try pool.read { db in
            try Row.fetchAll(db, sql: Self.actionSQL + " WHERE \(filter.sql)" + (openOnly ? " AND a.closed_at IS NULL" : "") + " ORDER BY a.id",
                             arguments: filter.arguments).map(Self.action)
        }
    }

    public func action(id: Int64) throws -> CorrectiveAction? {
        try pool.read { db in try Row.fetchOne(db, sql: Self.actionSQL + " WHERE a.id = ?", arguments: [id]).map(Self.action) }
    }

    public func closeAction(id: Int64, note: String, evidence: (name: String, sha256: String)?, actor: String, at time: Date) throws {
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(sql: """
                UPDATE corrective_action SET closed_by = ?, closed_at = ?, close_note = ?, close_evidence = ?, close_evidence_sha256 = ? WHERE id = ?
                """, arguments: [actor, now, note, evidence?.name, evidence?.sha256, id])
            let partner = try Int64.fetchOne(db, sql: "SELECT partner_id FROM corrective_action WHERE id = ?", arguments: [id]) ?? 0
            try Self.audit(db, at: now, actor: actor, action: "action.close", subject: "partner:\(partner)",
                           detail: "action \(id): \(note)" + (evidence.map { " (\($0.name), sha256 \($0.sha256))" } ?? ""))
        }
    }
}
