import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: ScoreRepository {
    public func registerScoringConfig(_ config: ScoringConfig, countries: CountryRiskList, at time: Date) throws -> Int64 {
        try connections.transaction { session in
            // Two processes registering one version at once: the unique key lets one insert, the other reads it.
            try session.query("""
                INSERT INTO scoring_config_version (config_id, version, content_hash, content, country_list_date, country_list_hash, country_list, registered_at)
                VALUES (\(config.id), \(config.version), \(config.contentHash), \(config.source), \(countries.listDate), \(countries.contentHash),
                        \(countries.text), \(DayFormat.timestamp(time)))
                ON CONFLICT (config_id, version, country_list_hash) DO NOTHING
                """)
            let row = try session.query("""
                SELECT id, content_hash FROM scoring_config_version
                WHERE config_id = \(config.id) AND version = \(config.version) AND country_list_hash = \(countries.contentHash)
                """).first.orThrow("scoring config \(config.id) \(config.version) vanished while being registered")
            let (id, hash) = try row.decode((Int64, String).self)
            guard hash == config.contentHash else {
                throw PartnerRiskError.badInput("scoring config \(config.id) version \(config.version) is already stored with different content; give the edited scoring.yaml a new `version:`")
            }
            return id
        }
    }

    /// A score with its survey and config versions, read by `storedScore(_:texts:)`.
    static let scoreSQL = """
        SELECT s.id, s.partner_id, s.response_id, s.overall_risk, s.base_risk, s.country_multiplier, s.tier, s.knockout, s.non_response,
               s.categories, s.explanation, s.computed_at, r.received_at, sv.version, cv.version
        FROM score s LEFT JOIN response r ON r.id = s.response_id
        LEFT JOIN survey_version sv ON sv.id = s.survey_version_id
        LEFT JOIN scoring_config_version cv ON cv.id = s.scoring_config_version_id
        """

    public func latestScoresDetailed() throws -> [StoredScore] {
        try connections.withConnection { session in
            let texts = try Self.explanationTexts(session)
            return try session.query("""
                \(unescaped: Self.scoreSQL) JOIN current_score c ON c.score_id = s.id WHERE c.active ORDER BY s.id
                """).map { try Self.storedScore($0, texts: texts) }
        }
    }

    public func latestScores() throws -> [StoredScore] {
        try connections.withConnection { session in
            let texts = try Self.explanationTexts(session)
            return try session.query("""
                SELECT c.score_id, c.partner_id, c.response_id, c.overall_risk, c.base_risk, c.country_multiplier, c.tier, c.knockout,
                       c.non_response, c.computed_at, c.worst_categories, c.flag_count, c.headline, c.reviewed_at, c.headline_text_id
                FROM current_score c WHERE c.active ORDER BY c.overall_risk DESC, c.partner_id
                """).map { row in
                let cells = Array(row)
                let headline = try cells[14].decode(Int64?.self).flatMap { texts[$0] }
                let english = try cells[12].decode(String.self)
                return StoredScore(id: try cells[0].decode(Int64.self), partnerID: try cells[1].decode(Int64.self),
                                   responseID: try cells[2].decode(Int64?.self), overallRisk: try cells[3].decode(Double.self),
                                   baseRisk: try cells[4].decode(Double.self), countryMultiplier: try cells[5].decode(Double.self),
                                   tier: RiskTier(rawValue: try cells[6].decode(String.self)) ?? .high, knockout: try cells[7].decode(Bool.self),
                                   nonResponse: try cells[8].decode(Bool.self), categories: [], factors: [],
                                   computedAt: try cells[9].decode(String.self), reviewedAt: try cells[13].decode(String?.self),
                                   worstSummary: try cells[10].decode(String.self), flagCount: try cells[11].decode(Int.self),
                                   topReason: headline?.en ?? english, topReasonFR: headline?.fr ?? english)
            }
        }
    }

    /// The tables whose growth changes the ranking: each only grows, and every officer decision is audited.
    static let rankingInputTables = ["score", "response", "partner", "invitation", "mail_attempt", "screening_hit", "corrective_action", "audit_log"]

    public func rankingInputsStamp() throws -> String {
        // The largest ids say whether anything changed, but with several writers an id taken by a
        // transaction still open can be committed after a larger one: while any transaction is
        // open, the stamp also names the oldest, so it changes again once that one ends.
        let row = try connections.query("""
            SELECT \(unescaped: Self.rankingInputTables.map { "coalesce((SELECT max(id) FROM \($0)), 0)" }.joined(separator: ", ")),
                   CASE WHEN EXISTS (SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot())) THEN pg_snapshot_xmin(pg_current_snapshot())::text ELSE '' END
            """).first.orThrow("no ranking stamp")
        let cells = Array(row)
        var parts = try cells.dropLast().map { String(try $0.decode(Int64.self)) }
        let open = try cells[cells.count - 1].decode(String?.self) ?? ""
        if !open.isEmpty { parts.append("open" + open) }
        return parts.joined(separator: ".")
    }

    public func monthlyRisk() throws -> [MonthlyRisk] {
        // The last score of each partner in each month: a rescore in the same month counts once.
        try connections.query("""
            SELECT month, count(*)::bigint, avg(overall_risk), count(*) FILTER (WHERE tier IN ('high', 'critical'))::bigint FROM (
                SELECT DISTINCT ON (s.partner_id, substr(s.computed_at, 1, 7)) substr(s.computed_at, 1, 7) AS month, s.overall_risk, s.tier
                FROM score s ORDER BY s.partner_id, substr(s.computed_at, 1, 7), s.id DESC
            ) last GROUP BY month ORDER BY month
            """).map { row in
            let (month, partners, average, high) = try row.decode((String, Int64, Double, Int64).self)
            return MonthlyRisk(month: month, partners: Int(partners), averageRisk: average, highOrCritical: Int(high))
        }
    }

    public func scoreHistory(partnerID: Int64) throws -> [StoredScore] {
        try connections.withConnection { session in
            let texts = try Self.explanationTexts(session, partnerID: partnerID)
            return try session.query("\(unescaped: Self.scoreSQL) WHERE s.partner_id = \(partnerID) ORDER BY s.id").map { try Self.storedScore($0, texts: texts) }
        }
    }

    public func nonResponders(deadlineBefore: String) throws -> [NonResponder] {
        try connections.query("""
            SELECT i.id, i.partner_id, c.id, c.deadline,
                   (SELECT count(*) FROM mail_message m WHERE m.invitation_id = i.id AND m.kind = 'reminder' AND m.state = 'sent')::bigint,
                   (EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.kind <> 'thank-you' AND m.state = 'failed')
                    AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.invitation_id = i.id AND m.kind <> 'thank-you' AND m.state = 'sent'))
            FROM invitation i
            JOIN campaign c ON c.id = i.campaign_id JOIN partner p ON p.id = i.partner_id
            WHERE p.active AND c.deadline < \(deadlineBefore)
              AND NOT EXISTS (SELECT 1 FROM response r WHERE r.invitation_id = i.id AND r.complete)
              AND i.id = (SELECT max(i2.id) FROM invitation i2 WHERE i2.partner_id = i.partner_id)
            ORDER BY i.id
            """).map { row in
            let (invitationID, partnerID, campaignID, deadline, reminders, undeliverable) = try row.decode((Int64, Int64, Int64, String, Int64, Bool).self)
            return NonResponder(partnerID: partnerID, invitationID: invitationID, campaignID: campaignID, deadline: deadline,
                                remindersSent: Int(reminders), undeliverable: undeliverable, knockout: false)
        }
    }

    static func explanationTexts(_ session: PostgresSession) throws -> [Int64: LocalizedText] {
        var texts: [Int64: LocalizedText] = [:]
        for row in try session.query("SELECT id, en, fr FROM explanation_text") {
            let (id, en, fr) = try row.decode((Int64, String, String).self)
            texts[id] = LocalizedText(en: en, fr: fr)
        }
        return texts
    }

    /// Only the sentences one partner's scores name (the table holds every partner's).
    static func explanationTexts(_ session: PostgresSession, partnerID: Int64) throws -> [Int64: LocalizedText] {
        var texts: [Int64: LocalizedText] = [:]
        for row in try session.query("""
            SELECT id, en, fr FROM explanation_text WHERE id IN (
                SELECT (f.value ->> 't')::bigint FROM score s CROSS JOIN LATERAL jsonb_array_elements(s.explanation::jsonb) f
                WHERE s.partner_id = \(partnerID) AND f.value ? 't')
            """) {
            let (id, en, fr) = try row.decode((Int64, String, String).self)
            texts[id] = LocalizedText(en: en, fr: fr)
        }
        return texts
    }

    /// A row of `scoreSQL`.
    static func storedScore(_ row: PostgresRow, texts: [Int64: LocalizedText]) throws -> StoredScore {
        let cells = Array(row)
        return StoredScore(id: try cells[0].decode(Int64.self), partnerID: try cells[1].decode(Int64.self),
                           responseID: try cells[2].decode(Int64?.self), overallRisk: try cells[3].decode(Double.self),
                           baseRisk: try cells[4].decode(Double.self), countryMultiplier: try cells[5].decode(Double.self),
                           tier: RiskTier(rawValue: try cells[6].decode(String.self)) ?? .high, knockout: try cells[7].decode(Bool.self),
                           nonResponse: try cells[8].decode(Bool.self), categories: CategoryScore.decodeList(try cells[9].decode(String?.self)),
                           factors: ScoreFactor.decodeList(try cells[10].decode(String.self), texts: texts),
                           computedAt: try cells[11].decode(String.self), reviewedAt: try cells[12].decode(String?.self),
                           surveyVersion: try cells[13].decode(String?.self), configVersion: try cells[14].decode(String?.self))
    }

    public func currentCategories(partnerIDs: [Int64]) throws -> [Int64: [CategoryScore]] {
        var found: [Int64: [CategoryScore]] = [:]
        for row in try connections.query("""
            SELECT c.partner_id, s.categories FROM current_score c JOIN score s ON s.id = c.score_id
            WHERE c.partner_id = ANY(\(Array(Set(partnerIDs))))
            """) {
            let (id, categories) = try row.decode((Int64, String?).self)
            found[id] = CategoryScore.decodeList(categories)
        }
        return found
    }
}

