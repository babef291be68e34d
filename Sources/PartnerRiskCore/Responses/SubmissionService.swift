import Foundation

/// The one path an accepted response takes after the ingest stored it, whatever the channel
/// (web form, answer file, IMAP reply): it is scored at once with the process's scoring config,
/// and the campaigns whose outbox gained a message are announced (so `serve` can send the
/// thank-you mail without waiting for `campaign send`).
public struct SubmissionService: Sendable {
    public let repositories: any Repositories
    public let scoring: ScoringSource
    public let time: any TimeSource

    public init(repositories: any Repositories, scoring: ScoringSource, time: any TimeSource) {
        self.repositories = repositories
        self.scoring = scoring
        self.time = time
    }

    /// A scoring service over the current config (loaded once, reloaded when its files change).
    public func scoringService() throws -> ScoringService {
        let (config, countries) = try scoring.scoring()
        return ScoringService(scores: repositories, responses: repositories, surveys: repositories, campaigns: repositories,
                              config: config, countries: countries, time: time)
    }

    /// Scores accepted responses; returns how many scores were written.
    @discardableResult
    public func accepted(_ responseIDs: [Int64]) throws -> Int {
        guard !responseIDs.isEmpty else { return 0 }
        return try scoringService().score(responseIDs: responseIDs)
    }
}
