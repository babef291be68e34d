import Foundation
import GRDB
import Testing
@testable import PartnerRisk

@Suite struct MIMEBuilderTests {
    let builder = MIMEBuilder(date: fixedNow, messageID: "<fixed-id@acme.example.com>", boundary: { "BOUNDARY-\($0)" })

    var content: MailContent {
        MailContent(
            from: MailAddress(name: "Acme Conformité", address: "compliance@acme.example.com"),
            to: MailAddress(name: "Émilie Gagné", address: "securite@belanger.example.ca"),
            subject: "Questionnaire de sécurité — Partenaires en protection (PEP) : réponse demandée d'ici le 31 décembre",
            text: "Bonjour Émilie,\nVoici votre lien : https://pr.example/s/abc\n.ligne qui commence par un point\n",
            html: "<p>Bonjour <b>Émilie</b></p>",
            attachments: [MailAttachment(fileName: "réponses.html", contentType: "text/html; charset=utf-8", data: Data(repeating: 0x41, count: 100))],
            headers: [("Bcc", "spy@example.com"), ("X-PartnerRisk-Kind", "invitation")])
    }

    @Test func matchesTheGoldenFile() throws {
        let built = builder.build(content)
        let goldenURL = ProjectRoot.url.appendingPathComponent("Tests/PartnerRiskTests/Golden/invitation-fr.eml")
        if ProcessInfo.processInfo.environment["PARTNER_RISK_UPDATE_GOLDEN"] != nil { try built.data.write(to: goldenURL) }
        let golden = try Data(contentsOf: goldenURL)
        #expect(built.data == golden, "\n\(String(decoding: built.data, as: UTF8.self))")
    }

    @Test func linesUseCRLFStayShortAndThereIsNoBcc() {
        let text = String(decoding: builder.build(content).data, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(!text.lowercased().contains("bcc"))
        #expect(text.contains("Message-ID: <fixed-id@acme.example.com>"))
        #expect(text.contains("Date: Tue, 24 Nov 2026 12:00:00 +0000"))
        #expect(text.contains("filename*=UTF-8''r%C3%A9ponses.html"))
    }

    @Test func roundTripsThroughTheParser() {
        let parsed = MIMEParser.parse(builder.build(content).data)
        #expect(parsed.header("Subject") == content.subject)
        #expect(parsed.header("To") == "Émilie Gagné <securite@belanger.example.ca>")
        let parts = parsed.allParts
        #expect(parts.first { $0.contentType == "text/plain" }?.text == content.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parts.first { $0.contentType == "text/html" }?.text == content.html)
        let attachment = parts.first { $0.fileName != nil }
        #expect(attachment?.fileName == "réponses.html")
        #expect(attachment?.body == Data(repeating: 0x41, count: 100))
    }

    @Test func encodedWordsNeverSplitACharacter() {
        let words = MIMEBuilder.encodedWords(String(repeating: "é", count: 100))
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(MIMEParser.decodeEncodedWords(words.joined(separator: " ")) == String(repeating: "é", count: 100))
    }
}

/// Campaign fixtures: a store with partners and a campaign on the real PIP survey.
struct CampaignFixture {
    let directory = TemporaryDirectory()
    let store: SQLiteStore
    let campaign: Campaign
    let composer: MailComposer

    init(partnersCSV: String) throws {
        store = try directory.store()
        _ = try PartnerRegistry(repository: store, time: FixedTime(fixedNow)).importData(
            Data(("name,email,country,sector,contact,language\n" + partnersCSV).utf8), fileName: "p.csv", strict: true)
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let sender = MailAddress(name: "Acme Compliance", address: "compliance@acme.example.com")
        campaign = try CampaignService(partners: store, surveys: store, campaigns: store, time: FixedTime(fixedNow))
            .create(survey: survey, audience: .all, deadline: "2026-12-31", sender: sender)
        let templates = try TemplateLibrary(directory: ProjectRoot.url.appendingPathComponent("Templates"), required: MailComposer.requiredTemplates)
        composer = MailComposer(templates: templates, officer: AppConfig.Officer(name: "Jeanne Roy", company: "Acme Imports", email: "compliance@acme.example.com"),
                                sender: sender, publicURL: "https://survey.acme.example", surveys: store)
    }