extension PostgresStore {
    public func currentScoringInputs() throws -> [ScoringWorkItem] { try currentScoringInputs(responseIDs: nil, readingAnswers: true) }

    public func currentScoringInputs(responseIDs: [Int64]?, readingAnswers: Bool) throws -> [ScoringWorkItem] {
        try connections.withConnection { session in
            let evidence = try Self.evidenceByInvitation(session)
            let reviews = try Self.officerReviews(session)
            let items = try session.query("""
                SELECT r.id, CASE WHEN \(readingAnswers) THEN r.answers_json END, r.received_at, i.id, i.survey_version_id, \(unescaped: Self.partnerColumnList(prefix: "p."))
                FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                WHERE r.complete AND p.active AND \(unescaped: Self.isCurrent(complete: true))
                  AND (\(responseIDs == nil) OR r.id = ANY(\(responseIDs ?? [])))
                ORDER BY r.id
                """).map { row in
                let (responseID, answers, received, invitationID, versionID) = try row.decode((Int64, String?, String, Int64, Int64).self)
                return ScoringWorkItem(responseID: responseID, invitationID: invitationID, partner: try Self.partner(Array(row)[5...]),
                                       surveyVersionID: versionID, answers: AnswerSet(), answersJSON: answers, receivedAt: received,
                                       evidence: evidence[invitationID] ?? [])
            }
            return reviews.attached(to: items)
        }
    }

