import Foundation
import PartnerRiskCore

/// Failed officer logins, counted per account name and per client address (by the partner
/// site's trusted-proxy rule): past `limit` failures within `window`, that name or address is
/// refused until the window passes, even with the right password (so a guesser learns nothing).
/// A successful login clears its name's count. At most `maxKeys` are remembered in memory;
/// `serve` counts in the database, so every instance behind a load balancer refuses the same.
public actor LoginThrottle {
    public nonisolated let limit: Int
    public nonisolated let window: TimeInterval
    /// Where failures are counted: the database in `serve` (every instance on it sees the same),
    /// this process's memory otherwise.
    let ledger: any AttemptLedger

    public init(limit: Int = 5, window: TimeInterval = 900, maxKeys: Int = 10_000, ledger: (any AttemptLedger)? = nil) {
        self.limit = limit
        self.window = window
        self.ledger = ledger ?? MemoryAttemptLedger(maxKeys: maxKeys)
    }

    /// Whether a login for `name` from `address` may be tried now (not when the ledger cannot be read).
    public func allows(name: String, address: String, at now: Date) -> Bool {
        let since = now.addingTimeInterval(-window)
        return Self.keys(name: name, address: address).allSatisfy { key in ((try? ledger.failures(key: key, since: since)) ?? limit) < limit }
    }

    public func recordFailure(name: String, address: String, at now: Date) {
        for key in Self.keys(name: name, address: address) { _ = try? ledger.recordFailure(key: key, at: now, since: now.addingTimeInterval(-window)) }
    }

    public func recordSuccess(name: String) { try? ledger.clearFailures(key: "login-name:" + name.lowercased()) }

    private static func keys(name: String, address: String) -> [String] {
        ["login-name:" + name.lowercased(), "login-address:" + BadTokenThrottle.key(address)]
    }
}
