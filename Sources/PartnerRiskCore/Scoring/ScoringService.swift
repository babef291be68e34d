import Foundation
import Synchronization

/// Scores responses and keeps every score with the survey and config versions it used.
public struct ScoringService: Sendable {
    public let scores: ScoreRepository
    public let responses: ResponseRepository
    public let surveys: SurveyRepository
    public let campaigns: CampaignRepository
    public let config: ScoringConfig
    public let countries: CountryRiskList
    public let time: TimeSource
    /// A progress line for a rescore on a terminal (nil: none).
    public var progress: ProgressMeter?
    /// The scoring threads run below the caller's priority (a rescore: the single writer bounds
    /// it); false beside an import, whose files are read at the same priority, so that scoring
    /// keeps pace with it instead of being left to finish after it.
    public var belowCaller = true
    private let cache = SurveyCache()
    /// Engines lent to the scoring threads, kept from batch to batch: what each has worked out
    /// (sentences, countries) serves the next batch of an import too.
    private let engines = EnginePool()
    /// The stored id of `config` with `countries`, once registered by this service.
    private let registered = RegisteredConfig()

    public init(scores: ScoreRepository, responses: ResponseRepository, surveys: SurveyRepository, campaigns: CampaignRepository,
                config: ScoringConfig, countries: CountryRiskList, time: TimeSource = SystemTime()) {
        self.scores = scores
        self.responses = responses
        self.surveys = surveys
        self.campaigns = campaigns
        self.config = config
        self.countries = countries
        self.time = time
    }

    /// Scores the given responses (current complete ones only); returns how many scores were
    /// computed. `skipScored`: leave any that another run scored in the meantime. `known`: the
    /// answers of responses just validated, by id; when it has them all, none is read back.
    @discardableResult
    public func score(responseIDs: [Int64], skipScored: Bool = false, known: [Int64: PositionedAnswers] = [:]) throws -> Int {
        guard !responseIDs.isEmpty else { return 0 }
        let readingAnswers = !responseIDs.allSatisfy { known[$0] != nil }
        var work = try scores.currentScoringInputs(responseIDs: responseIDs, readingAnswers: readingAnswers)
        if !readingAnswers { for index in work.indices { work[index].positioned = known[work[index].responseID] } }
        return try scoreBatch(work, skipScored: skipScored)
    }

    /// Recomputes every current response (after a config or country-list change); old rows stay.
    @discardableResult
    public func rescoreAll() throws -> Int {
        try scoreBatch(try scores.currentScoringInputs())
    }

    /// Loads surveys once, scores on every core, writes in batched transactions.
    func scoreBatch(_ work: [ScoringWorkItem], skipScored: Bool = false) throws -> Int {
        guard !work.isEmpty else { return 0 }
        let configID = try registeredConfigID()
        var surveysByVersion: [Int64: Survey] = [:]
        for id in Set(work.map(\.surveyVersionID)) { surveysByVersion[id] = try cache.survey(id) { try surveys.survey(rowID: $0) } }
        let now = time.now()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let size = min(2_000, max(200, (work.count + cores - 1) / cores))
        let chunks = stride(from: 0, to: work.count, by: size).map { Array(work[$0..<min($0 + size, work.count)]) }
        // Chunks are scored on every core while this thread writes the finished ones, so the
        // single SQLite writer and the engine run at the same time.
        let finished = FinishedChunks()
        let versions = surveysByVersion
        // The scoring threads run below this thread's priority: the writer bounds a rescore.
        // Engines are reused from chunk to chunk and batch to batch (one thread at a time).
        let engines = self.engines
        BackgroundWorkers.run(iterations: chunks.count, threads: min(cores, chunks.count), niceness: belowCaller ? BackgroundWorkers.niceness : 0,
                              finally: finished.close) { index in
            let engine = engines.take()
            defer { engines.give(engine) }
            finished.push(chunks[index].map { item in
                let survey = versions[item.surveyVersionID]!  // loaded above for every version in `work`
                return ScoreRecord(work: item, result: engine.score(ScoreInput(
                    survey: survey, config: config, countries: countries, partner: item.partner,
                    positionedAnswers: item.positionedAnswers(in: survey), evidenceProvided: item.evidence, review: item.review, asOf: now)))
            })
        }
        progress?.begin(total: work.count)
        defer { progress?.finish() }
        do {
            try scores.storeScores(configVersionID: configID, at: now, perTransaction: Self.scoresPerTransaction, skipScored: skipScored) {
                let chunk = finished.pop()
                if let chunk { progress?.advance(chunk.count) }
                return chunk
            }
        } catch {
            finished.drain()
            throw error
        }
        return work.count
    }

    /// The config's stored id: registered (a write) by the first batch only; an import scores
    /// some twenty batches with one service.
    private func registeredConfigID() throws -> Int64 {
        if let id = registered.id.withLock({ $0 }) { return id }
        let id = try scores.registerScoringConfig(config, countries: countries, at: time.now())
        registered.id.withLock { $0 = id }
        return id
    }

    /// Scores per write transaction: a rescore of 100,000 partners commits 4 times.
    static let scoresPerTransaction = 25_000

    /// Partners invited without a complete response once the deadline has passed. Each is a
    /// knock-out when `non_response_days_after_deadline` have passed too and
    /// `non_response_reminders` reminders were sent (or no message reached the partner); before
    /// that it is overdue.
    public func nonResponders() throws -> [NonResponder] {
        let cutoff = DayFormat.day(time.now().addingTimeInterval(-Double(config.nonResponseDaysAfterDeadline) * 86_400))
        return try scores.nonResponders(deadlineBefore: DayFormat.day(time.now())).map { missing in
            var missing = missing
            missing.knockout = missing.deadline < cutoff && (missing.remindersSent >= config.nonResponseReminders || missing.undeliverable)
            return missing
        }
    }
}

/// The stored id of a scoring service's config, once registered (shared by the service's copies).
final class RegisteredConfig: Sendable {
    let id = Mutex<Int64?>(nil)
}

/// Scoring engines lent to scoring threads, one thread at a time each. `@unchecked` because an
/// engine's memo is not thread-safe; safe because an engine is only ever held by the thread that
/// took it, until it gives it back (every access to `idle` holds the lock).
final class EnginePool: @unchecked Sendable {
    private var idle: [ScoringEngine] = []
    private let lock = NSLock()

    func take() -> ScoringEngine {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast() ?? ScoringEngine()
    }

    func give(_ engine: ScoringEngine) {
        lock.lock()
        idle.append(engine)
        lock.unlock()
    }
}

/// Scored chunks handed from the scoring threads to the writing thread, in completion order.
/// `@unchecked` because it waits on a condition variable, which `Mutex` cannot do; safe because
/// every read and write of `queue` and `closed` holds `condition`.
final class FinishedChunks: @unchecked Sendable {
    private var queue: [[ScoreRecord]] = []
    private var closed = false
    private let condition = NSCondition()

    func push(_ chunk: [ScoreRecord]) {
        condition.lock()
        queue.append(chunk)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next finished chunk; nil once every chunk has been handed out.
    func pop() -> [ScoreRecord]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    /// Waits for the scoring threads to finish after a failed write (their results are dropped).
    func drain() { while pop() != nil {} }
}
