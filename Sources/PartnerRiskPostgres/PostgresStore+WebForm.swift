import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: WebFormRepository {
    static let evidenceColumns = "invitation_id, question_id, sha256, original_name, content_type, size, uploaded_at, channel, source"

    public func draft(invitationID: Int64) throws -> [String: JSONValue]? {
        try connections.query("SELECT answers FROM draft WHERE invitation_id = \(invitationID)").first
            .flatMap { JSONValue.parse(try $0.decode(String.self))?.objectValue }
    }

    public func saveDraft(invitationID: Int64, answers: [String: JSONValue], at time: Date) throws {
        try connections.query("""
            INSERT INTO draft (invitation_id, answers, updated_at) VALUES (\(invitationID), \(JSONValue.object(answers).rendered()), \(DayFormat.timestamp(time)))
            ON CONFLICT (invitation_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at
            """)
    }

    public func deleteDraft(invitationID: Int64) throws {
        try connections.query("DELETE FROM draft WHERE invitation_id = \(invitationID)")
    }

    public func formVisit(tokenHash: String, at time: Date) throws -> (invitation: InvitationContext, state: WebFormState)? {
        guard let invitation = try invitation(tokenHash: tokenHash, at: time) else { return nil }
        let id = invitation.invitationID
        return try connections.withConnection { session in
            let draft = try session.query("SELECT answers FROM draft WHERE invitation_id = \(id)").first?.decode(String.self)
            let current = try session.query("""
                SELECT r.id, r.invitation_id, i.campaign_id, i.partner_id, p.name, r.revision, r.channel, r.source, r.complete, r.missing,
                       r.received_at, r.saved_at, true
                FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                WHERE r.invitation_id = \(id) ORDER BY r.saved_at DESC, r.id DESC LIMIT 1
                """).first.map(Self.responseSummary)
            let evidence = try session.query("SELECT \(unescaped: Self.evidenceColumns) FROM evidence WHERE invitation_id = \(id) ORDER BY id")
                .map(Self.evidenceFile)
            return (invitation, WebFormState(draftJSON: draft, current: current, evidence: evidence))
        }
    }

    @discardableResult
    public func addEvidence(_ file: EvidenceFile, at time: Date) throws -> Bool {
        try connections.transaction { session in
            let added = try session.query("""
                INSERT INTO evidence (\(unescaped: Self.evidenceColumns))
                VALUES (\(file.invitationID), \(file.questionID), \(file.sha256), \(file.originalName), \(file.contentType), \(file.size),
                        \(DayFormat.timestamp(time)), \(file.channel), \(file.source))
                ON CONFLICT (invitation_id, coalesce(question_id, ''), sha256) DO NOTHING RETURNING id
                """)
            guard !added.isEmpty else { return false }
            try Self.appendAudit(session, actor: file.channel == "web" ? "partner" : actor, action: "evidence.add", subject: "invitation:\(file.invitationID)",
                                 detail: "\(file.questionID ?? "not yet assigned"): \(file.originalName) sha256:\(file.sha256) via \(file.channel)", at: time)
            return true
        }
    }

    public func evidence(invitationID: Int64) throws -> [EvidenceFile] {
        try connections.query("SELECT \(unescaped: Self.evidenceColumns) FROM evidence WHERE invitation_id = \(invitationID) ORDER BY id").map(Self.evidenceFile)
    }

    public func evidence(partnerID: Int64) throws -> [EvidenceFile] {
        let columns = Self.evidenceColumns.split(separator: ", ").map { "e." + $0 }.joined(separator: ", ")
        return try connections.query("""
            SELECT \(unescaped: columns) FROM evidence e JOIN invitation i ON i.id = e.invitation_id WHERE i.partner_id = \(partnerID) ORDER BY e.id
            """).map(Self.evidenceFile)
    }

    static func evidenceFile(_ row: PostgresRow) throws -> EvidenceFile {
        let (invitationID, questionID, sha256, name, type, size, uploaded) = try row.decode((Int64, String?, String, String, String, Int, String).self)
        let cells = Array(row)
        return EvidenceFile(invitationID: invitationID, questionID: questionID, sha256: sha256, originalName: name, contentType: type, size: size,
                            uploadedAt: uploaded, channel: try cells[7].decode(String.self), source: try cells[8].decode(String?.self))
    }
}

extension PostgresStore: ScheduleRepository {
    public func serviceState(_ key: String) throws -> String? {
        try connections.query("SELECT value FROM service_state WHERE key = \(key)").first?.decode(String.self)
    }

    public func setServiceState(_ key: String, _ value: String, at time: Date) throws {
        try connections.query("""
            INSERT INTO service_state (key, value, updated_at) VALUES (\(key), \(value), \(DayFormat.timestamp(time)))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """)
    }

