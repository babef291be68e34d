import Foundation
import GRDB
import Synchronization
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskMail
@testable import PartnerRiskStore
@testable import PartnerRiskTemplates

/// A clock the test moves by hand.
final class ManualClock: TimeSource, Sendable {
    private let instant: Mutex<Date>
    init(_ start: Date) { instant = Mutex(start) }
    func now() -> Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
    func set(_ date: Date) { instant.withLock { $0 = date } }
}

/// The background work of `serve`, with the clock injected: reminder offsets, no reminder twice
/// across restarts, the job runner's schedule and status, and the review clock's digest.
@Suite struct ServiceJobTests {
    static func day(_ text: String, hour: Double = 9) -> Date { DayFormat.parseDay(text)!.addingTimeInterval(hour * 3600) }

    func candidate(mailed: String, done: Set<Int> = [], pending: Bool = false) -> ReminderCandidate {
        ReminderCandidate(invitationID: 1, campaignID: 1, deadline: "2026-12-20", lastMailedAt: Self.day(mailed), pending: pending, offsetsDone: done)
    }

    @Test func eachOffsetFallsDueOnItsDayAndAWeekOffSendsOneReminderForAllThatPassed() {
        let plan = ReminderPlan(offsets: [3, -7, -2])
        #expect(plan.offsets == [-7, -2, 3])
        let invited = candidate(mailed: "2026-12-01")
        #expect(plan.step(for: invited, at: Self.day("2026-12-12")) == nil)  // 8 days before the deadline
        #expect(plan.step(for: invited, at: Self.day("2026-12-13", hour: 0.01)) == .init(invitationID: 1, offsets: [-7], remind: true))
        #expect(plan.step(for: candidate(mailed: "2026-12-13", done: [-7]), at: Self.day("2026-12-17")) == nil)
        #expect(plan.step(for: candidate(mailed: "2026-12-13", done: [-7]), at: Self.day("2026-12-18")) == .init(invitationID: 1, offsets: [-2], remind: true))
        #expect(plan.step(for: candidate(mailed: "2026-12-18", done: [-7, -2]), at: Self.day("2026-12-23")) == .init(invitationID: 1, offsets: [3], remind: true))
        #expect(plan.step(for: candidate(mailed: "2026-12-18", done: [-7, -2, 3]), at: Self.day("2027-01-30")) == nil)
        // The server was off from the 1st to the 24th: one reminder, every passed offset recorded.
        #expect(plan.step(for: invited, at: Self.day("2026-12-24")) == .init(invitationID: 1, offsets: [-7, -2, 3], remind: true))
        // Invited late (the day after the -2 offset): both passed offsets are recorded, no reminder.
        #expect(plan.step(for: candidate(mailed: "2026-12-19"), at: Self.day("2026-12-19", hour: 10)) == .init(invitationID: 1, offsets: [-7, -2], remind: false))
        // A message still waiting in the outbox: nothing decided yet.
        #expect(plan.step(for: candidate(mailed: "2026-12-01", pending: true), at: Self.day("2026-12-24")) == nil)
    }

    /// Sends the campaign's queued mail into a drop folder at `time`, as the outbox worker would.
    func send(_ fixture: CampaignFixture, at time: Date) throws {
        _ = try fixture.sender(DropTransportFactory(directory: fixture.directory.url.appendingPathComponent("drop")), time: FixedTime(time))
            .send(campaignID: fixture.campaign.id)
    }

