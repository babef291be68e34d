import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: CampaignRepository {
    public func createCampaign(name: String, surveyVersionID: Int64, deadline: String, sender: String, audience: String,
                               partners: [Partner], surveyVersionFor: (Partner) -> Int64, at time: Date) throws -> Campaign {
        let id: Int64 = try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(
                sql: "INSERT INTO campaign (name, survey_version_id, deadline, sender, selector, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [name, surveyVersionID, deadline, sender, audience, now])
            let campaignID = db.lastInsertedRowID
            let invitation = try db.cachedStatement(sql: "INSERT INTO invitation (campaign_id, partner_id, survey_version_id, created_at) VALUES (?, ?, ?, ?)")
            let message = try db.cachedStatement(sql: """
                INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                VALUES (?, 'invitation', ?, 'queued', ?, ?)
                """)
            for partner in partners {
                try invitation.execute(arguments: [campaignID, partner.id, surveyVersionFor(partner), now])
                try message.execute(arguments: [db.lastInsertedRowID, partner.email, now, now])
            }
            try Self.appendAudit(db, actor: actor, action: "campaign.create", subject: "campaign:\(campaignID)",
                                 detail: "\(name): \(partners.count) partners (\(audience)), deadline \(deadline)", at: time)
            return campaignID
        }
        return try campaign(id: id)!  // committed just above
    }

    static let campaignSQL = """
        SELECT c.*, s.survey_id, s.version FROM campaign c JOIN survey_version s ON s.id = c.survey_version_id
        """

    public func campaigns() throws -> [Campaign] {
        try pool.read { db in try Row.fetchAll(db, sql: Self.campaignSQL + " ORDER BY c.id").map(Self.campaign) }
    }

    public func campaign(id: Int64) throws -> Campaign? {
        try pool.read { db in try Row.fetchOne(db, sql: Self.campaignSQL + " WHERE c.id = ?", arguments: [id]).map(Self.campaign) }
    }

    static func campaign(_ row: Row) -> Campaign {
        Campaign(id: row["id"], name: row["name"], surveyVersionID: row["survey_version_id"], surveyID: row["survey_id"],
                 surveyVersion: row["version"], deadline: row["deadline"], sender: row["sender"], selector: row["selector"],
                 status: row["status"], createdAt: row["created_at"], closedAt: row["closed_at"])
    }

    public func closeCampaign(id: Int64, linksLastUntil: Date, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE campaign SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                           arguments: [Self.timestamp(time), id])
            try db.execute(sql: """
                UPDATE invitation_token SET revoked_at = ? WHERE revoked_at IS NULL
                  AND invitation_id IN (SELECT id FROM invitation WHERE campaign_id = ?)
                """, arguments: [Self.timestamp(linksLastUntil), id])
            try Self.appendAudit(db, actor: actor, action: "campaign.close", subject: "campaign:\(id)", detail: "", at: time)
        }
    }

    private func transition(_ db: Database, messageIDs: [Int64], from: MailState, to: MailState, reply: String, at time: Date) throws {
        let now = Self.timestamp(time)
        for id in messageIDs {
            try db.cachedStatement(sql: "UPDATE mail_message SET state = ?, updated_at = ? WHERE id = ?").execute(arguments: [to.rawValue, now, id])
            try db.cachedStatement(sql: "INSERT INTO mail_attempt (mail_message_id, from_state, to_state, reply, at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [id, from.rawValue, to.rawValue, reply, now])
        }
    }

    private func messageIDs(_ db: Database, campaignID: Int64, state: MailState) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT m.id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
            WHERE i.campaign_id = ? AND m.state = ?
            """, arguments: [campaignID, state.rawValue])
    }

    public func markInterruptedSendsUncertain(campaignID: Int64, run: SendRun, at time: Date) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO send_run (id, pid, host, started_at) VALUES (?, ?, ?, ?)",
                           arguments: [run.id, run.pid, run.host, Self.timestamp(time)])
            // A claim is interrupted when its run is gone; one without a run predates claims.
            var ids: [Int64] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT m.id, r.pid, r.host FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                LEFT JOIN send_run r ON r.id = m.claimed_by WHERE i.campaign_id = ? AND m.state = 'sending'
                """, arguments: [campaignID]) {
                let pid: Int32? = row[1], host: String? = row[2]
                if let pid, let host, SendRun(id: "", pid: pid, host: host).isAlive { continue }
                ids.append(row[0])
            }
            try transition(db, messageIDs: ids, from: .sending, to: .uncertain,
                           reply: "the previous run stopped while this message was being sent; the server may or may not have it", at: time)
            return ids.count
        }
    }

    public func requeueUncertain(campaignID: Int64, at time: Date) throws -> Int {
        try pool.write { db in
            let ids = try messageIDs(db, campaignID: campaignID, state: .uncertain)
            try transition(db, messageIDs: ids, from: .uncertain, to: .queued, reply: "re-queued by --resend-uncertain", at: time)
            return ids.count
        }
    }

    public func dueMessages(campaignID: Int64, at time: Date) throws -> [OutboxItem] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.*, (SELECT revision FROM response WHERE id = m.response_id) AS revision
                FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE i.campaign_id = ? AND (m.state = 'queued' OR (m.state = 'deferred' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?)))
                ORDER BY m.id
                """, arguments: [campaignID, Self.timestamp(time)]).map(Self.outboxItem)
        }
    }

    static func outboxItem(_ row: Row) -> OutboxItem {
        OutboxItem(id: row["id"], invitationID: row["invitation_id"], kind: row["kind"], recipient: row["recipient"],
                   state: MailState(rawValue: row["state"]) ?? .queued, attempts: row["attempts"], lastReply: row["last_reply"],
                   revision: row["revision"])
    }

    public func beginSending(messageID: Int64, invitationID: Int64, tokenHash: String?, messageIDHeader: String, run: SendRun,
                             at time: Date) throws -> Bool {
        try pool.write { db in
            let state = try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM mail_message WHERE id = ?"), arguments: [messageID]) ?? "?"
            // The claim: only a message still waiting moves, so two runs never both send it.
            try db.cachedStatement(sql: """
                UPDATE mail_message SET state = 'sending', claimed_by = ?, message_id = ?, attempts = attempts + 1, updated_at = ?
                WHERE id = ? AND state IN ('queued', 'deferred')
                """).execute(arguments: [run.id, messageIDHeader, Self.timestamp(time), messageID])
            guard db.changesCount == 1 else { return false }
            if let tokenHash {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO invitation_token (token_hash, invitation_id, created_at) VALUES (?, ?, ?)")
                    .execute(arguments: [tokenHash, invitationID, Self.timestamp(time)])
            }
            try db.cachedStatement(sql: "INSERT INTO mail_attempt (mail_message_id, from_state, to_state, reply, at) VALUES (?, ?, 'sending', '', ?)")
                .execute(arguments: [messageID, state, Self.timestamp(time)])
            return true
        }
    }

    public func finishSending(messageID: Int64, state: MailState, reply: String, nextAttempt: Date?, at time: Date) throws {
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.cachedStatement(sql: "UPDATE mail_message SET last_reply = ?, next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?")
                .execute(arguments: [reply, nextAttempt.map(Self.timestamp), state.rawValue, now, messageID])
            try transition(db, messageIDs: [messageID], from: .sending, to: state, reply: reply, at: time)
            if state == .sent {
                try db.cachedStatement(sql: "UPDATE invitation SET last_mailed_at = ? WHERE id = (SELECT invitation_id FROM mail_message WHERE id = ?)")
                    .execute(arguments: [now, messageID])
            }
        }
    }

    public func reissueToken(invitationID: Int64, queueInvitation: Bool, at time: Date) throws -> Int {
        try pool.write { db in
            let now = Self.timestamp(time)
            try Self.revoke(db, invitationIDs: [invitationID], at: now)
            try db.execute(sql: "UPDATE invitation SET token_generation = token_generation + 1 WHERE id = ?", arguments: [invitationID])
            let generation = try Int.fetchOne(db, sql: "SELECT token_generation FROM invitation WHERE id = ?", arguments: [invitationID]) ?? 1
            if queueInvitation {
                try db.execute(sql: """
                    INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                    SELECT i.id, 'invitation', p.email, 'queued', ?, ? FROM invitation i JOIN partner p ON p.id = i.partner_id WHERE i.id = ?
                    """, arguments: [now, now, invitationID])
            }
            try Self.appendAudit(db, actor: actor, action: "invitation.reissue", subject: "invitation:\(invitationID)",
                                 detail: "link generation \(generation); the earlier link is revoked", at: time)
            return generation
        }
    }

    public func revokeTokens(invitationIDs: [Int64], partnerID: Int64?, reason: String, at time: Date) throws -> Int {
        try pool.write { db in
            var ids = invitationIDs
            if let partnerID { ids += try Self.invitationIDs(db, partnerID: partnerID) }
            let count = try Self.revoke(db, invitationIDs: ids, at: Self.timestamp(time))
            for id in Set(ids) {
                try Self.appendAudit(db, actor: actor, action: "invitation.revoke", subject: "invitation:\(id)", detail: reason, at: time)
            }
            return count
        }
    }

    static func invitationIDs(_ db: Database, partnerID: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM invitation WHERE partner_id = ?", arguments: [partnerID])
    }

    /// Revokes the live links of these invitations now; returns how many were live.
    @discardableResult
    static func revoke(_ db: Database, invitationIDs: [Int64], at now: String) throws -> Int {
        var count = 0
        try inBatches(Array(Set(invitationIDs))) { batch in
            try db.execute(sql: """
                UPDATE invitation_token SET revoked_at = ?1 WHERE (revoked_at IS NULL OR revoked_at > ?1) AND invitation_id IN (\(placeholders(batch.count)))
                """, arguments: StatementArguments([now]) + StatementArguments(batch))
            count += db.changesCount
        }
        return count
    }

    public func invitationContext(invitationID: Int64) throws -> InvitationContext {
        // One read with prepared statements: it runs before every message a send composes.
        let found = try pool.read { db -> (Row, Partner, Campaign)? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM invitation WHERE id = ?"), arguments: [invitationID]),
                  let partner = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.partnerColumnList()) FROM partner WHERE id = ?"),
                                                 arguments: [row["partner_id"] as Int64]).map({ Self.partner(from: $0, at: 0) }),
                  let campaign = try Row.fetchOne(db.cachedStatement(sql: Self.campaignSQL + " WHERE c.id = ?"),
                                                  arguments: [row["campaign_id"] as Int64]).map(Self.campaign) else { return nil }
            return (row, partner, campaign)
        }
        guard let (row, partner, campaign) = found else { throw PartnerRiskError.failed("invitation \(invitationID) is not in the database") }
        return InvitationContext(invitationID: invitationID, partner: partner, campaign: campaign,
                                 surveyVersionID: row["survey_version_id"], remindersSent: row["reminders_sent"], tokenGeneration: row["token_generation"])
    }

    public func stateCounts(campaignID: Int64) throws -> [MailState: Int] {
        try pool.read { db in
            var counts: [MailState: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT m.state, count(*) AS n FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE i.campaign_id = ? GROUP BY m.state
                """, arguments: [campaignID]) {
                if let state = MailState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func problemMessages(campaignID: Int64) throws -> [OutboxItem] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.* FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE i.campaign_id = ? AND m.state IN ('failed', 'deferred', 'uncertain') ORDER BY m.state, m.recipient
                """, arguments: [campaignID]).map(Self.outboxItem)
        }
    }

    public func queueReminders(campaignID: Int64, maxReminders: Int, minDays: Int, at time: Date) throws -> Int {
        try pool.write { db in
            let cutoff = Self.timestamp(time.addingTimeInterval(-Double(minDays) * 86_400))
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.id, p.email FROM invitation i JOIN partner p ON p.id = i.partner_id
                WHERE i.campaign_id = ? AND p.active = 1 AND i.reminders_sent < ?
                  AND i.last_mailed_at IS NOT NULL AND i.last_mailed_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete = 1)
                  AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.state IN ('queued', 'sending', 'deferred'))
                """, arguments: [campaignID, maxReminders, cutoff])
            let now = Self.timestamp(time)
            for row in rows {
                let invitationID: Int64 = row["id"]
                try db.execute(sql: "INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at) VALUES (?, 'reminder', ?, 'queued', ?, ?)",
                               arguments: [invitationID, row["email"] as String, now, now])
                try db.execute(sql: "UPDATE invitation SET reminders_sent = reminders_sent + 1 WHERE id = ?", arguments: [invitationID])
            }
            if !rows.isEmpty {
                try Self.appendAudit(db, actor: actor, action: "campaign.remind", subject: "campaign:\(campaignID)",
                                     detail: "\(rows.count) reminders queued", at: time)
            }
            return rows.count
        }
    }

    /// Queues the thank-you of the responses the statement selects (`WHERE` follows), unless queued before.
    static let thankYouSQL = """
        INSERT OR IGNORE INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at, response_id)
        SELECT r.invitation_id, 'thank-you', p.email, 'queued', ?, ?, r.id FROM response r
        JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
        """

    public func queueThankYous(responseIDs: [Int64], at time: Date) throws -> Set<Int64> {
        guard !responseIDs.isEmpty else { return [] }
        return try pool.write { db in
            let now = Self.timestamp(time)
            var campaigns = Set<Int64>()
            try Self.inBatches(responseIDs) { batch in
                let list = Self.placeholders(batch.count)
                try db.execute(sql: Self.thankYouSQL + " WHERE r.id IN (\(list)) ORDER BY r.id",
                               arguments: StatementArguments([now, now]) + StatementArguments(batch))
                campaigns.formUnion(try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT i.campaign_id FROM response r JOIN invitation i ON i.id = r.invitation_id WHERE r.id IN (\(list))
                    """, arguments: StatementArguments(batch)))
            }
            return campaigns
        }
    }

    public func invitationCounts(campaignID: Int64) throws -> (invited: Int, responded: Int, complete: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS invited,
                       sum(EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id)) AS responded,
                       sum(EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete = 1)) AS complete
                FROM invitation i WHERE i.campaign_id = ?
                """, arguments: [campaignID])!  // an aggregate query always returns one row
            return (row["invited"] ?? 0, row["responded"] ?? 0, row["complete"] ?? 0)
        }
    }
}
