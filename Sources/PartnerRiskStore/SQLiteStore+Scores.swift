import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: ScoreRepository {
    public func registerScoringConfig(_ config: ScoringConfig, countries: CountryRiskList, at time: Date) throws -> Int64 {
        try pool.write { db in
            if let row = try Row.fetchOne(db, sql: """
                SELECT id, content_hash FROM scoring_config_version WHERE config_id = ? AND version = ? AND country_list_hash = ?
                """, arguments: [config.id, config.version, countries.contentHash]) {
                guard row["content_hash"] == config.contentHash else {
                    throw PartnerRiskError.badInput("scoring config \(config.id) version \(config.version) is already stored with different content; give the edited scoring.yaml a new `version:`")
                }
                return row["id"]
            }
            try db.execute(sql: """
                INSERT INTO scoring_config_version (config_id, version, content_hash, content, country_list_date, country_list_hash, country_list, registered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [config.id, config.version, config.contentHash, config.source, countries.listDate, countries.contentHash,
                                 countries.text, Self.timestamp(time)])
            return db.lastInsertedRowID
        }
    }

    private static let scoreSQL = """
        SELECT s.*, r.received_at, sv.version AS survey_version, cv.version AS config_version,
               COALESCE(s.categories, (SELECT group_concat(category || ':' || control || ':' || risk || ':' || capped, ';')
                                       FROM category_score c WHERE c.score_id = s.id)) AS cats
        FROM score s LEFT JOIN response r ON r.id = s.response_id
        LEFT JOIN survey_version sv ON sv.id = s.survey_version_id
        LEFT JOIN scoring_config_version cv ON cv.id = s.scoring_config_version_id
        """


    /// The newest score of every active partner with its full explanation (for the re-review planner).
    public func latestScoresDetailed() throws -> [StoredScore] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.scoreSQL + """
                 WHERE s.id IN (SELECT score_id FROM current_score)
                   AND s.partner_id IN (SELECT id FROM partner WHERE active = 1)
                """).map(Self.storedScore(texts: try Self.explanationTexts(db)))
        }
    }

    /// The ranking query: the newest score of every active partner, riskiest first, read in index
    /// order from `current_score`.
    public static let rankingSQL = """
        SELECT c.score_id AS id, c.partner_id, c.response_id, c.overall_risk, c.base_risk, c.country_multiplier, c.tier, c.knockout,
               c.non_response, c.computed_at, c.worst_categories, c.flag_count, c.headline, c.reviewed_at AS received_at, c.headline_text_id
        FROM current_score c WHERE c.active = 1
        ORDER BY c.overall_risk DESC
        """

    /// The newest score of every active partner, with the ranking summary only.
    public func latestScores() throws -> [StoredScore] {
        try pool.read { db in
            let texts = try Self.explanationTexts(db)
            return try Row.fetchAll(db, sql: Self.rankingSQL).map { Self.rankingScore($0, texts: texts) }
        }
    }

    /// A row of `rankingSQL`, read by position (100,000 rows for a full ranking).
    static func rankingScore(_ row: Row, texts: [Int64: LocalizedText]) -> StoredScore {
        // The headline by sentence id (scores written since v15), else the English copy (before).
        let headline = (row[14] as Int64?).flatMap { texts[$0] }
        return StoredScore(id: row[0], partnerID: row[1], responseID: row[2], overallRisk: row[3],
                           baseRisk: row[4], countryMultiplier: row[5], tier: RiskTier(rawValue: row[6]) ?? .high,
                           knockout: row[7], nonResponse: row[8], categories: [], factors: [],
                           computedAt: row[9], reviewedAt: row[13], surveyVersion: nil, configVersion: nil,
                           worstSummary: row[10], flagCount: row[11], topReason: headline?.en ?? row[12], topReasonFR: headline?.fr ?? row[12])
    }

    public func rankingInputsStamp() throws -> String {
        try pool.read { db in
            // Each table only grows (history is kept) and every officer decision is audited, so
            // the largest ids say whether anything changed; each is read from its primary key.
            let tables = ["score", "response", "partner", "invitation", "mail_attempt", "screening_hit", "corrective_action", "audit_log"]
            let row = try Row.fetchOne(Self.statement(db, "SELECT " + tables.map { "(SELECT max(id) FROM \($0))" }.joined(separator: ", ")))
            return (0..<tables.count).map { String((row?[$0] as Int64?) ?? 0) }.joined(separator: ".")
        }
    }

    public func monthlyRisk() throws -> [MonthlyRisk] {
        try pool.read { db in
            // The last score of each partner in each month: a rescore in the same month counts once.
            try Row.fetchAll(db, sql: """
                SELECT month, count(*), avg(overall_risk), sum(tier IN ('high', 'critical')) FROM (
                    SELECT substr(s.computed_at, 1, 7) AS month, s.overall_risk, s.tier FROM score s
                    WHERE s.id = (SELECT max(t.id) FROM score t WHERE t.partner_id = s.partner_id AND substr(t.computed_at, 1, 7) = substr(s.computed_at, 1, 7))
                ) GROUP BY month ORDER BY month
                """).map { MonthlyRisk(month: $0[0], partners: $0[1], averageRisk: $0[2], highOrCritical: $0[3]) }
        }
    }

    public func scoreHistory(partnerID: Int64) throws -> [StoredScore] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.scoreSQL + " WHERE s.partner_id = ? ORDER BY s.id", arguments: [partnerID])
                .map(Self.storedScore(texts: try Self.explanationTexts(db, partnerID: partnerID)))
        }
    }

    public func nonResponders(deadlineBefore: String) throws -> [NonResponder] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id, i.partner_id, c.id AS campaign_id, c.deadline,
                       (SELECT count(*) FROM mail_message m WHERE m.invitation_id = i.id AND m.kind = 'reminder' AND m.state = 'sent') AS reminders,
                       (EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.kind != 'thank-you' AND m.state = 'failed')
                        AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.kind != 'thank-you' AND m.state = 'sent')) AS undeliverable
                FROM invitation i
                JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
                WHERE p.active = 1 AND c.deadline < ?
                  AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete = 1)
                  AND i.id = (SELECT max(i2.id) FROM invitation i2 WHERE i2.partner_id = i.partner_id)
                """, arguments: [deadlineBefore]).map {
                NonResponder(partnerID: $0["partner_id"], invitationID: $0["id"], campaignID: $0["campaign_id"], deadline: $0["deadline"],
                             remindersSent: $0["reminders"], undeliverable: $0["undeliverable"], knockout: false)
            }
        }
    }

    static func explanationTexts(_ db: Database) throws -> [Int64: LocalizedText] {
        var texts: [Int64: LocalizedText] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, en, fr FROM explanation_text") { texts[row[0]] = LocalizedText(en: row[1], fr: row[2]) }
        return texts
    }

    /// Only the sentences one partner's scores name (the table holds every partner's).
    static func explanationTexts(_ db: Database, partnerID: Int64) throws -> [Int64: LocalizedText] {
        var texts: [Int64: LocalizedText] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT id, en, fr FROM explanation_text WHERE id IN (
                SELECT json_extract(j.value, '$.t') FROM score s, json_each(s.explanation) j WHERE s.partner_id = ?)
            """, arguments: [partnerID]) { texts[row[0]] = LocalizedText(en: row[1], fr: row[2]) }
        return texts
    }

    static func storedScore(texts: [Int64: LocalizedText]) -> (Row) -> StoredScore {
        { row in storedScore(row, texts: texts) }
    }

    static func categoryScores(_ text: String?) -> [CategoryScore] { CategoryScore.decodeList(text) }

    public func currentCategories(partnerIDs: [Int64]) throws -> [Int64: [CategoryScore]] {
        try pool.read { db in
            var found: [Int64: [CategoryScore]] = [:]
            try Self.inBatches(Array(Set(partnerIDs))) { batch in
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT c.partner_id, s.categories FROM current_score c JOIN score s ON s.id = c.score_id
                    WHERE c.partner_id IN (\(Self.placeholders(batch.count)))
                    """, arguments: StatementArguments(batch))
                while let row = try rows.next() { found[row[0]] = Self.categoryScores(row[1]) }
            }
            return found
        }
    }

    static func storedScore(_ row: Row, texts: [Int64: LocalizedText]) -> StoredScore {
        let factors = ScoreFactor.decodeList(row["explanation"], texts: texts)
        let categories = categoryScores(row["cats"])
        return StoredScore(id: row["id"], partnerID: row["partner_id"], responseID: row["response_id"], overallRisk: row["overall_risk"],
                           baseRisk: row["base_risk"], countryMultiplier: row["country_multiplier"],
                           tier: RiskTier(rawValue: row["tier"]) ?? .high, knockout: row["knockout"], nonResponse: row["non_response"],
                           categories: categories, factors: factors, computedAt: row["computed_at"], reviewedAt: row["received_at"],
                           surveyVersion: row["survey_version"], configVersion: row["config_version"])
    }
}

