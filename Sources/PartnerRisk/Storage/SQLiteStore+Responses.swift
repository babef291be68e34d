import Foundation
import GRDB

extension SQLiteStore: ResponseRepository {
    public func invitation(tokenHash: String) throws -> InvitationContext? {
        let id = try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT invitation_id FROM invitation_token WHERE token_hash = ? AND revoked_at IS NULL", arguments: [tokenHash])
        }
        return try id.map { try invitationContext(invitationID: $0) }
    }

    public func latestRevision(invitationID: Int64) throws -> (revision: Int, checksum: String)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT revision, checksum FROM response WHERE invitation_id = ? ORDER BY revision DESC LIMIT 1",
                             arguments: [invitationID]).map { ($0["revision"], $0["checksum"]) }
        }
    }

    public func storeResponse(invitationID: Int64, channel: ResponseChannel, source: String?, complete: Bool, missing: [String],
                              checksum: String, answers: AnswerSet, at time: Date) throws -> (id: Int64, revision: Int) {
        try pool.write { db in
            let revision = (try Int.fetchOne(db, sql: "SELECT max(revision) FROM response WHERE invitation_id = ?", arguments: [invitationID]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO response (invitation_id, revision, channel, source, complete, missing, checksum, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [invitationID, revision, channel.rawValue, source, complete,
                                 JSONValue.array(missing.map(JSONValue.string)).rendered(), checksum, Self.timestamp(time)])
            let responseID = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: "INSERT INTO answer (response_id, question_id, value) VALUES (?, ?, ?)")
            for (question, answer) in answers.answers {
                try insert.execute(arguments: [responseID, question, answer.json.rendered()])
            }
            try Self.appendAudit(db, actor: Actor.current, action: "response.store", subject: "invitation:\(invitationID)",
                                 detail: "revision \(revision) via \(channel.rawValue)\(complete ? "" : ", incomplete (\(missing.count) missing)")", at: time)
            return (responseID, revision)
        }
    }

    public func recordRejected(channel: ResponseChannel, source: String, reason: String, quarantinePath: String?, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO rejected_input (channel, source, reason, quarantine_path, received_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [channel.rawValue, source, reason, quarantinePath, Self.timestamp(time)])
        }
    }

    public func responses(campaignID: Int64?, partnerID: Int64?) throws -> [ResponseSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, i.campaign_id, i.partner_id, p.name AS partner_name FROM response r
                JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                WHERE (?1 IS NULL OR i.campaign_id = ?1) AND (?2 IS NULL OR i.partner_id = ?2)
                ORDER BY r.received_at, r.id
                """, arguments: [campaignID, partnerID]).map { row in
                let missing = JSONValue.parse(row["missing"] as String)?.arrayValue?.compactMap(\.stringValue) ?? []
                return ResponseSummary(id: row["id"], invitationID: row["invitation_id"], campaignID: row["campaign_id"],
                                       partnerID: row["partner_id"], partnerName: row["partner_name"], revision: row["revision"],
                                       channel: row["channel"], source: row["source"], complete: row["complete"], missing: missing,
                                       receivedAt: row["received_at"])
            }
        }
    }

    public func rejectedInputs() throws -> [RejectedInput] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rejected_input ORDER BY id").map {
                RejectedInput(id: $0["id"], channel: $0["channel"], source: $0["source"], reason: $0["reason"],
                              quarantinePath: $0["quarantine_path"], receivedAt: $0["received_at"])
            }
        }
    }

    public func answers(responseID: Int64) throws -> AnswerSet {
        try pool.read { db in
            var set = AnswerSet()
            for row in try Row.fetchAll(db, sql: "SELECT question_id, value FROM answer WHERE response_id = ?", arguments: [responseID]) {
                if let value = JSONValue.parse(row["value"] as String) { set[row["question_id"]] = Answer(json: value) }
            }
            return set
        }
    }
}

extension SQLiteStore: MailboxLedger {
    public func processedUIDs(mailbox: String, uidValidity: Int64) throws -> Set<Int64> {
        try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT uid FROM imap_seen WHERE mailbox = ? AND uid_validity = ?", arguments: [mailbox, uidValidity]))
        }
    }

    public func isProcessed(messageID: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM imap_seen WHERE message_id = ? LIMIT 1", arguments: [messageID]) ?? false }
    }

    public func recordProcessed(mailbox: String, uidValidity: Int64, uid: Int64, messageID: String?, outcome: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO imap_seen (mailbox, uid_validity, uid, message_id, outcome, processed_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [mailbox, uidValidity, uid, messageID, outcome, Self.timestamp(time)])
        }
    }
}
