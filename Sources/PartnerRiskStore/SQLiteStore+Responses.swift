import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: ResponseRepository {
    /// The invitation of one token (every page view and single file).
    public func invitation(tokenHash: String, at time: Date) throws -> InvitationContext? {
        try invitations(tokenHashes: [tokenHash], at: time)[tokenHash]
    }

    /// The invitations of many tokens in one read: an import looks a whole chunk of files up at
    /// once, with three statements (tokens with their invitations, then the partners and the
    /// campaigns they name) rather than one statement per file.
    /// A revoked token is found only until its `revoked_at` (a closed campaign's links still show
    /// the "closed" page during the grace period).
    public func invitations(tokenHashes: [String], at time: Date) throws -> [String: InvitationContext] {
        guard !tokenHashes.isEmpty else { return [:] }
        return try pool.read { db in try Self.invitations(db, tokenHashes: tokenHashes, now: Self.timestamp(time)) }
    }

    static func invitations(_ db: Database, tokenHashes: [String], now: String) throws -> [String: InvitationContext] {
        let hashes = Array(Set(tokenHashes))
        var invitations: [(hash: String, id: Int64, partnerID: Int64, campaignID: Int64, surveyVersionID: Int64, reminders: Int, generation: Int)] = []
        try Self.inBatches(hashes) { batch in
            let batch = Self.padded(batch)
            let rows = try Row.fetchCursor(Self.statement(db, """
                SELECT t.token_hash, i.id, i.partner_id, i.campaign_id, i.survey_version_id, i.reminders_sent, i.token_generation
                FROM invitation_token t JOIN invitation i ON i.id = t.invitation_id
                WHERE (t.revoked_at IS NULL OR t.revoked_at > ?) AND t.token_hash IN (\(Self.placeholders(batch.count)))
                """), arguments: StatementArguments([now]) + StatementArguments(batch))
            while let row = try rows.next() { invitations.append((row[0], row[1], row[2], row[3], row[4], row[5], row[6])) }
        }
        // Closures, not key paths: a key path into a tuple is built at run time on every call.
        let partners = try Self.partners(db, ids: invitations.map { $0.partnerID })
        let campaigns = try Self.campaigns(db, ids: invitations.map { $0.campaignID })
        var found: [String: InvitationContext] = [:]
        for invitation in invitations {
            guard let partner = partners[invitation.partnerID], let campaign = campaigns[invitation.campaignID] else { continue }
            found[invitation.hash] = InvitationContext(invitationID: invitation.id, partner: partner, campaign: campaign,
                                                       surveyVersionID: invitation.surveyVersionID, remindersSent: invitation.reminders,
                                                       tokenGeneration: invitation.generation)
        }
        return found
    }

    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }

    /// `values` (not empty) made up to a power of two by repeating the last: an `IN (...)` list
    /// then has one of ten lengths (up to 512), and its statement is prepared once per connection
    /// and kept (an import looks up 256 tokens at a time, and preparing was a tenth of that).
    static func padded<Value>(_ values: [Value]) -> [Value] {
        var size = 1
        while size < values.count { size *= 2 }
        return values + Array(repeating: values[values.count - 1], count: size - values.count)
    }

    /// `values` handed to `body` 500 at a time (for `IN (...)` lists of a sane length).
    static func inBatches<Value>(_ values: [Value], _ body: ([Value]) throws -> Void) rethrows {
        for start in stride(from: 0, to: values.count, by: 500) { try body(Array(values[start..<min(start + 500, values.count)])) }
    }

    /// A prepared statement for `sql`, kept by the connection when `keep` — for the statements each
    /// page view runs: preparing one runs GRDB's authorizer over every column it reads, which was
    /// most of the cost of a small read — or made fresh (a batch of some one-off size).
    static func statement(_ db: Database, _ sql: String, keep: Bool = true) throws -> Statement {
        keep ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    /// Partners by id, 500 ids per statement.
    static func partners(_ db: Database, ids: [Int64]) throws -> [Int64: Partner] {
        let unique = Array(Set(ids))
        var partners: [Int64: Partner] = [:]
        try inBatches(unique) { batch in
            let batch = padded(batch)
            let sql = "SELECT \(partnerColumnList()) FROM partner WHERE id IN (\(placeholders(batch.count)))"
            let rows = try Row.fetchCursor(statement(db, sql), arguments: StatementArguments(batch))
            while let row = try rows.next() { partners[row[0]] = partner(from: row, at: 0) }
        }
        return partners
    }

    /// Campaigns by id, with their survey's id and version.
    static func campaigns(_ db: Database, ids: [Int64]) throws -> [Int64: Campaign] {
        guard !ids.isEmpty else { return [:] }
        let unique = padded(Array(Set(ids)))
        var campaigns: [Int64: Campaign] = [:]
        let rows = try Row.fetchCursor(statement(db, campaignSQL + " WHERE c.id IN (\(placeholders(unique.count)))", keep: unique.count <= 512),
                                       arguments: StatementArguments(unique))
        while let row = try rows.next() { campaigns[row["id"]] = campaign(row) }
        return campaigns
    }

    /// SQL true when response `r` is its invitation's current revision: none saved later (ties:
    /// received later). `complete`: among complete revisions only (what is scored).
    static func isCurrent(complete: Bool) -> String {
        "NOT EXISTS (SELECT 1 FROM response later WHERE later.invitation_id = r.invitation_id"
            + (complete ? " AND later.complete = 1" : "") + " AND (later.saved_at, later.id) > (r.saved_at, r.id))"
    }

    public func currentResponseIDs(invitationIDs: [Int64]) throws -> [Int64] {
        try pool.read { db in
            var ids: [Int64] = []
            try Self.inBatches(Array(Set(invitationIDs))) { batch in
                ids += try Int64.fetchAll(db, sql: """
                    SELECT r.id FROM response r WHERE r.complete = 1 AND r.invitation_id IN (\(Self.placeholders(batch.count)))
                      AND \(Self.isCurrent(complete: true))
                    """, arguments: StatementArguments(batch))
            }
            return ids.sorted()
        }
    }

    /// Stores many revisions in one transaction (an import's batch) with one audit entry each.
    /// Whether each is new is decided here, inside the write transaction, against every stored
    /// revision of its invitation (and those stored earlier in the batch): the same answers saved at
    /// the same time, or the current revision's answers, are a duplicate; otherwise it becomes the
    /// next revision, current unless a revision saved later is on file.
    public func storeResponses(_ batch: [NewResponse]) throws -> [StoredRevision] {
        guard !batch.isEmpty else { return [] }
        let actor = self.actor
        return try pool.write { db in
            // Each response is one INSERT; what the store reads and writes beside it goes per batch:
            // the stored revisions of the batch's invitations in one query, the audit rows and the
            // thank-yous in a few multi-row statements at the end (a statement's own cost in Swift
            // was as much as SQLite's work for these small rows). Still one transaction: the
            // duplicate check and the numbering see every revision, this batch's included.
            var revisions = try Self.storedRevisions(db, invitationIDs: Array(Set(batch.map(\.invitationID))))
            let insertResponse = try db.cachedStatement(sql: """
                INSERT INTO response (invitation_id, revision, channel, source, complete, missing, checksum, received_at, saved_at, answers_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var audit: [DatabaseValueConvertible?] = []
            var acknowledged: [(time: String, responseID: Int64)] = []
            let stored = try batch.map { item -> StoredRevision in
                let time = Self.timestamp(item.receivedAt)
                let saved = Self.timestamp(item.savedAt ?? item.receivedAt)
                let known = revisions[item.invitationID] ?? []
                if let same = known.first(where: { $0.checksum == item.checksum && $0.savedAt == saved }) ?? known.last.flatMap({ $0.checksum == item.checksum ? $0 : nil }) {
                    return .duplicate(revision: same.revision)
                }
                let revision = (known.map(\.revision).max() ?? 0) + 1
                let later = known.last.flatMap { $0.savedAt > saved ? $0.revision : nil }
                try insertResponse.execute(arguments: [item.invitationID, revision, item.channel.rawValue, item.source, item.complete,
                                                       JSONValue.array(item.missing.map(JSONValue.string)).rendered(), item.checksum, time, saved,
                                                       item.answersJSON])
                let responseID = db.lastInsertedRowID
                revisions[item.invitationID] = Self.inserted(StoredRevisionRow(revision: revision, checksum: item.checksum, savedAt: saved), into: known)
                let detail = "revision \(revision) via \(item.channel.rawValue)" + (item.complete ? "" : ", incomplete (\(item.missing.count) missing)")
                    + (later.map { ", saved \(saved), before revision \($0): kept as history" } ?? "")
                audit += [time, actor, "response.store", "invitation:\(item.invitationID)", detail]
                if item.acknowledge && later == nil { acknowledged.append((time, responseID)) }
                return .stored(id: responseID, revision: revision, supersededBy: later)
            }
            try Self.insertRows(db, into: "audit_log (at, actor, action, subject, detail)", columns: 5, values: audit)
            for (time, group) in Dictionary(grouping: acknowledged, by: \.time) {
                try Self.inBatches(group.map(\.responseID)) { ids in
                    let ids = Self.padded(ids)
                    try Self.statement(db, Self.thankYouSQL + " WHERE r.id IN (\(Self.placeholders(ids.count))) ORDER BY r.id")
                        .execute(arguments: StatementArguments([time, time]) + StatementArguments(ids))
                }
            }
            return stored
        }
    }

    /// One stored revision of an invitation, as the duplicate check and the numbering read it.
    struct StoredRevisionRow {
        var revision: Int
        var checksum: String
        var savedAt: String
    }

    /// The stored revisions of each invitation, in save order (then receipt).
    static func storedRevisions(_ db: Database, invitationIDs: [Int64]) throws -> [Int64: [StoredRevisionRow]] {
        var revisions: [Int64: [StoredRevisionRow]] = [:]
        try inBatches(invitationIDs) { ids in
            let ids = padded(ids)
            let rows = try Row.fetchCursor(statement(db, """
                SELECT invitation_id, revision, checksum, saved_at FROM response WHERE invitation_id IN (\(placeholders(ids.count)))
                ORDER BY invitation_id, saved_at, id
                """), arguments: StatementArguments(ids))
            while let row = try rows.next() {
                revisions[row[0], default: []].append(StoredRevisionRow(revision: row[1], checksum: row[2], savedAt: row[3]))
            }
        }
        return revisions
    }

    /// `row` placed among `revisions` in save order, after any saved at the same time (as the query orders them).
    static func inserted(_ row: StoredRevisionRow, into revisions: [StoredRevisionRow]) -> [StoredRevisionRow] {
        var revisions = revisions
        revisions.insert(row, at: revisions.firstIndex { $0.savedAt > row.savedAt } ?? revisions.count)
        return revisions
    }

    /// Inserts `values` (`columns` a row, each row written as `row`, by default one `?` a column)
    /// as multi-row statements of up to 128 rows (`statementSizes`); `verb` may be `INSERT OR REPLACE`.
    static func insertRows(_ db: Database, _ verb: String = "INSERT", into table: String, columns: Int, row: String? = nil,
                           values: [DatabaseValueConvertible?]) throws {
        let row = row ?? "(" + placeholders(columns) + ")"
        var start = 0
        for rows in statementSizes(values.count / columns) {
            let slice = Array(values[start..<start + rows * columns])
            let sql = "\(verb) INTO \(table) VALUES " + Array(repeating: row, count: rows).joined(separator: ",")
            try statement(db, sql).execute(arguments: StatementArguments(slice))
            start += rows * columns
        }
    }

    /// `count` rows split into statements of 128 rows and, for the rest, of 64, 32, ... 1: a few
    /// sizes only, so each statement is prepared once per connection and kept (preparing a
    /// statement of some one-off size cost as much as running it).
    static func statementSizes(_ count: Int) -> [Int] {
        var sizes = Array(repeating: 128, count: count / 128)
        var size = 64
        while size > 0 {
            if count % 128 & size != 0 { sizes.append(size) }
            size /= 2
        }
        return sizes
    }

    public func recordRejected(channel: ResponseChannel, source: String, reason: String, quarantinePath: String?, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO rejected_input (channel, source, reason, quarantine_path, received_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [channel.rawValue, source, reason, quarantinePath, Self.timestamp(time)])
        }
    }

    public func responses(campaignID: Int64?, partnerID: Int64?) throws -> [ResponseSummary] {
        let filter = Self.filter(["i.campaign_id": campaignID, "i.partner_id": partnerID])
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, i.campaign_id, i.partner_id, p.name AS partner_name,
                       \(Self.isCurrent(complete: false)) AS is_current
                FROM response r
                JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                WHERE \(filter.sql)
                ORDER BY r.received_at, r.id
                """, arguments: filter.arguments).map(Self.responseSummary)
        }
    }

    /// The columns of the summary query (`r.*`, campaign and partner ids, partner name, `is_current`).
    static func responseSummary(_ row: Row) -> ResponseSummary {
        let missing = JSONValue.parse(row["missing"] as String)?.arrayValue?.compactMap(\.stringValue) ?? []
        return ResponseSummary(id: row["id"], invitationID: row["invitation_id"], campaignID: row["campaign_id"],
                               partnerID: row["partner_id"], partnerName: row["partner_name"], revision: row["revision"],
                               channel: row["channel"], source: row["source"], complete: row["complete"], missing: missing,
                               receivedAt: row["received_at"], savedAt: row["saved_at"], current: row["is_current"])
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
        try pool.read { db in try Self.answers(db, responseID: responseID) }
    }
}

