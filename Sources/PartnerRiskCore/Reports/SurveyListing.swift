import Foundation

/// The `surveys list` table: surveys on disk, and which versions are stored.
public enum SurveyListing {
    public static func make(surveys: [Survey], stored: [StoredSurveyVersion]) -> Listing {
        let columns = ["id", "version", "kind", "questions", "title", "stored_versions"]
        var rows: [[String]] = []
        var objects: [[String: JSONValue]] = []
        for survey in surveys {
            let versions = stored.filter { $0.surveyID == survey.id }.map(\.version)
            rows.append([survey.id, survey.version, survey.kind.rawValue, String(survey.questions.count), survey.title.en, versions.joined(separator: " ")])
            objects.append([
                "id": .string(survey.id), "version": .string(survey.version), "kind": .string(survey.kind.rawValue),
                "questions": .number(Double(survey.questions.count)), "title": .string(survey.title.en),
                "title_fr": .string(survey.title.fr), "sha256": .string(survey.contentHash),
                "stored_versions": .array(versions.map(JSONValue.string)),
            ])
        }
        return Listing(columns: columns, rows: rows, objects: objects)
    }
}
