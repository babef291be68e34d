import Foundation
import Synchronization
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskMail

// Logic tests on the seams: a scripted mail transport, an in-memory mailbox and a clock the test
// moves, over a real SQLite file. The real SMTP and IMAP servers are in scripts/test-smtp.sh.

/// A clock the test moves forward.
final class SteppingClock: TimeSource {
    private let instant: Mutex<Date>
    init(_ start: Date) { instant = Mutex(start) }
    func now() -> Date { instant.withLock { $0 } }
    func advance(days: Double = 0, seconds: TimeInterval = 0) { instant.withLock { $0 += days * 86_400 + seconds } }
}

/// A transport that answers each recipient from a script (default: accepted) and records what it was given.
final class ScriptedTransportFactory: MailTransportFactory {
    private let state = Mutex<(script: [String: [DeliveryOutcome]], delivered: [String])>(([:], []))

    var summary: String { "scripted" }

    /// The next outcomes for `recipient`, used in turn (the last one repeats).
    func script(_ recipient: String, _ outcomes: DeliveryOutcome...) { state.withLock { $0.script[recipient] = outcomes } }

    /// Recipients of every delivery attempt, in order.
    var delivered: [String] { state.withLock { $0.delivered } }

    func makeTransport() throws -> MailTransport { ScriptedTransport(factory: self) }

    fileprivate func deliver(_ mail: OutgoingMail) -> DeliveryOutcome {
        let recipient = mail.recipients.first ?? ""
        return state.withLock { state in
            state.delivered.append(recipient)
            guard var outcomes = state.script[recipient], let first = outcomes.first else { return .accepted(reply: "250 ok") }
            if outcomes.count > 1 { outcomes.removeFirst(); state.script[recipient] = outcomes }
            return first
        }
    }
}

private final class ScriptedTransport: MailTransport {
    let factory: ScriptedTransportFactory
    init(factory: ScriptedTransportFactory) { self.factory = factory }
    func deliver(_ mail: OutgoingMail) -> DeliveryOutcome { factory.deliver(mail) }
}

/// A mailbox held in memory: messages by UID, moves recorded.
final class MemoryMailbox: MailboxReader {
    let mailbox = "INBOX"
    var validity: Int64 = 7
    var messages: [Int64: Data] = [:]
    var moved: [(uid: Int64, to: String)] = []

    func uidValidity() throws -> Int64 { validity }
    func uids() throws -> [Int64] { messages.keys.sorted() }
    func fetch(uid: Int64) throws -> Data {
        guard let data = messages[uid] else { throw PartnerRiskError.failed("no message \(uid)") }
        return data
    }
    func move(uid: Int64, to target: String) throws { moved.append((uid, target)) }
}

private let twoPartners = """
    Nordic Freight,ops@nordic.example.com,CA,highway-carrier,Ann Lee,en
    Maple Brokers,desk@maple.example.com,CA,customs-broker,Luc Roy,fr
    """

@Suite struct OutboxSeamTests {
    @Test func aDeferredMessageWaitsForItsBackOffThenGoesOutOnce() throws {
        let fixture = try CampaignFixture(partnersCSV: twoPartners)
        let transport = ScriptedTransportFactory()
        transport.script("ops@nordic.example.com", .temporaryFailure(reply: "451 try later"), .accepted(reply: "250 ok"))
        let clock = SteppingClock(fixedNow)
        let first = try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id)
        #expect(first.sent == 1 && first.deferred == 1)

