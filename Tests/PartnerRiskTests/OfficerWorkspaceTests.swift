import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskTemplates
@testable import PartnerRiskWeb

/// The officer workspace through its real router (HummingbirdTesting) on a real SQLite file with
/// scored partners: sign-in, sessions, CSRF, viewer against officer, pages, escaping, actions.
@Suite struct OfficerWorkspaceTests {
    static let xssName = "Acme <script>alert(1)</script> \"Freight\""
    static let password = "correct horse battery staple"

    /// Three scored partners (one named with markup), an evidence file whose name is markup too,
    /// an officer and a viewer account (bcrypt at a low cost: the rounds are not under test).
    final class Setup: @unchecked Sendable {
        let ingest: ResponseIngestTests.Setup
        let app: AppEnvironment
        let workspace: OfficerWorkspace
        /// Campaigns the workspace asked to send (the server's background sender in `serve`).
        let dispatched = DispatchLog()
        var store: SQLiteStore { ingest.fixture.store }

        init(time: any TimeSource = FixedTime(fixedNow), throttle: LoginThrottle = LoginThrottle()) throws {
            ingest = try ResponseIngestTests().setup(partners: "\(OfficerWorkspaceTests.xssName.replacingOccurrences(of: "\"", with: "\"\"").wrappedInQuotes),a@x.example.com,CA,highway-carrier,,en\nB,b@x.example.com,VN,customs-broker,,fr\nC,c@x.example.com,US,warehouse,,en\n")
            let store = ingest.fixture.store
            let summary = try ingest.ingest.importPaths(ingest.files.map(\.path))
            let paths = Workspace(databasePath: store.path, surveysDirectory: ProjectRoot.url.appendingPathComponent("Surveys"),
                                  templatesDirectory: ProjectRoot.url.appendingPathComponent("Templates"))
            app = AppEnvironment(workspace: paths, config: AppConfig(), repositories: store, time: time, officer: "admin")
            try app.submissions.accepted(summary.acceptedResponseIDs)
            let partner = try store.partner(identifiedBy: "a@x.example.com")!
            let invitation = try store.responses(campaignID: nil, partnerID: partner.id).first!.invitationID
            let data = Data("%PDF-1.4 test".utf8)
            let sha = try app.evidence.store(data, originalName: "x.pdf")
            _ = try store.addEvidence(EvidenceFile(invitationID: invitation, questionID: "B1_risk_assessment", sha256: sha, originalName: "<img src=x onerror=alert(1)>.pdf",
                                                   contentType: "application/pdf", size: data.count, uploadedAt: "", channel: "imap", source: "reply.eml"), at: fixedNow)
            let accounts = OfficerAccounts(repository: store, hasher: BcryptHasher(cost: 4), time: time, actor: "admin")
            _ = try accounts.add(name: "Dana Roy", role: .officer, password: OfficerWorkspaceTests.password)
            _ = try accounts.add(name: "Val Viewer", role: .viewer, password: OfficerWorkspaceTests.password)
            let templates = try TemplateLibrary(directory: paths.templatesDirectory, required: OfficerWorkspace.requiredTemplates)
            let environment = app
            let dispatched = self.dispatched, cache = RankingCache()
            workspace = try OfficerWorkspace(accounts: accounts, desk: {
                environment.desk(for: $0, templates: templates, cache: cache, dispatch: { id in dispatched.ids.withLock { $0.append(id) } })
            },
                                             templates: templates, throttle: throttle)
        }