extension SQLiteStore {
    /// Partner ids invited by a campaign.
    public func invitedPartners(campaignID: Int64) throws -> Set<Int64> {
        try pool.read { db in Set(try Int64.fetchAll(db, sql: "SELECT partner_id FROM invitation WHERE campaign_id = ?", arguments: [campaignID])) }
    }
}

extension SQLiteStore {
    public func currentScoringInputs() throws -> [ScoringWorkItem] { try currentScoringInputs(responseIDs: nil, readingAnswers: true) }

    /// The inputs for the given responses only (those that are current), read in batches of 500 ids.
    public func currentScoringInputs(responseIDs: [Int64]?, readingAnswers: Bool) throws -> [ScoringWorkItem] {
        try pool.read { db in
            let evidence = try Self.evidenceByInvitation(db)
            let reviews = try Self.officerReviews(db)
            var items: [ScoringWorkItem] = []
            if let responseIDs {
                try Self.inBatches(responseIDs) { batch in
                    items += try Self.scoringInputs(db, filter: batch, evidence: evidence, readingAnswers: readingAnswers)
                }
            } else {
                items = try Self.scoringInputs(db, filter: nil, evidence: evidence, readingAnswers: readingAnswers)
            }
            return reviews.attached(to: items)
        }
    }

    public func unscoredResponseIDs() throws -> [Int64] {
        try pool.read { db in
            // The score lookup goes through `score_partner (partner_id, id)`: a partner has few scores.
            try Int64.fetchAll(db, sql: """
                SELECT r.id FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                WHERE r.complete = 1 AND p.active = 1
                  AND \(Self.isCurrent(complete: true))
                  AND NOT EXISTS (SELECT 1 FROM score s WHERE s.partner_id = i.partner_id AND s.response_id = r.id)
                ORDER BY r.id
                """)
        }
    }

