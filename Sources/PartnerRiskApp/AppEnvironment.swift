import Foundation
import PartnerRiskCore
import PartnerRiskMail
import PartnerRiskPostgres
import PartnerRiskStore
import PartnerRiskTemplates
import PartnerRiskWeb

/// The composition root: resolves the workspace, reads the config file once, opens the store and
/// builds the clock, the mail reader and the services from them. The CLI and `serve` get every
/// service from here; nothing below this layer opens a file or a database on its own.
public struct AppEnvironment: Sendable {
    public let workspace: Workspace
    public let config: AppConfig
    /// The store (SQLite or PostgreSQL), seen through the repository protocols.
    public let repositories: any Repositories
    public let time: any TimeSource
    public let catalog: SurveyCatalog
    /// The scoring config and country list, loaded once per process.
    public let scoring: ScoringSource
    public let messages: any MessageDecoding

    /// Who acts (`--officer`, `officer.name`, else the login name): every decision recorded names them.
    public let officer: String

    public init(workspace: Workspace, config: AppConfig, repositories: any Repositories, time: any TimeSource,
                messages: any MessageDecoding = MIMEMessageDecoder(), officer: String? = nil) {
        self.officer = officer ?? Self.officerName(nil, config: config)
        self.workspace = workspace
        self.config = config
        self.repositories = repositories
        self.time = time
        self.catalog = SurveyCatalog(directory: workspace.surveysDirectory)
        self.scoring = ScoringSource(catalog: catalog)
        self.messages = messages
    }

    /// Opens the database named by `--db` (or `PARTNER_RISK_DB`) and the config beside it (or `--config`).
    /// `officer` (`--officer`) names who acts in the audit trail, before `officer.name` and the login name.
    public static func open(database: String?, config: String? = nil, officer: String? = nil, time: any TimeSource = SystemTime()) throws -> AppEnvironment {
        let workspace = Workspace.resolve(databaseFlag: database, config: config)
        let file = Workspace.settingsFile(databaseFlag: database, config: config)
        let settings = try AppConfig.load(explicitPath: file, databasePath: workspace.databasePath)
        let actor = officerName(officer, config: settings)
        return AppEnvironment(workspace: workspace, config: settings, repositories: try workspace.openRepositories(actor: actor), time: time, officer: actor)
    }

    /// Reads the config `--config` or the database's folder names, without opening the database,
    /// and checks it deeper than loading does (`ConfigCheck`: unknown keys, URLs, choices, password
    /// files) and that the templates its settings need are there. Returns the file checked (nil
    /// when there is none, and the defaults apply) and its problems, each `FILE:LINE:COLUMN: …`;
    /// throws when the file cannot be read at all.
    public static func checkConfig(database: String?, config: String?) throws -> (path: String?, problems: [String]) {
        let workspace = Workspace.resolve(databaseFlag: database, config: config)
        let file = Workspace.settingsFile(databaseFlag: database, config: config)
        let path = file ?? AppConfig.defaultPath(databasePath: workspace.databasePath)
        let settings = try AppConfig.load(explicitPath: file, databasePath: workspace.databasePath)
        guard FileManager.default.fileExists(atPath: path) else { return (nil, missingTemplates(workspace, settings)) }
        let check = ConfigCheck(path: path, text: try String(contentsOfFile: path, encoding: .utf8), config: settings)
        return (path, check.problems() + missingTemplates(workspace, settings))
    }

    /// The templates the settings need that the templates folder lacks (one line, or none).
    static func missingTemplates(_ workspace: Workspace, _ config: AppConfig) -> [String] {
        var required = MailComposer.requiredTemplates + PartnerWebSite.requiredTemplates + OfficerWorkspace.requiredTemplates
        if config.service?.reviewClock?.digestTo != nil { required += BackgroundJobs.digestTemplates }
        do {
            _ = try TemplateLibrary(directory: workspace.templatesDirectory, required: required)
            return []
        } catch {
            return ["\(error)"]
        }
    }

    /// The same environment on behalf of another officer (the workspace's signed-in officer).
    public func acting(as name: String) -> AppEnvironment {
        AppEnvironment(workspace: workspace, config: config, repositories: repositories.acting(as: name), time: time, messages: messages, officer: name)
    }

    /// What the signed-in officer `name` works with in the workspace; `templates` are loaded once.
    /// `dispatch` sends a campaign's due messages (the server's background sender).
    /// `cache` keeps the ranking between requests while its inputs stay the same.
    public func desk(for name: String, templates: any TemplateRendering, cache: RankingCache = RankingCache(),
                     dispatch: @escaping @Sendable (Int64) -> Void) -> OfficerDesk {
        let env = acting(as: name)
        return OfficerDesk(officer: name, repositories: env.repositories, decisions: env.decisions, signOffs: env.signOffs, screening: env.screening,
                           vault: env.evidence, language: env.officerLanguage, time: env.time,
                           ranking: {
                               let stamp = DayFormat.day(env.time.now()) + "|" + (try env.repositories.rankingInputsStamp())
                               return RankingCache.Stamped(stamp: stamp, ranking: try cache.ranking(stamp: stamp) { try env.ranking() })
                           },
                           partnerContext: { partner in
                               try EvidenceReports(store: env.repositories, scoring: env.scoring, templates: templates, officer: env.reportOfficer,
                                                   time: env.time, language: env.officerLanguage).partnerContext(partner)
                           }, programs: { try env.scoring.scoring().0.programs },
                           reviews: env.reviews, campaigns: env.campaigns, catalog: env.catalog, sender: env.mail.defaultSender, dispatch: dispatch,
                           countryWarnings: { try env.countryWarnings($0) })
    }

