import Foundation
import PartnerRiskCore
import PartnerRiskMail
import PartnerRiskTemplates

/// Chooses the transport and composer from the config file and the command-line overrides.
public struct MailSetup {
    public struct Overrides: Sendable {
        public var smtp: String?
        public var tls: SMTPSettings.TLSMode?
        public var connections: Int?
        public var drop: String?
        public var maxPerMinute: Int?

        public init(smtp: String? = nil, tls: SMTPSettings.TLSMode? = nil, connections: Int? = nil, drop: String? = nil, maxPerMinute: Int? = nil) {
            self.smtp = smtp
            self.tls = tls
            self.connections = connections
            self.drop = drop
            self.maxPerMinute = maxPerMinute
        }
    }

    public let config: AppConfig
    public let workspace: Workspace

    public init(config: AppConfig, workspace: Workspace) {
        self.config = config
        self.workspace = workspace
    }

    /// The default sender when neither `--from` nor the config names one.
    public var defaultSender: MailAddress {
        let officer = config.officer
        return MailAddress(name: officer?.company ?? officer?.name ?? "Supply Chain Security", address: officer?.email ?? "security@partner-risk.example")
    }

    public var publicURL: String { configuredPublicURL ?? "http://127.0.0.1:8080" }

    /// `PARTNER_RISK_PUBLIC_URL`, else `public_url` in the config; nil when neither is set.
    public var configuredPublicURL: String? {
        ProcessInfo.processInfo.environment["PARTNER_RISK_PUBLIC_URL"] ?? config.publicURL
    }

    /// Refuses to mail partners links they cannot open: through an SMTP server (the local mail drop
    /// reaches no partner) with `public_url` unset or naming this machine or a private network,
    /// unless `allow` (`--allow-local-links`), `allow_local_links: true` or `PARTNER_RISK_ALLOW_LOCAL_LINKS=1`.
    public func checkLinks(publicURL: String?, transports: any MailTransportFactory, allow: Bool = false,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard !(transports is DropTransportFactory), !allow, config.allowLocalLinks != true,
              environment["PARTNER_RISK_ALLOW_LOCAL_LINKS"] != "1", let problem = PublicLinkCheck.problem(publicURL) else { return }
        throw PartnerRiskError.badInput(PublicLinkCheck.refusal(problem))
    }

    public var outboxDirectory: URL {
        URL(fileURLWithPath: config.mail?.dropDir ?? workspace.beside("outbox"))
    }

    /// `--drop` wins, then `--smtp`, then the config file; with nothing set, the local mail drop.
    public func transportFactory(_ overrides: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailTransportFactory {
        let mail = config.mail
        if let drop = overrides.drop { return DropTransportFactory(directory: URL(fileURLWithPath: drop)) }
        let url = overrides.smtp ?? (mail?.transport == "drop" ? nil : mail?.smtp)
        guard let url else { return DropTransportFactory(directory: outboxDirectory) }
        try Self.refuseCredentials(in: url, option: "--smtp", variable: "PARTNER_RISK_SMTP")
        let tls = try overrides.tls ?? mail?.tls.map { text in
            guard let mode = SMTPSettings.TLSMode(rawValue: text) else { throw PartnerRiskError.badInput("mail.tls \"\(text)\" must be required, optional or none") }
            return mode
        } ?? .required
        let user = environment["PARTNER_RISK_SMTP_USER"] ?? mail?.username
        let password = try Secret.read(environment: "PARTNER_RISK_SMTP_PASSWORD", file: mail?.passwordFile, env: environment) ?? mail?.password
        return CurlSMTPTransportFactory(settings: SMTPSettings(
            url: url, tls: tls, username: user, password: password, caFile: environment["PARTNER_RISK_SMTP_CA"] ?? mail?.caFile,
            connectTimeout: mail?.connectTimeout ?? 10, timeout: mail?.timeout ?? 60))
    }

    /// A mail server URL never carries a user or password (they would be in the shell history, the
    /// process list and the config): refused, without repeating the URL, with where they belong.
    public static func refuseCredentials(in url: String, option: String, variable: String) throws {
        guard let parts = URLComponents(string: url), parts.user != nil || parts.password != nil || parts.host == nil && url.contains("@") else { return }
        throw PartnerRiskError.badInput("\(option): the URL carries a user name or password; leave them out of it and set "
            + "\(variable)_USER and \(variable)_PASSWORD (or \(variable)_PASSWORD_FILE, a file readable by its owner only)")
    }

    /// The quota of `mail.max_per_minute` (or `--max-per-minute`) as one limiter, for every send run of a process to share.
    public func rateLimiter(_ overrides: Overrides) -> RateLimiter? {
        (overrides.maxPerMinute ?? config.mail?.maxPerMinute).map { RateLimiter(perMinute: $0) }
    }

    public func senderOptions(_ overrides: Overrides, resendUncertain: Bool, limiter: RateLimiter? = nil) -> CampaignSender.Options {
        var options = CampaignSender.Options(
            connections: overrides.connections ?? config.mail?.connections ?? 2,
            maxPerMinute: overrides.maxPerMinute ?? config.mail?.maxPerMinute,
            retryBase: TimeInterval(config.mail?.retryBase ?? 300), maxAttempts: config.mail?.maxAttempts ?? 8,
            resendUncertain: resendUncertain)
        options.limiter = limiter
        return options
    }

    public func composer(sender: MailAddress, surveys: SurveyRepository, publicURL override: String? = nil) throws -> MailComposer {
        let templates = try TemplateLibrary(directory: workspace.templatesDirectory, required: MailComposer.requiredTemplates)
        return MailComposer(templates: templates, officer: config.officer ?? AppConfig.Officer(), sender: sender,
                            publicURL: override ?? publicURL, surveys: surveys)
    }
}