    /// The conditions an invitation must meet to be reminded (`i` the invitation, `c` its campaign, `p` its partner).
    static let remindableSQL = """
        c.status = 'open' AND p.active AND i.last_mailed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete)
        """
    static let pendingSQL = "EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.state IN ('queued', 'sending', 'deferred'))"

    public func reminderCandidates() throws -> [ReminderCandidate] {
        try connections.withConnection { session in
            var done: [Int64: Set<Int>] = [:]
            for row in try session.query("""
                SELECT o.invitation_id, o.offset_days FROM reminder_offset o JOIN invitation i ON i.id = o.invitation_id
                JOIN campaign c ON c.id = i.campaign_id WHERE c.status = 'open'
                """) {
                let (invitation, offset) = try row.decode((Int64, Int).self)
                done[invitation, default: []].insert(offset)
            }
            return try session.query("""
                SELECT i.id, i.campaign_id, c.deadline, i.last_mailed_at, \(unescaped: Self.pendingSQL)
                FROM invitation i JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
                WHERE \(unescaped: Self.remindableSQL) ORDER BY i.id
                """).compactMap { row in
                let (id, campaignID, deadline, mailed, pending) = try row.decode((Int64, Int64, String, String, Bool).self)
                guard let mailedAt = DayFormat.parseTimestamp(mailed) else { return nil }
                return ReminderCandidate(invitationID: id, campaignID: campaignID, deadline: deadline, lastMailedAt: mailedAt, pending: pending,
                                         offsetsDone: done[id] ?? [])
            }
        }
    }

    /// The latest offset decides: whoever records it first (this instance or another) reminds.
    public func applyReminderStep(_ step: ReminderPlan.Step, at time: Date) throws -> Bool {
        guard let latest = step.offsets.max() else { return false }
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            var claimed = false
            for offset in step.offsets {
                let recorded = try session.query("""
                    INSERT INTO reminder_offset (invitation_id, offset_days, reminded, recorded_at)
                    VALUES (\(step.invitationID), \(offset), \(step.remind && offset == latest), \(now))
                    ON CONFLICT (invitation_id, offset_days) DO NOTHING RETURNING 1
                    """)
                if offset == latest { claimed = !recorded.isEmpty }
            }
            guard step.remind, claimed, let row = try session.query("""
                SELECT i.campaign_id, p.email FROM invitation i JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
                WHERE i.id = \(step.invitationID) AND \(unescaped: Self.remindableSQL) AND NOT \(unescaped: Self.pendingSQL)
                """).first else { return false }
            let (campaignID, email) = try row.decode((Int64, String).self)
            try session.query("""
                INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at)
                VALUES (\(step.invitationID), 'reminder', \(email), 'queued', \(now), \(now))
                """)
            try session.query("UPDATE invitation SET reminders_sent = reminders_sent + 1 WHERE id = \(step.invitationID)")
            try Self.appendAudit(session, actor: actor, action: "campaign.remind", subject: "campaign:\(campaignID)",
                                 detail: "scheduled reminder (\(latest) days from the deadline) for invitation \(step.invitationID)", at: time)
            return true
        }
    }

    public func campaignsWithDueMessages(at time: Date) throws -> [Int64] {
        try connections.query("""
            SELECT DISTINCT i.campaign_id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
            WHERE m.state = 'queued' OR (m.state = 'deferred' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= \(DayFormat.timestamp(time))))
            ORDER BY i.campaign_id
            """).map { try $0.decode(Int64.self) }
    }

    public func campaignsWithClaims() throws -> [Int64] {
        try connections.query("""
            SELECT DISTINCT i.campaign_id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id WHERE m.state = 'sending' ORDER BY i.campaign_id
            """).map { try $0.decode(Int64.self) }
    }
}

extension PostgresStore: AttemptLedger {
    public func recordFailure(key: String, at time: Date, since: Date) throws -> Int {
        let cutoff = DayFormat.timestamp(since)
        return try connections.transaction { session in
            try session.query("DELETE FROM failed_attempt WHERE at < \(cutoff)")
            try session.query("INSERT INTO failed_attempt (key, at) VALUES (\(key), \(DayFormat.timestamp(time)))")
            return Int(try session.query("SELECT count(*) FROM failed_attempt WHERE key = \(key) AND at >= \(cutoff)").first.orThrow("no count").decode(Int64.self))
        }
    }

    public func failures(key: String, since: Date) throws -> Int {
        Int(try connections.query("SELECT count(*) FROM failed_attempt WHERE key = \(key) AND at >= \(DayFormat.timestamp(since))")
            .first.orThrow("no count").decode(Int64.self))
    }

    public func clearFailures(key: String) throws {
        try connections.query("DELETE FROM failed_attempt WHERE key = \(key)")
    }
}