    /// Closes the database cleanly (`serve` at its stop): SQLite writes what is in the WAL into
    /// the file; PostgreSQL's connections are closed.
    public func closeStore() throws {
        try (repositories as? SQLiteStore)?.close()
        (repositories as? PostgresStore)?.close()
    }

    /// The same environment with another clock (`--as-of`).
    public func with(time: any TimeSource) -> AppEnvironment {
        AppEnvironment(workspace: workspace, config: config, repositories: repositories, time: time, messages: messages, officer: officer)
    }

    /// The answer intake every channel shares.
    public var ingest: ResponseIngest {
        ResponseIngest(responses: repositories, surveys: repositories, quarantine: workspace.quarantineDirectory(config),
                       messages: messages, evidence: EvidenceIntake(vault: evidence, files: repositories), time: time)
    }

    /// Accepted responses → scores (the one submission path).
    public var submissions: SubmissionService {
        SubmissionService(repositories: repositories, scoring: scoring, time: time)
    }

    public func scoringService() throws -> ScoringService { try submissions.scoringService() }

    public var campaigns: CampaignService {
        var service = CampaignService(partners: repositories, surveys: repositories, campaigns: repositories, time: time)
        service.linkGraceDays = max(0, config.linkGraceDays ?? 30)
        return service
    }

    public var reviews: ReviewService { ReviewService(store: repositories, catalog: catalog, time: time) }

    public var mail: MailSetup { MailSetup(config: config, workspace: workspace) }

    public var evidence: EvidenceVault {
        let defaults = EvidenceVault.Quota()
        return EvidenceVault(directory: workspace.evidenceDirectory(config),
                             quota: EvidenceVault.Quota(files: config.evidence?.maxFilesPerInvitation ?? defaults.files,
                                                        bytes: (config.evidence?.maxMBPerInvitation).map { $0 * 1_048_576 } ?? defaults.bytes))
    }

    /// Who records a decision: `--officer`, else `officer.name` in the config, else the login name.
    public static func officerName(_ flag: String?, config: AppConfig) -> String {
        if let flag, !flag.trimmingCharacters(in: .whitespaces).isEmpty { return flag }
        if let name = config.officer?.name, !name.trimmingCharacters(in: .whitespaces).isEmpty { return name }
        return Actor.current
    }

    /// The language explanations are shown to the officer in (`officer.language`; English by default).
    public var officerLanguage: Language { config.officer?.language.flatMap { Language(name: $0) } ?? .en }

    /// The officer's decisions that scores rest on, recorded as `officer`.
    public var decisions: OfficerDecisionService {
        OfficerDecisionService(repositories: repositories, submissions: submissions, actor: officer, time: time)
    }

    /// Sign-offs and corrective actions, recorded as `officer`.
    public var signOffs: SignOffService {
        let submissions = self.submissions
        return SignOffService(repositories: repositories, actor: officer, time: time,
                              nonResponders: { try submissions.scoringService().nonResponders() })
    }

    /// The officer the reports name: the config's, with the acting officer's name when it gives none.
    var reportOfficer: AppConfig.Officer {
        var officer = config.officer ?? AppConfig.Officer()
        if officer.name?.trimmingCharacters(in: .whitespaces).isEmpty ?? true { officer.name = self.officer }
        return officer
    }

    /// Sanctions screening at the configured threshold, decisions recorded as `officer`.
    public var screening: ScreeningService {
        let catalog = self.catalog
        return ScreeningService(repositories: repositories, submissions: submissions, actor: officer, time: time,
                         threshold: config.screening?.threshold ?? ScreeningService.defaultThreshold,
                         nameQuestions: ScreeningService.nameQuestions(in: (try? catalog.surveys()) ?? []))
    }

    /// The partners among `partners` in countries the scoring config lists (knock-out or a tier floor).
    public func countryWarnings(_ partners: [Partner]) throws -> [CountryWatch.Warning] {
        guard !partners.isEmpty else { return [] }
        let (config, countries) = try scoring.scoring()
        return CountryWatch.warnings(partners, config: config, countries: countries)
    }

    /// Officer accounts of the workspace (bcrypt), changes recorded as `officer`.
    public var officerAccounts: OfficerAccounts {
        OfficerAccounts(repository: repositories, hasher: BcryptHasher(), time: time, actor: officer,
                        idleTimeout: TimeInterval((config.workspace?.idleMinutes ?? OfficerAccounts.defaultIdleMinutes) * 60))
    }

    /// The HTML evidence and program reports.
    public func reports() throws -> EvidenceReports {
        EvidenceReports(store: repositories, scoring: scoring, templates: try TemplateLibrary(directory: workspace.templatesDirectory),
                        officer: reportOfficer, time: time, clock: SystemTime(), language: officerLanguage)
    }
}

extension AppEnvironment {
    /// The risk ranking as of this environment's clock: the newest score of every active partner,
    /// non-responders as knock-outs, optionally only the partners of one campaign.
    public func ranking(campaign: Int64? = nil) throws -> Ranking {
        let service = try scoringService()
        var partners = try repositories.partners(matching: PartnerFilter())
        if let campaign {
            let invited = Set(try repositories.responses(campaignID: campaign, partnerID: nil).map(\.partnerID))
                .union(try repositories.invitedPartners(campaignID: campaign))
            partners = partners.filter { invited.contains($0.id) }
        }
        return Ranking.build(scores: try repositories.latestScores(), nonResponders: try service.nonResponders(), partners: partners,
                             config: service.config, asOf: time.now(), language: officerLanguage,
                             hits: try repositories.screeningHits(partnerID: nil, status: nil).filter { $0.status != .cleared })
            .counting(actions: try repositories.actions(partnerID: nil, openOnly: true), on: DayFormat.day(time.now()))
    }
}
