import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: MailboxLedger {
    public func processedUIDs(mailbox: String, uidValidity: Int64) throws -> Set<Int64> {
        Set(try connections.query("SELECT uid FROM imap_seen WHERE mailbox = \(mailbox) AND uid_validity = \(uidValidity)").map { try $0.decode(Int64.self) })
    }

    public func isProcessed(messageID: String, contentDigest: String) throws -> Bool {
        !(try connections.query("""
            SELECT 1 FROM imap_seen WHERE message_id = \(messageID)
              AND (content_sha256 = \(contentDigest) OR (content_sha256 IS NULL AND outcome = 'ingested')) LIMIT 1
            """)).isEmpty
    }

    public func recordProcessed(mailbox: String, uidValidity: Int64, uid: Int64, messageID: String?, contentDigest: String, outcome: String,
                                at time: Date) throws {
        try connections.query("""
            INSERT INTO imap_seen (mailbox, uid_validity, uid, message_id, content_sha256, outcome, processed_at)
            VALUES (\(mailbox), \(uidValidity), \(uid), \(messageID), \(contentDigest), \(outcome), \(DayFormat.timestamp(time)))
            ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET message_id = excluded.message_id, content_sha256 = excluded.content_sha256,
                outcome = excluded.outcome, processed_at = excluded.processed_at
            """)
    }
}

extension PostgresStore: CorrectiveActionRepository {
    static let actionSQL = """
        SELECT a.id, a.partner_id, p.name, a.finding, a.due, a.owner, a.note, a.created_by, a.created_at, a.closed_by, a.closed_at, a.close_note,
               a.close_evidence, a.close_evidence_sha256
        FROM corrective_action a JOIN partner p ON p.id = a.partner_id
        """

    public func addAction(partnerID: Int64, finding: String, due: String, owner: String, note: String, actor: String, at time: Date) throws -> Int64 {
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            let rows = try session.query("""
                INSERT INTO corrective_action (partner_id, finding, due, owner, note, created_by, created_at)
                VALUES (\(partnerID), \(finding), \(due), \(owner), \(note), \(actor), \(now)) RETURNING id
                """)
            let id = try rows.first.orThrow("corrective action not stored").decode(Int64.self)
            try Self.appendAudit(session, actor: actor, action: "action.add", subject: "partner:\(partnerID)",
                                 detail: "action \(id) for \(finding), due \(due), owner \(owner)" + (note.isEmpty ? "" : ": \(note)"), at: time)
            return id
        }
    }

    public func actions(partnerID: Int64?, openOnly: Bool) throws -> [CorrectiveAction] {
        try connections.query("""
            \(unescaped: Self.actionSQL) WHERE (\(partnerID)::bigint IS NULL OR a.partner_id = \(partnerID)) AND (NOT \(openOnly) OR a.closed_at IS NULL)
            ORDER BY a.id
            """).map(Self.action)
    }

    public func action(id: Int64) throws -> CorrectiveAction? {
        try connections.query("\(unescaped: Self.actionSQL) WHERE a.id = \(id)").first.map(Self.action)
    }

    public func closeAction(id: Int64, note: String, evidence: (name: String, sha256: String)?, actor: String, at time: Date) throws {
        let now = DayFormat.timestamp(time)
        try connections.transaction { session in
            let rows = try session.query("""
                UPDATE corrective_action SET closed_by = \(actor), closed_at = \(now), close_note = \(note), close_evidence = \(evidence?.name),
                    close_evidence_sha256 = \(evidence?.sha256) WHERE id = \(id) RETURNING partner_id
                """)
            let partner = try rows.first?.decode(Int64.self) ?? 0
            try Self.appendAudit(session, actor: actor, action: "action.close", subject: "partner:\(partner)",
                                 detail: "action \(id): \(note)" + (evidence.map { " (\($0.name), sha256 \($0.sha256))" } ?? ""), at: time)
        }
    }

    static func action(_ row: PostgresRow) throws -> CorrectiveAction {
        let (id, partnerID, name, finding, due, owner, note) = try row.decode((Int64, Int64, String, String, String, String, String).self)
        let columns = Array(row)
        let text = { (index: Int) throws -> String? in try columns[index].decode(String?.self) }
        return CorrectiveAction(id: id, partnerID: partnerID, partnerName: name, finding: finding, due: due, owner: owner, note: note,
                                createdBy: try text(7) ?? "", createdAt: try text(8) ?? "", closedBy: try text(9), closedAt: try text(10),
                                closeNote: try text(11), closeEvidence: try text(12), closeEvidenceSHA256: try text(13))
    }
}
