import Foundation
import GRDB
import Synchronization
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskMail
@testable import PartnerRiskDemo
@testable import PartnerRiskApp

/// Answers coming back: real invitations from the mail drop, answer files written the way the
/// offline form writes them, then the ingest pipeline against a real SQLite file.
@Suite struct ResponseIngestTests {
    struct Setup {
        let fixture: CampaignFixture
        let answers: URL
        let ingest: ResponseIngest
        let files: [URL]

        /// A new empty folder in the test's directory.
        func folder(_ name: String) throws -> URL {
            let url = fixture.directory.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
    }

    func setup(partners: String = "A,a@x.example.com,CA,highway-carrier,,en\nB,b@x.example.com,VN,customs-broker,,fr\nC,c@x.example.com,US,warehouse,,en\n") throws -> Setup {
        let fixture = try CampaignFixture(partnersCSV: partners)
        let outbox = fixture.directory.url.appendingPathComponent("outbox")
        _ = try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id)
        let answers = fixture.directory.url.appendingPathComponent("answers")
        let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))
        // Seed 1 makes every partner answer (no silent profile for these three).
        var seed: UInt64 = 1
        while true {
            try? FileManager.default.removeItem(at: answers)
            let result = try DemoResponder(catalog: catalog, seed: seed, today: fixedNow).respond(outbox: outbox, output: answers)
            if result.silent == 0 { break }
            seed += 1
        }
        let ingest = ResponseIngest(responses: fixture.store, surveys: fixture.store,
                                    quarantine: fixture.directory.url.appendingPathComponent("quarantine"), messages: MIMEMessageDecoder(), evidence: .inVault(of: fixture.store), time: FixedTime(fixedNow))
        let files = try FileManager.default.contentsOfDirectory(at: answers, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        return Setup(fixture: fixture, answers: answers, ingest: ingest, files: files)
    }

    func object(_ url: URL) throws -> [String: JSONValue] { JSONValue.parse(try String(contentsOf: url, encoding: .utf8))!.objectValue! }

    /// The answer file with its first "yes" answer turned to "no" and a checksum that fits, as the
    /// offline form would save a changed answer; returns the file and the changed question.
    func revisedAnswerFile(_ url: URL) throws -> ([String: JSONValue], String) {
        var file = try object(url)
        var answers = file["answers"]!.objectValue!
        let key = answers.keys.sorted().first { answers[$0]?.stringValue == "yes" }!
        answers[key] = "no"
        file["answers"] = .object(answers)
        file["checksum"] = .string("sha256:" + CanonicalJSON.sha256(.object(answers)))
        return (file, key)
    }

    func write(_ object: [String: JSONValue], _ url: URL) throws { try Data(JSONValue.object(object).rendered().utf8).write(to: url) }

    @Test func answerFilesAreAcceptedOnceAndReimportIsADuplicate() throws {
        let setup = try setup()
        #expect(setup.files.count == 3)
        let first = try setup.ingest.importPaths([setup.answers.path])
        #expect(first.accepted == 3 && first.rejected.isEmpty && first.incomplete == 0)
        let again = try setup.ingest.importPaths([setup.answers.path])
        #expect(again.duplicates == 3 && again.accepted == 0 && again.revised == 0)
        let stored = try setup.fixture.store.responses(campaignID: setup.fixture.campaign.id, partnerID: nil)
        #expect(stored.count == 3 && stored.allSatisfy { $0.revision == 1 && $0.complete && $0.channel == "file" })
    }

    @Test func fileAnswersGetAThankYouAndAScoreThroughTheSubmissionPathDuplicatesNone() throws {
        let setup = try setup()
        let store = setup.fixture.store
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        let before = try store.stateCounts(campaignID: setup.fixture.campaign.id)[.queued, default: 0]
        let first = try setup.ingest.importPaths([setup.answers.path])
        // The thank-yous are queued with the answers, in their transaction; the summary names their campaigns.
        #expect(first.acknowledgedCampaigns == [setup.fixture.campaign.id])
        // The partners who answered, the ones the import screens again (not every partner).
        #expect(first.acceptedPartners == Set(try store.responses(campaignID: nil, partnerID: nil).map(\.partnerID)) && first.acceptedPartners.count == 3)
        #expect(try store.stateCounts(campaignID: setup.fixture.campaign.id)[.queued, default: 0] == before + 3)
        let receipt = try submissions.accepted(first.acceptedResponseIDs, acknowledgedIn: first.acknowledgedCampaigns)
        #expect(receipt.thankYous == 3 && receipt.scored == 3 && receipt.campaigns == [setup.fixture.campaign.id])
        #expect(try store.stateCounts(campaignID: setup.fixture.campaign.id)[.queued, default: 0] == before + 3)
        // Queueing them again (a caller that did not say so) adds none: one receipt per response.
        #expect(try submissions.accepted(first.acceptedResponseIDs).campaigns == [setup.fixture.campaign.id])
        #expect(try store.stateCounts(campaignID: setup.fixture.campaign.id)[.queued, default: 0] == before + 3)
        #expect(try store.latestScores().count == 3)

        // A re-import accepts nothing, so no second receipt.
        let again = try setup.ingest.importPaths([setup.answers.path])
        #expect(again.acknowledgedCampaigns.isEmpty && again.acceptedPartners.isEmpty)
        #expect(try submissions.accepted(again.acceptedResponseIDs, acknowledgedIn: again.acknowledgedCampaigns).thankYous == 0)

        // The receipts go to the partners with the next send.
        let transport = ScriptedTransportFactory()
        let sent = try setup.fixture.sender(transport).send(campaignID: setup.fixture.campaign.id)
        #expect(sent.sent == 3)
        #expect(Set(transport.delivered) == ["a@x.example.com", "b@x.example.com", "c@x.example.com"])
    }

    @Test func theSummaryNamesOnlyThePartnersWhoseAnswersWereAccepted() throws {
        let setup = try setup()
        let summary = try setup.ingest.importPaths(setup.files.prefix(2).map(\.path))
        let answered = Set(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).map(\.partnerID))
        #expect(summary.accepted == 2 && answered.count == 2)
        // These are the partners `responses import` screens again; the third, silent one is not.
        #expect(summary.acceptedPartners == answered)
        #expect(try setup.fixture.store.partners(matching: PartnerFilter()).count == 3)
    }

    @Test func repliesInTheShapesMailClientsWriteAreAcceptedNotQuarantined() throws {
        let setup = try setup()
        let replies = try setup.folder("replies")
        let shapes: [(String, String)] = [
            // RFC 2231 continuations with a charset (Python's email package, many clients).
            ("Content-Type: application/json", "Content-Disposition: attachment;\r\n filename*0*=utf-8''R%C3%A9ponses%20;\r\n filename*1*=questionnaire.json"),
            // A quoted name holding a semicolon, sent as octet-stream.
            ("Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"answers; final.json\""),
            // Plain text with a .json name, and a boundary line with trailing white space (below).
            ("Content-Type: text/plain; charset=utf-8", "Content-Disposition: attachment; filename=\"answers.json\""),
        ]
        for (index, (file, shape)) in zip(setup.files, shapes).enumerated() {
            let answers = try Data(contentsOf: file).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            let text = "From: partner@x.example.com\r\nSubject: RE: Questionnaire\r\nMessage-ID: <shape\(index)@x.example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b \t\r\nContent-Type: text/plain\r\n\r\nHere they are.\r\n--b \t\r\n"
                + "\(shape.0)\r\n\(shape.1)\r\nContent-Transfer-Encoding: base64\r\n\r\n\(answers)\r\n"  // no closing boundary
            try Data(text.utf8).write(to: replies.appendingPathComponent("reply-\(index).eml"))
        }
        let summary = try setup.ingest.importPaths([replies.path])
        #expect(summary.accepted == 3 && summary.rejected.isEmpty, "\(summary.rejected)")
    }

    @Test func answersStoredButNotScoredByAStoppedRunAreScoredByTheNextRun() throws {
        let setup = try setup()
        let store = setup.fixture.store
        // A run that stored the answers and was killed before scoring them.
        #expect(try setup.ingest.importPaths([setup.answers.path]).accepted == 3)
        #expect(try store.unscoredResponseIDs().count == 3 && store.latestScores().isEmpty)

        // The next import, even of nothing new, scores them.
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        let again = try setup.ingest.importPaths([setup.answers.path])
        #expect(again.duplicates == 3)
        // Looked up while an import's own are scored beside it, those are left out.
        let all = try store.unscoredResponseIDs()
        #expect(try submissions.unscoredResponseIDs(excluding: [all[0]]) == Array(all.dropFirst()))
        #expect(try submissions.accepted(again.acceptedResponseIDs).scored == 3)
        #expect(try store.unscoredResponseIDs().isEmpty && store.latestScores().count == 3)
        #expect(try submissions.scoreUnscored() == 0)
    }

    /// Batches handed to scoring keep their answers only while scoring keeps up: with four
    /// waiting, the next ones wait as ids (read back when scored); once fewer wait, a new batch
    /// keeps its answers again. Every batch comes out, in order.
    @Test func batchesWaitingForScoringKeepTheirAnswersOnlyUpToTheCap() {
        var queue = ScoringQueue()
        let answers: [Int64: PositionedAnswers] = [1: [.value(.string("yes"))]]
        for batch in 0..<6 { queue.add([Int64(batch)], known: answers) }
        var taken: [(ids: [Int64], known: [Int64: PositionedAnswers])] = []
        for _ in 0..<3 { taken.append(queue.next()!) }  // three wait now
        queue.add([6], known: answers)
        while let batch = queue.next() { taken.append(batch) }
        #expect(taken.map(\.ids) == (0..<7).map { [Int64($0)] })
        #expect(taken.map { !$0.known.isEmpty } == [true, true, true, true, false, false, true])
        #expect(queue.isEmpty && queue.next() == nil)
    }

    @Test func answersAreScoredAlongsideTheImportEachBatchOnceStored() throws {
        let setup = try setup()
        let store = setup.fixture.store
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        var ingest = setup.ingest
        ingest.batching = (filesPerChunk: 1, responsesPerTransaction: 1)  // one batch per file: three hand-overs
        let scoring = try submissions.scoringAlongside()
        let handed = Mutex<[[Int64]]>([])
        let answersHanded = Mutex<[Int64]>([])
        ingest.onStored = { ids, known in
            handed.withLock { $0.append(ids) }
            answersHanded.withLock { $0 += known.keys.sorted() }
            scoring.submit(ids, known: known)
        }
        let summary = try ingest.importPaths([setup.answers.path])
        let alongside = scoring.finish()
        #expect(summary.accepted == 3 && alongside.error == nil)
        #expect(handed.withLock { $0 } == summary.acceptedResponseIDs.map { [$0] })
        // Each batch's validated answers come along, so scoring does not read them back.
        #expect(answersHanded.withLock { $0 } == summary.acceptedResponseIDs)
        #expect(alongside.scored == 3)
        #expect(try store.unscoredResponseIDs().isEmpty && store.latestScores().count == 3)
        // Nothing is left for the receipt to score, and it counts the scores written alongside.
        #expect(try submissions.accepted(summary.acceptedResponseIDs, scoredAlready: alongside.scored).scored == 3)
        #expect(try store.latestScores().count == 3)
        // Scoring the stored answers, read back from the database, comes to the very same scores.
        func scores() throws -> [String] {
            try store.latestScoresDetailed().map { "\($0.partnerID) \($0.overallRisk) \($0.tier) \($0.factors.map { "\($0.code) \($0.points)" })" }.sorted()
        }
        let handedScores = try scores()
        #expect(try submissions.score(summary.acceptedResponseIDs) == 3)
        #expect(try scores() == handedScores && handedScores.count == 3)
    }

    @Test func serveScoresAtItsStartWhatAStoppedServeLeftUnscored() throws {
        let setup = try setup()
        #expect(try setup.ingest.importPaths([setup.answers.path]).accepted == 3)
        let app = try AppEnvironment.open(database: setup.fixture.directory.path("test.sqlite"), time: FixedTime(fixedNow))
        let server = try app.partnerServer(host: "127.0.0.1", port: 8089, publicURL: nil,
                                           overrides: MailSetup.Overrides(drop: setup.fixture.directory.path("drop")))
        #expect(server.recovered == ["scored 3 response(s) an earlier run accepted but did not score"])
        #expect(try setup.fixture.store.latestScores().count == 3)
    }

    @Test func aFolderWithOddEntriesIsImportedWithoutHangingAndEveryEntryNotTakenIsListed() throws {
        let setup = try setup()
        let folder = try setup.folder("odd")
        // A valid answer file saved with a UTF-8 byte-order mark.
        try (Data([0xEF, 0xBB, 0xBF]) + Data(contentsOf: setup.files[0])).write(to: folder.appendingPathComponent("bom.json"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("folder.eml"), withIntermediateDirectories: true)
        #expect(mkfifo(folder.appendingPathComponent("pipe.json").path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("gone.json").path, withDestinationPath: "/nonexistent/answers.json")
        // Larger than the 28 MB an answer file with documents may be: quarantined as it is, never read whole.
        let large = folder.appendingPathComponent("large.json")
        #expect(FileManager.default.createFile(atPath: large.path, contents: nil))
        let handle = try FileHandle(forWritingTo: large)
        try handle.truncate(atOffset: UInt64(29 * 1_048_576))
        try handle.close()

        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 1)
        #expect(summary.rejected.map(\.reason) == ["file of 29 MB, larger than 28 MB"])
        #expect(summary.skipped.map { ($0.source as NSString).lastPathComponent } == ["folder.eml", "gone.json", "pipe.json"])
        #expect(summary.skipped.map(\.reason) == ["a folder, not a file", "a link to nothing", "a FIFO, not a file"])
        #expect(summary.line.hasSuffix("rejected 1, skipped 3"))
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: setup.fixture.directory.url.appendingPathComponent("quarantine").path)
        #expect(quarantined.count == 1 && quarantined[0].hasSuffix("large.json"))
    }

    @Test func aChangedAnswerIsANewRevisionAndTheOldOneStays() throws {
        let setup = try setup()
        _ = try setup.ingest.importPaths([setup.files[0].path])
        let (file, key) = try revisedAnswerFile(setup.files[0])
        let revised = setup.fixture.directory.url.appendingPathComponent("revised.json")
        try write(file, revised)
        let summary = try setup.ingest.importPaths([revised.path])
        #expect(summary.revised == 1)
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        #expect(stored.map(\.revision) == [1, 2])
        #expect(try setup.fixture.store.answers(responseID: stored[0].id)[key] == .value("yes"))
        #expect(try setup.fixture.store.answers(responseID: stored[1].id)[key] == .value("no"))
    }

    @Test func oneImportBatchNumbersRevisionsAndSpotsDuplicatesOfFilesNotYetWritten() throws {
        let setup = try setup()
        let (file, key) = try revisedAnswerFile(setup.files[0])
        let folder = try setup.folder("batch")
        try FileManager.default.copyItem(at: setup.files[0], to: folder.appendingPathComponent("a-original.json"))
        try FileManager.default.copyItem(at: setup.files[0], to: folder.appendingPathComponent("b-same-again.json"))
        try write(file, folder.appendingPathComponent("c-revised.json"))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 1 && summary.duplicates == 1 && summary.revised == 1)
        #expect(summary.acceptedResponseIDs.count == 2)
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        #expect(stored.map(\.revision) == [1, 2])
        #expect(Set(stored.map(\.id)) == Set(summary.acceptedResponseIDs))
        #expect(try setup.fixture.store.answers(responseID: stored[1].id)[key] == .value("no"))
    }

    @Test func filesCheckedAheadOfEarlierWritesAreStillNumberedAndDeduplicated() throws {
        let setup = try setup()
        let (file, key) = try revisedAnswerFile(setup.files[0])
        let folder = try setup.folder("chunks")
        // Chunk 1: A, B, then A revised after B's write filled a transaction (A's revision 1 is
        // written but was not when the chunk was looked up). Chunk 2, checked while chunk 1 is
        // committed: A revised again, a duplicate.
        try FileManager.default.copyItem(at: setup.files[0], to: folder.appendingPathComponent("a-original.json"))
        try FileManager.default.copyItem(at: setup.files[1], to: folder.appendingPathComponent("b-other-partner.json"))
        try write(file, folder.appendingPathComponent("c-revised.json"))
        try write(file, folder.appendingPathComponent("d-revised-again.json"))
        var ingest = setup.ingest
        ingest.batching = (filesPerChunk: 3, responsesPerTransaction: 2)
        let summary = try ingest.importPaths([folder.path])
        #expect(summary.accepted == 2 && summary.revised == 1 && summary.duplicates == 1)
        let stored = try setup.fixture.store.responses(campaignID: nil, partnerID: nil)
        let first = try #require(stored.first { $0.source?.hasSuffix("a-original.json") == true })
        let revisions = stored.filter { $0.invitationID == first.invitationID }
        #expect(revisions.map(\.revision) == [1, 2])
        #expect(try setup.fixture.store.answers(responseID: revisions[1].id)[key] == .value("no"))
    }

    @Test func scoresAreCommittedPerTransactionAndAFailedOneKeepsTheEarlierOnes() throws {
        let setup = try setup()
        _ = try setup.ingest.importPaths([setup.answers.path])
        let store = setup.fixture.store
        let (config, countries) = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).scoring()
        let configID = try store.registerScoringConfig(config, countries: countries, at: fixedNow)
        let records = try store.currentScoringInputs().map { item in
            ScoreRecord(work: item, result: ScoringEngine().score(ScoreInput(
                survey: try store.survey(rowID: item.surveyVersionID), config: config, countries: countries, partner: item.partner,
                answers: item.resolvedAnswers, evidenceProvided: item.evidence, asOf: fixedNow)))
        }
        #expect(records.count == 3)
        func scoreCount() throws -> Int { try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM score")! } }
        // One record per chunk, one chunk per transaction; the third chunk fails.
        struct WriteFailed: Error {}
        var handed = 0
        #expect(throws: WriteFailed.self) {
            try store.storeScores(configVersionID: configID, at: fixedNow, perTransaction: 1) {
                handed += 1
                if handed == 3 { throw WriteFailed() }
                return [records[handed - 1]]
            }
        }
        #expect(try scoreCount() == 2)
        var rest = Array(records.map { [$0] }.reversed())
        try store.storeScores(configVersionID: configID, at: fixedNow, perTransaction: 2) { rest.popLast() }
        #expect(try scoreCount() == 5)
        #expect(try store.latestScores().count == 3)
        let unresolved = try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM score_flag WHERE message IS NULL")!
        }
        #expect(unresolved == 0)
    }

    /// Sentence ids are kept from one score transaction to the next: one another writer stored
    /// meanwhile is read and reused (no second copy), and one stored by a transaction that rolled
    /// back is never used (it is stored again, and every id a score names exists).
    @Test func sentenceIDsKeptBetweenTransactionsFollowOtherWritersAndRollbacks() throws {
        let setup = try setup()
        _ = try setup.ingest.importPaths([setup.answers.path])
        let store = setup.fixture.store
        let (config, countries) = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).scoring()
        let configID = try store.registerScoringConfig(config, countries: countries, at: fixedNow)
        let inputs = try store.currentScoringInputs()
        func record(_ index: Int, firstSentence: LocalizedText? = nil) throws -> ScoreRecord {
            let item = inputs[index]
            var result = ScoringEngine().score(ScoreInput(
                survey: try store.survey(rowID: item.surveyVersionID), config: config, countries: countries, partner: item.partner,
                answers: item.resolvedAnswers, evidenceProvided: item.evidence, asOf: fixedNow))
            if let firstSentence { result.factors[0].text = firstSentence }
            return ScoreRecord(work: item, result: result)
        }
        func write(_ records: [ScoreRecord], into store: SQLiteStore) throws {
            var rest = [records]
            try store.storeScores(configVersionID: configID, at: fixedNow, perTransaction: 10) { rest.popLast() }
        }
        func copies(_ en: String) throws -> Int {
            try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM explanation_text WHERE en = ?", arguments: [en])! }
        }
        try write([try record(0)], into: store)  // the cache now holds every sentence so far
        let other = try SQLiteStore(path: store.path)
        let extra = LocalizedText(en: "Stored by another writer", fr: "Enregistrée par un autre")
        try write([try record(1, firstSentence: extra)], into: other)
        try write([try record(2, firstSentence: extra)], into: store)
        #expect(try copies(extra.en) == 1)
        struct Stopped: Error {}
        let rolledBack = LocalizedText(en: "Written then rolled back", fr: "Écrite puis annulée")
        var handed = false
        #expect(throws: Stopped.self) {
            try store.storeScores(configVersionID: configID, at: fixedNow, perTransaction: 10) {
                if handed { throw Stopped() }
                handed = true
                return [try record(0, firstSentence: rolledBack)]
            }
        }
        #expect(try copies(rolledBack.en) == 0)
        try write([try record(0, firstSentence: rolledBack)], into: store)
        #expect(try copies(rolledBack.en) == 1)
        let dangling = try store.pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM score s, json_each(s.explanation) j
                WHERE NOT EXISTS (SELECT 1 FROM explanation_text t WHERE t.id = json_extract(j.value, '$.t'))
                """)!
        }
        #expect(dangling == 0)
    }

    @Test func multiRowStatementsAndInListsComeInAFewSizes() {
        for count in [0, 1, 2, 127, 128, 129, 200, 255, 256, 500, 1_001] {
            let sizes = SQLiteStore.statementSizes(count)
            #expect(sizes.reduce(0, +) == count)
            #expect(sizes.allSatisfy { [128, 64, 32, 16, 8, 4, 2, 1].contains($0) })
            #expect(sizes.filter { $0 < 128 }.count == Set(sizes.filter { $0 < 128 }).count)
        }
        for count in [1, 2, 3, 255, 256, 257, 500] {
            let list = SQLiteStore.padded(Array(1...count))
            #expect(list.count.nonzeroBitCount == 1 && list.count >= count && list.count < 2 * count && Set(list) == Set(1...count))
        }
    }

    /// A score row keeps its first reason once (in the ranking row, not again in `score`), and
    /// factor points and category scores to three decimals; the overall risk stays exact.
    @Test func scoreRowsKeepTheHeadlineOnceAndScoresToThreeDecimals() throws {
        let setup = try setup()
        _ = try setup.ingest.importPaths([setup.answers.path])
        let store = setup.fixture.store
        let (config, countries) = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).scoring()
        let service = ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries,
                                     time: FixedTime(fixedNow))
        #expect(try service.rescoreAll() == 3)
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id AS score_id, s.headline, s.explanation, s.categories, s.overall_risk, c.headline AS ranked, c.headline_text_id AS ranked_text,
                       c.overall_risk AS ranked_risk
                FROM score s JOIN current_score c ON c.score_id = s.id
                """)
        }
        #expect(rows.count == 3)
        for row in rows {
            #expect((row["headline"] as String).isEmpty)
            #expect(row["overall_risk"] as Double == row["ranked_risk"] as Double)
            let factors = try #require(JSONParser.parse(row["explanation"] as String)?.arrayValue)
            #expect(!factors.isEmpty)
            for factor in factors {
                let points = try #require(factor.objectValue?["points"]?.numberValue)
                #expect(abs(points * 1000 - (points * 1000).rounded()) < 1e-6)
            }
            for item in (row["categories"] as String).split(separator: ";") {
                let parts = item.split(separator: ":")
                for number in [Double(parts[1])!, Double(parts[2])!] { #expect(abs(number * 1000 - (number * 1000).rounded()) < 1e-6) }
            }
            // The ranking names the explanation's first sentence by id, in both languages; no text copy.
            let first = try #require(factors.first?.objectValue?["t"]?.numberValue)
            #expect(row["ranked_text"] as Int64? == Int64(first) && (row["ranked"] as String).isEmpty)
            let text = try store.pool.read { db in try String.fetchOne(db, sql: "SELECT en FROM explanation_text WHERE id = ?", arguments: [Int64(first)]) }
            let ranked = try #require(try store.latestScores().first { $0.id == row["score_id"] as Int64 })
            #expect(ranked.topReason == text && ranked.topReasonFR != text && ranked.topReasonFR?.isEmpty == false)
        }
    }

    @Test func scoringReadsTheStoredAnswersOfTheCurrentRevision() throws {
        let setup = try setup()
        _ = try setup.ingest.importPaths([setup.files[0].path])
        let first = try #require(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).first)
        let stored = try setup.fixture.store.answers(responseID: first.id)
        #expect(stored.answers.count > 20)
        let input = try #require(try setup.fixture.store.currentScoringInputs(responseIDs: [first.id]).first)
        #expect(input.resolvedAnswers == stored)
        // The `answer` view lists the same answers, one row each, values as JSON text.
        let rows = try setup.fixture.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT question_id, value FROM answer WHERE response_id = ?", arguments: [first.id])
        }
        #expect(AnswerSet(Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, Answer(json: JSONParser.parse($0[1] as String)!)) })) == stored)
    }

    @Test func missingRequiredAnswersAreStoredAsIncompleteWithTheList() throws {
        let setup = try setup()
        var file = try object(setup.files[0])
        var answers = file["answers"]!.objectValue!
        let survey = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let removed = answers.keys.sorted().first { id in survey.question(id)?.required == true && survey.question(id)?.showIf == nil }!
        answers[removed] = nil
        file["answers"] = .object(answers)
        file["checksum"] = .string("sha256:" + CanonicalJSON.sha256(.object(answers)))
        try write(file, setup.files[0])
        let summary = try setup.ingest.importPaths([setup.files[0].path])
        #expect(summary.incomplete == 1 && summary.accepted == 1)
        #expect(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).first?.missing.contains(removed) == true)
    }

    @Test func badFilesAreQuarantinedWithTheirReason() throws {
        let setup = try setup()
        let directory = try setup.folder("bad")
        let good = try object(setup.files[0])
        var tampered = good
        var answers = good["answers"]!.objectValue!
        answers[answers.keys.sorted()[0]] = "tampered"
        tampered["answers"] = .object(answers)
        try write(tampered, directory.appendingPathComponent("1-tampered.json"))
        var unknown = good
        unknown["token"] = .string(InvitationToken.generate().value)
        try write(unknown, directory.appendingPathComponent("2-unknown-token.json"))
        var version = good
        version["survey_version"] = "1999.1"
        try write(version, directory.appendingPathComponent("3-version.json"))
        var wrongType = good
        var typed = good["answers"]!.objectValue!
        let yesNo = typed.keys.sorted().first { typed[$0]?.stringValue == "yes" }!
        typed[yesNo] = .number(42)
        wrongType["answers"] = .object(typed)
        wrongType["checksum"] = .string("sha256:" + CanonicalJSON.sha256(.object(typed)))
        try write(wrongType, directory.appendingPathComponent("4-type.json"))
        try Data("not json at all".utf8).write(to: directory.appendingPathComponent("5-garbage.json"))
        try Data("From: a@b.example.com\r\nSubject: my answers\r\n\r\nSee attached (forgot it)\r\n".utf8)
            .write(to: directory.appendingPathComponent("6-no-attachment.eml"))
        let summary = try setup.ingest.importPaths([directory.path])
        let reasons = summary.rejected.map(\.reason)
        #expect(summary.rejected.count == 6 && summary.accepted == 0)
        #expect(reasons[0].contains("checksum mismatch"))
        #expect(reasons[1].contains("token matches no invitation"))
        #expect(reasons[2].contains("1999.1"))
        #expect(reasons[3].contains("\(yesNo): expected one of yes, no"))
        #expect(reasons[4].contains("not a PartnerRisk answer file"))
        #expect(reasons[5].contains("no answer file"))
        let recorded = try setup.fixture.store.rejectedInputs()
        #expect(recorded.count == 6)
        #expect(recorded.allSatisfy { $0.quarantinePath.map { FileManager.default.fileExists(atPath: $0) } == true })
    }

    /// A chunk's tokens are looked up in one read: each known token gets its own invitation,
    /// partner and campaign; unknown and revoked ones are left out; a repeated token is fine.
    @Test func aChunksTokensAreLookedUpTogether() throws {
        let setup = try setup()
        let hashes = try setup.files.map { InvitationToken.hash(try object($0)["token"]!.stringValue!) }
        let store = setup.fixture.store
        try store.pool.write { db in
            try db.execute(sql: "UPDATE invitation_token SET revoked_at = '2026-11-01T00:00:00Z' WHERE token_hash = ?", arguments: [hashes[2]])
        }
        let unknown = InvitationToken.hash(InvitationToken.generate().value)
        let found = try store.invitations(tokenHashes: [hashes[0], unknown, hashes[1], hashes[2], hashes[0]], at: fixedNow)
        #expect(Set(found.keys) == [hashes[0], hashes[1]])
        for hash in hashes.prefix(2) {
            let context = try #require(found[hash])
            let expected = try store.pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT i.id, i.partner_id, i.campaign_id FROM invitation_token t JOIN invitation i ON i.id = t.invitation_id
                    WHERE t.token_hash = ?
                    """, arguments: [hash])!
            }
            #expect(context.invitationID == expected[0] as Int64)
            #expect(context.partner.id == expected[1] as Int64)
            #expect(context.campaign.id == expected[2] as Int64 && context.campaign.surveyID == "pip-partner-security")
        }
        #expect(found[hashes[0]]?.partner.email != found[hashes[1]]?.partner.email)
        #expect(try store.invitation(tokenHash: hashes[2], at: fixedNow) == nil)
        #expect(try store.invitation(tokenHash: hashes[1], at: fixedNow)?.invitationID == found[hashes[1]]?.invitationID)
    }

    @Test func anAnswerFileMailedBackAsAnAttachmentIsExtracted() throws {
        let setup = try setup()
        let data = try Data(contentsOf: setup.files[1])
        let mail = MIMEBuilder(date: fixedNow, messageID: "<reply@b.example.com>", boundary: { "B\($0)" }).build(MailContent(
            from: MailAddress(address: "b@x.example.com"), to: MailAddress(address: "compliance@acme.example.com"),
            subject: "RE: Questionnaire", text: "Voici nos réponses.",
            attachments: [MailAttachment(fileName: setup.files[1].lastPathComponent, contentType: "application/json", data: data)]))
        let eml = setup.fixture.directory.url.appendingPathComponent("reply.eml")
        try mail.data.write(to: eml)
        let summary = try setup.ingest.importPaths([eml.path])
        #expect(summary.accepted == 1)
    }

    @Test func thousandsOfMutatedFilesNeverCrashAndAreEachAcceptedOrQuarantined() throws {
        let setup = try setup()
        let original = try Data(contentsOf: setup.files[2])
        var generator = SeededGenerator(state: 4242)
        var outcomes = 0
        var summary = ResponseIngest.Summary()
        for round in 0..<1500 {
            var bytes = [UInt8](original)
            switch round % 6 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            case 1: for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            case 2: bytes = Array("{\"format\":\"partner-risk-answers/1\",\"answers\":".utf8) + Array(repeating: UInt8(ascii: "["), count: 5000)
            case 3: bytes = Array("{\"format\":\"partner-risk-answers/1\",\"token\":\"\(String(repeating: "A", count: 100_000))\"}".utf8)
            case 4: bytes.insert(contentsOf: [0xFF, 0xFE, 0xC3], at: Int.random(in: 0..<bytes.count, using: &generator))
            default:
                if var object = JSONValue.parse(String(decoding: original, as: UTF8.self))?.objectValue, var answers = object["answers"]?.objectValue {
                    let key = answers.keys.sorted()[Int.random(in: 0..<answers.count, using: &generator)]
                    answers[key] = [JSONValue.number(-1e308), .bool(true), .array([.null]), .string(String(repeating: "é", count: 3000)), .object(["na": .number(1)])]
                        .randomElement(using: &generator)!
                    object["answers"] = .object(answers)
                    object["checksum"] = .string("sha256:" + CanonicalJSON.sha256(.object(answers)))
                    bytes = Array(JSONValue.object(object).rendered().utf8)
                }
            }
            let before = summary.accepted + summary.revised + summary.duplicates + summary.rejected.count
            try setup.ingest.ingest(Data(bytes), source: "fuzz-\(round).json", isMessage: false, channel: .file, into: &summary)
            let after = summary.accepted + summary.revised + summary.duplicates + summary.rejected.count
            #expect(after == before + 1)
            outcomes += 1
        }
        #expect(outcomes == 1500)
        #expect(try setup.fixture.store.rejectedInputs().count == summary.rejected.count)
    }
}

@Suite struct JSONParserTests {
    @Test func parseObjectAgreesWithTheFullParser() {
        let text = #"{"A1":["importer","carrier"],"B2":{"na":"no sites"},"C6":24,"D1":"Oui \u00e9t\u00e9 « x »","E1":true,"F1":null}"#
        let full = JSONParser.parse(text)?.objectValue
        let direct = JSONParser.parseObject(text) { $0 }
        #expect(full != nil && direct == full)
        #expect(JSONParser.parseObject(#"{"a":1"#) { $0 } == nil)
        #expect(JSONParser.parseObject(#"{"a":1} x"#) { $0 } == nil)
        #expect(JSONParser.parseObject("[1]") { $0 } == nil)
        #expect(JSONParser.parseObject("{}") { $0 }?.isEmpty == true)
        #expect(JSONParser.parse(String(repeating: "[", count: 5_000)) == nil)
    }
}
