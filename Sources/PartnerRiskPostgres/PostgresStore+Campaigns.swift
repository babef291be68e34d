import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: CampaignRepository {
    /// The columns `campaign(_:)` reads, of `campaign c` joined to `survey_version s`.
    static let campaignColumns = "c.id, c.name, c.survey_version_id, s.survey_id, s.version, c.deadline, c.sender, c.selector, c.status, c.created_at, c.closed_at"
    static let campaignSQL = "SELECT \(campaignColumns) FROM campaign c JOIN survey_version s ON s.id = c.survey_version_id"
    static let outboxColumns = "m.id, m.invitation_id, m.kind, m.recipient, m.state, m.attempts, m.last_reply"

    public func createCampaign(name: String, surveyVersionID: Int64, deadline: String, sender: String, audience: String,
                               partners: [Partner], surveyVersionFor: (Partner) -> Int64, at time: Date) throws -> Campaign {
        let now = DayFormat.timestamp(time)
        let id = try connections.transaction { session in
            let campaignID = try session.query("""
                INSERT INTO campaign (name, survey_version_id, deadline, sender, selector, created_at)
                VALUES (\(name), \(surveyVersionID), \(deadline), \(sender), \(audience), \(now)) RETURNING id
                """).first.orThrow("campaign not stored").decode(Int64.self)
            // One statement for all invitations and their first mails: the partners as arrays.
            try session.query("""
                WITH invited AS (
                    INSERT INTO invitation (campaign_id, partner_id, survey_version_id, created_at)
                    SELECT \(campaignID), partner, version, \(now) FROM unnest(\(partners.map(\.id))::bigint[], \(partners.map(surveyVersionFor))::bigint[])
                        AS chosen (partner, version)
                    RETURNING id, partner_id)
                INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                SELECT invited.id, 'invitation', p.email, 'queued', \(now), \(now) FROM invited JOIN partner p ON p.id = invited.partner_id
                ORDER BY invited.id
                """)
            try Self.appendAudit(session, actor: actor, action: "campaign.create", subject: "campaign:\(campaignID)",
                                 detail: "\(name): \(partners.count) partners (\(audience)), deadline \(deadline)", at: time)
            return campaignID
        }
        return try campaign(id: id).orThrow("campaign \(id) vanished after it was stored")
    }

    public func campaigns() throws -> [Campaign] {
        try connections.query("\(unescaped: Self.campaignSQL) ORDER BY c.id").map(Self.campaign)
    }

    public func campaign(id: Int64) throws -> Campaign? {
        try connections.query("\(unescaped: Self.campaignSQL) WHERE c.id = \(id)").first.map(Self.campaign)
    }

    static func campaign(_ row: PostgresRow) throws -> Campaign { try campaign(Array(row)[...]) }

    /// A campaign from the 11 cells of `campaignColumns`, wherever they sit in a longer row.
    static func campaign(_ cells: ArraySlice<PostgresCell>) throws -> Campaign {
        let text = { (index: Int) throws -> String in try cells[cells.startIndex + index].decode(String.self) }
        return Campaign(id: try cells[cells.startIndex].decode(Int64.self), name: try text(1),
                        surveyVersionID: try cells[cells.startIndex + 2].decode(Int64.self), surveyID: try text(3), surveyVersion: try text(4),
                        deadline: try text(5), sender: try text(6), selector: try text(7), status: try text(8), createdAt: try text(9),
                        closedAt: try cells[cells.startIndex + 10].decode(String?.self))
    }

    public func invitedPartners(campaignID: Int64) throws -> Set<Int64> {
        Set(try connections.query("SELECT partner_id FROM invitation WHERE campaign_id = \(campaignID)").map { try $0.decode(Int64.self) })
    }

    public func invitationSectors(campaignID: Int64) throws -> [(Int64, Sector)] {
        try connections.query("SELECT i.id, p.sector FROM invitation i JOIN partner p ON p.id = i.partner_id WHERE i.campaign_id = \(campaignID)")
            .map { row in
                let (id, sector) = try row.decode((Int64, String).self)
                return (id, Sector(rawValue: sector) ?? .importer)
            }
    }

    public func closeCampaign(id: Int64, linksLastUntil: Date, at time: Date) throws {
        try connections.transaction { session in
            try session.query("UPDATE campaign SET status = 'closed', closed_at = \(DayFormat.timestamp(time)) WHERE id = \(id) AND status = 'open'")
            try session.query("""
                UPDATE invitation_token SET revoked_at = \(DayFormat.timestamp(linksLastUntil)) WHERE revoked_at IS NULL
                  AND invitation_id IN (SELECT id FROM invitation WHERE campaign_id = \(id))
                """)
            try Self.appendAudit(session, actor: actor, action: "campaign.close", subject: "campaign:\(id)", detail: "", at: time)
        }
    }

    /// Moves these messages from one state to another, each change kept in `mail_attempt`.
    static func transition(_ session: PostgresSession, messageIDs: [Int64], from: MailState, to: MailState, reply: String, at time: Date) throws {
        guard !messageIDs.isEmpty else { return }
        let now = DayFormat.timestamp(time)
        try session.query("UPDATE mail_message SET state = \(to.rawValue), updated_at = \(now) WHERE id = ANY(\(messageIDs))")
        try session.query("""
            INSERT INTO mail_attempt (mail_message_id, from_state, to_state, reply, at)
            SELECT id, \(from.rawValue), \(to.rawValue), \(reply), \(now) FROM unnest(\(messageIDs)::bigint[]) AS id ORDER BY id
            """)
    }

    public func markInterruptedSendsUncertain(campaignID: Int64, run: SendRun, at time: Date) throws -> Int {
        try connections.transaction { session in
            try session.query("""
                INSERT INTO send_run (id, pid, host, started_at) VALUES (\(run.id), \(Int(run.pid)), \(run.host), \(DayFormat.timestamp(time)))
                ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at
                """)
            // A claim is interrupted when its run is gone; one without a run predates claims. The
            // rows stay locked until the end, so two runs starting at once do not both move them.
            var ids: [Int64] = []
            for row in try session.query("""
                SELECT m.id, r.pid, r.host FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                LEFT JOIN send_run r ON r.id = m.claimed_by WHERE i.campaign_id = \(campaignID) AND m.state = 'sending'
                FOR UPDATE OF m
                """) {
                let (id, pid, host) = try row.decode((Int64, Int?, String?).self)
                if let pid, let host, SendRun(id: "", pid: Int32(pid), host: host).isAlive { continue }
                ids.append(id)
            }
            try Self.transition(session, messageIDs: ids, from: .sending, to: .uncertain,
                                reply: "the previous run stopped while this message was being sent; the server may or may not have it", at: time)
            return ids.count
        }
    }

    public func requeueUncertain(campaignID: Int64, at time: Date) throws -> Int {
        try connections.transaction { session in
            let ids = try session.query("""
                SELECT m.id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE i.campaign_id = \(campaignID) AND m.state = 'uncertain' FOR UPDATE OF m
                """).map { try $0.decode(Int64.self) }
            try Self.transition(session, messageIDs: ids, from: .uncertain, to: .queued, reply: "re-queued by --resend-uncertain", at: time)
            return ids.count
        }
    }

    public func dueMessages(campaignID: Int64, at time: Date) throws -> [OutboxItem] {
        try connections.query("""
            SELECT \(unescaped: Self.outboxColumns), (SELECT revision FROM response WHERE id = m.response_id)
            FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
            WHERE i.campaign_id = \(campaignID)
              AND (m.state = 'queued' OR (m.state = 'deferred' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= \(DayFormat.timestamp(time)))))
            ORDER BY m.id
            """).map(Self.outboxItem)
    }

    /// An outbox item from a row of `outboxColumns`, then the revision a thank-you names (or none).
    static func outboxItem(_ row: PostgresRow) throws -> OutboxItem {
        let (id, invitationID, kind, recipient, state, attempts, reply) = try row.decode((Int64, Int64?, String, String, String, Int, String?).self)
        let columns = Array(row)
        let revision = columns.count > 7 ? try columns[7].decode(Int?.self) : nil
        return OutboxItem(id: id, invitationID: invitationID ?? 0, kind: kind, recipient: recipient, state: MailState(rawValue: state) ?? .queued,
                          attempts: attempts, lastReply: reply, revision: revision)
    }

    /// The claim is the conditional `UPDATE` itself: of two runs (two `serve` instances, or one and
    /// a `campaign send`) wanting one message, PostgreSQL lets the second wait for the first's
    /// commit, then finds the state changed and moves nothing.
    public func beginSending(messageID: Int64, invitationID: Int64, tokenHash: String?, messageIDHeader: String, run: SendRun,
                             at time: Date) throws -> Bool {
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            let claimed = try session.query("""
                WITH before AS (SELECT id, state FROM mail_message WHERE id = \(messageID) AND state IN ('queued', 'deferred') FOR UPDATE SKIP LOCKED)
                UPDATE mail_message m SET state = 'sending', claimed_by = \(run.id), message_id = \(messageIDHeader), attempts = m.attempts + 1,
                    updated_at = \(now)
                FROM before WHERE m.id = before.id RETURNING before.state
                """)
            guard let previous = try claimed.first?.decode(String.self) else { return false }
            if let tokenHash {
                try session.query("""
                    INSERT INTO invitation_token (token_hash, invitation_id, created_at) VALUES (\(tokenHash), \(invitationID), \(now))
                    ON CONFLICT (token_hash) DO NOTHING
                    """)
            }
            try session.query("""
                INSERT INTO mail_attempt (mail_message_id, from_state, to_state, reply, at) VALUES (\(messageID), \(previous), 'sending', '', \(now))
                """)
            return true
        }
    }

    public func finishSending(messageID: Int64, state: MailState, reply: String, nextAttempt: Date?, at time: Date) throws {
        let now = DayFormat.timestamp(time)
        try connections.transaction { session in
            try session.query("""
                UPDATE mail_message SET last_reply = \(reply), next_attempt_at = \(nextAttempt.map(DayFormat.timestamp)),
                    sent_at = CASE WHEN \(state.rawValue) = 'sent' THEN \(now) ELSE sent_at END
                WHERE id = \(messageID)
                """)
            try Self.transition(session, messageIDs: [messageID], from: .sending, to: state, reply: reply, at: time)
            if state == .sent {
                try session.query("UPDATE invitation SET last_mailed_at = \(now) WHERE id = (SELECT invitation_id FROM mail_message WHERE id = \(messageID))")
            }
        }
    }

    public func reissueToken(invitationID: Int64, queueInvitation: Bool, at time: Date) throws -> Int {
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            try Self.revoke(session, invitationIDs: [invitationID], at: now)
            let generation = try session.query("""
                UPDATE invitation SET token_generation = token_generation + 1 WHERE id = \(invitationID) RETURNING token_generation
                """).first?.decode(Int.self) ?? 1
            if queueInvitation {
                try session.query("""
                    INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                    SELECT i.id, 'invitation', p.email, 'queued', \(now), \(now) FROM invitation i JOIN partner p ON p.id = i.partner_id
                    WHERE i.id = \(invitationID)
                    """)
            }
            try Self.appendAudit(session, actor: actor, action: "invitation.reissue", subject: "invitation:\(invitationID)",
                                 detail: "link generation \(generation); the earlier link is revoked", at: time)
            return generation
        }
    }

    public func revokeTokens(invitationIDs: [Int64], partnerID: Int64?, reason: String, at time: Date) throws -> Int {
        try connections.transaction { session in
            var ids = invitationIDs
            if let partnerID { ids += try Self.invitationIDs(session, partnerID: partnerID) }
            let count = try Self.revoke(session, invitationIDs: ids, at: DayFormat.timestamp(time))
            for id in Set(ids).sorted() {
                try Self.appendAudit(session, actor: actor, action: "invitation.revoke", subject: "invitation:\(id)", detail: reason, at: time)
            }
            return count
        }
    }

    static func invitationIDs(_ session: PostgresSession, partnerID: Int64) throws -> [Int64] {
        try session.query("SELECT id FROM invitation WHERE partner_id = \(partnerID)").map { try $0.decode(Int64.self) }
    }

    /// Revokes the live links of these invitations now; returns how many were live.
    @discardableResult
    static func revoke(_ session: PostgresSession, invitationIDs: [Int64], at now: String) throws -> Int {
        guard !invitationIDs.isEmpty else { return 0 }
        return try session.query("""
            UPDATE invitation_token SET revoked_at = \(now) WHERE (revoked_at IS NULL OR revoked_at > \(now))
              AND invitation_id = ANY(\(Array(Set(invitationIDs)))) RETURNING 1
            """).count
    }

    public func invitationContext(invitationID: Int64) throws -> InvitationContext {
        let rows = try connections.query("""
            SELECT i.survey_version_id, i.reminders_sent, i.token_generation, i.partner_id, i.campaign_id FROM invitation i WHERE i.id = \(invitationID)
            """)
        guard let row = rows.first else { throw PartnerRiskError.failed("invitation \(invitationID) is not in the database") }
        let (versionID, reminders, generation, partnerID, campaignID) = try row.decode((Int64, Int, Int, Int64, Int64).self)
        guard let partner = try partner(id: partnerID), let campaign = try campaign(id: campaignID) else {
            throw PartnerRiskError.failed("invitation \(invitationID) is not in the database")
        }
        return InvitationContext(invitationID: invitationID, partner: partner, campaign: campaign, surveyVersionID: versionID,
                                 remindersSent: reminders, tokenGeneration: generation)
    }

    public func stateCounts(campaignID: Int64) throws -> [MailState: Int] {
        var counts: [MailState: Int] = [:]
        for row in try connections.query("""
            SELECT m.state, count(*)::bigint FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
            WHERE i.campaign_id = \(campaignID) GROUP BY m.state
            """) {
            let (state, count) = try row.decode((String, Int).self)
            if let state = MailState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    public func problemMessages(campaignID: Int64) throws -> [OutboxItem] {
        try connections.query("""
            SELECT \(unescaped: Self.outboxColumns) FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
            WHERE i.campaign_id = \(campaignID) AND m.state IN ('failed', 'deferred', 'uncertain') ORDER BY m.state, m.recipient
            """).map(Self.outboxItem)
    }

    public func queueReminders(campaignID: Int64, maxReminders: Int, minDays: Int, at time: Date) throws -> Int {
        let cutoff = DayFormat.timestamp(time.addingTimeInterval(-Double(minDays) * 86_400)), now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            // The invitations are locked as they are chosen: two processes queue each reminder once.
            let due = try session.query("""
                SELECT i.id, p.email FROM invitation i JOIN partner p ON p.id = i.partner_id
                WHERE i.campaign_id = \(campaignID) AND p.active AND i.reminders_sent < \(maxReminders)
                  AND i.last_mailed_at IS NOT NULL AND i.last_mailed_at <= \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete)
                  AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.state IN ('queued', 'sending', 'deferred'))
                ORDER BY i.id FOR UPDATE OF i SKIP LOCKED
                """).map { try $0.decode((Int64, String).self) }
            guard !due.isEmpty else { return 0 }
            let ids = due.map(\.0)
            try session.query("""
                INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                SELECT id, 'reminder', email, 'queued', \(now), \(now) FROM unnest(\(ids)::bigint[], \(due.map(\.1))::text[]) AS due (id, email) ORDER BY id
                """)
            try session.query("UPDATE invitation SET reminders_sent = reminders_sent + 1 WHERE id = ANY(\(ids))")
            try Self.appendAudit(session, actor: actor, action: "campaign.remind", subject: "campaign:\(campaignID)",
                                 detail: "\(due.count) reminders queued", at: time)
            return due.count
        }
    }

    /// Queues the thank-you of these responses, unless queued before (one per response: the unique `response_id`).
    static func queueThankYous(_ session: PostgresSession, responseIDs: [Int64], at now: String) throws {
        try session.query("""
            INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at, response_id)
            SELECT r.invitation_id, 'thank-you', p.email, 'queued', \(now), \(now), r.id FROM response r
            JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            WHERE r.id = ANY(\(responseIDs)) ORDER BY r.id
            ON CONFLICT (response_id) DO NOTHING
            """)
    }

    public func queueThankYous(responseIDs: [Int64], at time: Date) throws -> Set<Int64> {
        guard !responseIDs.isEmpty else { return [] }
        return try connections.transaction { session in
            try Self.queueThankYous(session, responseIDs: responseIDs, at: DayFormat.timestamp(time))
            return Set(try session.query("""
                SELECT DISTINCT i.campaign_id FROM response r JOIN invitation i ON i.id = r.invitation_id WHERE r.id = ANY(\(responseIDs))
                """).map { try $0.decode(Int64.self) })
        }
    }

    public func invitationCounts(campaignID: Int64) throws -> (invited: Int, responded: Int, complete: Int) {
        let row = try connections.query("""
            SELECT count(*)::bigint,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id))::bigint,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete))::bigint
            FROM invitation i WHERE i.campaign_id = \(campaignID)
            """).first.orThrow("an aggregate query returned no row")
        let (invited, responded, complete) = try row.decode((Int, Int, Int).self)
        return (invited, responded, complete)
    }
}
