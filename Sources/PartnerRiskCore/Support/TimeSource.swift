import Foundation

/// Where "now" comes from. Injected everywhere so tests can drive time.
public protocol TimeSource: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemTime: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock fixed at a given instant, for tests and `--as-of`.
public struct FixedTime: TimeSource {
    public let instant: Date
    public init(_ instant: Date) { self.instant = instant }
    public func now() -> Date { instant }
}