        // Before the back-off (60 s here) nothing is due; after it, the deferred message goes out.
        clock.advance(seconds: 30)
        #expect(try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id).sent == 0)
        clock.advance(seconds: 31)
        #expect(try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id).sent == 1)
        #expect(transport.delivered.filter { $0 == "ops@nordic.example.com" }.count == 2)
        #expect(transport.delivered.filter { $0 == "desk@maple.example.com" }.count == 1)
        let problems = try fixture.store.problemMessages(campaignID: fixture.campaign.id)
        #expect(problems.isEmpty)
    }

    @Test func theBackOffDoublesAndTheLastAttemptFailsWithTheServersReply() throws {
        let fixture = try CampaignFixture(partnersCSV: twoPartners)
        let transport = ScriptedTransportFactory()
        transport.script("ops@nordic.example.com", .temporaryFailure(reply: "452 mailbox full"))
        let clock = SteppingClock(fixedNow)
        _ = try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id)
        clock.advance(seconds: 61)  // first retry after 60 s
        #expect(try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id).deferred == 1)
        clock.advance(seconds: 61)  // the second retry waits 120 s, not 60
        #expect(try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id).deferred == 0)
        clock.advance(seconds: 60)
        let last = try fixture.sender(transport, connections: 1, time: clock).send(campaignID: fixture.campaign.id)
        #expect(last.failed == 1)  // maxAttempts 3
        let problem = try #require(try fixture.store.problemMessages(campaignID: fixture.campaign.id).first)
        #expect(problem.state == .failed && problem.lastReply == "452 mailbox full")
    }

    @Test func twoSendsAtOnceDeliverEachMessageOnce() throws {
        let partners = (1...40).map { "Partner \($0),p\($0)@x.example.com,CA,highway-carrier,,en" }.joined(separator: "\n")
        let fixture = try CampaignFixture(partnersCSV: partners)
        let drop = fixture.directory.url.appendingPathComponent("drop")
        let path = fixture.store.path
        let (composer, campaign) = (fixture.composer, fixture.campaign.id)
        let reports = Mutex<[CampaignSender.Report]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            // Each its own connection to the one file, as two `campaign send` processes have.
            guard let store = try? SQLiteStore(path: path) else { return }
            let sender = CampaignSender(repository: store, composer: composer, transports: DropTransportFactory(directory: drop), time: FixedTime(fixedNow),
                                        options: .init(connections: 2, retryBase: 60, maxAttempts: 3), links: testLinkKey)
            if let report = try? sender.send(campaignID: campaign) { reports.withLock { $0.append(report) } }
        }
        let done = reports.withLock { $0 }
        #expect(done.count == 2)
        #expect(done.map(\.sent).reduce(0, +) == 40)
        #expect(done.allSatisfy { $0.uncertainFound == 0 })  // neither took the other's claims for a dead run's
        let recipients = try FileManager.default.contentsOfDirectory(at: drop, includingPropertiesForKeys: nil).map { url in
            MIMEReader.message(try Data(contentsOf: url)).header("To") ?? ""
        }
        #expect(recipients.count == 40 && Set(recipients).count == 40)
    }

    @Test func aSendInterruptedAfterSendingIsUncertainAndIsResentOnlyWhenAsked() throws {
        let fixture = try CampaignFixture(partnersCSV: twoPartners)
        let transport = ScriptedTransportFactory()
        // A run that died after marking the message `sending` and before the server's answer.
        let item = try #require(try fixture.store.dueMessages(campaignID: fixture.campaign.id, at: fixedNow).first)
        let dead = SendRun(pid: Int32.max)  // no such process: the run is gone
        _ = try fixture.store.markInterruptedSendsUncertain(campaignID: fixture.campaign.id, run: dead, at: fixedNow)
        #expect(try fixture.store.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: InvitationToken.generate().hash,
                                               messageIDHeader: "<lost@acme.example.com>", run: dead, at: fixedNow))

        let rerun = try fixture.sender(transport).send(campaignID: fixture.campaign.id)
        #expect(rerun.uncertainFound == 1 && rerun.sent == 1)
        #expect(transport.delivered.count == 1)
        #expect(try fixture.store.stateCounts(campaignID: fixture.campaign.id)[.uncertain] == 1)

        let again = try fixture.sender(transport).send(campaignID: fixture.campaign.id)
        #expect(again.sent == 0 && transport.delivered.count == 1)

        let resent = try fixture.sender(transport, resend: true).send(campaignID: fixture.campaign.id)
        #expect(resent.requeued == 1 && resent.sent == 1 && transport.delivered.count == 2)
    }

    @Test func remindersHonourTheLimitAndTheQuietDays() throws {
        let fixture = try CampaignFixture(partnersCSV: twoPartners)
        let transport = ScriptedTransportFactory()
        let clock = SteppingClock(fixedNow)
        _ = try fixture.sender(transport, time: clock).send(campaignID: fixture.campaign.id)
        let service = CampaignService(partners: fixture.store, surveys: fixture.store, campaigns: fixture.store, time: clock)

        #expect(try service.remind(fixture.campaign.id, maxReminders: 1, minDays: 7, afterDeadline: false) == 0)  // too soon
        clock.advance(days: 8)
        #expect(try service.remind(fixture.campaign.id, maxReminders: 1, minDays: 7, afterDeadline: false) == 2)
        _ = try fixture.sender(transport, time: clock).send(campaignID: fixture.campaign.id)
        clock.advance(days: 8)
        #expect(try service.remind(fixture.campaign.id, maxReminders: 1, minDays: 7, afterDeadline: false) == 0)  // limit reached
        #expect(transport.delivered.count == 4)
    }
}

@Suite struct MailboxSeamTests {
    /// A reply carrying `file` as an attachment, with the given Message-ID.
    static func reply(messageID: String, attachment: Data) -> Data {
        let body = attachment.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Data("""
            From: Ann Lee <ops@nordic.example.com>\r
            To: compliance@acme.example.com\r
            Subject: RE: Questionnaire\r
            Message-ID: \(messageID)\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            Here are our answers.\r
            --b1\r
            Content-Type: application/json\r
            Content-Disposition: attachment; filename="answers.json"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(body)\r
            --b1--\r

            """.utf8)
    }

