import ArgumentParser
import Foundation
import PartnerRiskApp
import Logging
import PartnerRiskCore

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

    @Option(name: .customLong("public-url"), help: ArgumentHelp("The address partners reach the server at, used in links in mail sent by the server (default: PARTNER_RISK_PUBLIC_URL or public_url from the config, else http://HOST:PORT).", valueName: "url"))
    var publicURL: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "A proxy (address or CIDR block, e.g. 10.0.0.0/8) whose X-Forwarded-For names the client; repeat for several. Without it those headers are ignored.",
        valueName: "cidr"))
    var trustedProxies: [String] = []

    @OptionGroup var mail: MailOptions

    @Option(name: .customLong("log-format"), help: "Log lines as text (default) or json (one object per line, for log collectors).")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "The least important events logged: debug, info (default), notice, warning or error.")
    var logLevel: LogLevelName = .info

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
    }

    func run() async throws {
        let logger = Logger.server(format: logFormat, level: logLevel.level)
        // A service left running must not start on settings it would misread.
        let (_, problems) = try AppEnvironment.checkConfig(database: global.db, config: mail.config)
        guard problems.isEmpty else {
            throw PartnerRiskError.badInput("the settings are not valid; serve does not start:\n" + problems.joined(separator: "\n"))
        }
        let app = try global.environment(config: mail.config)
        let server = try app.partnerServer(host: host, port: port, publicURL: publicURL, trustedProxies: trustedProxies,
                                           overrides: mail.overrides, allowLocalLinks: mail.allowLocalLinks, logger: logger)
        for line in server.recovered { logger.notice("recovered: \(line)") }
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            logger.notice("listening on \(host), reachable from other machines; use a TLS proxy in front")
        }
        let jobs = server.jobs.map(\.job.name)
        logger.notice("partner form on http://\(host):\(port) (links use \(server.publicURL)); background jobs: \(jobs.isEmpty ? "none" : jobs.joined(separator: ", ")); Ctrl-C stops")
        try await server.run()
    }

}

extension LogFormat: ExpressibleByArgument {}

/// `--log-level`'s values.
enum LogLevelName: String, ExpressibleByArgument, CaseIterable {
    case debug, info, notice, warning, error

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}
