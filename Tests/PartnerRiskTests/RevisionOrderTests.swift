import Foundation
import GRDB
import Synchronization
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskMail
@testable import PartnerRiskStore

/// The current answers are those the partner saved last, whatever order the files arrive in, and
/// a file equal to any stored revision is stored once, even by two imports at once.
extension ResponseIngestTests {
    /// The answer file `url` saved at `savedAt`, with its first "yes" turned to "no" when `changed`.
    func answerFile(_ url: URL, savedAt: String, changed: Bool = false) throws -> [String: JSONValue] {
        var file = changed ? try revisedAnswerFile(url).0 : try object(url)
        file["saved_at"] = .string(savedAt)
        return file
    }

    /// The current revision of the first partner's invitation, as the store lists it.
    func current(_ setup: Setup) throws -> ResponseSummary {
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        let first = try #require(stored.first)
        return try #require(stored.first { $0.invitationID == first.invitationID && $0.current })
    }

    @Test(arguments: [false, true])
    func aStaleCopyArrivingLateIsKeptAsHistoryAndTheCorrectionStaysCurrent(staleSortsFirst: Bool) throws {
        let setup = try setup()
        let (_, key) = try revisedAnswerFile(setup.files[0])
        let folder = try setup.folder("replies")
        // The partner's correction (saved on the 22nd) and last week's file a colleague forwarded.
        let names = staleSortsFirst ? ("b-correction.json", "a-stale.json") : ("a-correction.json", "b-stale.json")
        try write(answerFile(setup.files[0], savedAt: "2026-11-22T09:30:00Z", changed: true), folder.appendingPathComponent(names.0))
        try write(answerFile(setup.files[0], savedAt: "2026-11-15T16:00:00Z"), folder.appendingPathComponent(names.1))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 1)
        let current = try current(setup)
        #expect(current.source?.hasSuffix("correction.json") == true)
        #expect(current.savedAt == "2026-11-22T09:30:00Z")
        #expect(try setup.fixture.store.answers(responseID: current.id)[key] == .value("no"))
        // Said in the summary when the stale file came second; the first file is then revision 1.
        if staleSortsFirst {
            #expect(summary.revised == 1 && summary.history.isEmpty)
        } else {
            #expect(summary.history.map(\.current) == [1] && summary.line.hasSuffix(", older than current 1"))
        }
        // Scoring reads the correction, the one saved last.
        let submissions = SubmissionService(repositories: setup.fixture.store,
                                            scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        try submissions.accepted(summary.acceptedResponseIDs)
        let scored = try setup.fixture.store.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT response_id FROM current_score WHERE response_id IS NOT NULL")
        }
        #expect(scored.contains(current.id))
        #expect(try setup.fixture.store.unscoredResponseIDs().isEmpty)
    }

    @Test func aFileEqualToAnyStoredRevisionIsADuplicateAndAResavedOneIsCurrentAgain() throws {
        let setup = try setup()
        let folder = try setup.folder("files")
        let monday = folder.appendingPathComponent("monday.json"), tuesday = folder.appendingPathComponent("tuesday.json")
        try write(answerFile(setup.files[0], savedAt: "2026-11-16T10:00:00Z"), monday)
        try write(answerFile(setup.files[0], savedAt: "2026-11-17T10:00:00Z", changed: true), tuesday)
        #expect(try setup.ingest.importPaths([monday.path, tuesday.path]).line == "accepted 1, revised 1, incomplete 0, duplicates 0, rejected 0")
        // Monday's file again, after Tuesday's: equal to revision 1, not a third revision.
        let again = try setup.ingest.importPaths([monday.path])
        #expect(again.duplicates == 1 && again.accepted + again.revised == 0 && again.history.isEmpty)
        #expect(try current(setup).revision == 2)
        // Monday's answers saved again on Wednesday: the partner went back to them, and they are current.
        let wednesday = folder.appendingPathComponent("wednesday.json")
        try write(answerFile(setup.files[0], savedAt: "2026-11-18T10:00:00Z"), wednesday)
        #expect(try setup.ingest.importPaths([wednesday.path]).revised == 1)
        #expect(try current(setup).revision == 3)
    }

    @Test func aSaveTimeAfterTheReceiptCountsAsTheReceipt() throws {
        let setup = try setup()
        let file = setup.fixture.directory.url.appendingPathComponent("future.json")
        try write(answerFile(setup.files[0], savedAt: "2099-01-01T00:00:00Z"), file)
        _ = try setup.ingest.importPaths([file.path])
        #expect(try current(setup).savedAt == DayFormat.timestamp(fixedNow))
        // A correction saved an hour later (after the receipt of the future-dated file) becomes current.
        let later = setup.fixture.directory.url.appendingPathComponent("later.json")
        try write(answerFile(setup.files[0], savedAt: DayFormat.timestamp(fixedNow.addingTimeInterval(3600)), changed: true), later)
        let ingest = ResponseIngest(responses: setup.fixture.store, surveys: setup.fixture.store, quarantine: setup.ingest.quarantine,
                                    messages: setup.ingest.messages, evidence: .inVault(of: setup.fixture.store), time: FixedTime(fixedNow.addingTimeInterval(7200)))
        #expect(try ingest.importPaths([later.path]).revised == 1)
        #expect(try current(setup).source?.hasSuffix("later.json") == true)
    }

    @Test func twoImportsOfOneFolderAtOnceStoreEachAnswerOnceAndBothSummariesAreTrue() throws {
        let setup = try setup()
        let path = setup.fixture.directory.path("test.sqlite")
        let (quarantine, messages, folder) = (setup.ingest.quarantine, setup.ingest.messages, setup.answers.path)
        let results = Mutex<[ResponseIngest.Summary]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            // Each import its own connection pool on the one file, as two processes would have.
            guard let store = try? SQLiteStore(path: path) else { return }
            var ingest = ResponseIngest(responses: store, surveys: store, quarantine: quarantine, messages: messages, evidence: .inVault(of: store), time: FixedTime(fixedNow))
            ingest.batching = (filesPerChunk: 1, responsesPerTransaction: 1)
            if let summary = try? ingest.importPaths([folder]) { results.withLock { $0.append(summary) } }
        }
        let summaries = results.withLock { $0 }
        #expect(summaries.count == 2)
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        #expect(stored.count == setup.files.count)
        #expect(summaries.map(\.accepted).reduce(0, +) == setup.files.count)
        #expect(summaries.map(\.duplicates).reduce(0, +) == setup.files.count)
        #expect(Set(summaries.flatMap(\.acceptedResponseIDs)) == Set(stored.map(\.id)))
    }
}