        func application() throws -> some ApplicationProtocol {
            let site = try PartnerWebSite(responses: store, webForms: store, campaigns: store, ingest: app.ingest, submissions: app.submissions, vault: app.evidence,
                                          templatesDirectory: ProjectRoot.url.appendingPathComponent("Templates"), time: app.time)
            return Application(router: PartnerWebApplication.router(site: site, officer: workspace))
        }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in through the login page as a browser would; returns the session cookie and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol, name: String = "Dana Roy", password: String = password) async throws -> (cookie: String, csrf: String)? {
        let page = try await client.execute(uri: "/officer/login", method: .get)
        let loginCookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("pr_officer_login=") }).split(separator: ";")[0]
        let csrf = try #require(String(buffer: page.body).firstMatch(of: /name="csrf" value="([^"]+)"/)).1
        var headers = formType
        headers[.cookie] = String(loginCookie)
        let response = try await client.execute(uri: "/officer/login", method: .post, headers: headers,
                                                body: form([("csrf", String(csrf)), ("name", name), ("password", password), ("next", "/officer/")]))
        guard response.status == .seeOther, let session = response.headers[values: .setCookie].first(where: { $0.hasPrefix("pr_officer=") }) else { return nil }
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict"))
        let cookie = String(session.split(separator: ";")[0])
        let ranking = try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: cookie])
        let token = try #require(String(buffer: ranking.body).firstMatch(of: /name="csrf" value="([^"]+)"/)).1
        return (cookie, String(token))
    }

    @Test func everyPageRedirectsToTheLoginPageWithoutASession() async throws {
        let setup = try Setup()
        try await setup.application().test(.router) { client in
            for path in ["/officer/", "/officer/partners/1", "/officer/ranking.csv", "/officer/evidence/1"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther && response.headers[.location]?.hasPrefix("/officer/login?next=") == true, "\(path)")
            }
            let forged = try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: "pr_officer=\(String(repeating: "a", count: 43))"])
            #expect(forged.status == .seeOther)
            let post = try await client.execute(uri: "/officer/partners/1/actions", method: .post, headers: Self.formType, body: Self.form([("finding", "x")]))
            #expect(post.status == .forbidden)
            #expect(OfficerController.next("//evil.example/officer") == "/officer/" && OfficerController.next("https://evil.example") == "/officer/")
        }
    }

    @Test func aWrongPasswordIsRefusedAndRepeatedFailuresLockTheAccountForAWhile() async throws {
        let setup = try Setup(throttle: LoginThrottle(limit: 3))
        try await setup.application().test(.router) { client in
            #expect(try await Self.signIn(client, password: "wrong password here") == nil)
            #expect(try await Self.signIn(client, name: "Nobody", password: "wrong password here") == nil)
            for _ in 0..<2 { _ = try await Self.signIn(client, password: "wrong password here") }
            // Locked: even the right password is refused now, with 429.
            #expect(try await Self.signIn(client) == nil)
            try setup.workspace.accounts.disable(name: "Val Viewer")
            #expect(try await Self.signIn(client, name: "Val Viewer") == nil)
        }
    }

    @Test func theRankingAndThePartnerPageShowTheUntrustedTextsEscaped() async throws {
        let setup = try Setup()
        try await setup.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client))
            let ranking = try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: session.cookie])
            let page = String(buffer: ranking.body)
            #expect(ranking.status == .ok && ranking.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt; &quot;Freight&quot;") && !page.contains("<script>alert(1)"))
            #expect(page.contains("class=\"tier tier-") && page.contains("<span id=\"count\">3</span>"))
            let partner = try #require(try setup.store.partner(identifiedBy: "a@x.example.com"))
            let sheet = try await client.execute(uri: "/officer/partners/\(partner.id)", method: .get, headers: [.cookie: session.cookie])
            let body = String(buffer: sheet.body)
            #expect(sheet.status == .ok && body.contains("&lt;img src=x onerror=alert(1)&gt;.pdf") && !body.contains("<img src=x"), "\(body.components(separatedBy: "<h2>Evidence</h2>").last!.prefix(800))")
            #expect(body.contains("<h2>Answers</h2>") && body.contains("Add corrective action"))
            let filtered = try await client.execute(uri: "/officer/?country=VN", method: .get, headers: [.cookie: session.cookie])
            #expect(String(buffer: filtered.body).contains("<span id=\"count\">1</span>"))
            let csv = try await client.execute(uri: "/officer/ranking.csv?country=US", method: .get, headers: [.cookie: session.cookie])
            let lines = String(buffer: csv.body).split(separator: "\n")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment") == true && lines.count == 2 && lines[1].contains(",C,"))
        }
    }

    @Test func anOfficerActsThroughTheSameServicesAndEveryActionIsAudited() async throws {
        let setup = try Setup()
        let partner = try #require(try setup.store.partner(identifiedBy: "a@x.example.com"))
        let evidence = try #require(try setup.store.evidenceItems(partnerID: partner.id, status: nil).first)
        try await setup.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client))
            var headers = Self.formType
            headers[.cookie] = session.cookie
            // Without the session's CSRF token: refused, nothing recorded.
            let forged = try await client.execute(uri: "/officer/evidence/\(evidence.id)/review", method: .post, headers: headers,
                                                  body: Self.form([("csrf", String(repeating: "b", count: 43)), ("decision", "accept")]))
            let untouched = try setup.store.evidenceItem(id: evidence.id)?.status
            #expect(forged.status == .forbidden && untouched == .pending)
            let accepted = try await client.execute(uri: "/officer/evidence/\(evidence.id)/review", method: .post, headers: headers,
                                                    body: Self.form([("csrf", session.csrf), ("decision", "accept")]))
            #expect(accepted.status == .seeOther && accepted.headers[.location]?.hasPrefix("/officer/partners/\(partner.id)?notice=") == true)
            let item = try #require(try setup.store.evidenceItem(id: evidence.id))
            #expect(item.status == .accepted && item.reviewedBy == "Dana Roy")
            let added = try await client.execute(uri: "/officer/partners/\(partner.id)/actions", method: .post, headers: headers,
                                                 body: Self.form([("csrf", session.csrf), ("finding", "F5_broken_seal_procedure"), ("due", "2027-01-31"), ("owner", "Yard manager")]))
            #expect(added.status == .seeOther)
            #expect(try setup.store.actions(partnerID: partner.id, openOnly: true).map(\.owner) == ["Yard manager"])
            // A refusal of the service comes back as the page's error, not a crash.
            let bad = try await client.execute(uri: "/officer/partners/\(partner.id)/actions", method: .post, headers: headers,
                                               body: Self.form([("csrf", session.csrf), ("finding", "x"), ("due", "someday"), ("owner", "y")]))
            #expect(bad.headers[.location]?.contains("error=") == true)
            let verified = try await client.execute(uri: "/officer/partners/\(partner.id)/memberships", method: .post, headers: headers,
                                                    body: Self.form([("csrf", session.csrf), ("program", "ctpat"), ("number", "12345678"), ("expires", "2027-05-31"), ("note", "checked on the CBP portal")]))
            let verifiers = try setup.store.verifiedMemberships(partnerID: partner.id).map(\.verifiedBy)
            #expect(verified.status == .seeOther && verifiers == ["Dana Roy"])
            // Rescored after the evidence decision: the page draws the history chart (server-made SVG).
            let page = String(buffer: try await client.execute(uri: "/officer/partners/\(partner.id)", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(page.contains("<svg class=\"chart\"") && page.contains("Customs-Trade Partnership Against Terrorism"))
            let audit = try setup.store.auditEntries(subject: "partner:\(partner.id)")
            #expect(audit.contains { $0.actor == "Dana Roy" && $0.action == "evidence.accepted" } && audit.contains { $0.actor == "Dana Roy" && $0.action == "action.add" })
            let download = try await client.execute(uri: "/officer/evidence/\(evidence.id)", method: .get, headers: [.cookie: session.cookie])
            #expect(download.status == .ok && download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(download.headers[.xContentTypeOptions] == "nosniff" && download.headers[.contentType] == "application/octet-stream")
            // Sign out: the cookie no longer opens anything.
            _ = try await client.execute(uri: "/officer/logout", method: .post, headers: headers, body: Self.form([("csrf", session.csrf)]))
            let after = try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: session.cookie])
            #expect(after.status == .seeOther)
        }
    }

    @Test func campaignsAreCreatedSentAndClosedFromTheBrowserAndTheReviewQueueShowsWhatWaits() async throws {
        let setup = try Setup()
        try await setup.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client))
            var headers = Self.formType
            headers[.cookie] = session.cookie
            let queue = String(buffer: try await client.execute(uri: "/officer/review", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(queue.contains("<h2>Evidence awaiting review</h2>") && queue.contains("&lt;img src=x onerror=alert(1)&gt;.pdf"))
            let created = try await client.execute(uri: "/officer/campaigns", method: .post, headers: headers,
                                                   body: Self.form([("csrf", session.csrf), ("survey", "pip-partner-security"), ("sector", "customs-broker"), ("deadline", "2027-02-28")]))
            let location = try #require(created.headers[.location])
            #expect(created.status == .seeOther && location.contains("notice=Campaign"), "\(location)")
            let id = try #require(location.firstMatch(of: /\/officer\/campaigns\/(\d+)\?/).flatMap { Int64($0.1) })
            // As `campaign create` does, the notice names invited partners in listed countries (B is in Vietnam).
            let (config, countries) = try setup.app.scoring.scoring()
            let broker = try #require(try setup.store.partner(identifiedBy: "b@x.example.com"))
            let listed = !CountryWatch.warnings([broker], config: config, countries: countries).isEmpty
            #expect(listed == (location.removingPercentEncoding ?? "").contains("Warning: 1 invited partner(s) in listed countries: B (VN"), "\(location)")
            _ = try setup.store.upsertPartners([PartnerDraft(line: 2, name: "Severny Haulage", email: "ru@x.example.com", country: "RU", sector: .highwayCarrier)], at: fixedNow)
            let russian = try await client.execute(uri: "/officer/campaigns", method: .post, headers: headers,
                                                   body: Self.form([("csrf", session.csrf), ("survey", "pip-partner-security"), ("country", "RU"), ("deadline", "2027-02-28")]))
            let notice = russian.headers[.location]?.removingPercentEncoding ?? ""
            #expect(notice.contains("Warning: 1 invited partner(s) in listed countries: Severny Haulage (RU, a knock-out)."), "\(notice)")
            #expect(try setup.store.invitationCounts(campaignID: id).invited == 1)   // B, the only customs broker
            let page = String(buffer: try await client.execute(uri: "/officer/campaigns/\(id)", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(page.contains("0 complete of 1 invited") && page.contains("Remind non-responders"))
            _ = try await client.execute(uri: "/officer/campaigns/\(id)/send", method: .post, headers: headers, body: Self.form([("csrf", session.csrf)]))
            #expect(setup.dispatched.ids.withLock { $0 } == [id])
            // Nothing was mailed yet (the send is the server's, in the background): no reminder is due.
            let remind = try await client.execute(uri: "/officer/campaigns/\(id)/remind", method: .post, headers: headers, body: Self.form([("csrf", session.csrf)]))
            #expect(remind.headers[.location]?.removingPercentEncoding?.contains("notice=0 reminder(s) queued") == true, "\(remind.headers[.location] ?? "")")
            _ = try await client.execute(uri: "/officer/campaigns/\(id)/close", method: .post, headers: headers, body: Self.form([("csrf", session.csrf)]))
            #expect(try setup.store.campaigns().first { $0.id == id }?.closedAt != nil)
            let list = String(buffer: try await client.execute(uri: "/officer/campaigns", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(list.contains("/officer/campaigns/\(id)") && list.contains("/officer/campaigns/\(setup.ingest.fixture.campaign.id)"))
            let audit = try setup.store.auditEntries(subject: "campaign:\(id)")
            #expect(audit.contains { $0.action == "campaign.create" && $0.actor == "Dana Roy" } && audit.contains { $0.action == "campaign.close" && $0.actor == "Dana Roy" })
        }
    }

    @Test func theProgramOverviewGivesTheNumbersAsChartsAndAsATable() async throws {
        let setup = try Setup()
        let months = try setup.store.monthlyRisk()
        #expect(months.map(\.month) == ["2026-11"] && months[0].partners == 3)   // three partners scored on the fixed day
        try await setup.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client, name: "Val Viewer"))
            let page = String(buffer: try await client.execute(uri: "/officer/program", method: .get, headers: [.cookie: session.cookie]).body)
            #expect(page.contains("aria-label=\"Partners by tier\"") && page.contains("<td class=\"num\" id=\"partners\">3</td>"))
            #expect(page.contains("<td class=\"num\" id=\"response-rate\">100 % (3 of 3)</td>") && page.contains("<td>2026-11</td>"))
        }
    }

    @Test func theRankingShowsFiftyAPageAndTheLoginLockIsFiveFailuresInFifteenMinutes() {
        let positions = Array(0..<120)
        let third = RankingView(query: ["page": "3"]).page(of: positions)
        #expect(third.page == 3 && third.pages == 3 && Array(third.shown) == Array(100..<120))
        let first = RankingView(query: [:]).page(of: positions)
        #expect(first.shown.count == 50 && first.shown.first == 0)
        #expect(RankingView(query: ["page": "9"]).page(of: positions).page == 3)   // past the end: the last page
        #expect(RankingView(query: [:]).page(of: []).pages == 1)
        let throttle = LoginThrottle()
        #expect(throttle.limit == 5 && throttle.window == 900)
    }

    @Test func aCampaignCountsAsOverdueOnlyItsOwnNonResponders() throws {
        let setup = try Setup()
        let partners = try setup.store.partners(matching: PartnerFilter())
        let (config, _) = try setup.app.scoring.scoring()
        let ranking = Ranking.build(scores: [], nonResponders: [
            NonResponder(partnerID: partners[0].id, invitationID: 1, campaignID: 1, deadline: "2026-10-01", knockout: false),
            NonResponder(partnerID: partners[1].id, invitationID: 2, campaignID: 12, deadline: "2026-10-01", knockout: true),
        ], partners: partners, config: config, asOf: fixedNow)
        // Campaign 1 is not campaign 12, whatever the overdue text says.
        #expect(ranking.rows.filter { $0.awaitedBy == 1 }.map(\.partner.id) == [partners[0].id] && ranking.rows.contains { $0.overdue?.contains("campaign 1)") == true })
        #expect(ranking.rows.filter { $0.awaitedBy == 12 }.map(\.partner.id) == [partners[1].id])
    }

    @Test func theCachedRankingIsBuiltAgainOnlyWhenWhatItRestsOnChanges() throws {
        let setup = try Setup()
        let cache = RankingCache()
        let builds = Mutex(0)
        func ranking() throws -> Ranking {
            try cache.ranking(stamp: try setup.store.rankingInputsStamp()) { builds.withLock { $0 += 1 }; return try setup.app.ranking() }
        }
        let first = try ranking()
        _ = try ranking()
        #expect(builds.withLock { $0 } == 1)
        let partner = try #require(try setup.store.partner(identifiedBy: "a@x.example.com"))
        _ = try setup.app.signOffs.addAction(partner, finding: "F5_broken_seal_procedure", due: "2027-01-31", owner: "Yard", note: "")
        let second = try ranking()
        #expect(builds.withLock { $0 } == 2)
        #expect(first.rows.first { $0.partner.id == partner.id }?.openActions == 0 && second.rows.first { $0.partner.id == partner.id }?.openActions == 1)
    }

    @Test func theRankingTableIsMadeOnceAViewForEveryOfficerAndAgainWhenItsDataChanges() async throws {
        let setup = try Setup()
        let partner = try #require(try setup.store.partner(identifiedBy: "a@x.example.com"))
        try await setup.application().test(.router) { client in
            let dana = try #require(try await Self.signIn(client))
            let val = try #require(try await Self.signIn(client, name: "Val Viewer"))
            let first = String(buffer: try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: dana.cookie]).body)
            let viewer = String(buffer: try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: val.cookie]).body)
            _ = try await client.execute(uri: "/officer/?sort=risk", method: .get, headers: [.cookie: dana.cookie])
            #expect(setup.workspace.rankingTables.count == 2)  // two views, whoever asked
            #expect(first.contains("Dana Roy (officer)") && viewer.contains("Val Viewer (viewer)"))
            #expect(first.contains("value=\"\(dana.csrf)\"") && !first.contains(val.csrf) && viewer.contains("value=\"\(val.csrf)\""))
            _ = try setup.app.signOffs.addAction(partner, finding: "F5_broken_seal_procedure", due: "2027-01-31", owner: "Yard", note: "")
            let after = String(buffer: try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: dana.cookie]).body)
            #expect(Self.openActions(first, partnerID: partner.id) == "0" && Self.openActions(after, partnerID: partner.id) == "1")
        }
    }

    @Test func eachRankingRowShowsABarForEveryCategoryOfItsCurrentScore() async throws {
        let setup = try Setup()
        let partner = try #require(try setup.store.partner(identifiedBy: "b@x.example.com"))
        let categories = try #require(try setup.store.currentCategories(partnerIDs: [partner.id])[partner.id])
        #expect(categories.count > 2)
        try await setup.application().test(.router) { client in
            let dana = try #require(try await Self.signIn(client))
            let page = String(buffer: try await client.execute(uri: "/officer/", method: .get, headers: [.cookie: dana.cookie]).body)
            let start = try #require(page.range(of: "href=\"/officer/partners/\(partner.id)\""))
            let row = String(page[start.upperBound...].split(separator: "</tr>", maxSplits: 1)[0])
            #expect(row.components(separatedBy: "class=\"risk-bar\"").count - 1 == categories.count)
            for category in categories {
                let risk = Int(category.risk.rounded())
                #expect(row.contains("\(category.category.rawValue) \(risk)</span><meter min=\"0\" max=\"100\" value=\"\(max(0, min(100, risk)))\">"))
            }
        }
    }

    /// The open-actions cell of a partner's row in the ranking page.
    static func openActions(_ page: String, partnerID: Int64) -> String? {
        guard let start = page.range(of: "href=\"/officer/partners/\(partnerID)\"") else { return nil }
        let cells = page[start.upperBound...].components(separatedBy: "<td class=\"num\">")
        return cells.count > 3 ? String(cells[3].prefix { $0.isNumber }) : nil  // risk, flags, then open actions
    }

    @Test func aViewerReadsButCannotAct() async throws {
        let setup = try Setup()
        let partner = try #require(try setup.store.partner(identifiedBy: "a@x.example.com"))
        try await setup.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client, name: "Val Viewer"))
            let page = try await client.execute(uri: "/officer/partners/\(partner.id)", method: .get, headers: [.cookie: session.cookie])
            #expect(page.status == .ok && !String(buffer: page.body).contains("Add corrective action"))
            var headers = Self.formType
            headers[.cookie] = session.cookie
            let refused = try await client.execute(uri: "/officer/partners/\(partner.id)/actions", method: .post, headers: headers,
                                                   body: Self.form([("csrf", session.csrf), ("finding", "F5"), ("due", "2027-01-31"), ("owner", "x")]))
            let actions = try setup.store.actions(partnerID: partner.id, openOnly: false)
            #expect(refused.status == .forbidden && actions.isEmpty)
        }
    }

    @Test func aSessionEndsAfterTheIdleTimeout() throws {
        let setup = try Setup()
        let clock = SteppingClock(fixedNow)
        let accounts = OfficerAccounts(repository: setup.store, hasher: BcryptHasher(cost: 4), time: clock, actor: "admin", idleTimeout: 600)
        let (secret, _, _) = try #require(try accounts.signIn(name: "dana roy", password: Self.password))
        #expect(try setup.store.session(tokenSHA256: OfficerAccounts.digest(secret))?.officer == "Dana Roy")   // only the hash is stored
        clock.advance(seconds: 300)
        #expect(try accounts.resume(secret: secret) != nil)
        clock.advance(seconds: 601)
        #expect(try accounts.resume(secret: secret) == nil)
        #expect(throws: PartnerRiskError.self) { try accounts.add(name: "Short", role: .officer, password: "short") }
        // A new password, or disabling the account, ends the sessions already open.
        let (second, _, _) = try #require(try accounts.signIn(name: "Dana Roy", password: Self.password))
        try accounts.setPassword(name: "Dana Roy", password: "another long passphrase")
        #expect(try accounts.resume(secret: second) == nil && (try accounts.signIn(name: "Dana Roy", password: Self.password)) == nil)
        let (third, _, _) = try #require(try accounts.signIn(name: "Dana Roy", password: "another long passphrase"))
        try accounts.disable(name: "Dana Roy")
        #expect(try accounts.resume(secret: third) == nil)
    }

    @Test func failuresFromOneAddressLockItWhateverTheNameAndTheIdleTimeoutComesFromTheConfig() async throws {
        let throttle = LoginThrottle(limit: 3)
        for name in ["a", "b", "c"] { await throttle.recordFailure(name: name, address: "203.0.113.9", at: fixedNow) }
        #expect(await !throttle.allows(name: "d", address: "203.0.113.9", at: fixedNow))
        #expect(await throttle.allows(name: "d", address: "198.51.100.1", at: fixedNow))
        #expect(await throttle.allows(name: "d", address: "203.0.113.9", at: fixedNow.addingTimeInterval(901)))
        let setup = try Setup()
        let config = try AppConfig.load(explicitPath: setup.ingest.fixture.directory.write("partner-risk.yaml", "workspace: {idle_minutes: 10}\n"), databasePath: setup.store.path)
        let app = AppEnvironment(workspace: setup.app.workspace, config: config, repositories: setup.store, time: FixedTime(fixedNow))
        #expect(app.officerAccounts.idleTimeout == 600 && setup.app.officerAccounts.idleTimeout == 1_800)
    }

    @Test func theSessionCookieIsSecureUnderAnHTTPSPublicURLAndTheRankingSortsByAnyColumn() async throws {
        let setup = try Setup()
        var workspace = setup.workspace
        workspace.secureCookies = true
        let site = try PartnerWebSite(responses: setup.store, webForms: setup.store, campaigns: setup.store, ingest: setup.app.ingest, submissions: setup.app.submissions,
                                      vault: setup.app.evidence, templatesDirectory: ProjectRoot.url.appendingPathComponent("Templates"), time: setup.app.time)
        try await Application(router: PartnerWebApplication.router(site: site, officer: workspace)).test(.router) { client in
            let page = try await client.execute(uri: "/officer/login", method: .get)
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("; Secure") })
            let loginCookie = String(page.headers[values: .setCookie][0].split(separator: ";")[0])
            let csrf = try #require(String(buffer: page.body).firstMatch(of: /name="csrf" value="([^"]+)"/)).1
            var headers = Self.formType
            headers[.cookie] = loginCookie
            let signIn = try await client.execute(uri: "/officer/login", method: .post, headers: headers,
                                                  body: Self.form([("csrf", String(csrf)), ("name", "Dana Roy"), ("password", Self.password)]))
            let session = try #require(signIn.headers[values: .setCookie].first { $0.hasPrefix("pr_officer=") })
            #expect(session.contains("; Secure") && session.contains("HttpOnly"))
            let cookie = String(session.split(separator: ";")[0])
            func names(_ query: String) async throws -> [String] {
                let body = String(buffer: try await client.execute(uri: "/officer/?\(query)", method: .get, headers: [.cookie: cookie]).body)
                return body.matches(of: /<a href="\/officer\/partners\/\d+">([^<]+)<\/a>/).map { String($0.1) }
            }
            let ascending = try await names("sort=partner"), descending = try await names("sort=partner&dir=desc")
            #expect(ascending.count == 3 && ascending == ascending.sorted { $0.lowercased() < $1.lowercased() } && descending == ascending.reversed())
        }
    }
}

