import Foundation
import PartnerRiskCore
import PartnerRiskTemplates

/// The officer workspace under `/officer/`: accounts and sessions, the desk each signed-in
/// officer works with (built per request by the composition root, so every action runs through
/// the same services as its CLI command), the templates, and the login throttle.
public struct OfficerWorkspace: Sendable {
    public var accounts: OfficerAccounts
    public var desk: @Sendable (String) -> OfficerDesk
    public var templates: TemplateLibrary
    public var throttle: LoginThrottle
    /// Mark the session cookie Secure (when the public URL is https).
    public var secureCookies: Bool
    /// The server's background jobs (`/officer/service`); empty outside `serve`.
    public var jobs = JobBoard()
    /// Ranking tables already made, by view (query string), kept while the ranking's stamp holds.
    /// The table is the same for every officer (their name and token are in the layout around it).
    let rankingTables = PageCache<String, String>(capacity: 64)

    public static let requiredTemplates = ["web/officer/layout.html", "web/officer/login.html", "web/officer/ranking.html", "web/officer/partner.html",
                                           "web/officer/review.html", "web/officer/campaigns.html", "web/officer/campaign.html", "web/officer/program.html",
                                           "web/officer/service.html"]

    /// `templates` must hold `requiredTemplates` (load them with `TemplateLibrary(directory:required:)`).
    public init(accounts: OfficerAccounts, desk: @escaping @Sendable (String) -> OfficerDesk, templates: TemplateLibrary,
                throttle: LoginThrottle = LoginThrottle(), secureCookies: Bool = false) throws {
        let missing = Self.requiredTemplates.filter { !templates.has($0) }
        guard missing.isEmpty else {
            throw PartnerRiskError.failed("missing template(s) in \(templates.directory.path): \(missing.map { $0 + ".mustache" }.joined(separator: ", "))")
        }
        self.accounts = accounts
        self.desk = desk
        self.templates = templates
        self.throttle = throttle
        self.secureCookies = secureCookies
    }
}

/// The officer a request is made for: their account, session and desk.
struct SignedIn {
    var account: OfficerAccount
    var session: OfficerSession
    var desk: OfficerDesk
}
