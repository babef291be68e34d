import Foundation

/// Scores the responses an import stores while the import goes on reading the next files: each
/// batch the import commits is handed to one scoring thread here, so the scores are written
/// beside the import rather than after it. A batch that cannot be scored (a full disk) is left
/// to `SubmissionService.scoreUnscored`, which the import's receipt runs after it in any case.
/// `@unchecked` because it waits on a condition variable; every field is read and written with
/// `condition` held.
public final class BackgroundScoring: @unchecked Sendable {
    private let scoring: ScoringService
    private let condition = NSCondition()
    private var queue = ScoringQueue()
    private var closed = false
    private var done = false
    private var scored = 0
    private var failure: Error?

    /// Starts the scoring thread; `finish()` must be called to end it.
    public init(_ scoring: ScoringService) {
        var scoring = scoring
        scoring.belowCaller = false
        self.scoring = scoring
        let thread = Thread { [self] in work() }
        thread.name = "partner-risk.import-scoring"
        thread.start()
    }

    /// Queues the ids of responses just stored (called on the import's writing thread), with the
    /// answers validation placed by position (`known`: scored without reading them back). When
    /// scoring has fallen `ScoringQueue.maxBatchesWithAnswers` batches behind, later batches are
    /// queued as ids only (their answers are read back when scored), so an import's memory stays
    /// bounded however far scoring lags.
    public func submit(_ responseIDs: [Int64], known: [Int64: PositionedAnswers] = [:]) {
        guard !responseIDs.isEmpty else { return }
        condition.lock()
        queue.add(responseIDs, known: known)
        condition.signal()
        condition.unlock()
    }

    /// Waits until every queued batch is scored; returns how many scores were written and the
    /// first error met (after an error the later batches are left for `scoreUnscored`).
    public func finish() -> (scored: Int, error: Error?) {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        return (scored, failure)
    }

    private func work() {
        while let batch = next() {
            do {
                // skipScored: another import of the same files may have scored them first.
                let count = try scoring.score(responseIDs: batch.ids, skipScored: true, known: batch.known)
                record { $0.scored += count }
            } catch {
                record { $0.failure = $0.failure ?? error }
            }
        }
        record { $0.done = true }
    }

    /// The next batch to score: nil once closed and empty, or after an error.
    private func next() -> (ids: [Int64], known: [Int64: PositionedAnswers])? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        guard failure == nil else { return nil }
        return queue.next()
    }

    private func record(_ change: (BackgroundScoring) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }
}

/// The batches an import handed to scoring, in order. A batch keeps the answers validation placed
/// by position (scored without reading them back) only when fewer than `maxBatchesWithAnswers`
/// wait before it: when scoring has fallen that far behind, later batches wait as ids only (read
/// back when scored), so an import's memory stays bounded however far scoring lags.
struct ScoringQueue {
    /// Batches waiting with their answers at most (500 responses each, a few MB).
    static let maxBatchesWithAnswers = 4

    private var batches: [(ids: [Int64], known: [Int64: PositionedAnswers])] = []

    var isEmpty: Bool { batches.isEmpty }

    mutating func add(_ ids: [Int64], known: [Int64: PositionedAnswers]) {
        batches.append((ids, batches.count < Self.maxBatchesWithAnswers ? known : [:]))
    }

    /// The oldest batch, nil when none waits.
    mutating func next() -> (ids: [Int64], known: [Int64: PositionedAnswers])? {
        batches.isEmpty ? nil : batches.removeFirst()
    }
}