/// The campaigns a test's workspace asked to send.
final class DispatchLog: Sendable {
    let ids = Mutex<[Int64]>([])
}

private extension String {
    var wrappedInQuotes: String { "\"" + self + "\"" }
}

/// `partner-risk check` on a real database file and evidence vault.
@Suite struct StoreCheckTests {
    @Test func aBackupTakenWhileAnotherConnectionWritesRestoresToADatabaseThatPassesTheCheck() async throws {
        let setup = try OfficerWorkspaceTests.Setup()
        let invitation = try #require(try setup.store.responses(campaignID: nil, partnerID: nil).first).invitationID
        let writer = try SQLiteStore(path: setup.store.path, actor: "serve")  // another connection, as `serve` holds
        let folder = TemporaryDirectory()
        let backupPath = folder.url.appendingPathComponent("backup.prbak").path
        let writing = Task.detached {
            for round in 0..<300 { try writer.saveDraft(invitationID: invitation, answers: ["A1": .number(Double(round))], at: fixedNow) }
        }
        let held = try Backups.backup(setup.app, to: backupPath)
        try await writing.value
        #expect(held == 1)
        let restoredPath = folder.url.appendingPathComponent("restored/partner-risk.sqlite").path
        #expect(try Backups.restore(from: backupPath, database: restoredPath, force: false) == 1)
        let report = try StoreCheck(try AppEnvironment.open(database: restoredPath)).run()
        #expect(report.healthy, "\(report.text)")
        #expect(try SQLiteStore(path: restoredPath).responses(campaignID: nil, partnerID: nil).count == (try setup.store.responses(campaignID: nil, partnerID: nil).count))
    }

    @Test func theCheckPassesOnAHealthyDatabaseAndNamesEachMissingOrChangedEvidenceFile() throws {
        let setup = try OfficerWorkspaceTests.Setup()
        let healthy = try StoreCheck(setup.app).run()
        #expect(healthy.healthy)
        #expect(healthy.text.contains("ok   integrity: ok") && healthy.text.contains("ok   foreign keys: every reference found"))
        #expect(healthy.text.contains("ok   evidence: 1 of 1 files present with their SHA-256"))
        let stored = try #require(try setup.store.fullCheck().evidence.first)
        let path = setup.app.evidence.path(for: stored.sha256)
        try Data("%PDF-1.4 altered".utf8).write(to: path)
        let changed = try StoreCheck(setup.app).run()
        #expect(!changed.healthy && changed.text.contains("FAIL evidence: 0 of 1 files"))
        #expect(changed.text.contains("evidence \(stored.sha256) (\(stored.name)): changed: its content's SHA-256 is"))
        try FileManager.default.removeItem(at: path)
        let missing = try StoreCheck(setup.app).run()
        #expect(!missing.healthy && missing.text.contains("(\(stored.name)): missing ("))
    }
}
