import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: ScheduleRepository {
    public func serviceState(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM service_state WHERE key = ?", arguments: [key]) }
    }

    public func setServiceState(_ key: String, _ value: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO service_state (key, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, arguments: [key, value, Self.timestamp(time)])
        }
    }

    /// The conditions an invitation must meet to be reminded (`i` the invitation, `p` its partner).
    static let remindableSQL = """
        c.status = 'open' AND p.active = 1 AND i.last_mailed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete = 1)
        """
    static let pendingSQL = "EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.state IN ('queued', 'sending', 'deferred'))"

    public func reminderCandidates() throws -> [ReminderCandidate] {
        try pool.read { db in
            var done: [Int64: Set<Int>] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT o.invitation_id, o.offset_days FROM reminder_offset o JOIN invitation i ON i.id = o.invitation_id
                JOIN campaign c ON c.id = i.campaign_id WHERE c.status = 'open'
                """) {
                done[row[0], default: []].insert(row[1])
            }
            return try Row.fetchAll(db, sql: """
                SELECT i.id, i.campaign_id, c.deadline, i.last_mailed_at, \(Self.pendingSQL) AS pending
                FROM invitation i JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
                WHERE \(Self.remindableSQL) ORDER BY i.id
                """).compactMap { row in
                guard let mailed = Self.date(row[3]) else { return nil }
                let id: Int64 = row[0]
                return ReminderCandidate(invitationID: id, campaignID: row[1], deadline: row[2], lastMailedAt: mailed,
                                         pending: row[4], offsetsDone: done[id] ?? [])
            }
        }
    }

    public func applyReminderStep(_ step: ReminderPlan.Step, at time: Date) throws -> Bool {
        guard let latest = step.offsets.max() else { return false }
        return try pool.write { db in
            let now = Self.timestamp(time)
            // The latest offset decides: whoever records it first (this process or another) reminds.
            var claimed = false
            for offset in step.offsets {
                try db.execute(sql: "INSERT OR IGNORE INTO reminder_offset (invitation_id, offset_days, reminded, recorded_at) VALUES (?, ?, ?, ?)",
                               arguments: [step.invitationID, offset, step.remind && offset == latest, now])
                if offset == latest { claimed = db.changesCount > 0 }
            }
            guard step.remind, claimed, let row = try Row.fetchOne(db, sql: """
                SELECT i.id, i.campaign_id, p.email FROM invitation i JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
                WHERE i.id = ? AND \(Self.remindableSQL) AND NOT \(Self.pendingSQL)
                """, arguments: [step.invitationID]) else { return false }
            try db.execute(sql: "INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at) VALUES (?, 'reminder', ?, 'queued', ?, ?)",
                           arguments: [step.invitationID, row["email"] as String, now, now])
            try db.execute(sql: "UPDATE invitation SET reminders_sent = reminders_sent + 1 WHERE id = ?", arguments: [step.invitationID])
            let campaignID: Int64 = row["campaign_id"]
            try Self.appendAudit(db, actor: actor, action: "campaign.remind", subject: "campaign:\(campaignID)",
                                 detail: "scheduled reminder (\(latest) days from the deadline) for invitation \(step.invitationID)", at: time)
            return true
        }
    }

    public func campaignsWithDueMessages(at time: Date) throws -> [Int64] {
        try pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT DISTINCT i.campaign_id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE m.state = 'queued' OR (m.state = 'deferred' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?))
                ORDER BY i.campaign_id
                """, arguments: [Self.timestamp(time)])
        }
    }

    public func campaignsWithClaims() throws -> [Int64] {
        try pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT DISTINCT i.campaign_id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                WHERE m.state = 'sending' ORDER BY i.campaign_id
                """)
        }
    }
}

extension SQLiteStore: AttemptLedger {
    public func recordFailure(key: String, at time: Date, since: Date) throws -> Int {
        try pool.write { db in
            let cutoff = Self.timestamp(since)
            try db.execute(sql: "DELETE FROM failed_attempt WHERE at < ?", arguments: [cutoff])
            try db.execute(sql: "INSERT INTO failed_attempt (key, at) VALUES (?, ?)", arguments: [key, Self.timestamp(time)])
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM failed_attempt WHERE key = ? AND at >= ?", arguments: [key, cutoff]) ?? 1
        }
    }

    public func failures(key: String, since: Date) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM failed_attempt WHERE key = ? AND at >= ?", arguments: [key, Self.timestamp(since)]) ?? 0
        }
    }

    public func clearFailures(key: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM failed_attempt WHERE key = ?", arguments: [key]) }
    }
}