    func sender(_ factory: MailTransportFactory, connections: Int = 2, time: TimeSource = FixedTime(fixedNow), resend: Bool = false) -> CampaignSender {
        CampaignSender(repository: store, composer: composer, transports: factory, time: time,
                       options: .init(connections: connections, retryBase: 60, maxAttempts: 3, resendUncertain: resend))
    }
}

/// Runs `partner-risk campaign send` as a child process, as an officer or a scheduler would.
@discardableResult
func runSend(_ fixture: CampaignFixture, _ extra: [String], environment: [String: String] = [:]) throws -> Int32 {
    let binary = ProjectRoot.path(".build/debug/partner-risk")
    return try Spawn.run([binary, "campaign", "send", String(fixture.campaign.id), "--db", fixture.store.path] + extra,
                         environment: ProjectRoot.workspaceHome.merging(environment) { $1 })
}

@Suite(.serialized, .disabled("in-process child servers hang under swift test on Linux; the same checks run for real in scripts/test-smtp.sh (make test)")) struct SMTPDeliveryTests {
    static let partners = """
        Transports Bélanger & Fils inc.,securite@belanger.example.ca,CA,highway-carrier,Émilie Gagné,fr
        Acme Freight,ops@acme-freight.example.com,US,freight-forwarder,Bob Smith,en
        Slow Mail Co,later@tempfail.example.com,US,importer,,en
        Gone Ltd,nobody@reject.example.com,MX,warehouse,,en
        """

    @Test func deliversOverSTARTTLSWithAuthAndClassifiesReplies() throws {
        let server = try TestSMTPServer(arguments: ["--require-tls", "--auth", "sender:s3cret", "--tempfail-rcpt-regex", "tempfail",
                                                    "--reject-rcpt-regex", "reject"])
        let fixture = try CampaignFixture(partnersCSV: Self.partners)
        try runSend(fixture, ["--smtp", server.url], environment: [
            "PARTNER_RISK_SMTP_USER": "sender", "PARTNER_RISK_SMTP_PASSWORD": "s3cret", "PARTNER_RISK_SMTP_CA": server.certificate,
            "PARTNER_RISK_PUBLIC_URL": "https://survey.acme.example"])
        let counts = try fixture.store.stateCounts(campaignID: fixture.campaign.id)
        #expect(counts[.sent] == 2 && counts[.deferred] == 1 && counts[.failed] == 1)
        let problems = try fixture.store.problemMessages(campaignID: fixture.campaign.id)
        #expect(problems.first { $0.state == .failed }?.lastReply?.contains("550") == true)
        #expect(problems.first { $0.state == .deferred }?.lastReply?.contains("451") == true)

        let received = server.received()
        #expect(received.map(\.rcpt).sorted { $0[0] < $1[0] } == [["ops@acme-freight.example.com"], ["securite@belanger.example.ca"]])
        let french = try #require(received.first { $0.rcpt == ["securite@belanger.example.ca"] })
        #expect(french.message.header("Subject")?.contains("sécurité") == true)
        #expect(french.message.header("To") == "Émilie Gagné <securite@belanger.example.ca>")
        #expect(french.message.header("Bcc") == nil)
        let parts = french.message.allParts
        let text = try #require(parts.first { $0.contentType == "text/plain" }).text
        let html = try #require(parts.first { $0.contentType == "text/html" }).text
        #expect(text.contains("Bonjour Émilie Gagné"))
        let link = try #require(text.range(of: "https://survey.acme.example/s/[A-Za-z0-9_-]{40,}", options: .regularExpression).map { String(text[$0]) })
        #expect(html.contains(link))
        let token = String(link.split(separator: "/").last!)
        let stored = try fixture.store.pool.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM invitation_token") }
        #expect(stored.contains(InvitationToken.hash(token)))
        #expect(!stored.contains(token))
        let attachment = try #require(parts.first { $0.fileName?.hasSuffix(".html") == true })
        #expect(attachment.text.contains(token))
        #expect(attachment.text.contains("partner-risk-form/1"))
    }

    @Test func plainTextIsRefusedWhenTLSIsRequiredButNotOffered() throws {
        let server = try TestSMTPServer(tls: false)
        let fixture = try CampaignFixture(partnersCSV: "Acme Freight,ops@acme-freight.example.com,US,freight-forwarder,,en\n")
        try runSend(fixture, ["--smtp", server.url, "--tls", "required"])
        #expect(try fixture.store.stateCounts(campaignID: fixture.campaign.id)[.deferred] == 1)
        #expect(server.received().isEmpty)
        let reply = try fixture.store.problemMessages(campaignID: fixture.campaign.id).first?.lastReply ?? ""
        #expect(reply.contains("STARTTLS"))
    }

    @Test func deferredMessagesAreRetriedWithBackoffAndDroppedConnectionsRecover() throws {
        let server = try TestSMTPServer(arguments: ["--tempfail-rcpt-regex", "tempfail", "--tempfail-times", "1",
                                                    "--drop-after-data-regex", "dropme", "--drop-times", "1"], tls: false)
        let fixture = try CampaignFixture(partnersCSV: """
            Slow Mail Co,later@tempfail.example.com,US,importer,,en
            Flaky Co,x@dropme.example.com,US,importer,,en
            Fine Co,fine@fine.example.com,US,importer,,en
            """)
        let config = fixture.directory.write("partner-risk.yaml", "mail:\n  retry_base_seconds: 0\n")
        try runSend(fixture, ["--smtp", server.url, "--tls", "none", "--connections", "1", "--config", config])
        let counts = try fixture.store.stateCounts(campaignID: fixture.campaign.id)
        #expect(counts[.sent] == 1 && counts[.deferred] == 2)
        try runSend(fixture, ["--smtp", server.url, "--tls", "none", "--config", config])
        #expect(try fixture.store.stateCounts(campaignID: fixture.campaign.id)[.sent] == 3)
        #expect(Set(server.received().flatMap(\.rcpt)) == ["later@tempfail.example.com", "x@dropme.example.com", "fine@fine.example.com"])
        #expect(server.received().count == 3)
    }

    @Test func aKilledSendResumesWithoutSendingAnyoneTwice() throws {
        let server = try TestSMTPServer(arguments: ["--delay-ms", "150"], tls: false)
        let rows = (1...30).map { "Partner \($0),p\($0)@kill.example.com,CA,importer,,en" }.joined(separator: "\n")
        let fixture = try CampaignFixture(partnersCSV: rows)
        let binary = ProjectRoot.path(".build/debug/partner-risk")
        func run() throws -> pid_t {
            try Spawn.start([binary, "campaign", "send", String(fixture.campaign.id), "--db", fixture.store.path, "--smtp", server.url,
                             "--tls", "none", "--connections", "2"], environment: ProjectRoot.workspaceHome)
        }
        let child = try run()
        let deadline = Date().addingTimeInterval(30)
        while server.received().count < 8 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill(child, SIGKILL)
        Spawn.wait(child)
        let beforeRerun = server.received().count
        #expect(beforeRerun >= 8 && beforeRerun < 30)

        #expect(Spawn.wait(try run()) == 0)
        let counts = try fixture.store.stateCounts(campaignID: fixture.campaign.id)
        let uncertain = try fixture.store.problemMessages(campaignID: fixture.campaign.id).filter { $0.state == .uncertain }.map(\.recipient)
        #expect(uncertain.count <= 2)
        #expect(counts[.sent, default: 0] + uncertain.count == 30)
        var perRecipient: [String: Int] = [:]
        for message in server.received() { perRecipient[message.rcpt[0], default: 0] += 1 }
        for index in 1...30 {
            let address = "p\(index)@kill.example.com"
            if uncertain.contains(address) {
                #expect(perRecipient[address, default: 0] <= 1)
            } else {
                #expect(perRecipient[address] == 1, "\(address) received \(perRecipient[address, default: 0])")
            }
        }
        // --resend-uncertain sends exactly the uncertain ones.
        try runSend(fixture, ["--smtp", server.url, "--tls", "none", "--resend-uncertain"])
        #expect(try fixture.store.stateCounts(campaignID: fixture.campaign.id)[.sent] == 30)
    }
}

@Suite struct DropTransportTests {
    @Test func theDropWritesOneEmlPerPartnerAndRerunSendsNothing() throws {
        let fixture = try CampaignFixture(partnersCSV: "A,a@x.example.com,CA,importer,,en\nB,b@x.example.com,CA,courier,,fr\n")
        let outbox = fixture.directory.url.appendingPathComponent("outbox")
        let report = try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id)
        #expect(report.sent == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }.count == 2)
        #expect(try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id).sent == 0)
    }