/// The partner's receipt is part of storing the answers.
extension ResponseIngestTests {
    @Test func theReceiptIsQueuedWithTheResponseAndNamesItsRevision() throws {
        let setup = try setup()
        let store = setup.fixture.store
        let campaign = setup.fixture.campaign.id
        let before = try store.stateCounts(campaignID: campaign)[.queued, default: 0]
        // Stored, and the command stopped before its next step (a kill -9): the receipts are queued already.
        let summary = try setup.ingest.importPaths([setup.answers.path])
        #expect(try store.stateCounts(campaignID: campaign)[.queued, default: 0] == before + 3)
        // The next step queues none a second time.
        let submissions = SubmissionService(repositories: store,
                                            scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        #expect(try submissions.accepted(summary.acceptedResponseIDs).campaigns == [campaign])
        #expect(try store.stateCounts(campaignID: campaign)[.queued, default: 0] == before + 3)
        let due = try store.dueMessages(campaignID: campaign, at: fixedNow).filter { $0.kind == "thank-you" }
        #expect(due.map(\.revision) == [1, 1, 1])
        // Sent, each subject names the revision.
        let drop = setup.fixture.directory.url.appendingPathComponent("receipts")
        _ = try setup.fixture.sender(DropTransportFactory(directory: drop)).send(campaignID: campaign)
        let subjects = try FileManager.default.contentsOfDirectory(at: drop, includingPropertiesForKeys: nil).map { url in
            MIMEReader.message(try Data(contentsOf: url)).header("Subject") ?? ""
        }
        #expect(subjects.count == 3)
        #expect(subjects.allSatisfy { $0.hasSuffix("(revision 1)") || $0.hasSuffix("(révision 1)") }, "\(subjects)")
    }
}
