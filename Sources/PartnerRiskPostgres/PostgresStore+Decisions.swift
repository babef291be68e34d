import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: OfficerDecisionRepository {
    public func verifyMembership(_ membership: VerifiedMembership) throws {
        try connections.transaction { session in
            try session.query("""
                INSERT INTO membership_verification (partner_id, program, number, expires, verified, note, actor, at)
                VALUES (\(membership.partnerID), \(membership.program), \(membership.number), \(membership.expires), true, \(membership.note),
                        \(membership.verifiedBy), \(membership.verifiedAt))
                """)
            try Self.audit(session, at: membership.verifiedAt, actor: membership.verifiedBy, action: "membership.verify", subject: "partner:\(membership.partnerID)",
                           detail: "\(membership.program) \(membership.number)" + (membership.expires.map { ", expires \($0)" } ?? ", no expiry")
                               + (membership.note.isEmpty ? "" : ": \(membership.note)"))
        }
    }

    public func unverifyMembership(partnerID: Int64, program: String, note: String, actor: String, at time: Date) throws -> Bool {
        try connections.transaction { session in
            // The partner's decisions are taken one at a time: two officers withdrawing at once record it once.
            try session.query("SELECT id FROM partner WHERE id = \(partnerID) FOR UPDATE")
            guard try Self.verifiedMemberships(session, partnerID: partnerID).contains(where: { $0.program == program }) else { return false }
            let now = DayFormat.timestamp(time)
            try session.query("""
                INSERT INTO membership_verification (partner_id, program, verified, note, actor, at)
                VALUES (\(partnerID), \(program), false, \(note), \(actor), \(now))
                """)
            try Self.audit(session, at: now, actor: actor, action: "membership.unverify", subject: "partner:\(partnerID)",
                           detail: program + (note.isEmpty ? "" : ": \(note)"))
            return true
        }
    }

    public func verifiedMemberships(partnerID: Int64?) throws -> [VerifiedMembership] {
        try connections.withConnection { try Self.verifiedMemberships($0, partnerID: partnerID) }
    }

    /// The latest decision per partner and program, where it is a verification.
    static func verifiedMemberships(_ session: PostgresSession, partnerID: Int64?) throws -> [VerifiedMembership] {
        try session.query("""
            SELECT partner_id, program, number, expires, note, actor, at FROM (
                SELECT DISTINCT ON (partner_id, program) * FROM membership_verification
                WHERE (\(partnerID)::bigint IS NULL OR partner_id = \(partnerID)) ORDER BY partner_id, program, id DESC
            ) latest WHERE verified ORDER BY partner_id, program
            """).map { row in
            let (partner, program, number, expires, note, actor, at) = try row.decode((Int64, String, String, String?, String, String, String).self)
            return VerifiedMembership(partnerID: partner, program: program, number: number, expires: expires, note: note, verifiedBy: actor, verifiedAt: at)
        }
    }

    /// The latest review of each file: its status (`pending` when none), reason, who and when.
    static let evidenceItemSQL = """
        SELECT e.id, i.partner_id, p.name, e.invitation_id, e.question_id, e.original_name, e.content_type, e.size,
               e.sha256, e.channel, e.uploaded_at, r.status, r.reason, r.actor, r.at
        FROM evidence e JOIN invitation i ON i.id = e.invitation_id JOIN partner p ON p.id = i.partner_id
        LEFT JOIN LATERAL (SELECT * FROM evidence_review x WHERE x.evidence_id = e.id ORDER BY x.id DESC LIMIT 1) r ON true
        """

    static func evidenceItem(_ row: PostgresRow) throws -> EvidenceItem {
        let cells = Array(row)
        let (id, partnerID, partnerName, invitationID, questionID, name, contentType) =
            try row.decode((Int64, Int64, String, Int64, String?, String, String).self)
        return EvidenceItem(id: id, partnerID: partnerID, partnerName: partnerName, invitationID: invitationID, questionID: questionID, name: name,
                            contentType: contentType, size: Int(try cells[7].decode(Int64.self)), sha256: try cells[8].decode(String.self),
                            channel: try cells[9].decode(String.self), receivedAt: try cells[10].decode(String.self),
                            status: try cells[11].decode(String?.self).flatMap(EvidenceStatus.init(rawValue:)) ?? .pending,
                            reason: try cells[12].decode(String?.self) ?? "", reviewedBy: try cells[13].decode(String?.self),
                            reviewedAt: try cells[14].decode(String?.self))
    }

    public func evidenceItems(partnerID: Int64?, status: EvidenceStatus?) throws -> [EvidenceItem] {
        try connections.query("""
            \(unescaped: Self.evidenceItemSQL)
            WHERE (\(partnerID)::bigint IS NULL OR i.partner_id = \(partnerID))
              AND (\(status?.rawValue)::text IS NULL OR COALESCE(r.status, 'pending') = \(status?.rawValue))
            ORDER BY e.id
            """).map(Self.evidenceItem)
    }

    public func evidenceItem(id: Int64) throws -> EvidenceItem? {
        try connections.query("\(unescaped: Self.evidenceItemSQL) WHERE e.id = \(id)").first.map(Self.evidenceItem)
    }

    public func reviewEvidence(id: Int64, status: EvidenceStatus, reason: String, actor: String, at time: Date) throws {
        precondition(status != .pending, "a review decides: accepted, rejected or falsified")
        try connections.transaction { session in
            let now = DayFormat.timestamp(time)
            try session.query("""
                INSERT INTO evidence_review (evidence_id, status, reason, actor, at) VALUES (\(id), \(status.rawValue), \(reason), \(actor), \(now))
                """)
            try Self.audit(session, at: now, actor: actor, action: "evidence.\(status.rawValue)", subject: "partner:\(try Self.evidencePartner(session, id: id))",
                           detail: "evidence \(id)" + (reason.isEmpty ? "" : ": \(reason)"))
        }
    }

    public func assignEvidence(id: Int64, questionID: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            let now = DayFormat.timestamp(time)
            let before = try session.query("SELECT question_id FROM evidence WHERE id = \(id) FOR UPDATE").first?.decode(String?.self) ?? nil
            try session.query("UPDATE evidence SET question_id = \(questionID) WHERE id = \(id)")
            try Self.audit(session, at: now, actor: actor, action: "evidence.assign", subject: "partner:\(try Self.evidencePartner(session, id: id))",
                           detail: "evidence \(id) to \(questionID)" + (before.map { " (was \($0))" } ?? ""))
        }
    }

    /// The partner a file of evidence belongs to (0 when there is no such file, as in SQLite).
    private static func evidencePartner(_ session: PostgresSession, id: Int64) throws -> Int64 {
        try session.query("SELECT i.partner_id FROM evidence e JOIN invitation i ON i.id = e.invitation_id WHERE e.id = \(id)")
            .first?.decode(Int64.self) ?? 0
    }

    public func acceptFlag(partnerID: Int64, responseID: Int64, code: String, note: String, actor: String, at time: Date) throws -> Bool {
        try connections.transaction { session in
            let now = DayFormat.timestamp(time)
            let inserted = try session.query("""
                INSERT INTO flag_acceptance (partner_id, response_id, code, note, actor, at)
                VALUES (\(partnerID), \(responseID), \(code), \(note), \(actor), \(now))
                ON CONFLICT (response_id, code) DO NOTHING RETURNING id
                """)
            guard !inserted.isEmpty else { return false }
            try Self.audit(session, at: now, actor: actor, action: "flag.accept", subject: "partner:\(partnerID)",
                           detail: "\(code) on response \(responseID)" + (note.isEmpty ? "" : ": \(note)"))
            return true
        }
    }

    public func acceptedFlagCodes(responseID: Int64) throws -> Set<String> {
        Set(try connections.query("SELECT code FROM flag_acceptance WHERE response_id = \(responseID)").map { try $0.decode(String.self) })
    }

    public func currentResponseIDs(partnerID: Int64) throws -> [Int64] {
        let invitations = try connections.withConnection { try Self.invitationIDs($0, partnerID: partnerID) }
        return try currentResponseIDs(invitationIDs: invitations)
    }

    /// The officer's decisions for scoring: verified memberships by partner, falsified evidence
    /// by invitation (question → reason), accepted flags by response, confirmed hits by partner.
    static func officerReviews(_ session: PostgresSession) throws -> OfficerReviews {
        let memberships = Dictionary(grouping: try verifiedMemberships(session, partnerID: nil), by: \.partnerID)
        var falsified: [Int64: [String: String]] = [:]
        for row in try session.query("""
            SELECT e.invitation_id, e.question_id, r.reason FROM evidence e
            JOIN LATERAL (SELECT * FROM evidence_review x WHERE x.evidence_id = e.id ORDER BY x.id DESC LIMIT 1) r ON true
            WHERE r.status = 'falsified' AND e.question_id IS NOT NULL
            """) {
            let (invitationID, question, reason) = try row.decode((Int64, String, String).self)
            falsified[invitationID, default: [:]][question] = reason
        }
        var accepted: [Int64: [String: FlagAcceptance]] = [:]
        for row in try session.query("SELECT response_id, code, actor, at, note FROM flag_acceptance") {
            let (responseID, code, actor, at, note) = try row.decode((Int64, String, String, String, String).self)
            accepted[responseID, default: [:]][code] = FlagAcceptance(actor: actor, at: at, note: note)
        }
        return OfficerReviews(memberships: memberships, falsified: falsified, accepted: accepted, hits: try confirmedHits(session))
    }

    /// One audit entry, inside the caller's transaction, at a time already written as text.
    static func audit(_ session: PostgresSession, at: String, actor: String, action: String, subject: String, detail: String) throws {
        try session.query("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (\(at), \(actor), \(action), \(subject), \(detail))")
    }
}