    public func unscoredResponseIDs() throws -> [Int64] {
        try connections.query("""
            SELECT r.id FROM response r JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            WHERE r.complete AND p.active AND \(unescaped: Self.isCurrent(complete: true))
              AND NOT EXISTS (SELECT 1 FROM score s WHERE s.partner_id = i.partner_id AND s.response_id = r.id)
            ORDER BY r.id
            """).map { try $0.decode(Int64.self) }
    }

    /// The questions each invitation has evidence for: a file pending review or accepted counts,
    /// one the officer rejected or found falsified does not.
    static func evidenceByInvitation(_ session: PostgresSession) throws -> [Int64: Set<String>] {
        var evidence: [Int64: Set<String>] = [:]
        for row in try session.query("""
            SELECT e.invitation_id, e.question_id FROM evidence e WHERE e.question_id IS NOT NULL
              AND COALESCE((SELECT status FROM evidence_review r WHERE r.evidence_id = e.id ORDER BY r.id DESC LIMIT 1), 'accepted') = 'accepted'
            """) {
            let (invitationID, question) = try row.decode((Int64, String).self)
            evidence[invitationID, default: []].insert(question)
        }
        return evidence
    }

    /// Stores the scores `next` hands out, about `perTransaction` to a transaction, each chunk in a
    /// few statements over arrays (the score rows, then the ranking rows).
    public func storeScores(configVersionID: Int64, at time: Date, perTransaction: Int, skipScored: Bool,
                            from next: () throws -> [ScoreRecord]?) throws {
        let now = DayFormat.timestamp(time)
        var finished = false
        while !finished {
            try connections.transaction { session in
                // Writers that leave what is already scored take turns (one lock for all of them):
                // each sees the scores the one before committed, so two imports of one folder at
                // once score each response once. SQLite's single writer gives that by itself.
                if skipScored { try session.query("SELECT pg_advisory_xact_lock(7358247)") }
                var writer = try ScoreChunkWriter(session: session, connections: connections, configVersionID: configVersionID, computedAt: now, skipScored: skipScored)
                var written = 0
                while written < perTransaction {
                    guard let items = try next() else {
                        finished = true
                        return
                    }
                    try writer.store(items)
                    written += items.count
                }
            }
        }
    }
}