extension SQLiteStore: MailboxLedger {
    public func processedUIDs(mailbox: String, uidValidity: Int64) throws -> Set<Int64> {
        try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT uid FROM imap_seen WHERE mailbox = ? AND uid_validity = ?", arguments: [mailbox, uidValidity]))
        }
    }

    public func isProcessed(messageID: String, contentDigest: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM imap_seen WHERE message_id = ? AND (content_sha256 = ? OR (content_sha256 IS NULL AND outcome = 'ingested')) LIMIT 1
                """, arguments: [messageID, contentDigest]) ?? false
        }
    }

    public func recordProcessed(mailbox: String, uidValidity: Int64, uid: Int64, messageID: String?, contentDigest: String, outcome: String,
                                at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO imap_seen (mailbox, uid_validity, uid, message_id, content_sha256, outcome, processed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [mailbox, uidValidity, uid, messageID, contentDigest, outcome, Self.timestamp(time)])
        }
    }
}

extension SQLiteStore {
    /// A stored revision's answers (its `answers_json`); empty when there is no such revision.
    static func answers(_ db: Database, responseID: Int64) throws -> AnswerSet {
        let text = try String.fetchOne(db, sql: "SELECT answers_json FROM response WHERE id = ?", arguments: [responseID])
        return text.flatMap(AnswerSet.init(storedJSON:)) ?? AnswerSet()
    }
}
