import Foundation

/// The questionnaires, scoring configs and country lists in the `Surveys/` folder.
public struct SurveyCatalog: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Every survey file in the folder (top level `*.yaml` that are surveys), loaded and valid.
    public func surveys() throws -> [Survey] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return try files.filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .filter { SurveyFileKind.detect(in: (try? String(contentsOf: $0, encoding: .utf8)) ?? "") == .survey }
            .map { try SurveyParser().load(contentsOf: $0) }
    }

    /// The survey with this id (`pip-partner-security`), from the folder.
    public func survey(id: String) throws -> Survey {
        let all = try surveys()
        guard let survey = all.first(where: { $0.id == id }) else {
            throw PartnerRiskError.badInput("no survey \"\(id)\" in \(directory.path); available: \(all.map(\.id).joined(separator: ", "))")
        }
        return survey
    }

    /// The scoring config a survey names (default `scoring.yaml`), with its country list.
    public func scoring(for survey: Survey? = nil) throws -> (ScoringConfig, CountryRiskList) {
        let url = directory.appendingPathComponent(survey?.scoringFile ?? "scoring.yaml")
        let text = try readText(url)
        let (config, problems) = ScoringConfigParser().parse(text, file: url.path)
        guard let config, problems.isEmpty else { throw InvalidSurveyFile(problems: problems) }
        let listURL = directory.appendingPathComponent(config.countryListFile)
        let (list, listProblems) = ScoringConfigParser().parseCountryList(try readText(listURL), file: listURL.path)
        guard let list, listProblems.isEmpty else { throw InvalidSurveyFile(problems: listProblems) }
        return (config, list)
    }

    private func readText(_ url: URL) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw PartnerRiskError.badInput("\(url.path): cannot read (\(error.localizedDescription))")
        }
    }

    /// Validates files of any kind (survey, scoring config, country list); all problems at once.
    public static func validate(files: [String]) -> [String: [SurveyProblem]] {
        var results: [String: [SurveyProblem]] = [:]
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                results[file] = [SurveyProblem(file: file, line: 1, column: 1, message: "cannot read the file", fix: "check the path and that it is UTF-8 text")]
                continue
            }
            switch SurveyFileKind.detect(in: text) {
            case .scoringConfig: results[file] = ScoringConfigParser().parse(text, file: file).problems
            case .countryList: results[file] = ScoringConfigParser().parseCountryList(text, file: file).problems
            case .survey: results[file] = SurveyParser().parse(text, file: file).problems
            }
        }
        return results
    }
}

/// What a YAML file in `Surveys/` holds, judged by its top-level keys.
public enum SurveyFileKind {
    case survey, scoringConfig, countryList

    static func detect(in text: String) -> SurveyFileKind {
        let lines = text.split(separator: "\n")
        if lines.contains(where: { $0.hasPrefix("sector_weights:") }) { return .scoringConfig }
        if lines.contains(where: { $0.hasPrefix("list_date:") }) { return .countryList }
        return .survey
    }
}

/// A stored survey version: what campaigns pin.
public struct StoredSurveyVersion: Sendable, Equatable {
    public var rowID: Int64
    public var surveyID: String
    public var version: String
    public var kind: String
    public var title: String
    public var contentHash: String
    public var registeredAt: String

    public init(rowID: Int64, surveyID: String, version: String, kind: String, title: String, contentHash: String, registeredAt: String) {
        self.rowID = rowID
        self.surveyID = surveyID
        self.version = version
        self.kind = kind
        self.title = title
        self.contentHash = contentHash
        self.registeredAt = registeredAt
    }
}

/// Storage of survey versions. A version, once stored, never changes.
public protocol SurveyRepository: Sendable {
    /// Stores the survey version, or returns the stored one when identical; refuses a changed
    /// file under an already stored version.
    func register(_ survey: Survey, at time: Date) throws -> StoredSurveyVersion
    func storedSurveys() throws -> [StoredSurveyVersion]
    /// The survey content of a stored version, parsed.
    func survey(rowID: Int64) throws -> Survey
}
