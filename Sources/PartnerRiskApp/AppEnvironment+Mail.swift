import Foundation
import PartnerRiskCore
import PartnerRiskMail

/// The TLS rule for `smtp://` and `imap://` URLs, as the command line spells it.
public typealias MailTLS = SMTPSettings.TLSMode

extension AppEnvironment {
    /// A sender for one campaign: its From address, the configured transport (or `overrides`;
    /// `transports` when the caller already built it), the templates, and the retry and rate rules.
    public func campaignSender(campaignID: Int64, overrides: MailSetup.Overrides = .init(), resendUncertain: Bool = false,
                               publicURL: String? = nil, transports: (any MailTransportFactory)? = nil, limiter: RateLimiter? = nil) throws -> CampaignSender {
        let campaign = try campaigns.campaign(campaignID)
        let sender = MailAddress(parsing: campaign.sender) ?? mail.defaultSender
        let composer = try mail.composer(sender: sender, surveys: repositories, publicURL: publicURL)
        return CampaignSender(repository: repositories, composer: composer, transports: try transports ?? mail.transportFactory(overrides), time: time,
                              options: mail.senderOptions(overrides, resendUncertain: resendUncertain, limiter: limiter), links: try TokenKey.load(workspace.linkKeyFile))
    }

    /// Reads the IMAP mailbox at `url` into the shared intake; user and password from the
    /// environment (`PARTNER_RISK_IMAP_USER`, `PARTNER_RISK_IMAP_PASSWORD[_FILE]`) or the config.
    public func mailboxFetcher(url: String, tls: MailTLS, moveTo: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailboxFetcher {
        let imap = config.imap
        try MailSetup.refuseCredentials(in: url, option: "--imap", variable: "PARTNER_RISK_IMAP")
        let client = try CurlIMAPClient(settings: IMAPSettings(
            url: url, tls: tls, username: environment["PARTNER_RISK_IMAP_USER"] ?? imap?.username,
            password: try Secret.read(environment: "PARTNER_RISK_IMAP_PASSWORD", file: imap?.passwordFile, env: environment),
            caFile: environment["PARTNER_RISK_IMAP_CA"] ?? imap?.caFile))
        return MailboxFetcher(reader: client, ledger: repositories, ingest: ingest, moveTo: moveTo ?? imap?.moveTo, time: time)
    }
}