    @Test func messagesAreReadOnceByUIDAndOnceByMessageID() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let ingest = ResponseIngest(responses: store, surveys: store, quarantine: directory.url.appendingPathComponent("quarantine"),
                                    messages: MIMEMessageDecoder(), evidence: .inVault(of: store), time: FixedTime(fixedNow))
        let mailbox = MemoryMailbox()
        let notAnswers = Data(#"{"format": "something-else"}"#.utf8)
        mailbox.messages[1] = Self.reply(messageID: "<a@nordic.example.com>", attachment: notAnswers)
        mailbox.messages[2] = Self.reply(messageID: "<a@nordic.example.com>", attachment: notAnswers)  // the same mail delivered twice
        let fetcher = MailboxFetcher(reader: mailbox, ledger: store, ingest: ingest, moveTo: "Processed", time: FixedTime(fixedNow))

        let first = try fetcher.fetch()
        #expect(first.messages == 1 && first.skipped == 1)
        #expect(first.summary.rejected.count == 1)  // quarantined with its reason, not lost
        #expect(mailbox.moved.map(\.uid) == [1, 2])

        mailbox.messages[3] = Self.reply(messageID: "<b@nordic.example.com>", attachment: notAnswers)
        let second = try fetcher.fetch()
        #expect(second.messages == 1 && second.skipped == 0)  // only the new UID is read

        mailbox.validity = 8  // the server renumbered the mailbox: UIDs are new, Message-IDs are not
        let renumbered = try fetcher.fetch()
        #expect(renumbered.messages == 0 && renumbered.skipped == 3)
    }

    @Test func aMessageAGatewayStrippedIsReadAgainWhenReleasedWithItsAttachment() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let ingest = ResponseIngest(responses: store, surveys: store, quarantine: directory.url.appendingPathComponent("quarantine"),
                                    messages: MIMEMessageDecoder(), evidence: .inVault(of: store), time: FixedTime(fixedNow))
        let mailbox = MemoryMailbox()
        let stripped = Data("""
            From: Ann Lee <ops@nordic.example.com>\r
            Subject: RE: Questionnaire\r
            Message-ID: <c@nordic.example.com>\r
            Content-Type: text/plain\r
            \r
            [attachment removed by the mail gateway]\r

            """.utf8)
        mailbox.messages[1] = stripped
        let fetcher = MailboxFetcher(reader: mailbox, ledger: store, ingest: ingest, moveTo: nil, time: FixedTime(fixedNow))
        let first = try fetcher.fetch()
        #expect(first.messages == 1 && first.summary.rejected.map(\.reason) == ["no answer file (.json) attached"])

        // Released by the gateway with the same Message-ID and the attachment: read, not "already seen".
        mailbox.messages[2] = Self.reply(messageID: "<c@nordic.example.com>", attachment: Data(#"{"format": "other"}"#.utf8))
        let released = try fetcher.fetch()
        #expect(released.messages == 1 && released.skipped == 0)
        #expect(released.summary.rejected.first?.reason.contains("not a PartnerRisk answer file") == true)
        // Every message is in the ledger and, refused, in the quarantine list: nothing only in imap_seen.
        #expect(try store.rejectedInputs().count == 2)

        // The stripped copy delivered once more is the same content: passed over.
        mailbox.messages[3] = stripped
        #expect(try fetcher.fetch().skipped == 1)
    }
}

@Suite struct ScoringSourceTests {
    @Test func theConfigIsReadOnceAndAgainOnlyWhenItsFileChanges() throws {
        let directory = TemporaryDirectory()
        let surveys = directory.url.appendingPathComponent("Surveys")
        try FileManager.default.copyItem(at: ProjectRoot.url.appendingPathComponent("Surveys"), to: surveys)
        let file = surveys.appendingPathComponent("scoring.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let stamp = Date(timeIntervalSince1970: 1_790_000_000)  // whole seconds: set back exactly below
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        let source = ScoringSource(catalog: SurveyCatalog(directory: surveys))
        let (config, _) = try source.scoring()

        // Not read again while its size and time are unchanged: bytes of the same length that are
        // not YAML at all still give the config loaded first.
        try Data(String(repeating: "x", count: text.utf8.count).utf8).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        #expect(try source.scoring().0 == config)

        // An edit (a new version line) is picked up without a restart.
        let edited = text.replacingOccurrences(of: "version: \"\(config.version)\"", with: "version: \"\(config.version)-edited\"")
            .replacingOccurrences(of: "version: \(config.version)\n", with: "version: \(config.version)-edited\n")
        #expect(edited != text)
        try Data(edited.utf8).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: stamp.addingTimeInterval(5)], ofItemAtPath: file.path)
        #expect(try source.scoring().0.version == config.version + "-edited")
    }
}
