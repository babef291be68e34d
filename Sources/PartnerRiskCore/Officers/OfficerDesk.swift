import Foundation
import Synchronization

/// What one signed-in officer works with: the same services the CLI commands call, each
/// recording that officer as who acts. Built per request by the composition root, so the web
/// layer adds no business rules of its own.
public struct OfficerDesk: Sendable {
    public let officer: String
    public let repositories: any Repositories
    public let decisions: OfficerDecisionService
    public let signOffs: SignOffService
    public let screening: ScreeningService
    public let vault: EvidenceVault
    public let language: Language
    public let time: any TimeSource
    /// The ranking as `partner-risk ranking` builds it (today, every active partner), with the
    /// stamp of the data it rests on.
    public let stampedRanking: @Sendable () throws -> RankingCache.Stamped
    /// What the partner report shows, as template values.
    public let partnerContext: @Sendable (Partner) throws -> [String: Any]
    /// The programs a membership can be verified for (`trusted_trader_programs` of scoring.yaml).
    public let programs: @Sendable () throws -> [TrustedTraderProgram]
    public let reviews: ReviewService
    public let campaigns: CampaignService
    public let catalog: SurveyCatalog
    /// The sender of campaigns made in the workspace (the config's, as `campaign create` uses).
    public let sender: MailAddress
    /// Sends a campaign's due messages in the background (what `campaign send` does).
    public let dispatch: @Sendable (Int64) -> Void
    /// The partners in countries the scoring config lists, as `campaign create` names them.
    public let countryWarnings: @Sendable ([Partner]) throws -> [CountryWatch.Warning]

    public init(officer: String, repositories: any Repositories, decisions: OfficerDecisionService, signOffs: SignOffService, screening: ScreeningService,
                vault: EvidenceVault, language: Language, time: any TimeSource, ranking: @escaping @Sendable () throws -> RankingCache.Stamped,
                partnerContext: @escaping @Sendable (Partner) throws -> [String: Any], programs: @escaping @Sendable () throws -> [TrustedTraderProgram],
                reviews: ReviewService, campaigns: CampaignService, catalog: SurveyCatalog, sender: MailAddress, dispatch: @escaping @Sendable (Int64) -> Void,
                countryWarnings: @escaping @Sendable ([Partner]) throws -> [CountryWatch.Warning]) {
        self.officer = officer
        self.repositories = repositories
        self.decisions = decisions
        self.signOffs = signOffs
        self.screening = screening
        self.vault = vault
        self.language = language
        self.time = time
        self.stampedRanking = ranking
        self.partnerContext = partnerContext
        self.programs = programs
        self.reviews = reviews
        self.campaigns = campaigns
        self.catalog = catalog
        self.sender = sender
        self.dispatch = dispatch
        self.countryWarnings = countryWarnings
    }

    /// The ranking as `partner-risk ranking` builds it (today, every active partner).
    public func ranking() throws -> Ranking { try stampedRanking().ranking }
}

/// Each officer's desk, built once (its services read the surveys and the scoring file when made)
/// and reused for every request of that officer.
public final class OfficerDesks: Sendable {
    private let desks = Mutex<[String: OfficerDesk]>([:])
    private let make: @Sendable (String) -> OfficerDesk

    public init(make: @escaping @Sendable (String) -> OfficerDesk) {
        self.make = make
    }

    public func desk(for officer: String) -> OfficerDesk {
        if let desk = desks.withLock({ $0[officer] }) { return desk }
        let desk = make(officer)
        desks.withLock { $0[officer] = desk }
        return desk
    }
}
