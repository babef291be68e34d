import Foundation
import PartnerRiskCore

/// Slows down an address that keeps presenting unknown tokens, so guessing links is pointless:
/// after a few free misses each further miss waits longer (up to `maxDelay`), and past `limit`
/// misses in the window the address's further misses are refused outright until the window
/// passes. Only misses count, and only misses are refused: a valid link always works, whoever
/// else shares the address (every partner behind one proxy, one office's NAT). IPv6 addresses
/// count by their /64 (one household or host gets a whole /64). At most `maxAddresses` are
/// remembered in memory (the oldest go first); `serve` counts them in the database instead, so
/// every instance behind a load balancer refuses the same address.
public actor BadTokenThrottle {
    public struct Verdict: Sendable, Equatable {
        public var delay: Duration
        public var refused: Bool
    }

    public let freeMisses: Int
    public let limit: Int
    public let window: TimeInterval
    public let maxDelay: Duration
    /// Where misses are counted: the database in `serve` (every instance on it sees the same),
    /// this process's memory otherwise.
    let ledger: any AttemptLedger

    public init(freeMisses: Int = 3, limit: Int = 30, window: TimeInterval = 600, maxDelay: Duration = .seconds(4), maxAddresses: Int = 10_000,
                ledger: (any AttemptLedger)? = nil) {
        self.freeMisses = freeMisses
        self.limit = limit
        self.window = window
        self.maxDelay = maxDelay
        self.ledger = ledger ?? MemoryAttemptLedger(maxKeys: maxAddresses)
    }

    /// Records one miss and says how long to wait before answering, or that the address is
    /// refused. When the ledger cannot be written, the miss is refused: a guesser gains nothing
    /// from a database that is away.
    public func recordMiss(_ address: String, at now: Date) -> Verdict {
        guard let count = try? ledger.recordFailure(key: "link:" + Self.key(address), at: now, since: now.addingTimeInterval(-window)) else {
            return Verdict(delay: maxDelay, refused: true)
        }
        let over = count - freeMisses
        guard over > 0 else { return Verdict(delay: .zero, refused: false) }
        let delay = min(Duration.milliseconds(250 * (1 << min(over - 1, 10))), maxDelay)
        return Verdict(delay: delay, refused: count >= limit)
    }

    /// How many addresses are remembered in memory (bounded by `maxAddresses`; 0 with a database ledger).
    public var rememberedAddresses: Int { (ledger as? MemoryAttemptLedger)?.keyCount ?? 0 }

    /// The key an address counts under: itself, or for IPv6 its /64.
    static func key(_ address: String) -> String {
        guard let bytes = AddressBlock.bytes(address), bytes.count == 16 else { return address }
        return bytes[0..<8].map { String(format: "%02x", $0) }.joined() + "::/64"
    }
}
