import Foundation
import Logging
import PartnerRiskCore
import PartnerRiskTemplates
import PartnerRiskWeb

/// `partner-risk serve`, wired: the partner site over this environment's store, each accepted
/// response taken through the submission path (scored, and the partner screened again: its answers
/// name its owners and banks), the thank-you mail sent in the background, and the background jobs
/// the config switches on.
public struct PartnerServer: Sendable {
    public let site: PartnerWebSite
    /// The officer workspace under `/officer/`.
    public let officer: OfficerWorkspace
    public let settings: WebServerSettings
    /// What start-up recovered from an earlier run that stopped abruptly, one line each.
    public let recovered: [String]
    /// The background jobs, in the order they start (they stop in reverse, before the HTTP server).
    public let jobs: [JobRunner]
    let stop: StopFlag
    let dispatcher: OutboxDispatcher
    let logger: Logger
    /// Closes the database once everything has stopped.
    let closeStore: @Sendable () throws -> Void

    /// Where the personal links in mail sent by the server point.
    public var publicURL: String { settings.publicURL }

    /// Serves until SIGINT or SIGTERM; then stops taking work, lets messages in flight finish,
    /// and returns (a second signal exits at once).
    public func run() async throws {
        let signals = ShutdownSignals(stop: stop, logger: logger)
        var web = logger
        web.logLevel = max(.notice, logger.logLevel)  // request paths hold tokens: never logged below notice
        try await PartnerWebApplication.run(site: site, officer: officer, settings: settings, logger: web,
                                            services: jobs.map { JobService(runner: $0, stop: stop) })
        stop.set()
        dispatcher.drain()
        withExtendedLifetime(signals) {}
        do {
            try closeStore()
            logger.notice("stopped cleanly")
        } catch {
            logger.warning("stopped; the database could not be closed (\(error)): its WAL is replayed at the next start, nothing is lost")
        }
    }
}

extension AppEnvironment {
    /// For `serve`: Swift's tasks run on the web server's event-loop threads (see
    /// `PartnerWebApplication.runTasksOnEventLoops`). Called by the executable before any task starts.
    public static func runTasksOnEventLoops() -> Bool { PartnerWebApplication.runTasksOnEventLoops() }

    /// The partner server on `host:port`, logging one line per event to `logger`.
    /// `allowLocalLinks` lets the outbox worker mail links to a local `publicURL` (`--allow-local-links`).
    public func partnerServer(host: String, port: Int, publicURL: String?, trustedProxies: [String] = [], overrides: MailSetup.Overrides,
                              allowLocalLinks: Bool = false, logger: Logger = Logger(label: "partner-risk")) throws -> PartnerServer {
        let settings = WebServerSettings(host: host, port: port, publicURL: publicURL ?? mail.configuredPublicURL)
        let proxies = try trustedProxies.map { text in
            guard let block = AddressBlock(text) else {
                throw PartnerRiskError.badInput("--trusted-proxy \(text) is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)")
            }
            return block
        }
        let recovered = try recoverAtStart()
        let stop = StopFlag()
        let transports = try mail.transportFactory(overrides)
        // One quota for the whole process: the outbox worker and the thank-you sender share it.
        let limiter = mail.rateLimiter(overrides)
        let dispatcher = try outboxDispatcher(overrides: overrides, publicURL: settings.publicURL, transports: transports, limiter: limiter,
                                              stop: stop, logger: logger)
        let jobs = try BackgroundJobs(environment: self, overrides: overrides, publicURL: settings.publicURL, transports: transports, limiter: limiter)
            .jobs(allowLocalLinks: allowLocalLinks, linkURL: publicURL ?? mail.configuredPublicURL)
        let board = JobBoard(jobs: jobs.map(\.name))
        let submissions = self.submissions, screening = self.screening
        var site = try PartnerWebSite(
            responses: repositories, webForms: repositories, campaigns: repositories, ingest: ingest, submissions: submissions, vault: evidence,
            templatesDirectory: workspace.templatesDirectory, time: time,
            // Guessed links counted in the database: every instance on it refuses the same address.
            throttle: BadTokenThrottle(ledger: repositories), secureCookies: settings.publicURL.hasPrefix("https://"),
            onAccepted: { accepted in
                let ids: Logger.Metadata = ["campaign": "\(accepted.campaignID)", "partner": "\(accepted.partnerID)", "response": "\(accepted.responseID)"]
                logger.info("answers accepted from the web form", metadata: ids)
                dispatcher.run {
                    do { try submissions.score([accepted.responseID]) } catch {
                        logger.error("scoring failed: \(error); it is scored at the next start", metadata: ids)
                    }
                    // The answers may name new owners or banks: screened at once, new hits reported.
                    do {
                        let outcome = try screening.run(partnerIDs: [accepted.partnerID])
                        for hit in outcome.new + outcome.reopened { logger.warning("\(ScreeningService.warning(hit))", metadata: ids) }
                    } catch { logger.error("screening failed: \(error)", metadata: ids) }
                }
                dispatcher.dispatch(campaignID: accepted.campaignID)
            })
        site.trustedProxies = proxies
        var workspace = try officerWorkspace(secureCookies: settings.publicURL.hasPrefix("https://"), dispatch: { dispatcher.dispatch(campaignID: $0) })
        workspace.jobs = board
        let runners = jobs.map { job in
            JobRunner(job: job, board: board, time: time) { name, line, failed in
                logger.log(level: failed ? .error : .info, "\(line)", metadata: ["job": "\(name)"])
            }
        }
        return PartnerServer(site: site, officer: workspace, settings: settings, recovered: recovered, jobs: runners, stop: stop,
                             dispatcher: dispatcher, logger: logger, closeStore: { [self] in try self.closeStore() })
    }

