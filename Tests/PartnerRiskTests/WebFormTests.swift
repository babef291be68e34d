import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskMail
@testable import PartnerRiskWeb
@testable import PartnerRiskDemo

/// The partner web form through its real router (HummingbirdTesting), on a real SQLite file,
/// with tokens and answers taken from real invitations in the mail drop.
@Suite struct WebFormTests {
    /// A campaign sent to two partners (a French highway carrier, an English customs broker),
    /// each with a complete set of answers as the offline file would write them.
    final class Setup: @unchecked Sendable {
        let fixture: CampaignFixture
        var accepted: [AcceptedWebResponse] = []
        let lock = NSLock()
        /// token → answers, per partner email.
        var tokens: [String: String] = [:]
        var answers: [String: [String: JSONValue]] = [:]

        init() throws {
            fixture = try CampaignFixture(partnersCSV: "Transports Bélanger,fr@x.example.com,CA,highway-carrier,,fr\nBroker Co,en@x.example.com,US,customs-broker,,en\n")
            let outbox = fixture.directory.url.appendingPathComponent("outbox")
            _ = try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id)
            let output = fixture.directory.url.appendingPathComponent("answers")
            let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))
            var seed: UInt64 = 1
            while try DemoResponder(catalog: catalog, seed: seed, today: fixedNow).respond(outbox: outbox, output: output).silent > 0 {
                try FileManager.default.removeItem(at: output)
                seed += 1
            }
            for file in try FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: nil) {
                let object = JSONValue.parse(try String(contentsOf: file, encoding: .utf8))!.objectValue!
                let token = object["token"]!.stringValue!
                let context = try fixture.store.invitation(tokenHash: InvitationToken.hash(token), at: fixedNow)!
                tokens[context.partner.email] = token
                answers[context.partner.email] = object["answers"]!.objectValue!
            }
        }

        func site(time: TimeSource = FixedTime(fixedNow), throttle: BadTokenThrottle = BadTokenThrottle()) throws -> PartnerWebSite {
            try PartnerWebSite(
                responses: fixture.store, webForms: fixture.store, campaigns: fixture.store,
                ingest: ResponseIngest(responses: fixture.store, surveys: fixture.store,
                                       quarantine: fixture.directory.url.appendingPathComponent("quarantine"), messages: MIMEMessageDecoder(), evidence: .inVault(of: fixture.store), time: time),
                submissions: SubmissionService(repositories: fixture.store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))), time: time),
                vault: EvidenceVault(directory: fixture.directory.url.appendingPathComponent("evidence")),
                templatesDirectory: ProjectRoot.url.appendingPathComponent("Templates"), time: time, throttle: throttle,
                onAccepted: { [self] in lock.lock(); accepted.append($0); lock.unlock() })
        }

        func app(time: TimeSource = FixedTime(fixedNow), throttle: BadTokenThrottle = BadTokenThrottle()) throws -> some ApplicationProtocol {
            Application(router: PartnerWebApplication.router(site: try site(time: time, throttle: throttle)))
        }

        func invitationID(_ email: String) throws -> Int64 {
            try fixture.store.invitation(tokenHash: InvitationToken.hash(tokens[email]!), at: fixedNow)!.invitationID
        }
    }

    static let csrf = String(repeating: "a", count: 43)
    static let cookie: HTTPFields = [.cookie: "pr_csrf=\(csrf)"]

    /// The form fields a browser would post for these answers.
    static func fields(_ answers: [String: JSONValue], action: String) -> [(String, String)] {
        var fields: [(String, String)] = [("csrf", csrf), ("action", action)]
        for (id, value) in answers.sorted(by: { $0.key < $1.key }) {
            switch Answer(json: value) {
            case .notApplicable(let reason): fields += [("na.\(id)", "1"), ("na_reason.\(id)", reason)]
            case .value(.array(let items)): fields += items.map { ("q.\(id)", $0.stringValue ?? "") }
            case .value(.number(let number)): fields.append(("q.\(id)", FormPage.display(.number(number))))
            case .value(let other): fields.append(("q.\(id)", other.stringValue ?? ""))
            }
        }
        return fields
    }

    static func urlEncoded(_ fields: [(String, String)]) -> (HTTPFields, ByteBuffer) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        var headers = cookie
        headers[.contentType] = "application/x-www-form-urlencoded"
        return (headers, ByteBuffer(string: body))
    }

    static func multipart(_ fields: [(String, String)], files: [(field: String, name: String, data: Data)]) -> (HTTPFields, ByteBuffer) {
        let boundary = "----partner-risk-test-boundary"
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += file.data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        var headers = cookie
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return (headers, ByteBuffer(bytes: body))
    }

    @Test func theFormShowsThePartnersSectorInTheirLanguageAndSwitchesToEnglish() async throws {
        let setup = try Setup()
        let token = setup.tokens["fr@x.example.com"]!
        try await setup.app().test(.router) { client in
            try await client.execute(uri: "/s/\(token)", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("<html lang=\"fr\">") && page.contains("Transports Bélanger"))
                #expect(page.contains("Soumettre les réponses"))
                #expect(response.headers[.setCookie]?.contains("pr_csrf=") == true)
                #expect(response.headers[.setCookie]?.contains("SameSite=Strict") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(uri: "/s/\(token)?lang=en", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<html lang=\"en\">") && page.contains("Submit answers"))
            }
        }
    }

    @Test func onlyTheQuestionsOfThePartnersSectorAreShown() async throws {
        let setup = try Setup()
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let carrierOnly = survey.questions.filter { $0.applies(to: .highwayCarrier) && !$0.applies(to: .customsBroker) }
        #expect(!carrierOnly.isEmpty)
        try await setup.app().test(.router) { client in
            let broker = try await client.execute(uri: "/s/\(setup.tokens["en@x.example.com"]!)", method: .get) { String(buffer: $0.body) }
            let carrier = try await client.execute(uri: "/s/\(setup.tokens["fr@x.example.com"]!)", method: .get) { String(buffer: $0.body) }
            for question in carrierOnly {
                #expect(carrier.contains("data-qid=\"\(question.id)\""))
                #expect(!broker.contains("data-qid=\"\(question.id)\""))
            }
        }
    }

    @Test func unknownMalformedAndRevokedTokensGetTheSameNeutralPage() async throws {
        let setup = try Setup()
        let revoked = setup.tokens["en@x.example.com"]!
        try await setup.fixture.store.pool.write { db in
            try db.execute(sql: "UPDATE invitation_token SET revoked_at = '2026-11-01T00:00:00Z' WHERE token_hash = ?", arguments: [InvitationToken.hash(revoked)])
        }
        try await setup.app().test(.router) { client in
            var bodies: Set<String> = []
            for token in ["nope", InvitationToken.generate().value, revoked] {
                try await client.execute(uri: "/s/\(token)", method: .get) { response in
                    #expect(response.status == .notFound)
                    bodies.insert(String(buffer: response.body))
                }
            }
            #expect(bodies.count == 1)
            #expect(bodies.first?.contains("This link cannot be used") == true)
        }
    }

    @Test func repeatedBadTokensAreSlowedDownThenRefusedButAValidLinkAlwaysWorks() async throws {
        let throttle = BadTokenThrottle(freeMisses: 2, limit: 4, window: 600, maxDelay: .seconds(4))
        var verdicts: [BadTokenThrottle.Verdict] = []
        for _ in 0..<5 { verdicts.append(await throttle.recordMiss("192.0.2.7", at: fixedNow)) }
        #expect(verdicts.map(\.delay) == [.zero, .zero, .milliseconds(250), .milliseconds(500), .seconds(1)])
        #expect(verdicts.map(\.refused) == [false, false, false, true, true])
        #expect(await !throttle.recordMiss("192.0.2.8", at: fixedNow).refused)  // another address
        #expect(await !throttle.recordMiss("192.0.2.7", at: fixedNow.addingTimeInterval(601)).refused)  // the window passed
        // IPv6 counts by /64: one host cannot walk through its own addresses.
        let six = BadTokenThrottle(freeMisses: 0, limit: 3, window: 600)
        for suffix in ["1", "2"] { _ = await six.recordMiss("2001:db8:1:2::\(suffix)", at: fixedNow) }
        #expect(await six.recordMiss("2001:db8:1:2:ffff::9", at: fixedNow).refused)
        #expect(await !six.recordMiss("2001:db8:1:3::1", at: fixedNow).refused)
        // The table of misses is bounded.
        let small = BadTokenThrottle(maxAddresses: 100)
        for host in 0..<1_000 { _ = await small.recordMiss("198.51.\(host / 256).\(host % 256)", at: fixedNow) }
        #expect(await small.rememberedAddresses <= 101)

        // Behind one proxy every partner shares an address: 40 bad links from anyone, then a partner's link works.
        let setup = try Setup()
        let good = setup.tokens["en@x.example.com"]!
        try await setup.app(throttle: BadTokenThrottle(freeMisses: 1, limit: 3, window: 600, maxDelay: .milliseconds(5))).test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<40 { try await client.execute(uri: "/s/\(InvitationToken.generate().value)", method: .get) { statuses.append($0.status) } }
            #expect(statuses.prefix(2).allSatisfy { $0 == .notFound } && statuses.suffix(30).allSatisfy { $0 == .tooManyRequests })
            try await client.execute(uri: "/s/\(good)", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func theClientBehindATrustedProxyIsTheForwardedOneAndOnlyThen() {
        let proxies = [AddressBlock("10.0.0.0/8")!, AddressBlock("2001:db8::/32")!]
        var headers = HTTPFields()
        headers[ClientAddress.forwardedFor] = "203.0.113.9, 10.1.2.3"
        #expect(ClientAddress.resolve(peer: "10.0.0.1", headers: headers, trusted: proxies) == "203.0.113.9")
        // From a peer that is not a trusted proxy the header is anyone's word: ignored.
        #expect(ClientAddress.resolve(peer: "198.51.100.4", headers: headers, trusted: proxies) == "198.51.100.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", headers: headers, trusted: []) == "10.0.0.1")
        var standard = HTTPFields()
        standard[ClientAddress.forwarded] = "for=192.0.2.60;proto=https, for=\"[2001:db8::17]\""
        #expect(ClientAddress.resolve(peer: "2001:db8::1", headers: standard, trusted: proxies) == "192.0.2.60")
        #expect(AddressBlock("300.1.1.1/8") == nil && AddressBlock("10.0.0.0/33") == nil && AddressBlock("::ffff:10.9.9.9")?.contains("10.9.9.9") == true)
    }

    @Test func aDraftIsSavedAndShownWhenThePartnerComesBack() async throws {
        let setup = try Setup()
        let token = setup.tokens["en@x.example.com"]!
        let some = setup.answers["en@x.example.com"]!.filter { ["A2_countries_registration", "A6_trusted_trader_program"].contains($0.key) }
        #expect(some.count == 2)
        try await setup.app().test(.router) { client in
            let (headers, body) = Self.urlEncoded(Self.fields(some, action: "save"))
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.contains("saved=1") == true)
            }
            try await client.execute(uri: "/s/\(token)?saved=1", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Your draft is saved"))
                let country = FormPage.display(some["A2_countries_registration"])
                #expect(page.contains("name=\"q.A2_countries_registration\" value=\"\(country)\""))
            }
        }
        #expect(try setup.fixture.store.draft(invitationID: setup.invitationID("en@x.example.com"))?.count == 2)
        #expect(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).isEmpty)
    }

    @Test func aFormPageIsMadeOnceCarriesEachVisitsOwnTokenAndIsMadeAgainWhenItsDraftChanges() async throws {
        let setup = try Setup()
        let site = try setup.site()
        let token = setup.tokens["en@x.example.com"]!
        let other = String(repeating: "b", count: 43)
        let some = setup.answers["en@x.example.com"]!.filter { $0.key == "A2_countries_registration" }
        try await Application(router: PartnerWebApplication.router(site: site)).test(.router) { client in
            let first = String(buffer: try await client.execute(uri: "/s/\(token)", method: .get, headers: Self.cookie).body)
            let second = String(buffer: try await client.execute(uri: "/s/\(token)", method: .get, headers: [.cookie: "pr_csrf=\(other)"]).body)
            #expect(site.formPages.count == 1)
            #expect(first.contains("name=\"csrf\" value=\"\(Self.csrf)\"") && !first.contains(other))
            #expect(second.contains("name=\"csrf\" value=\"\(other)\"") && !second.contains(Self.csrf))
            #expect(first.replacingOccurrences(of: Self.csrf, with: other) == second)
            // Without a cookie each visit gets a new token, in the page and in the cookie alike.
            let fresh = try await client.execute(uri: "/s/\(token)", method: .get)
            let cookie = try #require(fresh.headers[values: .setCookie].first { $0.hasPrefix("pr_csrf=") })
            let issued = String(cookie.dropFirst("pr_csrf=".count).prefix(43))
            #expect(String(buffer: fresh.body).contains("name=\"csrf\" value=\"\(issued)\""))
            // A saved draft changes what the page is made from: the next visit shows it.
            let (headers, body) = Self.urlEncoded(Self.fields(some, action: "save"))
            _ = try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body)
            let after = String(buffer: try await client.execute(uri: "/s/\(token)", method: .get, headers: Self.cookie).body)
            #expect(after.contains("name=\"q.A2_countries_registration\" value=\"\(FormPage.display(some["A2_countries_registration"]))\""))
            #expect(!first.contains("name=\"q.A2_countries_registration\" value=\"\(FormPage.display(some["A2_countries_registration"]))\""))
        }
    }

    @Test func thePageCacheKeepsAtMostItsCapacityAndFindsEveryPlaceOfTheMarker() throws {
        let cache = PageCache<Int, String>(capacity: 2)
        var made = 0
        for key in [1, 2, 1, 3, 1] { _ = cache.page(key, "same") { made += 1; return "page \(key)" } }
        #expect(made == 4 && cache.count == 2)  // 1 and 2 made, 1 kept, 3 pushes 1 out, 1 made again
        #expect(cache.page(3, "changed") { "page 3 again" } == "page 3 again")
        #expect(PageCache<Int, String>.offsets(of: "ab", in: "xabyabab") == [1, 4, 6])
        #expect(PageCache<Int, String>.offsets(of: "ab", in: "a") == [])
        let secret = RandomSecret.make()
        #expect(secret.utf8.count == RandomSecret.length && RandomSecret.wellFormed(secret) == secret && RandomSecret.make() != secret)
    }

    @Test func submittingStoresARevisionQueuesAThankYouAndResubmittingAddsARevision() async throws {
        let setup = try Setup()
        let email = "fr@x.example.com"
        let token = setup.tokens[email]!
        let answers = setup.answers[email]!
        var revised = answers
        revised["A2_countries_registration"] = answers["A2_countries_registration"] == .array(["CA", "FR"]) ? .array(["CA"]) : .array(["CA", "FR"])
        try await setup.app().test(.router) { [revised] client in
            let (headers, body) = Self.multipart(Self.fields(answers, action: "submit"), files: [])
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther, "\(String(buffer: response.body).prefix(3000))")
                #expect(response.headers[.location] == "/s/\(token)/thanks?lang=fr")
            }
            try await client.execute(uri: "/s/\(token)/thanks?lang=fr", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok && page.contains("Merci") && page.contains("<td>1</td>"))
            }
            let (headers2, body2) = Self.urlEncoded(Self.fields(revised, action: "submit"))
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers2, body: body2) { response in
                #expect(response.status == .seeOther, "\(String(buffer: response.body).prefix(3000))")
            }
        }
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        #expect(stored.map(\.revision) == [1, 2])
        #expect(stored.allSatisfy { $0.channel == "web" && $0.complete })
        #expect(setup.accepted.map(\.revision) == [1, 2])
        let thankYous = try await setup.fixture.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM mail_message WHERE kind = 'thank-you' AND recipient = ?", arguments: [email])
        }
        #expect(thankYous == 2)
        #expect(try setup.fixture.store.draft(invitationID: setup.invitationID(email)) == nil)
        // The first revision is untouched; the second holds the change.
        #expect(try setup.fixture.store.answers(responseID: stored[0].id)["A2_countries_registration"] == Answer(json: setup.answers[email]!["A2_countries_registration"]!))
        #expect(try setup.fixture.store.answers(responseID: stored[1].id)["A2_countries_registration"] == Answer(json: revised["A2_countries_registration"]!))
    }

    @Test func missingRequiredAnswersAreListedAndNothingIsStored() async throws {
        let setup = try Setup()
        let email = "en@x.example.com"
        var answers = setup.answers[email]!
        answers["A2_countries_registration"] = nil
        try await setup.app().test(.router) { [answers] client in
            let (headers, body) = Self.urlEncoded(Self.fields(answers, action: "submit"))
            try await client.execute(uri: "/s/\(setup.tokens[email]!)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unprocessableContent)
                let page = String(buffer: response.body)
                #expect(page.contains("href=\"#q-A2_countries_registration\""))
                #expect(page.contains("This question needs an answer."))
                // Partners read question texts, never ids: in the list of errors, the questions and their labels.
                let question = try #require(try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
                    .questions.first { $0.id == "A2_countries_registration" })
                let text = question.text.en.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;").replacingOccurrences(of: "\"", with: "&quot;")
                #expect(page.contains("<a href=\"#q-A2_countries_registration\">\(text)</a>"), "\(text)")
                #expect(!page.contains(">A2_countries_registration<") && !page.contains("aria-label=\"A"))
                #expect(page.contains("aria-labelledby=\"q-A2_countries_registration-text\""))
            }
        }
        #expect(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).isEmpty)
        #expect(try setup.fixture.store.draft(invitationID: setup.invitationID(email)) != nil)
    }

    @Test func withJavaScriptOffHiddenQuestionsAreDroppedOnTheServer() async throws {
        let setup = try Setup()
        let email = "en@x.example.com"
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        var answers = setup.answers[email]!
        // Pick a conditional question whose condition is false for these answers, and answer it anyway.
        let set = AnswerSet(answers.mapValues(Answer.init(json:)))
        let visible = Set(survey.visibleQuestions(for: .customsBroker, answers: set).map(\.id))
        let hidden = try #require(survey.questions(for: .customsBroker).first {
            $0.showIf != nil && !visible.contains($0.id) && [.text, .yesNo].contains($0.type)
        })
        answers[hidden.id] = .string(hidden.type == .text ? "typed while hidden" : "yes")
        try await setup.app().test(.router) { [answers] client in
            let (headers, body) = Self.urlEncoded(Self.fields(answers, action: "submit"))
            try await client.execute(uri: "/s/\(setup.tokens[email]!)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther, "\(String(buffer: response.body).prefix(2000))")
            }
        }
        let stored = try #require(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).first)
        #expect(try setup.fixture.store.answers(responseID: stored.id)[hidden.id] == nil)
    }

    @Test func aPostWithoutTheMatchingCSRFTokenIsRefused() async throws {
        let setup = try Setup()
        let email = "en@x.example.com"
        try await setup.app().test(.router) { client in
            var (headers, body) = Self.urlEncoded(Self.fields(setup.answers[email]!, action: "submit"))
            headers[.cookie] = "pr_csrf=\(String(repeating: "b", count: 43))"
            try await client.execute(uri: "/s/\(setup.tokens[email]!)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("Reload the page"))
            }
            headers[.cookie] = nil
            try await client.execute(uri: "/s/\(setup.tokens[email]!)", method: .post, headers: headers, body: body) { #expect($0.status == .forbidden) }
        }
        #expect(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).isEmpty)
        #expect(try setup.fixture.store.draft(invitationID: setup.invitationID(email)) == nil)
    }

    @Test func evidenceIsStoredByItsHashListedBackAndOversizedOrForeignFilesAreRefused() async throws {
        let setup = try Setup()
        let email = "en@x.example.com"
        let token = setup.tokens[email]!
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let question = try #require(survey.questions(for: .customsBroker).first { $0.evidence.mode != .none })
        let pdf = Data("%PDF-1.4\n% security policy\n".utf8)
        try await setup.app().test(.router) { client in
            let (headers, body) = Self.multipart([("csrf", Self.csrf), ("action", "save")],
                                                 files: [(field: "file.\(question.id)", name: "Politique de sécurité.pdf", data: pdf),
                                                         (field: "file.\(question.id)", name: "virus.exe", data: Data("MZ".utf8)),
                                                         (field: "file.\(question.id)", name: "certificate.pdf", data: Data("<html><script>x()</script>".utf8))])
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unprocessableContent)
                let page = String(buffer: response.body)
                #expect(page.contains("This kind of file is not accepted") || page.contains("not what its name says"))
                #expect(page.contains("Politique de sécurité.pdf"))
            }
            let huge = Data(repeating: 0x41, count: EvidenceVault.maxBytes + 3 * 1024 * 1024)
            let (headers2, body2) = Self.multipart([("csrf", Self.csrf), ("action", "save")], files: [(field: "file.\(question.id)", name: "big.pdf", data: huge)])
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers2, body: body2) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentSecurityPolicy] != nil && response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
        let files = try setup.fixture.store.evidence(invitationID: setup.invitationID(email))
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(file.originalName == "Politique de sécurité.pdf" && file.size == pdf.count)
        #expect(file.contentType == "application/pdf")  // decided by its content, not by what the browser sent
        let stored = setup.fixture.directory.url.appendingPathComponent("evidence/\(file.sha256.prefix(2))/\(file.sha256)")
        #expect(try Data(contentsOf: stored) == pdf)
        #expect(file.sha256.count == 64)
    }

    @Test func aDocumentUploadedAfterTheAnswersScoresThePartnerAgainAtOnce() async throws {
        let setup = try Setup()
        let email = "en@x.example.com"
        let token = setup.tokens[email]!
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let question = try #require(survey.questions(for: .customsBroker).first { $0.evidence.mode == .required })
        let invitation = try setup.invitationID(email)
        let store = setup.fixture.store
        let scores: @Sendable () throws -> Int = {
            try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM score WHERE invitation_id = ?", arguments: [invitation]) ?? 0 }
        }
        try await setup.app().test(.router) { client in
            let (headers, body) = Self.multipart(Self.fields(setup.answers[email]!, action: "submit"), files: [])
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther)
            }
            // serve scores a submission in the background; here, at once.
            #expect(try SubmissionService(repositories: setup.fixture.store,
                                          scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                          time: FixedTime(fixedNow)).scoreUnscored() == 1)
            #expect(try scores() == 1)
            let (headers2, body2) = Self.multipart([("csrf", Self.csrf), ("action", "save")],
                                                   files: [(field: "file.\(question.id)", name: "procedure.pdf", data: Data("%PDF-1.4\n%%EOF\n".utf8))])
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers2, body: body2) { _ in }
        }
        #expect(try scores() == 2)
    }

    @Test func theRoutersOwn404CarriesTheSecurityHeaders() async throws {
        let setup = try Setup()
        try await setup.app().test(.router) { client in
            for uri in ["/nothing-here", "/s/", "/assets/unknown.js"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff" && response.headers[.cacheControl] == "no-store", "\(uri)")
                }
            }
        }
    }

    @Test func aClientThatNeverFinishesItsRequestHeadIsCutOff() async throws {
        let setup = try Setup()
        let settings = WebServerSettings(host: "127.0.0.1", port: 0, headerTimeout: .milliseconds(400))
        let app = PartnerWebApplication.application(site: try setup.site(), settings: settings, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            // (Only a raw socket here: the test client's own idle connection would be cut off too.
            // Ordinary requests through the deadline are scripts/test-web.sh's, against `serve`.)
            let port = try #require(client.port)
            let socket = Socket.connect(port: port)
            defer { close(socket) }
            #expect(socket >= 0)
            _ = "GET /s/abc HTTP/1.1\r\nHost: 127.0.0.1\r\n".withCString { write(socket, $0, strlen($0)) }  // never ends its head
            try await Task.sleep(for: .milliseconds(1200))
            #expect(Socket.readsEndOfStream(socket), "the half-sent request was left open")
        }
    }

    @Test func aConnectionLeftIdleAfterItsRequestIsClosed() async throws {
        let setup = try Setup()
        let settings = WebServerSettings(host: "127.0.0.1", port: 0, idleTimeout: .milliseconds(400), headerTimeout: .seconds(30))
        let app = PartnerWebApplication.application(site: try setup.site(), settings: settings, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let socket = Socket.connect(port: port)
            defer { close(socket) }
            #expect(socket >= 0)
            // A whole request, kept alive, then nothing: the server closes the connection.
            _ = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".withCString { write(socket, $0, strlen($0)) }
            try await Task.sleep(for: .milliseconds(1200))
            #expect(Socket.readsEndOfStream(socket), "the idle keep-alive connection was left open")
        }
    }

    @Test func afterTheDeadlineOrWhenClosedTheLinkSaysSoPolitely() async throws {
        let setup = try Setup()
        let token = setup.tokens["en@x.example.com"]!
        let afterDeadline = FixedTime(DayFormat.parseDay(setup.fixture.campaign.deadline)!.addingTimeInterval(86_400 + 60))
        try await setup.app(time: afterDeadline).test(.router) { client in
            try await client.execute(uri: "/s/\(token)", method: .get) { response in
                #expect(response.status == .gone)
                #expect(String(buffer: response.body).contains("The deadline for this questionnaire (\(setup.fixture.campaign.deadline)) has passed"))
            }
            let (headers, body) = Self.urlEncoded(Self.fields(setup.answers["en@x.example.com"]!, action: "submit"))
            try await client.execute(uri: "/s/\(token)", method: .post, headers: headers, body: body) { #expect($0.status == .gone) }
        }
        try setup.fixture.store.closeCampaign(id: setup.fixture.campaign.id, linksLastUntil: fixedNow.addingTimeInterval(30 * 86_400), at: fixedNow)
        try await setup.app().test(.router) { client in
            try await client.execute(uri: "/s/\(token)?lang=fr", method: .get) { response in
                #expect(response.status == .gone)
                #expect(String(buffer: response.body).contains("L’évaluateur a fermé ce questionnaire"))
            }
        }
        #expect(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).isEmpty)
    }
}

/// A plain TCP client for the timeout test (no HTTP library would send half a request).
enum Socket {
    static func connect(port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0 ? descriptor : -1
    }

    /// Whether the server has closed the connection (a read returns 0 bytes within two seconds).
    static func readsEndOfStream(_ descriptor: Int32) -> Bool {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}