    @Test func remindersGoOnlyToPartnersWithoutAResponseAndRespectLimits() throws {
        let fixture = try CampaignFixture(partnersCSV: "A,a@x.example.com,CA,importer,,en\nB,b@x.example.com,CA,courier,,fr\n")
        let outbox = fixture.directory.url.appendingPathComponent("outbox")
        _ = try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id)
        let service = { (days: Double) in
            CampaignService(partners: fixture.store, surveys: fixture.store, campaigns: fixture.store, time: FixedTime(fixedNow.addingTimeInterval(days * 86_400)))
        }
        #expect(try service(3).remind(fixture.campaign.id, maxReminders: 2, minDays: 7, afterDeadline: false) == 0)
        // B answers (complete).
        try fixture.store.pool.write { db in
            let invitation = try Int64.fetchOne(db, sql: "SELECT i.id FROM invitation i JOIN partner p ON p.id = i.partner_id WHERE p.email = 'b@x.example.com'")!
            try db.execute(sql: "INSERT INTO response (invitation_id, revision, channel, complete, checksum, received_at) VALUES (?, 1, 'web', 1, 'x', '2026-11-25T00:00:00Z')", arguments: [invitation])
        }
        #expect(try service(8).remind(fixture.campaign.id, maxReminders: 2, minDays: 7, afterDeadline: false) == 1)
        let sent = try fixture.sender(DropTransportFactory(directory: outbox), time: FixedTime(fixedNow.addingTimeInterval(8 * 86_400))).send(campaignID: fixture.campaign.id)
        #expect(sent.sent == 1)
        #expect(try service(20).remind(fixture.campaign.id, maxReminders: 1, minDays: 7, afterDeadline: false) == 0)
        #expect(throws: PartnerRiskError.self) { try service(60).remind(fixture.campaign.id, maxReminders: 5, minDays: 7, afterDeadline: false) }
    }
}