    /// The questions each invitation has evidence for: a file pending review or accepted counts,
    /// one the officer rejected or found falsified does not.
    private static func evidenceByInvitation(_ db: Database) throws -> [Int64: Set<String>] {
        var evidence: [Int64: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT e.invitation_id, e.question_id FROM evidence e WHERE e.question_id IS NOT NULL
              AND COALESCE((SELECT status FROM evidence_review r WHERE r.evidence_id = e.id ORDER BY r.id DESC LIMIT 1), 'accepted') = 'accepted'
            """) {
            evidence[row[0], default: []].insert(row[1])
        }
        return evidence
    }

    /// Current responses (the newest complete revision of their invitation) of active partners,
    /// all of them or those in `filter`.
    private static func scoringInputs(_ db: Database, filter: [Int64]?, evidence: [Int64: Set<String>], readingAnswers: Bool) throws -> [ScoringWorkItem] {
        let restriction = filter.map { ids in " AND r.id IN (" + ids.map { _ in "?" }.joined(separator: ",") + ")" } ?? ""
        var items: [ScoringWorkItem] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT r.id AS response_id, \(readingAnswers ? "r.answers_json" : "NULL"), r.received_at, i.id AS invitation_id, i.survey_version_id, \(partnerColumnList("p.")) FROM response r
            JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            WHERE r.complete = 1 AND p.active = 1
              AND \(Self.isCurrent(complete: true))
            """ + restriction, arguments: StatementArguments(filter ?? []))
        while let row = try rows.next() {
            // By position (see `partner(from:at:)`): this reads every current response.
            let invitationID: Int64 = row[3]
            items.append(ScoringWorkItem(responseID: row[0], invitationID: invitationID, partner: partner(from: row, at: 5),
                                         surveyVersionID: row[4], answers: AnswerSet(), answersJSON: row[1],
                                         receivedAt: row[2], evidence: evidence[invitationID] ?? []))
        }
        return items
    }

    /// Where written scores are freed.
    private static let disposal = DispatchQueue(label: "partner-risk.score-disposal", qos: .background)

    public func storeScores(configVersionID: Int64, at time: Date, perTransaction: Int, skipScored: Bool,
                            from next: () throws -> [ScoreRecord]?) throws {
        let now = Self.timestamp(time)
        var finished = false
        while !finished {
            let added = try pool.write { db in
                let writer = try ScoreWriter(db, configVersionID: configVersionID, computedAt: now, skipScored: skipScored,
                                             sentences: try sentences.current(db))
                var written = 0
                while written < perTransaction {
                    guard let items = try next() else {
                        finished = true
                        break
                    }
                    try writer.store(items)
                    written += items.count
                    // Freeing a chunk's records is left to a background thread, off the writer's path.
                    Self.disposal.async { withExtendedLifetime(items) {} }
                }
                return writer.added
            }
            sentences.remember(added)  // committed
        }
    }
}

