import ArgumentParser
import Foundation
import Logging
import PartnerRisk

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the partner web form that the personal links in invitations point to.",
        discussion: """
            Partners open /s/<token> to answer in English or French, save a draft, attach evidence and submit. \
            Each submission is validated, stored as a new revision, scored, and answered with a thank-you email \
            (sent with the mail settings below; by default into the local mail drop). Listens on 127.0.0.1 \
            unless --host says otherwise; put a TLS proxy in front and pass its address as --public-url.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The address to listen on; 127.0.0.1 means this machine only.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on.", valueName: "port"))
    var port = 8080

    @Option(name: .customLong("public-url"), help: ArgumentHelp("The address partners reach the server at, used in links in mail sent by the server (default http://HOST:PORT).", valueName: "url"))
    var publicURL: String?

    @OptionGroup var mail: MailOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
    }

    func run() async throws {
        let workspace = global.workspace
        let store = try workspace.openStore()
        let config = try AppConfig.load(explicitPath: mail.config, databasePath: workspace.databasePath)
        let settings = WebServerSettings(host: host, port: port, publicURL: publicURL)
        let dispatcher = try makeDispatcher(store: store, workspace: workspace, config: config, publicURL: settings.publicURL)
        let site = try PartnerWebSite(
            responses: store, webForms: store, campaigns: store,
            ingest: ResponseIngest(responses: store, surveys: store, quarantine: workspace.quarantineDirectory(config)),
            vault: EvidenceVault(directory: workspace.evidenceDirectory(config)), templatesDirectory: workspace.templatesDirectory,
            secureCookies: settings.publicURL.hasPrefix("https://"),
            onAccepted: { accepted in
                dispatcher.run {
                    do { try ScoringHook.scoreAccepted([accepted.responseID], store: store, workspace: workspace) } catch {
                        FileHandle.standardError.write(Data("scoring response \(accepted.responseID) failed: \(error)\n".utf8))
                    }
                }
                dispatcher.dispatch(campaignID: accepted.campaignID)
            })
        var logger = Logger(label: "partner-risk.web")
        logger.logLevel = .notice
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            print("note: listening on \(host), reachable from other machines; use a TLS proxy in front")
        }
        print("partner form on http://\(host):\(port) (links use \(settings.publicURL)); Ctrl-C stops")
        fflush(stdout)
        try await PartnerWebApplication.application(site: site, settings: settings, logger: logger).runService()
    }

    func makeDispatcher(store: SQLiteStore, workspace: Workspace, config: AppConfig, publicURL: String) throws -> OutboxDispatcher {
        let setup = MailSetup(config: config, workspace: workspace)
        let transports = try setup.transportFactory(mail.overrides)
        let options = setup.senderOptions(mail.overrides, resendUncertain: false)
        _ = try setup.composer(sender: setup.defaultSender, surveys: store, publicURL: publicURL)
        return OutboxDispatcher(makeSender: { campaignID in
            let campaign = try CampaignService(partners: store, surveys: store, campaigns: store).campaign(campaignID)
            let sender = MailAddress(parsing: campaign.sender) ?? setup.defaultSender
            let composer = try setup.composer(sender: sender, surveys: store, publicURL: publicURL)
            return CampaignSender(repository: store, composer: composer, transports: transports, time: SystemTime(), options: options)
        }, report: { line in
            print(line)
            fflush(stdout)
        })
    }
}