/// Writes chunks of scores inside one transaction: new explanation sentences, the score rows and
/// the ranking rows (`current_score`), each as one statement over arrays.
private struct ScoreChunkWriter {
    let session: PostgresSession
    /// For the sentences, written outside the scores' transaction.
    let connections: PostgresConnections
    let configVersionID: Int64
    let computedAt: String
    let skipScored: Bool
    var textIDs: [SentenceKey: Int64] = [:]

    init(session: PostgresSession, connections: PostgresConnections, configVersionID: Int64, computedAt: String, skipScored: Bool) throws {
        self.session = session
        self.connections = connections
        self.configVersionID = configVersionID
        self.computedAt = computedAt
        self.skipScored = skipScored
        for (id, text) in try PostgresStore.explanationTexts(session) { textIDs[SentenceKey(text)] = id }
    }

    mutating func store(_ chunk: [ScoreRecord]) throws {
        var records = chunk
        if skipScored, !records.isEmpty {
            // Two runs scoring what neither had scored yet write it once.
            let scored = Set(try session.query("SELECT response_id FROM score WHERE response_id = ANY(\(records.map(\.work.responseID)))")
                .map { try $0.decode(Int64.self) })
            records.removeAll { scored.contains($0.work.responseID) }
        }
        guard !records.isEmpty else { return }
        try storeNewSentences(records)
        var explanations: [String] = [], headlines: [Int64] = []
        for record in records {
            explanations.append(record.explanation.text { textIDs[record.sentenceKeys[$0]] ?? 0 })
            headlines.append(record.sentenceKeys.first.flatMap { textIDs[$0] } ?? 0)
        }
        let work = records.map(\.work), results = records.map(\.result)
        let ids = try session.query("""
            INSERT INTO score (partner_id, invitation_id, response_id, survey_version_id, scoring_config_version_id, overall_risk, base_risk,
                               country_multiplier, tier, knockout, explanation, computed_at, worst_categories, flag_count, categories)
            SELECT partner, invitation, response, version, \(configVersionID), overall, base, multiplier, tier, knockout, explanation,
                   \(computedAt), worst, flags, categories
            FROM unnest(\(work.map(\.partner.id))::bigint[], \(work.map(\.invitationID))::bigint[], \(work.map(\.responseID))::bigint[],
                        \(work.map(\.surveyVersionID))::bigint[], \(results.map(\.overallRisk))::float8[], \(results.map(\.baseRisk))::float8[],
                        \(results.map(\.countryMultiplier))::float8[], \(results.map(\.tier.rawValue))::text[], \(results.map(\.knockout))::bool[],
                        \(explanations)::text[], \(records.map(\.worst))::text[], \(records.map(\.flagCount))::bigint[], \(records.map(\.categories))::text[])
                WITH ORDINALITY AS item (partner, invitation, response, version, overall, base, multiplier, tier, knockout, explanation, worst, flags, categories, position)
            ORDER BY position
            RETURNING id, response_id
            """).map { try $0.decode((Int64, Int64).self) }
        let scoreIDs = Dictionary(ids.map { ($0.1, $0.0) }, uniquingKeysWith: max)
        // One ranking row per partner: the chunk's last score of a partner wins, as in the order written.
        var last: [Int64: Int] = [:]
        for (index, record) in records.enumerated() { last[record.work.partner.id] = index }
        let chosen = last.values.sorted()
        try session.query("""
            INSERT INTO current_score (partner_id, active, score_id, response_id, overall_risk, base_risk, country_multiplier, tier, knockout,
                                       non_response, computed_at, worst_categories, flag_count, headline, reviewed_at, headline_text_id)
            SELECT item.partner, p.active, item.score, item.response, item.overall, item.base, item.multiplier, item.tier, item.knockout, false,
                   \(computedAt), item.worst, item.flags, '', NULLIF(item.reviewed, ''), NULLIF(item.headline, 0)
            FROM unnest(\(chosen.map { records[$0].work.partner.id })::bigint[], \(try chosen.map { try scoreIDs[records[$0].work.responseID].orThrow("score not stored") })::bigint[],
                        \(chosen.map { records[$0].work.responseID })::bigint[], \(chosen.map { results[$0].overallRisk })::float8[],
                        \(chosen.map { results[$0].baseRisk })::float8[], \(chosen.map { results[$0].countryMultiplier })::float8[],
                        \(chosen.map { results[$0].tier.rawValue })::text[], \(chosen.map { results[$0].knockout })::bool[],
                        \(chosen.map { records[$0].worst })::text[], \(chosen.map { records[$0].flagCount })::bigint[],
                        \(chosen.map { records[$0].work.receivedAt ?? "" })::text[], \(chosen.map { headlines[$0] })::bigint[])
                AS item (partner, score, response, overall, base, multiplier, tier, knockout, worst, flags, reviewed, headline)
            JOIN partner p ON p.id = item.partner
            ON CONFLICT (partner_id) DO UPDATE SET active = excluded.active, score_id = excluded.score_id, response_id = excluded.response_id,
                overall_risk = excluded.overall_risk, base_risk = excluded.base_risk, country_multiplier = excluded.country_multiplier,
                tier = excluded.tier, knockout = excluded.knockout, non_response = excluded.non_response, computed_at = excluded.computed_at,
                worst_categories = excluded.worst_categories, flag_count = excluded.flag_count, headline = excluded.headline,
                reviewed_at = excluded.reviewed_at, headline_text_id = excluded.headline_text_id
            """)
    }

