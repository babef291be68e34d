import Foundation
import Synchronization

/// Failed attempts by key (a link guessed from an address, a sign-in refused for a name or an
/// address), kept where every process serving the same database sees them: behind a load
/// balancer, a guesser gets the same answer from whichever `serve` instance it reaches.
public protocol AttemptLedger: Sendable {
    /// Records a failure of `key` at `time` and returns how many `key` has had since `since`,
    /// this one included. Failures older than `since` (of any key) may be forgotten.
    func recordFailure(key: String, at time: Date, since: Date) throws -> Int
    /// How many failures `key` has had since `since`.
    func failures(key: String, since: Date) throws -> Int
    /// Forgets `key`'s failures (a successful sign-in).
    func clearFailures(key: String) throws
}

/// An `AttemptLedger` in this process's memory, for one process on its own (tests, a store-less
/// site): at most `maxKeys` keys, those whose last failure is oldest forgotten first.
public final class MemoryAttemptLedger: AttemptLedger {
    private let failures = Mutex<[String: [Date]]>([:])
    public let maxKeys: Int

    public init(maxKeys: Int = 10_000) { self.maxKeys = maxKeys }

    public func recordFailure(key: String, at time: Date, since: Date) -> Int {
        failures.withLock { all in
            let list = (all[key] ?? []).filter { $0 >= since } + [time]
            all[key] = list
            if all.count > maxKeys { Self.prune(&all, since: since, maxKeys: maxKeys) }
            return list.count
        }
    }

    public func failures(key: String, since: Date) -> Int {
        failures.withLock { ($0[key] ?? []).filter { $0 >= since }.count }
    }

    public func clearFailures(key: String) { failures.withLock { $0[key] = nil } }

    /// How many keys are remembered (bounded by `maxKeys`).
    public var keyCount: Int { failures.withLock { $0.count } }

    private static func prune(_ all: inout [String: [Date]], since: Date, maxKeys: Int) {
        all = all.compactMapValues { list in
            let kept = list.filter { $0 >= since }
            return kept.isEmpty ? nil : kept
        }
        guard all.count > maxKeys else { return }
        let oldest = all.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }.prefix(all.count - maxKeys)
        for (key, _) in oldest { all[key] = nil }
    }
}