extension PostgresStore: ReviewRepository {
    public func flagPartner(id: Int64, reason: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            try session.query("""
                INSERT INTO partner_flag (partner_id, reason, raised_by, raised_at) VALUES (\(id), \(reason), \(actor), \(DayFormat.timestamp(time)))
                """)
            try Self.appendAudit(session, actor: actor, action: "partners.flag", subject: "partner:\(id)", detail: reason, at: time)
        }
    }

    public func signOff(partnerID: Int64, decision: ReviewDecision, note: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            let now = DayFormat.timestamp(time)
            try session.query("""
                INSERT INTO review_sign_off (partner_id, decision, note, actor, at) VALUES (\(partnerID), \(decision.rawValue), \(note), \(actor), \(now))
                """)
            // A sign-off closes the officer's open flags on the partner.
            try session.query("UPDATE partner_flag SET cleared_at = \(now) WHERE partner_id = \(partnerID) AND cleared_at IS NULL")
            if decision == .suspend {
                try session.query("UPDATE partner SET active = false, updated_at = \(now) WHERE id = \(partnerID)")
            }
            try Self.appendAudit(session, actor: actor, action: "review.sign-off", subject: "partner:\(partnerID)",
                                 detail: "\(decision.rawValue): \(note)", at: time)
        }
    }

    public func signOffs(partnerID: Int64) throws -> [(at: String, actor: String, decision: String, note: String)] {
        try connections.query("SELECT at, actor, decision, note FROM review_sign_off WHERE partner_id = \(partnerID) ORDER BY id").map { row in
            let (at, actor, decision, note) = try row.decode((String, String, String, String).self)
            return (at, actor, decision, note)
        }
    }

    public func reviewRecords() throws -> [ReviewRecord] {
        let latest = try latestScoresDetailed()
        return try connections.withConnection { session in
            var records: [Int64: ReviewRecord] = [:]
            let lists = try Self.scoreFacts(session, scoreIDs: latest.map(\.id))
            for score in latest {
                guard let responseID = score.responseID else { continue }
                let facts = lists[score.id]
                let answers = try session.query("SELECT answers_json FROM response WHERE id = \(responseID)").first?.decode(String?.self) ?? nil
                records[score.partnerID] = ReviewRecord(
                    partnerID: score.partnerID, reviewedAt: score.reviewedAt.flatMap(DayFormat.parseTimestamp), tier: score.tier,
                    redFlags: score.factors.filter { $0.kind == .redFlag || $0.kind == .knockout }.map(\.code),
                    countryListText: facts?.countryList, answers: answers.flatMap(AnswerSet.init(storedJSON:)) ?? AnswerSet(),
                    surveyVersionID: facts?.surveyVersionID, hasFullReview: false, pendingInvitation: false, openFlags: [])
            }
            let full = Set(try session.query("""
                SELECT DISTINCT i.partner_id FROM response r JOIN invitation i ON i.id = r.invitation_id
                JOIN survey_version sv ON sv.id = i.survey_version_id WHERE r.complete AND sv.kind = 'full'
                """).map { try $0.decode(Int64.self) })
            let pending = Set(try session.query("""
                SELECT i.partner_id FROM invitation i JOIN campaign c ON c.id = i.campaign_id
                WHERE c.status = 'open' AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete)
                  AND i.created_at >= coalesce((SELECT max(r2.received_at) FROM response r2 JOIN invitation i2 ON i2.id = r2.invitation_id
                                                WHERE i2.partner_id = i.partner_id AND r2.complete), '')
                """).map { try $0.decode(Int64.self) })
            var flags: [Int64: [String]] = [:]
            for row in try session.query("SELECT partner_id, reason FROM partner_flag WHERE cleared_at IS NULL ORDER BY id") {
                let (id, reason) = try row.decode((Int64, String).self)
                flags[id, default: []].append(reason)
            }
            return ReviewRecord.merged(scored: records, fullReview: full, pending: pending, openFlags: flags)
        }
    }

    /// The country list and survey version each score was computed with, by score id.
    private static func scoreFacts(_ session: PostgresSession, scoreIDs: [Int64]) throws -> [Int64: (countryList: String?, surveyVersionID: Int64?)] {
        var facts: [Int64: (countryList: String?, surveyVersionID: Int64?)] = [:]
        for row in try session.query("""
            SELECT s.id, cv.country_list, s.survey_version_id FROM score s
            LEFT JOIN scoring_config_version cv ON cv.id = s.scoring_config_version_id WHERE s.id = ANY(\(scoreIDs))
            """) {
            let (id, list, version) = try row.decode((Int64, String?, Int64?).self)
            facts[id] = (list, version)
        }
        return facts
    }
}
