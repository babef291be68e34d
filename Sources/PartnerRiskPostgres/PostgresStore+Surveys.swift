import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: SurveyRepository {
    static let surveyColumns = "id, survey_id, version, kind, title, content_hash, registered_at"

    public func register(_ survey: Survey, at time: Date) throws -> StoredSurveyVersion {
        try connections.transaction { session in
            // Two processes registering one version at once: the unique key lets one insert, the other reads it.
            let inserted = try session.query("""
                INSERT INTO survey_version (survey_id, version, kind, title, content_hash, content, registered_at)
                VALUES (\(survey.id), \(survey.version), \(survey.kind.rawValue), \(survey.title.en), \(survey.contentHash), \(survey.source),
                        \(DayFormat.timestamp(time)))
                ON CONFLICT (survey_id, version) DO NOTHING
                RETURNING \(unescaped: Self.surveyColumns)
                """)
            if let row = inserted.first {
                try Self.appendAudit(session, actor: actor, action: "surveys.register", subject: "survey:\(survey.id)",
                                     detail: "version \(survey.version) sha256 \(survey.contentHash)", at: time)
                return try Self.storedSurvey(row)
            }
            let rows = try session.query("SELECT \(unescaped: Self.surveyColumns) FROM survey_version WHERE survey_id = \(survey.id) AND version = \(survey.version)")
            let stored = try Self.storedSurvey(try rows.first.orThrow("survey \(survey.id) \(survey.version) vanished while being registered"))
            guard stored.contentHash == survey.contentHash else {
                throw PartnerRiskError.badInput(
                    "survey \(survey.id) version \(survey.version) is already stored with different content "
                        + "(registered \(stored.registeredAt)); stored versions never change — give the edited file a new `version:`")
            }
            return stored
        }
    }

    public func storedSurveys() throws -> [StoredSurveyVersion] {
        try connections.query("SELECT \(unescaped: Self.surveyColumns) FROM survey_version ORDER BY survey_id, id").map(Self.storedSurvey)
    }

    public func survey(rowID: Int64) throws -> Survey {
        if let parsed = surveyVersions.withLock({ $0[rowID] }) { return parsed }
        let rows = try connections.query("SELECT content FROM survey_version WHERE id = \(rowID)")
        guard let content = try rows.first?.decode(String.self) else { throw PartnerRiskError.failed("survey version \(rowID) is not in the database") }
        let (survey, problems) = SurveyParser().parse(content, file: "stored survey version \(rowID)")
        guard let survey else { throw InvalidSurveyFile(problems: problems) }
        surveyVersions.withLock { $0[rowID] = survey }
        return survey
    }

    static func storedSurvey(_ row: PostgresRow) throws -> StoredSurveyVersion {
        let (id, surveyID, version, kind, title, hash, registered) = try row.decode((Int64, String, String, String, String, String, String).self)
        return StoredSurveyVersion(rowID: id, surveyID: surveyID, version: version, kind: kind, title: title, contentHash: hash, registeredAt: registered)
    }
}

extension Optional {
    /// The value, or a failure saying what was missing (a state the database should never be in).
    func orThrow(_ what: String) throws -> Wrapped {
        guard let self else { throw PartnerRiskError.failed(what) }
        return self
    }
}
