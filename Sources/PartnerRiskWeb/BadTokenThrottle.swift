import Foundation
import PartnerRiskCore

/// Slows down an address that keeps presenting unknown tokens, so guessing links is pointless:
/// after a few free misses each further miss waits longer (up to `maxDelay`), and past `limit`
/// misses in the window the address is refused outright until the window passes.
public actor BadTokenThrottle {
    public struct Verdict: Sendable, Equatable {
        public var delay: Duration
        public var refused: Bool
    }

    public let freeMisses: Int
    public let limit: Int
    public let window: TimeInterval
    public let maxDelay: Duration
    private var misses: [String: [Date]] = [:]

    public init(freeMisses: Int = 3, limit: Int = 30, window: TimeInterval = 600, maxDelay: Duration = .seconds(4)) {
        self.freeMisses = freeMisses
        self.limit = limit
        self.window = window
        self.maxDelay = maxDelay
    }

    /// Whether this address is already refused (before looking the token up).
    public func isRefused(_ address: String, at now: Date) -> Bool {
        recent(address, at: now).count >= limit
    }

    /// Records one miss and says how long to wait before answering.
    public func recordMiss(_ address: String, at now: Date) -> Verdict {
        var list = recent(address, at: now)
        list.append(now)
        misses[address] = list
        if misses.count > 10_000 { misses = misses.filter { !$0.value.isEmpty } }
        let over = list.count - freeMisses
        guard over > 0 else { return Verdict(delay: .zero, refused: false) }
        let delay = min(Duration.milliseconds(250 * (1 << min(over - 1, 10))), maxDelay)
        return Verdict(delay: delay, refused: list.count >= limit)
    }

    private func recent(_ address: String, at now: Date) -> [Date] {
        let list = (misses[address] ?? []).filter { now.timeIntervalSince($0) < window }
        misses[address] = list.isEmpty ? nil : list
        return list
    }
}
