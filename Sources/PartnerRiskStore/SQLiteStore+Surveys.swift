import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: SurveyRepository {
    public func register(_ survey: Survey, at time: Date) throws -> StoredSurveyVersion {
        try pool.write { db in try Self.register(survey, at: time, actor: actor, in: db) }
    }

    static func register(_ survey: Survey, at time: Date, actor: String, in db: Database) throws -> StoredSurveyVersion {
        if let row = try Row.fetchOne(
            db, sql: "SELECT * FROM survey_version WHERE survey_id = ? AND version = ?", arguments: [survey.id, survey.version]) {
            let stored = storedSurvey(row)
            guard stored.contentHash == survey.contentHash else {
                throw PartnerRiskError.badInput(
                    "survey \(survey.id) version \(survey.version) is already stored with different content "
                        + "(registered \(stored.registeredAt)); stored versions never change — give the edited file a new `version:`")
            }
            return stored
        }
        try db.execute(
            sql: """
                INSERT INTO survey_version (survey_id, version, kind, title, content_hash, content, registered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [survey.id, survey.version, survey.kind.rawValue, survey.title.en, survey.contentHash, survey.source, timestamp(time)])
        let rowID = db.lastInsertedRowID
        try appendAudit(db, actor: actor, action: "surveys.register", subject: "survey:\(survey.id)",
                        detail: "version \(survey.version) sha256 \(survey.contentHash)", at: time)
        return storedSurvey(try Row.fetchOne(db, sql: "SELECT * FROM survey_version WHERE id = ?", arguments: [rowID])!)  // inserted above in this transaction
    }

    public func storedSurveys() throws -> [StoredSurveyVersion] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM survey_version ORDER BY survey_id, id").map(Self.storedSurvey) }
    }

    public func survey(rowID: Int64) throws -> Survey {
        if let parsed = surveyVersions.withLock({ $0[rowID] }) { return parsed }
        let survey = try parseSurvey(rowID: rowID)
        surveyVersions.withLock { $0[rowID] = survey }
        return survey
    }

    private func parseSurvey(rowID: Int64) throws -> Survey {
        let content = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT content FROM survey_version WHERE id = ?", arguments: [rowID])
        }
        guard let content else { throw PartnerRiskError.failed("survey version \(rowID) is not in the database") }
        let (survey, problems) = SurveyParser().parse(content, file: "stored survey version \(rowID)")
        guard let survey else { throw InvalidSurveyFile(problems: problems) }
        return survey
    }

    static func storedSurvey(_ row: Row) -> StoredSurveyVersion {
        StoredSurveyVersion(
            rowID: row["id"], surveyID: row["survey_id"], version: row["version"], kind: row["kind"], title: row["title"],
            contentHash: row["content_hash"], registeredAt: row["registered_at"])
    }
}
