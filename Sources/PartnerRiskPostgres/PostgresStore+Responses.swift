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
    /// The revisions are decided here and written in a few statements over arrays (the rows, their
    /// audit entries, the thank-yous), not a few statements per revision.
    public func storeResponses(_ batch: [NewResponse]) throws -> [StoredRevision] {
        guard !batch.isEmpty else { return [] }
        return try connections.transaction { session in
            let invitations = Array(Set(batch.map(\.invitationID)))
            try session.query("SELECT id FROM invitation WHERE id = ANY(\(invitations)) ORDER BY id FOR UPDATE")
            var known = try Self.revisionsByInvitation(session, invitationIDs: invitations)
            var outcomes: [StoredRevision?] = Array(repeating: nil, count: batch.count)
            var pending: [(index: Int, revision: Int, later: Int?)] = []
            for (index, item) in batch.enumerated() {
                let saved = DayFormat.timestamp(item.savedAt ?? item.receivedAt)
                var revisions = known[item.invitationID] ?? []
                if let same = revisions.first(where: { $0.checksum == item.checksum && $0.saved == saved })
                    ?? revisions.last.flatMap({ $0.checksum == item.checksum ? $0 : nil }) {
                    outcomes[index] = .duplicate(revision: same.revision)
                    continue
                }
                let revision = (revisions.map(\.revision).max() ?? 0) + 1
                let later = revisions.last.flatMap { $0.saved > saved ? $0.revision : nil }
                // Kept in save order; a new row sorts after the stored ones saved at the same time.
                let place = revisions.firstIndex { $0.saved > saved } ?? revisions.endIndex
                revisions.insert((revision, item.checksum, saved), at: place)
                known[item.invitationID] = revisions
                pending.append((index, revision, later))
            }
            let ids = try Self.insertRevisions(session, pending.map { (batch[$0.index], $0.revision) })
            try Self.auditRevisions(session, pending.map { (batch[$0.index], $0.revision, $0.later) }, actor: actor)
            var thanks: [String: [Int64]] = [:]
            for (entry, id) in zip(pending, ids) {
                let item = batch[entry.index]
                outcomes[entry.index] = .stored(id: id, revision: entry.revision, supersededBy: entry.later)
                if item.acknowledge && entry.later == nil { thanks[DayFormat.timestamp(item.receivedAt), default: []].append(id) }
            }
            for (time, responseIDs) in thanks.sorted(by: { $0.key < $1.key }) { try Self.queueThankYous(session, responseIDs: responseIDs, at: time) }
            return outcomes.map { $0! }
        }
    }

    /// The stored revisions of these invitations, each invitation's in save order (ties: stored order).
    private static func revisionsByInvitation(_ session: PostgresSession, invitationIDs: [Int64])
        throws -> [Int64: [(revision: Int, checksum: String, saved: String)]] {
        var found: [Int64: [(revision: Int, checksum: String, saved: String)]] = [:]
        for row in try session.query("""
            SELECT invitation_id, revision, checksum, saved_at FROM response WHERE invitation_id = ANY(\(invitationIDs)) ORDER BY saved_at, id
            """) {
            let (invitation, revision, checksum, saved) = try row.decode((Int64, Int, String, String).self)
            found[invitation, default: []].append((revision, checksum, saved))
        }
        return found
    }

    /// Marks a missing `source` in the text array of sources (arrays bind no NULLs here).
    private static let noSource = "\u{1}none"

    /// Inserts the revisions in one statement; their ids, in the order given.
    private static func insertRevisions(_ session: PostgresSession, _ items: [(NewResponse, Int)]) throws -> [Int64] {
        guard !items.isEmpty else { return [] }
        let responses = items.map(\.0)
        let rows = try session.query("""
            INSERT INTO response (invitation_id, revision, channel, source, complete, missing, checksum, received_at, saved_at, answers_json)
            SELECT invitation, revision, channel, NULLIF(source, \(noSource)), complete, missing, checksum, received, saved, answers
            FROM unnest(\(responses.map(\.invitationID))::bigint[], \(items.map(\.1))::bigint[], \(responses.map(\.channel.rawValue))::text[],
                        \(responses.map { $0.source ?? noSource })::text[], \(responses.map(\.complete))::bool[],
                        \(responses.map { JSONValue.array($0.missing.map(JSONValue.string)).rendered() })::text[], \(responses.map(\.checksum))::text[],
                        \(responses.map { DayFormat.timestamp($0.receivedAt) })::text[],
                        \(responses.map { DayFormat.timestamp($0.savedAt ?? $0.receivedAt) })::text[],
                        \(responses.map(\.answersJSON))::text[])
                WITH ORDINALITY AS item (invitation, revision, channel, source, complete, missing, checksum, received, saved, answers, position)
            ORDER BY position
            RETURNING id, invitation_id, revision
            """)
        var ids: [String: Int64] = [:]
        for row in rows {
            let (id, invitation, revision) = try row.decode((Int64, Int64, Int).self)
            ids["\(invitation)/\(revision)"] = id
        }
        return try items.map { item, revision in try ids["\(item.invitationID)/\(revision)"].orThrow("revision \(revision) of invitation \(item.invitationID) not stored") }
    }

    /// One audit entry per stored revision, in one statement.
    private static func auditRevisions(_ session: PostgresSession, _ items: [(NewResponse, Int, Int?)], actor: String) throws {
        guard !items.isEmpty else { return }
        let details = items.map { item, revision, later in
            "revision \(revision) via \(item.channel.rawValue)" + (item.complete ? "" : ", incomplete (\(item.missing.count) missing)")
                + (later.map { ", saved \(DayFormat.timestamp(item.savedAt ?? item.receivedAt)), before revision \($0): kept as history" } ?? "")
        }
        try session.query("""
            INSERT INTO audit_log (at, actor, action, subject, detail)
            SELECT at, \(actor), 'response.store', subject, detail
            FROM unnest(\(items.map { DayFormat.timestamp($0.0.receivedAt) })::text[], \(items.map { "invitation:\($0.0.invitationID)" })::text[],
                        \(details)::text[]) WITH ORDINALITY AS entry (at, subject, detail, position)
            ORDER BY position
            """)
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