/// Writes scores inside one transaction: the score row, the ranking row and new explanation texts.
/// A chunk's check for scores written meanwhile is one query, and its ranking rows a few
/// multi-row statements: a statement's own cost in Swift was as much as SQLite's work for them.
private final class ScoreWriter {
    let db: Database
    let configVersionID: Int64
    let computedAt: String
    let score: Statement
    let insertText: Statement
    /// The ids of the sentences stored before this transaction (`SentenceIDCache`).
    let known: [SentenceKey: Int64]
    /// Sentences this transaction stored.
    private(set) var added: [SentenceKey: Int64] = [:]
    /// Set when responses scored meanwhile (by another run) are to be left as they are.
    let skipScored: Bool

    init(_ db: Database, configVersionID: Int64, computedAt: String, skipScored: Bool, sentences: [SentenceKey: Int64]) throws {
        self.skipScored = skipScored
        self.known = sentences
        self.db = db
        self.configVersionID = configVersionID
        self.computedAt = computedAt
        // `score.headline` stays empty: the first reason is in the explanation. The ranking names it
        // by sentence id in `current_score.headline_text_id` (its `headline` copy stays empty too).
        score = try db.cachedStatement(sql: """
            INSERT INTO score (partner_id, invitation_id, response_id, survey_version_id, scoring_config_version_id, overall_risk,
                               base_risk, country_multiplier, tier, knockout, non_response, explanation, computed_at,
                               worst_categories, flag_count, categories)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
            """)
        insertText = try db.cachedStatement(sql: "INSERT INTO explanation_text (en, fr) VALUES (?, ?)")
    }

    func store(_ items: [ScoreRecord]) throws {
        let scored = skipScored ? try alreadyScored(items) : []
        var ranking: [DatabaseValueConvertible?] = []
        ranking.reserveCapacity(items.count * 15)
        for record in items {
            let (work, result) = (record.work, record.result)
            if scored.contains(work.responseID) { continue }
            var first: Int64?
            let explanation = try record.explanation.text { index in
                let id = try textID(record, index)
                if index == 0 { first = id }
                return id
            }
            try score.execute(arguments: [work.partner.id, work.invitationID, work.responseID, work.surveyVersionID, configVersionID,
                                          result.overallRisk, result.baseRisk, result.countryMultiplier, result.tier.rawValue,
                                          result.knockout, explanation, computedAt, record.worst, record.flagCount, record.categories])
            ranking += [work.partner.id, work.partner.id, db.lastInsertedRowID, work.responseID, result.overallRisk, result.baseRisk,
                        result.countryMultiplier, result.tier.rawValue, result.knockout, computedAt, record.worst,
                        record.flagCount, "", work.receivedAt, first]
        }
        // Rows go in order: a partner scored twice in one chunk keeps the later score.
        try SQLiteStore.insertRows(db, "INSERT OR REPLACE", into: """
            current_score (partner_id, active, score_id, response_id, overall_risk, base_risk, country_multiplier,
                           tier, knockout, non_response, computed_at, worst_categories, flag_count, headline, reviewed_at, headline_text_id)
            """, columns: 15, row: "(?, (SELECT active FROM partner WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)", values: ranking)
    }

    /// The responses of `items` that have a score already (written by another run meanwhile).
    private func alreadyScored(_ items: [ScoreRecord]) throws -> Set<Int64> {
        var scored: Set<Int64> = []
        let wanted = Set(items.map(\.work.responseID))
        // Through `score_partner (partner_id, id)`: a partner has few scores.
        try SQLiteStore.inBatches(Array(Set(items.map(\.work.partner.id)))) { partners in
            let partners = SQLiteStore.padded(partners)
            let sql = "SELECT response_id FROM score WHERE partner_id IN (\(SQLiteStore.placeholders(partners.count)))"
            for responseID in try Int64?.fetchAll(SQLiteStore.statement(db, sql), arguments: StatementArguments(partners)) {
                if let responseID, wanted.contains(responseID) { scored.insert(responseID) }
            }
        }
        return scored
    }

    /// The stored id of factor `index`'s sentence, stored now if it is new.
    private func textID(_ record: ScoreRecord, _ index: Int) throws -> Int64 {
        let key = record.sentenceKeys[index]
        if let id = known[key] ?? added[key] { return id }
        let text = record.result.factors[index].text
        try insertText.execute(arguments: [text.en, text.fr])
        added[key] = db.lastInsertedRowID
        return db.lastInsertedRowID
    }
}

extension SQLiteStore {
    /// (invitation id, partner sector) of every invitation of a campaign.
    public func invitationSectors(campaignID: Int64) throws -> [(Int64, Sector)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT i.id, p.sector FROM invitation i JOIN partner p ON p.id = i.partner_id WHERE i.campaign_id = ?",
                             arguments: [campaignID]).map { ($0[0] as Int64, Sector(rawValue: $0[1]) ?? .importer) }
        }
    }
}
