import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: OfficerDecisionRepository {
    public func verifyMembership(_ membership: VerifiedMembership) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO membership_verification (partner_id, program, number, expires, verified, note, actor, at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                """, arguments: [membership.partnerID, membership.program, membership.number, membership.expires, membership.note,
                                 membership.verifiedBy, membership.verifiedAt])
            try Self.audit(db, at: membership.verifiedAt, actor: membership.verifiedBy, action: "membership.verify", subject: "partner:\(membership.partnerID)",
                           detail: "\(membership.program) \(membership.number)" + (membership.expires.map { ", expires \($0)" } ?? ", no expiry")
                               + (membership.note.isEmpty ? "" : ": \(membership.note)"))
        }
    }

    public func unverifyMembership(partnerID: Int64, program: String, note: String, actor: String, at time: Date) throws -> Bool {
        try pool.write { db in
            guard try Self.verifiedMemberships(db, partnerID: partnerID).contains(where: { $0.program == program }) else { return false }
            let now = Self.timestamp(time)
            try db.execute(sql: """
                INSERT INTO membership_verification (partner_id, program, verified, note, actor, at) VALUES (?, ?, 0, ?, ?, ?)
                """, arguments: [partnerID, program, note, actor, now])
            try Self.audit(db, at: now, actor: actor, action: "membership.unverify", subject: "partner:\(partnerID)",
                           detail: program + (note.isEmpty ? "" : ": \(note)"))
            return true
        }
    }

    public func verifiedMemberships(partnerID: Int64?) throws -> [VerifiedMembership] {
        try pool.read { db in try Self.verifiedMemberships(db, partnerID: partnerID) }
    }

    /// The latest decision per partner and program, where it is a verification.
    static func verifiedMemberships(_ db: Database, partnerID: Int64?) throws -> [VerifiedMembership] {
        let filter = filter(["m.partner_id": partnerID])
        return try Row.fetchAll(db, sql: """
            SELECT m.* FROM membership_verification m
            WHERE \(filter.sql) AND m.verified = 1
              AND m.id = (SELECT max(id) FROM membership_verification l WHERE l.partner_id = m.partner_id AND l.program = m.program)
            ORDER BY m.partner_id, m.program
            """, arguments: filter.arguments).map { row in
            VerifiedMembership(partnerID: row["partner_id"], program: row["program"], number: row["number"], expires: row["expires"],
                               note: row["note"], verifiedBy: row["actor"], verifiedAt: row["at"])
        }
    }

    /// The latest review of each file: its status (`pending` when none), reason, who and when.
    private static let evidenceSQL = """
        SELECT e.id, i.partner_id, p.name AS partner_name, e.invitation_id, e.question_id, e.original_name, e.content_type, e.size,
               e.sha256, e.channel, e.uploaded_at, r.status, r.reason, r.actor, r.at
        FROM evidence e JOIN invitation i ON i.id = e.invitation_id JOIN partner p ON p.id = i.partner_id
        LEFT JOIN evidence_review r ON r.id = (SELECT max(id) FROM evidence_review x WHERE x.evidence_id = e.id)
        """

    private static func evidenceItem(_ row: Row) -> EvidenceItem {
        EvidenceItem(id: row[0], partnerID: row[1], partnerName: row[2], invitationID: row[3], questionID: row[4], name: row[5],
                     contentType: row[6], size: row[7], sha256: row[8], channel: row[9], receivedAt: row[10],
                     status: (row[11] as String?).flatMap(EvidenceStatus.init(rawValue:)) ?? .pending, reason: row[12] ?? "",
                     reviewedBy: row[13], reviewedAt: row[14])
    }

    public func evidenceItems(partnerID: Int64?, status: EvidenceStatus?) throws -> [EvidenceItem] {
        let filter = Self.filter(["i.partner_id": partnerID, "COALESCE(r.status, 'pending')": status?.rawValue])
        return try pool.read { db in
            try Row.fetchAll(db, sql: Self.evidenceSQL + " WHERE \(filter.sql) ORDER BY e.id", arguments: filter.arguments).map(Self.evidenceItem)
        }
    }

    public func evidenceItem(id: Int64) throws -> EvidenceItem? {
        try pool.read { db in try Row.fetchOne(db, sql: Self.evidenceSQL + " WHERE e.id = ?", arguments: [id]).map(Self.evidenceItem) }
    }

    public func reviewEvidence(id: Int64, status: EvidenceStatus, reason: String, actor: String, at time: Date) throws {
        precondition(status != .pending, "a review decides: accepted, rejected or falsified")
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(sql: "INSERT INTO evidence_review (evidence_id, status, reason, actor, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, status.rawValue, reason, actor, now])
            let partner = try Int64.fetchOne(db, sql: "SELECT i.partner_id FROM evidence e JOIN invitation i ON i.id = e.invitation_id WHERE e.id = ?", arguments: [id]) ?? 0
            try Self.audit(db, at: now, actor: actor, action: "evidence.\(status.rawValue)", subject: "partner:\(partner)",
                           detail: "evidence \(id)" + (reason.isEmpty ? "" : ": \(reason)"))
        }
    }

    public func assignEvidence(id: Int64, questionID: String, actor: String, at time: Date) throws {
        try pool.write { db in
            let now = Self.timestamp(time)
            let before = try String.fetchOne(db, sql: "SELECT question_id FROM evidence WHERE id = ?", arguments: [id])
            try db.execute(sql: "UPDATE evidence SET question_id = ? WHERE id = ?", arguments: [questionID, id])
            let partner = try Int64.fetchOne(db, sql: "SELECT i.partner_id FROM evidence e JOIN invitation i ON i.id = e.invitation_id WHERE e.id = ?", arguments: [id]) ?? 0
            try Self.audit(db, at: now, actor: actor, action: "evidence.assign", subject: "partner:\(partner)",
                           detail: "evidence \(id) to \(questionID)" + (before.map { " (was \($0))" } ?? ""))
        }
    }

    public func acceptFlag(partnerID: Int64, responseID: Int64, code: String, note: String, actor: String, at time: Date) throws -> Bool {
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(sql: "INSERT OR IGNORE INTO flag_acceptance (partner_id, response_id, code, note, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [partnerID, responseID, code, note, actor, now])
            guard db.changesCount > 0 else { return false }
            try Self.audit(db, at: now, actor: actor, action: "flag.accept", subject: "partner:\(partnerID)",
                           detail: "\(code) on response \(responseID)" + (note.isEmpty ? "" : ": \(note)"))
            return true
        }
    }

    public func acceptedFlagCodes(responseID: Int64) throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT code FROM flag_acceptance WHERE response_id = ?", arguments: [responseID])) }
    }

    public func currentResponseIDs(partnerID: Int64) throws -> [Int64] {
        let invitations = try pool.read { db in try Self.invitationIDs(db, partnerID: partnerID) }
        return try currentResponseIDs(invitationIDs: invitations)
    }

    /// The officer's decisions for scoring: verified memberships by partner, falsified evidence
    /// by invitation (question → reason), accepted flags by response.
    static func officerReviews(_ db: Database) throws -> OfficerReviews {
        var memberships: [Int64: [VerifiedMembership]] = [:]
        for membership in try verifiedMemberships(db, partnerID: nil) { memberships[membership.partnerID, default: []].append(membership) }
        var falsified: [Int64: [String: String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT e.invitation_id, e.question_id, r.reason FROM evidence e
            JOIN evidence_review r ON r.id = (SELECT max(id) FROM evidence_review x WHERE x.evidence_id = e.id)
            WHERE r.status = 'falsified' AND e.question_id IS NOT NULL
            """) { falsified[row[0], default: [:]][row[1]] = row[2] }
        var accepted: [Int64: [String: FlagAcceptance]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT response_id, code, actor, at, note FROM flag_acceptance") {
            accepted[row[0], default: [:]][row[1]] = FlagAcceptance(actor: row[2], at: row[3], note: row[4])
        }
        return OfficerReviews(memberships: memberships, falsified: falsified, accepted: accepted, hits: try confirmedHits(db))
    }

    /// One audit entry, inside the caller's transaction (the one place that writes `audit_log`).
    static func audit(_ db: Database, at: String, actor: String, action: String, subject: String, detail: String) throws {
        try db.execute(sql: "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [at, actor, action, subject, detail])
    }
}
