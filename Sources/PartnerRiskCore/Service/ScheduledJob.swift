import Foundation
import Synchronization

/// A piece of routine work `serve` runs on a schedule (the outbox worker, the mailbox poller,
/// the reminder scheduler, the review clock, the screening watcher). `run` blocks (it talks to
/// the database and mail servers) and returns one line saying what it did; it checks `stop`
/// between items and returns early once a shutdown has begun.
public struct ScheduledJob: Sendable {
    public var name: String
    public var schedule: JobSchedule
    public var run: @Sendable (StopFlag) throws -> String

    public init(name: String, schedule: JobSchedule, run: @escaping @Sendable (StopFlag) throws -> String) {
        self.name = name
        self.schedule = schedule
        self.run = run
    }
}

/// When a job runs next.
public enum JobSchedule: Sendable, Equatable {
    /// Every so many seconds after the end of the last run (the first run at start).
    case every(TimeInterval)
    /// Once a day: at start if it has not run that day, then just after midnight (UTC).
    case daily

    /// The next run after one that ended at `end`.
    public func next(after end: Date) -> Date {
        switch self {
        case .every(let seconds): return end.addingTimeInterval(max(1, seconds))
        case .daily: return Date(timeIntervalSince1970: (end.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 86_400 + 60)
        }
    }
}

/// Set once when the server begins to stop: jobs take no new work after it.
public final class StopFlag: Sendable {
    private let flag = Atomic(false)

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() { flag.store(true, ordering: .releasing) }
}

/// What the officer workspace shows of one job.
public struct JobStatus: Sendable, Equatable {
    public var name: String
    public var lastRun: Date?
    public var nextRun: Date?
    /// The last run's line (what it did).
    public var lastResult: String?
    /// The last failure and when it happened; kept until a later run succeeds.
    public var lastError: String?
    public var running: Bool

    public init(name: String, lastRun: Date? = nil, nextRun: Date? = nil, lastResult: String? = nil, lastError: String? = nil, running: Bool = false) {
        self.name = name
        self.lastRun = lastRun
        self.nextRun = nextRun
        self.lastResult = lastResult
        self.lastError = lastError
        self.running = running
    }
}

/// The status of every job of one server, shared by the jobs (which write) and the workspace
/// (which reads). One per `serve` process, handed to both by the composition root.
public final class JobBoard: Sendable {
    private let entries: Mutex<[JobStatus]>

    public init(jobs: [String] = []) {
        entries = Mutex(jobs.map { JobStatus(name: $0) })
    }

    public var statuses: [JobStatus] { entries.withLock { $0 } }

    public func update(_ name: String, _ change: (inout JobStatus) -> Void) {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.name == name }) {
                change(&entries[index])
            } else {
                var status = JobStatus(name: name)
                change(&status)
                entries.append(status)
            }
        }
    }
}

/// Runs one job when it is due and keeps its status: the logic of the background loop, with the
/// clock injected (the loop itself only sleeps until `nextRun`).
public struct JobRunner: Sendable {
    public let job: ScheduledJob
    public let board: JobBoard
    public let time: any TimeSource
    /// One line per run or failure (the server's log).
    public let report: @Sendable (_ job: String, _ line: String, _ failed: Bool) -> Void

    public init(job: ScheduledJob, board: JobBoard, time: any TimeSource, report: @escaping @Sendable (String, String, Bool) -> Void) {
        self.job = job
        self.board = board
        self.time = time
        self.report = report
        board.update(job.name) { _ in }
    }

    /// When the job should run next (nil: it never ran, so at once).
    public var nextRun: Date? {
        board.statuses.first { $0.name == job.name }?.nextRun
    }

    /// Runs the job if it is due at the clock's time; returns when it should run next.
    @discardableResult
    public func tick(stop: StopFlag) -> Date {
        let start = time.now()
        if let next = nextRun, start < next { return next }
        guard !stop.isSet else { return start }
        board.update(job.name) { $0.running = true }
        let outcome = Result { try job.run(stop) }
        let end = time.now(), next = job.schedule.next(after: end)
        board.update(job.name) { status in
            status.running = false
            status.lastRun = start
            status.nextRun = next
            switch outcome {
            case .success(let line):
                status.lastResult = line
                status.lastError = nil
            case .failure(let error):
                status.lastError = "\(DayFormat.timestamp(end)): \(error)"
            }
        }
        switch outcome {
        case .success(let line): if !line.isEmpty { report(job.name, line, false) }
        case .failure(let error): report(job.name, "\(error)", true)
        }
        return next
    }
}
