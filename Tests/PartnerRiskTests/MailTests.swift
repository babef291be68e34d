import Foundation
import GRDB
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskMail
@testable import PartnerRiskTemplates

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
        let parsed = MIMEReader.message(builder.build(content).data)
        #expect(parsed.header("Subject") == content.subject)
        #expect(parsed.header("To") == "Émilie Gagné <securite@belanger.example.ca>")
        let parts = parsed.parts
        #expect(parts.first { $0.contentType == "text/plain" }?.text == content.text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parts.first { $0.contentType == "text/html" }?.text == content.html)
        let attachment = parts.first { $0.fileName != nil }
        #expect(attachment?.fileName == "réponses.html")
        #expect(attachment?.body == Data(repeating: 0x41, count: 100))
    }

    @Test func encodedWordsNeverSplitACharacter() {
        let words = MIMEBuilder.encodedWords(String(repeating: "é", count: 100))
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(MIMEReader.decodeHeaderText(words.joined(separator: " ")) == String(repeating: "é", count: 100))
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
                       options: .init(connections: connections, retryBase: 60, maxAttempts: 3, resendUncertain: resend), links: testLinkKey)
    }
}

// The SMTP end-to-end checks (aiosmtpd with STARTTLS + AUTH, 451/550 replies, a dropped
// connection, kill -9 in the middle of a send) drive the real binary from scripts/test-smtp.sh,
// which `make test` runs after `swift test`: child servers started from inside the Swift Testing
// process hung on Linux (see the note in README), so they run where they are reliable.

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

/// The offline answer file is encoded from parts made once per campaign: what the partner gets
/// decodes to the same page, whose form data is still valid JSON.
@Suite struct OfflineAttachmentTests {
    @Test func theAttachmentsSharedPartsDecodeToItsPageAndItsFormDataParses() throws {
        let fixture = try CampaignFixture(partnersCSV: LinkTests.partners)
        var pages: [String] = []
        for invitationID: Int64 in [1, 2, 1] {
            let context = try fixture.store.invitationContext(invitationID: invitationID)
            let survey = try fixture.store.survey(rowID: context.surveyVersionID)
            let attachment = try fixture.composer.offlineAnswerFile(survey: survey, context: context, token: testLinkKey.token(invitationID: invitationID, generation: 1))
            let encoded = try #require(attachment.encoded)
            let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.dropLast().allSatisfy { $0.count == 76 } && lines.last!.count <= 76)
            #expect(Data(base64Encoded: lines.joined()) == attachment.data)
            #expect(MIMEBuilder.base64Lines(attachment.data) == encoded)
            let page = String(decoding: attachment.data, as: UTF8.self)
            let start = try #require(page.range(of: "<script type=\"application/json\" id=\"form-data\">"))
            let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
            let form = try #require(try JSONSerialization.jsonObject(with: Data(page[start.upperBound..<end.lowerBound].utf8)) as? [String: Any])
            #expect(form["token"] as? String == testLinkKey.token(invitationID: invitationID, generation: 1).value)
            pages.append(page)
        }
        // The same invitation gives the same page, whatever was composed in between.
        #expect(pages[0] == pages[2] && pages[0] != pages[1])
    }
}

/// `mail.max_per_minute` as one quota for every send run of a process (`serve`'s outbox worker
/// and its thank-you sender), so that together they stay under it.
@Suite struct SharedQuotaTests {
    @Test func sendRunsSharingALimiterTakeItsSlotsInTurn() throws {
        let limiter = RateLimiter(perMinute: 60)  // one a second
        // Two runs asking at the same moment get slots a second apart, whoever asks.
        #expect(limiter.reserve(at: fixedNow) == fixedNow)
        #expect(limiter.reserve(at: fixedNow) == fixedNow.addingTimeInterval(1))
        #expect(limiter.reserve(at: fixedNow.addingTimeInterval(0.5)) == fixedNow.addingTimeInterval(2))
        // After a quiet spell the next one goes at once.
        #expect(limiter.reserve(at: fixedNow.addingTimeInterval(10)) == fixedNow.addingTimeInterval(10))

        // A send given the shared limiter spends its slots (and keeps none of its own).
        let fixture = try CampaignFixture(partnersCSV: LinkTests.partners)
        let shared = RateLimiter(perMinute: 60_000)  // a millisecond each: the test does not wait
        var sender = fixture.sender(DropTransportFactory(directory: fixture.directory.url.appendingPathComponent("drop")))
        var options = sender.options
        options.limiter = shared
        sender = CampaignSender(repository: sender.repository, composer: sender.composer, transports: sender.transports, time: sender.time,
                                options: options, links: sender.links)
        let before = Date()
        #expect(try sender.send(campaignID: fixture.campaign.id).sent == 2)
        // Its two messages took two slots: the next free one is at least two intervals after the send began.
        #expect(shared.reserve(at: before) >= before.addingTimeInterval(2 * shared.interval))
    }
}
