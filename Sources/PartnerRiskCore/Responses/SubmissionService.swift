import Foundation

/// The one path an accepted response takes after the ingest stored it, whatever the channel
/// (web form, answer file, IMAP reply): its thank-you mail is queued, and it is scored with the
/// process's scoring config.
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

    /// What the submission path did with a batch of accepted responses.
    public struct Receipt: Sendable, Equatable {
        /// Thank-you messages queued (one per response).
        public var thankYous: Int
        /// Campaigns whose outbox gained a thank-you (to send).
        public var campaigns: Set<Int64>
        /// Scores written.
        public var scored: Int
    }

    /// Queues each response's thank-you mail, the partner's receipt naming the revision; it goes
    /// out with the campaign's next send (at once under `serve`).
    public func acknowledge(_ responseIDs: [Int64]) throws -> Set<Int64> {
        try repositories.queueThankYous(responseIDs: responseIDs, at: time.now())
    }

    /// Scores accepted responses; returns how many scores were written.
    @discardableResult
    public func score(_ responseIDs: [Int64]) throws -> Int {
        guard !responseIDs.isEmpty else { return 0 }
        return try scoringService().score(responseIDs: responseIDs)
    }

    /// Scores every current response still without a score: those just accepted, and any an
    /// earlier run stored but did not score because it was stopped (a `kill -9`, a full disk, a
    /// `serve` stopped between answering the partner and scoring).
    /// `found`: those already looked up (`unscoredResponseIDs(excluding:)`); nil looks now.
    @discardableResult
    public func scoreUnscored(found: [Int64]? = nil) throws -> Int {
        let unscored = try found ?? repositories.unscoredResponseIDs()
        guard !unscored.isEmpty else { return 0 }
        // Another run (a second import of the same folder) may score them first: written once.
        return try scoringService().score(responseIDs: unscored, skipScored: true)
    }

    /// The current responses without a score but those in `handed` (being scored beside an
    /// import): an import looks while its last batches are scored, instead of after.
    public func unscoredResponseIDs(excluding handed: Set<Int64>) throws -> [Int64] {
        try repositories.unscoredResponseIDs().filter { !handed.contains($0) }
    }

    /// Scores again the current answers of invitations that gained evidence (a web upload, a
    /// document in a later answer file, a reply's attachment): the partner's score counts it at once.
    @discardableResult
    public func evidenceAdded(invitationIDs: Set<Int64>) throws -> Int {
        guard !invitationIDs.isEmpty else { return 0 }
        return try score(try repositories.currentResponseIDs(invitationIDs: Array(invitationIDs)))
    }

    /// The whole path for answers that arrive as files or mail: thank-you queued, then scored
    /// (with the partners who gained evidence, and whatever an interrupted earlier run left
    /// unscored). The web form acknowledges within the request and scores in the background;
    /// `serve` scores what is left at its start.
    @discardableResult
    /// `scoredAlready`: scores written for them during the import (`scoringAlongside`).
    /// `acknowledgedIn`: the campaigns whose thank-yous the ingest already queued with the
    /// responses (`Summary.acknowledgedCampaigns`); nil queues them now. `unscored`: what an
    /// earlier run left unscored, when already looked up (`unscoredResponseIDs(excluding:)`).
    public func accepted(_ responseIDs: [Int64], evidenceFor invitations: Set<Int64> = [], scoredAlready: Int = 0,
                         acknowledgedIn: Set<Int64>? = nil, unscored: [Int64]? = nil) throws -> Receipt {
        let campaigns = try acknowledgedIn ?? acknowledge(responseIDs)
        let rescored = try evidenceAdded(invitationIDs: invitations)
        return Receipt(thankYous: responseIDs.count, campaigns: campaigns, scored: scoredAlready + rescored + (try scoreUnscored(found: unscored)))
    }

    /// A scoring thread for an import to hand its stored responses to as it goes (one scoring
    /// service for the whole import, so the survey and config are loaded once).
    public func scoringAlongside() throws -> BackgroundScoring {
        BackgroundScoring(try scoringService())
    }
}
