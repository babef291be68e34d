import Foundation

/// Failed officer logins, counted per account name and per client address (by the partner
/// site's trusted-proxy rule): past `limit` failures within `window`, that name or address is
/// refused until the window passes, even with the right password (so a guesser learns nothing).
/// A successful login clears its name's count. At most `maxKeys` are remembered.
public actor LoginThrottle {
    public nonisolated let limit: Int
    public nonisolated let window: TimeInterval
    public nonisolated let maxKeys: Int
    private var failures: [String: [Date]] = [:]

    public init(limit: Int = 5, window: TimeInterval = 900, maxKeys: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Whether a login for `name` from `address` may be tried now.
    public func allows(name: String, address: String, at now: Date) -> Bool {
        recent("name:" + name.lowercased(), now).count < limit && recent("address:" + BadTokenThrottle.key(address), now).count < limit
    }

    public func recordFailure(name: String, address: String, at now: Date) {
        for key in ["name:" + name.lowercased(), "address:" + BadTokenThrottle.key(address)] { failures[key] = recent(key, now) + [now] }
        if failures.count > maxKeys {
            failures = failures.filter { !recent($0.key, now).isEmpty }
            while failures.count > maxKeys, let oldest = failures.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }) {
                failures[oldest.key] = nil
            }
        }
    }

    public func recordSuccess(name: String) { failures["name:" + name.lowercased()] = nil }

    private func recent(_ key: String, _ now: Date) -> [Date] { (failures[key] ?? []).filter { now.timeIntervalSince($0) < window } }
}