    /// Stores the sentences of `records` not stored yet (another process may store one at the same
    /// time: the unique key keeps one, and its id is read back). They are written and committed on
    /// their own, before the scores, in one order (sorted): a sentence is harmless without a score,
    /// and two writers holding new sentences in open transactions, each waiting for the other's,
    /// deadlocked (4 importers at once in bench-pg).
    private mutating func storeNewSentences(_ records: [ScoreRecord]) throws {
        var new: [SentenceKey] = []
        var seen = Set<SentenceKey>()
        for record in records {
            for key in record.sentenceKeys where textIDs[key] == nil && seen.insert(key).inserted { new.append(key) }
        }
        guard !new.isEmpty else { return }
        new.sort { ($0.text.en, $0.text.fr) < ($1.text.en, $1.text.fr) }
        try connections.query("""
            INSERT INTO explanation_text (en, fr) SELECT en, fr FROM unnest(\(new.map(\.text.en))::text[], \(new.map(\.text.fr))::text[]) AS t (en, fr)
            ON CONFLICT (en, fr) DO NOTHING
            """)
        for row in try session.query("""
            SELECT e.id, e.en, e.fr FROM explanation_text e
            JOIN unnest(\(new.map(\.text.en))::text[], \(new.map(\.text.fr))::text[]) AS t (en, fr) ON e.en = t.en AND e.fr = t.fr
            """) {
            let (id, en, fr) = try row.decode((Int64, String, String).self)
            textIDs[SentenceKey(LocalizedText(en: en, fr: fr))] = id
        }
    }
}
