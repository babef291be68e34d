import Foundation
import PartnerRiskCore
import PartnerRiskTemplates

/// What the partner web pages need, injected so tests can drive them: the stores, the ingest
/// pipeline shared with file and IMAP answers, the evidence vault, templates and words, the
/// clock, and what to do once a response is accepted (score it, send the thank-you mail).
public struct PartnerWebSite: Sendable {
    public var responses: ResponseRepository
    public var webForms: WebFormRepository
    public var campaigns: CampaignRepository
    public var ingest: ResponseIngest
    /// The submission path shared with file and IMAP answers (thank-you, scoring).
    public var submissions: SubmissionService
    public var vault: EvidenceVault
    public var templates: TemplateLibrary
    public var strings: WebStrings
    public var assetsDirectory: URL
    public var time: TimeSource
    public var throttle: BadTokenThrottle
    /// Form pages already made, reused while what they show is unchanged (about 80 KB each).
    var formPages = PageCache<FormPageKey, FormPageInputs>(capacity: 128)
    /// Proxies whose `X-Forwarded-For` / `Forwarded` name the client (`serve --trusted-proxy`).
    public var trustedProxies: [AddressBlock] = []
    /// Mark cookies Secure (when the public URL is https).
    public var secureCookies: Bool
    /// Called after a response is stored and its thank-you mail queued (to score it and send the mail).
    public var onAccepted: @Sendable (AcceptedWebResponse) -> Void

    /// The templates the site cannot run without.
    public static let requiredTemplates = ["web/form.html", "web/notice.html", "web/thanks.html"]

    public init(responses: ResponseRepository, webForms: WebFormRepository, campaigns: CampaignRepository, ingest: ResponseIngest,
                submissions: SubmissionService, vault: EvidenceVault, templatesDirectory: URL, time: TimeSource = SystemTime(),
                throttle: BadTokenThrottle = BadTokenThrottle(), secureCookies: Bool = false,
                onAccepted: @escaping @Sendable (AcceptedWebResponse) -> Void = { _ in }) throws {
        self.responses = responses
        self.webForms = webForms
        self.campaigns = campaigns
        self.ingest = ingest
        self.submissions = submissions
        self.vault = vault
        self.templates = try TemplateLibrary(directory: templatesDirectory, required: Self.requiredTemplates)
        self.strings = try WebStrings(directory: templatesDirectory)
        self.assetsDirectory = templatesDirectory.appendingPathComponent("web/assets", isDirectory: true)
        self.time = time
        self.throttle = throttle
        self.secureCookies = secureCookies
        self.onAccepted = onAccepted
    }
}

/// A response just accepted through the web form.
public struct AcceptedWebResponse: Sendable, Equatable {
    public var responseID: Int64
    public var revision: Int
    public var campaignID: Int64
    public var partnerID: Int64
}
