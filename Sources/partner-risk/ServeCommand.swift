import ArgumentParser
import Foundation
import PartnerRiskApp
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

    @Option(name: .customLong("public-url"), help: ArgumentHelp("The address partners reach the server at, used in links in mail sent by the server (default http://HOST:PORT).", valueName: "url"))
    var publicURL: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "A proxy (address or CIDR block, e.g. 10.0.0.0/8) whose X-Forwarded-For names the client; repeat for several. Without it those headers are ignored.",
        valueName: "cidr"))
    var trustedProxies: [String] = []

    @OptionGroup var mail: MailOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
    }

    func run() async throws {
        let app = try global.environment(config: mail.config)
        let server = try app.partnerServer(host: host, port: port, publicURL: publicURL, trustedProxies: trustedProxies,
                                           overrides: mail.overrides, report: Self.say)
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            Self.say("note: listening on \(host), reachable from other machines; use a TLS proxy in front")
        }
        Self.say("partner form on http://\(host):\(port) (links use \(server.publicURL)); Ctrl-C stops")
        try await server.run()
    }

    /// One line to standard output at once (unbuffered: scripts read it while the server runs).
    @Sendable static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
