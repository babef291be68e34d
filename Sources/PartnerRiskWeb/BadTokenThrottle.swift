import Foundation
import PartnerRiskCore

/// Slows down an address that keeps presenting unknown tokens, so guessing links is pointless:
/// after a few free misses each further miss waits longer (up to `maxDelay`), and past `limit`
/// misses in the window the address's further misses are refused outright until the window
/// passes. Only misses count, and only misses are refused: a valid link always works, whoever
/// else shares the address (every partner behind one proxy, one office's NAT). IPv6 addresses
/// count by their /64 (one household or host gets a whole /64). At most `maxAddresses` are
/// remembered; the oldest go first.
public actor BadTokenThrottle {
    public struct Verdict: Sendable, Equatable {
        public var delay: Duration
        public var refused: Bool
    }

    public let freeMisses: Int
    public let limit: Int
    public let window: TimeInterval
    public let maxDelay: Duration
    public let maxAddresses: Int
    private var misses: [String: [Date]] = [:]

    public init(freeMisses: Int = 3, limit: Int = 30, window: TimeInterval = 600, maxDelay: Duration = .seconds(4), maxAddresses: Int = 10_000) {
        self.maxAddresses = maxAddresses
        self.freeMisses = freeMisses
        self.limit = limit
        self.window = window
        self.maxDelay = maxDelay
    }

    /// Records one miss and says how long to wait before answering, or that the address is refused.
    public func recordMiss(_ address: String, at now: Date) -> Verdict {
        let key = Self.key(address)
        var list = recent(key, at: now)
        list.append(now)
        misses[key] = list
        if misses.count > maxAddresses { prune(at: now) }
        let over = list.count - freeMisses
        guard over > 0 else { return Verdict(delay: .zero, refused: false) }
        let delay = min(Duration.milliseconds(250 * (1 << min(over - 1, 10))), maxDelay)
        return Verdict(delay: delay, refused: list.count >= limit)
    }

    /// How many addresses are remembered (bounded by `maxAddresses`).
    public var rememberedAddresses: Int { misses.count }

    /// Forgets expired misses, then the addresses whose last miss is oldest, down to the bound.
    private func prune(at now: Date) {
        misses = misses.compactMapValues { list in
            let kept = list.filter { now.timeIntervalSince($0) < window }
            return kept.isEmpty ? nil : kept
        }
        guard misses.count > maxAddresses else { return }
        let oldest = misses.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }.prefix(misses.count - maxAddresses)
        for (key, _) in oldest { misses[key] = nil }
    }

    /// The key an address counts under: itself, or for IPv6 its /64.
    static func key(_ address: String) -> String {
        guard let bytes = AddressBlock.bytes(address), bytes.count == 16 else { return address }
        return bytes[0..<8].map { String(format: "%02x", $0) }.joined() + "::/64"
    }

    private func recent(_ address: String, at now: Date) -> [Date] {
        let list = (misses[address] ?? []).filter { now.timeIntervalSince($0) < window }
        misses[address] = list.isEmpty ? nil : list
        return list
    }
}
