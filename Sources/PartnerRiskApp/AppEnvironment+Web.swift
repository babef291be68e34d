import Foundation
import Logging
import PartnerRiskCore
import PartnerRiskTemplates
import PartnerRiskWeb

/// `partner-risk serve`, wired: the partner site over this environment's store, each accepted
/// response taken through the submission path (scored, and the partner screened again: its answers
/// name its owners and banks), and the thank-you mail sent in the background.
public struct PartnerServer: Sendable {
    public let site: PartnerWebSite
    /// The officer workspace under `/officer/`.
    public let officer: OfficerWorkspace
    public let settings: WebServerSettings

    /// Where the personal links in mail sent by the server point.
    public var publicURL: String { settings.publicURL }

    /// Serves until SIGINT or SIGTERM.
    public func run() async throws {
        var logger = Logger(label: "partner-risk.web")
        logger.logLevel = .notice
        try await PartnerWebApplication.run(site: site, officer: officer, settings: settings, logger: logger)
    }
}

extension AppEnvironment {
    /// For `serve`: Swift's tasks run on the web server's event-loop threads (see
    /// `PartnerWebApplication.runTasksOnEventLoops`). Called by the executable before any task starts.
    public static func runTasksOnEventLoops() -> Bool { PartnerWebApplication.runTasksOnEventLoops() }

    /// The partner server on `host:port`; `report` receives one line per background send or failure.
    public func partnerServer(host: String, port: Int, publicURL: String?, trustedProxies: [String] = [], overrides: MailSetup.Overrides,
                              report: @escaping @Sendable (String) -> Void) throws -> PartnerServer {
        let settings = WebServerSettings(host: host, port: port, publicURL: publicURL)
        let proxies = try trustedProxies.map { text in
            guard let block = AddressBlock(text) else {
                throw PartnerRiskError.badInput("--trusted-proxy \(text) is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)")
            }
            return block
        }
        let leftOver = try submissions.scoreUnscored()
        if leftOver > 0 { report("scored \(leftOver) response(s) an earlier run accepted but did not score") }
        let dispatcher = try outboxDispatcher(overrides: overrides, publicURL: settings.publicURL, report: report)
        let submissions = self.submissions, screening = self.screening
        var site = try PartnerWebSite(
            responses: repositories, webForms: repositories, campaigns: repositories, ingest: ingest, submissions: submissions, vault: evidence,
            templatesDirectory: workspace.templatesDirectory, time: time, secureCookies: settings.publicURL.hasPrefix("https://"),
            onAccepted: { accepted in
                dispatcher.run {
                    do { try submissions.score([accepted.responseID]) } catch {
                        report("scoring response \(accepted.responseID) failed: \(error)")
                    }
                    // The answers may name new owners or banks: screened at once, new hits reported.
                    do {
                        let outcome = try screening.run(partnerIDs: [accepted.partnerID])
                        for hit in outcome.new + outcome.reopened { report(ScreeningService.warning(hit)) }
                    } catch { report("screening partner \(accepted.partnerID) failed: \(error)") }
                }
                dispatcher.dispatch(campaignID: accepted.campaignID)
            })
        site.trustedProxies = proxies
        let workspace = try officerWorkspace(secureCookies: settings.publicURL.hasPrefix("https://"), dispatch: { dispatcher.dispatch(campaignID: $0) })
        return PartnerServer(site: site, officer: workspace, settings: settings)
    }

    /// The officer workspace: accounts and sessions in the store, each request on behalf of the
    /// officer signed in (the same services as the CLI), templates loaded once.
    public func officerWorkspace(secureCookies: Bool, dispatch: @escaping @Sendable (Int64) -> Void) throws -> OfficerWorkspace {
        // One library for the workspace's pages and the partner context its desks build.
        let templates = try TemplateLibrary(directory: workspace.templatesDirectory, required: OfficerWorkspace.requiredTemplates)
        let environment = self, cache = RankingCache()
        let desks = OfficerDesks { name in environment.desk(for: name, templates: templates, cache: cache, dispatch: dispatch) }
        return try OfficerWorkspace(accounts: officerAccounts, desk: { desks.desk(for: $0) },
                                    templates: templates, secureCookies: secureCookies)
    }

    /// Sends a campaign's due messages in the background (the thank-you mail after a submission).
    func outboxDispatcher(overrides: MailSetup.Overrides, publicURL: String, report: @escaping @Sendable (String) -> Void) throws -> OutboxDispatcher {
        // Built once, and the templates checked, at start-up: a wrong setting fails now, not at the first submission.
        let transports = try mail.transportFactory(overrides)
        _ = try mail.composer(sender: mail.defaultSender, surveys: repositories, publicURL: publicURL)
        let environment = self
        return OutboxDispatcher(makeSender: { campaignID in
            try environment.campaignSender(campaignID: campaignID, overrides: overrides, publicURL: publicURL, transports: transports)
        }, report: report)
    }
}
