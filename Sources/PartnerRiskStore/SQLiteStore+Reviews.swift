import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: ReviewRepository {
    public func flagPartner(id: Int64, reason: String, actor: String, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO partner_flag (partner_id, reason, raised_by, raised_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, reason, actor, Self.timestamp(time)])
            try Self.appendAudit(db, actor: actor, action: "partners.flag", subject: "partner:\(id)", detail: reason, at: time)
        }
    }

    public func signOff(partnerID: Int64, decision: ReviewDecision, note: String, actor: String, at time: Date) throws {
        try pool.write { db in
            let now = Self.timestamp(time)
            try db.execute(sql: "INSERT INTO review_sign_off (partner_id, decision, note, actor, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [partnerID, decision.rawValue, note, actor, now])
            // A sign-off closes the officer's open flags on the partner.
            try db.execute(sql: "UPDATE partner_flag SET cleared_at = ? WHERE partner_id = ? AND cleared_at IS NULL", arguments: [now, partnerID])
            if decision == .suspend {
                try db.execute(sql: "UPDATE partner SET active = 0, updated_at = ? WHERE id = ?", arguments: [now, partnerID])
            }
            try Self.appendAudit(db, actor: actor, action: "review.sign-off", subject: "partner:\(partnerID)",
                                 detail: "\(decision.rawValue): \(note)", at: time)
        }
    }

    public func signOffs(partnerID: Int64) throws -> [(at: String, actor: String, decision: String, note: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_sign_off WHERE partner_id = ? ORDER BY id", arguments: [partnerID])
                .map { ($0["at"], $0["actor"], $0["decision"], $0["note"]) }
        }
    }

    public func reviewRecords() throws -> [ReviewRecord] {
        let latest = try latestScoresDetailed()
        return try pool.read { db in
            var records: [Int64: ReviewRecord] = [:]
            for score in latest {
                guard let responseID = score.responseID else { continue }
                let listText = try String.fetchOne(db, sql: """
                    SELECT cv.country_list FROM score s JOIN scoring_config_version cv ON cv.id = s.scoring_config_version_id WHERE s.id = ?
                    """, arguments: [score.id])
                let answers = try Self.answers(db, responseID: responseID)
                let surveyVersion = try Int64.fetchOne(db, sql: "SELECT survey_version_id FROM score WHERE id = ?", arguments: [score.id])
                records[score.partnerID] = ReviewRecord(
                    partnerID: score.partnerID, reviewedAt: score.reviewedAt.flatMap(DayFormat.parseTimestamp), tier: score.tier,
                    redFlags: score.factors.filter { $0.kind == .redFlag || $0.kind == .knockout }.map(\.code),
                    countryListText: listText, answers: answers, surveyVersionID: surveyVersion, hasFullReview: false,
                    pendingInvitation: false, openFlags: [])
            }
            let full = Set(try Int64.fetchAll(db, sql: """
                SELECT DISTINCT i.partner_id FROM response r JOIN invitation i ON i.id = r.invitation_id
                JOIN survey_version sv ON sv.id = i.survey_version_id WHERE r.complete = 1 AND sv.kind = 'full'
                """))
            let pending = Set(try Int64.fetchAll(db, sql: """
                SELECT i.partner_id FROM invitation i JOIN campaign c ON c.id = i.campaign_id
                WHERE c.status = 'open' AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete = 1)
                  AND i.created_at >= coalesce((SELECT max(r2.received_at) FROM response r2 JOIN invitation i2 ON i2.id = r2.invitation_id
                                                WHERE i2.partner_id = i.partner_id AND r2.complete = 1), '')
                """))
            var flags: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT partner_id, reason FROM partner_flag WHERE cleared_at IS NULL ORDER BY id") {
                flags[row["partner_id"], default: []].append(row["reason"])
            }
            return ReviewRecord.merged(scored: records, fullReview: full, pending: pending, openFlags: flags)
        }
    }
}