    /// Start-up recovery after a crash or a kill: answers accepted but not scored are scored, and
    /// messages a dead run had on the wire become `uncertain` (never sent twice on their own).
    /// One line per thing recovered.
    public func recoverAtStart() throws -> [String] {
        var lines: [String] = []
        let scored = try submissions.scoreUnscored()
        if scored > 0 { lines.append("scored \(scored) response(s) an earlier run accepted but did not score") }
        let run = SendRun()
        for campaignID in try repositories.campaignsWithClaims() {
            let uncertain = try repositories.markInterruptedSendsUncertain(campaignID: campaignID, run: run, at: time.now())
            if uncertain > 0 {
                lines.append("campaign \(campaignID): \(uncertain) message(s) were being sent when the last run stopped; now uncertain "
                             + "(see `partner-risk campaign status \(campaignID)`, resend with `campaign send \(campaignID) --resend-uncertain`)")
            }
        }
        return lines
    }

    /// The officer workspace: accounts and sessions in the store, each request on behalf of the
    /// officer signed in (the same services as the CLI), templates loaded once.
    public func officerWorkspace(secureCookies: Bool, dispatch: @escaping @Sendable (Int64) -> Void) throws -> OfficerWorkspace {
        // One library for the workspace's pages and the partner context its desks build.
        let templates = try TemplateLibrary(directory: workspace.templatesDirectory, required: OfficerWorkspace.requiredTemplates)
        let environment = self, cache = RankingCache()
        let desks = OfficerDesks { name in environment.desk(for: name, templates: templates, cache: cache, dispatch: dispatch) }
        // Failed sign-ins counted in the database, as the sessions are: any instance answers the same.
        return try OfficerWorkspace(accounts: officerAccounts, desk: { desks.desk(for: $0) },
                                    templates: templates, throttle: LoginThrottle(ledger: repositories), secureCookies: secureCookies)
    }

    /// Sends a campaign's due messages in the background (the thank-you mail after a submission).
    func outboxDispatcher(overrides: MailSetup.Overrides, publicURL: String, transports: any MailTransportFactory, limiter: RateLimiter?,
                          stop: StopFlag, logger: Logger) throws -> OutboxDispatcher {
        // The templates checked at start-up: a wrong setting fails now, not at the first submission.
        _ = try mail.composer(sender: mail.defaultSender, surveys: repositories, publicURL: publicURL)
        let environment = self
        return OutboxDispatcher(makeSender: { campaignID in
            try environment.campaignSender(campaignID: campaignID, overrides: overrides, publicURL: publicURL, transports: transports, limiter: limiter)
        }, stop: stop, report: { campaignID, line, failed in
            logger.log(level: failed ? .error : .info, "\(line)", metadata: ["campaign": "\(campaignID)"])
        })
    }
}
