import Foundation

/// The seam between ingest and scoring: accepted responses are scored straight away.
public enum ScoringHook {
    public static func service(store: SQLiteStore, workspace: Workspace, time: TimeSource = SystemTime()) throws -> ScoringService {
        let (config, countries) = try SurveyCatalog(directory: workspace.surveysDirectory).scoring()
        return ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries, time: time)
    }

    public static func scoreAccepted(_ responseIDs: [Int64], store: SQLiteStore, workspace: Workspace) throws {
        guard !responseIDs.isEmpty else { return }
        try service(store: store, workspace: workspace).score(responseIDs: responseIDs)
    }
}