    func reminders(_ store: SQLiteStore) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM mail_message WHERE kind = 'reminder'") ?? -1 }
    }

    /// One pass of the reminder scheduler over `store` at `time`: the reminders it queued.
    func schedule(_ store: SQLiteStore, at time: Date, offsets: [Int] = [-7, -2, 3]) throws -> Int {
        let plan = ReminderPlan(offsets: offsets)
        return try plan.steps(for: try store.reminderCandidates(), at: time).filter { try store.applyReminderStep($0, at: time) }.count
    }

    @Test func noOffsetIsRemindedTwiceAcrossRestartsOrByTwoProcessesAndAnAnswerStopsThem() throws {
        // Deadline 2026-12-31; invitations sent on 2026-11-24.
        let fixture = try CampaignFixture(partnersCSV: LinkTests.partners)
        try send(fixture, at: fixedNow)
        let weekBefore = Self.day("2026-12-24")
        #expect(try schedule(fixture.store, at: weekBefore) == 2)
        #expect(try schedule(fixture.store, at: weekBefore) == 0)  // queued, not yet sent: nothing decided
        try send(fixture, at: weekBefore)
        // A restart: a new store on the same file, the same day, then a later hour.
        let reopened = try SQLiteStore(path: fixture.store.path)
        #expect(try schedule(reopened, at: weekBefore.addingTimeInterval(3600)) == 0)
        #expect(try reminders(reopened) == 2)
        // Two processes at the -2 offset decide the same steps; only one queues each reminder.
        let twoBefore = Self.day("2026-12-29")
        let plan = ReminderPlan(offsets: [-7, -2, 3])
        let stepsA = plan.steps(for: try fixture.store.reminderCandidates(), at: twoBefore)
        let stepsB = plan.steps(for: try reopened.reminderCandidates(), at: twoBefore)
        #expect(stepsA.count == 2 && stepsA == stepsB)
        let queued = try stepsA.filter { try fixture.store.applyReminderStep($0, at: twoBefore) }.count
            + stepsB.filter { try reopened.applyReminderStep($0, at: twoBefore) }.count
        #expect(queued == 2)
        #expect(try reminders(reopened) == 4)
        let offsets = try reopened.pool.read { db in try Int.fetchAll(db, sql: "SELECT offset_days FROM reminder_offset ORDER BY invitation_id, offset_days") }
        #expect(offsets == [-7, -2, -7, -2])
        // A partner who answered in full gets no more reminders.
        try send(fixture, at: twoBefore)
        try reopened.pool.write { db in
            try db.execute(sql: "UPDATE partner SET active = 0 WHERE email = 'desk@maple.example.com'")
        }
        #expect(try schedule(reopened, at: Self.day("2027-01-03")) == 1)
    }

    @Test func theRunnerRunsAJobWhenDueKeepsItsStatusAndClearsAnErrorOnceItSucceeds() {
        let clock = ManualClock(fixedNow)
        let runs = Mutex(0), fail = Mutex(false)
        let job = ScheduledJob(name: "outbox", schedule: .every(10)) { _ in
            if fail.withLock({ $0 }) { throw PartnerRiskError.failed("connection refused") }
            return "run \(runs.withLock { $0 += 1; return $0 })"
        }
        let board = JobBoard(jobs: ["outbox"])
        let lines = Mutex<[String]>([])
        let runner = JobRunner(job: job, board: board, time: clock) { name, line, failed in lines.withLock { $0.append("\(name) \(failed ? "failed" : "ok"): \(line)") } }
        let stop = StopFlag()
        #expect(runner.tick(stop: stop) == fixedNow.addingTimeInterval(10))
        clock.advance(5)
        runner.tick(stop: stop)
        #expect(runs.withLock { $0 } == 1)
        clock.advance(5)
        fail.withLock { $0 = true }
        runner.tick(stop: stop)
        var status = board.statuses[0]
        #expect(status.lastRun == fixedNow.addingTimeInterval(10) && status.nextRun == fixedNow.addingTimeInterval(20))
        #expect(status.lastResult == "run 1" && status.lastError?.hasSuffix("connection refused") == true)
        clock.advance(10)
        fail.withLock { $0 = false }
        runner.tick(stop: stop)
        status = board.statuses[0]
        #expect(status.lastResult == "run 2" && status.lastError == nil && !status.running)
        #expect(lines.withLock { $0 } == ["outbox ok: run 1", "outbox failed: connection refused", "outbox ok: run 2"])
        // After a stop nothing runs.
        clock.advance(60)
        stop.set()
        runner.tick(stop: stop)
        #expect(runs.withLock { $0 } == 2)
        // The daily schedule: just after the next midnight (UTC).
        #expect(JobSchedule.daily.next(after: Self.day("2026-12-02", hour: 23.5)) == DayFormat.parseDay("2026-12-03")!.addingTimeInterval(60))
    }

    @Test func theReviewClockMailsADigestOfWhatIsNewOnceADayAndOnlyWhatIsNewTheNextDay() throws {
        let clock = ManualClock(fixedNow)
        let setup = try OfficerWorkspaceTests.Setup(time: clock)
        let app = setup.app
        let drop = setup.ingest.fixture.directory.url.appendingPathComponent("digests")
        let jobs = BackgroundJobs(environment: app, overrides: .init(), publicURL: "https://survey.acme.example", transports: DropTransportFactory(directory: drop))
        let templates = try TemplateLibrary(directory: app.workspace.templatesDirectory, required: BackgroundJobs.digestTemplates)
        let officer = MailAddress(name: nil, address: "compliance@acme.example.com")
        let clockService = ReviewClock(repositories: app.repositories, reviews: app.reviews, time: clock)
        let (first, due) = try clockService.digest()
        let scores = try app.repositories.latestScores()
        #expect(first.highScores.count == scores.filter { $0.tier >= .high }.count)
        #expect(first.evidenceAwaiting == 1 && first.since == nil)
        #expect(Set(first.newlyDue.map(\.partnerID)) == Set(due))
        let line = try jobs.runReviewClock(digestTo: officer, templates: templates)
        #expect(line.contains("digest sent to compliance@acme.example.com"))
        let mails = try FileManager.default.contentsOfDirectory(at: drop, includingPropertiesForKeys: nil)
        #expect(mails.count == 1)
        let mail = MIMEReader.message(try Data(contentsOf: mails[0]))
        #expect(mail.header("To")?.contains("compliance@acme.example.com") == true && mail.header("X-PartnerRisk-Kind") == "digest")
        let text = String(decoding: try Data(contentsOf: mails[0]), as: UTF8.self)
        #expect(text.contains("Documents awaiting review: 1"))
        // The same day: nothing more. The next day: only what is new (an overdue action), and the document still waiting.
        #expect(try jobs.runReviewClock(digestTo: officer, templates: templates) == "")
        #expect(try clockService.markedDue() == due)
        let partner = try #require(try app.repositories.partner(identifiedBy: "b@x.example.com"))
        _ = try app.signOffs.addAction(partner, finding: "seal log", due: "2026-11-24", owner: "B's dispatcher", note: "")
        clock.advance(86_400 + 3600)
        let (second, _) = try clockService.digest()
        #expect(second.highScores.isEmpty && second.newFlags.isEmpty && second.newHits.isEmpty)
        // Due now because of the overdue action, unless it was due already.
        #expect(second.newlyDue.map(\.partnerID) == (due.contains(partner.id) ? [] : [partner.id]))
        #expect(second.overdueActions.map(\.partnerID) == [partner.id] && second.evidenceAwaiting == 1)
        #expect(second.values()["since"] as? String == DayFormat.timestamp(fixedNow))
    }

    /// A mail server that answers every message with `reply` (a 4xx: try again later).
    struct RefusingFactory: MailTransportFactory {
        final class Refusing: MailTransport {
            func deliver(_ mail: OutgoingMail) -> DeliveryOutcome { .temporaryFailure(reply: "451 4.3.0 try again later") }
        }
        var summary: String { "refusing" }
        func makeTransport() throws -> MailTransport { Refusing() }
    }

    @Test func aDigestTheServerRefusedIsSentWholeTheNextTime() throws {
        let clock = ManualClock(fixedNow)
        let setup = try OfficerWorkspaceTests.Setup(time: clock)
        let app = setup.app
        let templates = try TemplateLibrary(directory: app.workspace.templatesDirectory, required: BackgroundJobs.digestTemplates)
        let officer = MailAddress(name: nil, address: "compliance@acme.example.com")
        let refused = BackgroundJobs(environment: app, overrides: .init(), publicURL: "https://survey.acme.example", transports: RefusingFactory())
        #expect(throws: PartnerRiskError.self) { try refused.runReviewClock(digestTo: officer, templates: templates) }
        let clockService = ReviewClock(repositories: app.repositories, reviews: app.reviews, time: clock)
        #expect(try !clockService.ranToday())
        // The next try, through a server that takes it: the same digest, nothing lost.
        let drop = setup.ingest.fixture.directory.url.appendingPathComponent("digests")
        let accepted = BackgroundJobs(environment: app, overrides: .init(), publicURL: "https://survey.acme.example", transports: DropTransportFactory(directory: drop))
        clock.advance(3600)
        #expect(try accepted.runReviewClock(digestTo: officer, templates: templates).contains("digest sent"))
        let text = String(decoding: try Data(contentsOf: try FileManager.default.contentsOfDirectory(at: drop, includingPropertiesForKeys: nil)[0]), as: UTF8.self)
        #expect(text.contains("Documents awaiting review: 1") && !text.contains("changes since"))
        #expect(try clockService.ranToday())
    }

    @Test func theScreeningWatcherImportsAFileOnceItHasSettledAndNeverTwice() throws {
        let clock = ManualClock(Date())
        let setup = try OfficerWorkspaceTests.Setup(time: clock)
        let app = setup.app
        let folder = setup.ingest.fixture.directory.url.appendingPathComponent("lists")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let jobs = BackgroundJobs(environment: app, overrides: .init(), publicURL: "https://survey.acme.example",
                                  transports: DropTransportFactory(directory: folder.appendingPathComponent("drop")))
        #expect(try jobs.watchLists(folder: folder, stop: StopFlag()) == "")
        let file = folder.appendingPathComponent("un.xml")
        try FileManager.default.copyItem(at: ProjectRoot.url.appendingPathComponent("Tests/PartnerRiskTests/Fixtures/sanctions/un-consolidated.xml"), to: file)
        try FileManager.default.setAttributes([.modificationDate: clock.now()], ofItemAtPath: file.path)
        // Just written: it may still be being copied.
        #expect(try jobs.watchLists(folder: folder, stop: StopFlag()) == "")
        clock.advance(6)
        let line = try jobs.watchLists(folder: folder, stop: StopFlag())
        #expect(line.hasPrefix("un.xml: un-consolidated 2025-06-02, 6 added"), "\(line)")
        clock.advance(60)
        #expect(try jobs.watchLists(folder: folder, stop: StopFlag()) == "")
        #expect(try app.repositories.serviceState("screening.files")?.contains(file.path) == true)
        // A file that is not a list: named in the error, and not tried again until it changes.
        try Data("not a list".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try FileManager.default.setAttributes([.modificationDate: clock.now().addingTimeInterval(-10)], ofItemAtPath: folder.appendingPathComponent("notes.txt").path)
        #expect(throws: PartnerRiskError.self) { try jobs.watchLists(folder: folder, stop: StopFlag()) }
        #expect(try jobs.watchLists(folder: folder, stop: StopFlag()) == "")
    }
}
