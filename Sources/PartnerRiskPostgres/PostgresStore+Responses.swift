import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: ResponseRepository {
    public func invitation(tokenHash: String, at time: Date) throws -> InvitationContext? {
        try invitations(tokenHashes: [tokenHash], at: time)[tokenHash]
    }

    /// The invitations of many tokens in one statement (an import looks a chunk of files up at
    /// once). A revoked token is found only until its `revoked_at` (a closed campaign's grace period).
    public func invitations(tokenHashes: [String], at time: Date) throws -> [String: InvitationContext] {
        guard !tokenHashes.isEmpty else { return [:] }
        let rows = try connections.query("""
            SELECT t.token_hash, i.id, i.survey_version_id, i.reminders_sent, i.token_generation,
                   \(unescaped: Self.partnerColumnList(prefix: "p.")),
                   \(unescaped: Self.campaignColumns)
            FROM invitation_token t JOIN invitation i ON i.id = t.invitation_id JOIN partner p ON p.id = i.partner_id
            JOIN campaign c ON c.id = i.campaign_id JOIN survey_version s ON s.id = c.survey_version_id
            WHERE (t.revoked_at IS NULL OR t.revoked_at > \(DayFormat.timestamp(time))) AND t.token_hash = ANY(\(Array(Set(tokenHashes))))
            """)
        var found: [String: InvitationContext] = [:]
        for row in rows {
            let (hash, id, versionID, reminders, generation) = try row.decode((String, Int64, Int64, Int, Int).self)
            let columns = Array(row)
            let partner = try Self.partner(columns[5..<19]), campaign = try Self.campaign(columns[19...])
            found[hash] = InvitationContext(invitationID: id, partner: partner, campaign: campaign, surveyVersionID: versionID,
                                            remindersSent: reminders, tokenGeneration: generation)
        }
        return found
    }

    /// SQL true when response `r` is its invitation's current revision: none saved later (ties:
    /// received later). `complete`: among complete revisions only (what is scored).
    static func isCurrent(complete: Bool) -> String {
        "NOT EXISTS (SELECT 1 FROM response later WHERE later.invitation_id = r.invitation_id"
            + (complete ? " AND later.complete" : "") + " AND (later.saved_at, later.id) > (r.saved_at, r.id))"
    }

    public func currentResponseIDs(invitationIDs: [Int64]) throws -> [Int64] {
        try connections.query("""
            SELECT r.id FROM response r WHERE r.complete AND r.invitation_id = ANY(\(Array(Set(invitationIDs))))
              AND \(unescaped: Self.isCurrent(complete: true)) ORDER BY r.id
            """).map { try $0.decode(Int64.self) }
    }

    /// Stores many revisions in one transaction with one audit entry each. The batch's invitations
    /// are locked first, in id order: two importers of one folder (or two `serve` instances) then
    /// decide each invitation's next revision one after the other, and never deadlock. The same
    /// answers saved at the same time, or the current revision's answers, are a duplicate; the unique
    /// key on invitation, checksum and save time holds that even for a writer that does not lock.
    public func storeResponses(_ batch: [NewResponse]) throws -> [StoredRevision] {
        guard !batch.isEmpty else { return [] }
        return try connections.transaction { session in
            try session.query("SELECT id FROM invitation WHERE id = ANY(\(Array(Set(batch.map(\.invitationID))))) ORDER BY id FOR UPDATE")
            return try batch.map { try store($0, session) }
        }
    }

    private func store(_ item: NewResponse, _ session: PostgresSession) throws -> StoredRevision {
        let time = DayFormat.timestamp(item.receivedAt), saved = DayFormat.timestamp(item.savedAt ?? item.receivedAt)
        let revisions = try session.query("""
            SELECT revision, checksum, saved_at FROM response WHERE invitation_id = \(item.invitationID) ORDER BY saved_at, id
            """).map { try $0.decode((Int, String, String).self) }
        if let same = revisions.first(where: { $0.1 == item.checksum && $0.2 == saved }) ?? revisions.last.flatMap({ $0.1 == item.checksum ? $0 : nil }) {
            return .duplicate(revision: same.0)
        }
        let revision = (revisions.map(\.0).max() ?? 0) + 1
        let later = revisions.last.flatMap { $0.2 > saved ? $0.0 : nil }
        let missing = JSONValue.array(item.missing.map(JSONValue.string)).rendered()
        let responseID = try session.query("""
            INSERT INTO response (invitation_id, revision, channel, source, complete, missing, checksum, received_at, saved_at, answers_json)
            VALUES (\(item.invitationID), \(revision), \(item.channel.rawValue), \(item.source), \(item.complete), \(missing), \(item.checksum),
                    \(time), \(saved), \(item.canonicalAnswers ?? CanonicalJSON.text(item.answers.json)))
            RETURNING id
            """).first.orThrow("response not stored").decode(Int64.self)
        let detail = "revision \(revision) via \(item.channel.rawValue)" + (item.complete ? "" : ", incomplete (\(item.missing.count) missing)")
            + (later.map { ", saved \(saved), before revision \($0): kept as history" } ?? "")
        try Self.appendAudit(session, actor: actor, action: "response.store", subject: "invitation:\(item.invitationID)", detail: detail,
                             at: item.receivedAt)
        if item.acknowledge && later == nil { try Self.queueThankYous(session, responseIDs: [responseID], at: time) }
        return .stored(id: responseID, revision: revision, supersededBy: later)
    }

    public func recordRejected(channel: ResponseChannel, source: String, reason: String, quarantinePath: String?, at time: Date) throws {
        try connections.query("""
            INSERT INTO rejected_input (channel, source, reason, quarantine_path, received_at)
            VALUES (\(channel.rawValue), \(source), \(reason), \(quarantinePath), \(DayFormat.timestamp(time)))
            """)
    }

    public func responses(campaignID: Int64?, partnerID: Int64?) throws -> [ResponseSummary] {
        try connections.query("""
            SELECT r.id, r.invitation_id, i.campaign_id, i.partner_id, p.name, r.revision, r.channel, r.source, r.complete, r.missing,
                   r.received_at, r.saved_at, \(unescaped: Self.isCurrent(complete: false))
            FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            WHERE (\(campaignID)::bigint IS NULL OR i.campaign_id = \(campaignID)) AND (\(partnerID)::bigint IS NULL OR i.partner_id = \(partnerID))
            ORDER BY r.received_at, r.id
            """).map(Self.responseSummary)
    }

    static func responseSummary(_ row: PostgresRow) throws -> ResponseSummary {
        let (id, invitationID, campaignID, partnerID, name, revision, channel) = try row.decode((Int64, Int64, Int64, Int64, String, Int, String).self)
        let columns = Array(row)
        let missing = JSONValue.parse(try columns[9].decode(String.self))?.arrayValue?.compactMap(\.stringValue) ?? []
        return ResponseSummary(id: id, invitationID: invitationID, campaignID: campaignID, partnerID: partnerID, partnerName: name,
                               revision: revision, channel: channel, source: try columns[7].decode(String?.self),
                               complete: try columns[8].decode(Bool.self), missing: missing, receivedAt: try columns[10].decode(String.self),
                               savedAt: try columns[11].decode(String.self), current: try columns[12].decode(Bool.self))
    }

    public func rejectedInputs() throws -> [RejectedInput] {
        try connections.query("SELECT id, channel, source, reason, quarantine_path, received_at FROM rejected_input ORDER BY id").map { row in
            let (id, channel, source, reason, path, received) = try row.decode((Int64, String, String, String, String?, String).self)
            return RejectedInput(id: id, channel: channel, source: source, reason: reason, quarantinePath: path, receivedAt: received)
        }
    }

    public func answers(responseID: Int64) throws -> AnswerSet {
        let text = try connections.query("SELECT answers_json FROM response WHERE id = \(responseID)").first?.decode(String?.self) ?? nil
        return text.flatMap(AnswerSet.init(storedJSON:)) ?? AnswerSet()
    }
}
