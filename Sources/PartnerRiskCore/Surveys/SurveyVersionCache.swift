import Synchronization

/// Parsed survey versions by row id, shared by the stores that share one database (a stored
/// version never changes: its content is pinned by hash, so it is parsed once per process).
public final class SurveyVersionCache: Sendable {
    private let surveys = Mutex<[Int64: Survey]>([:])

    public init() {}

    public func withLock<R>(_ body: (inout [Int64: Survey]) -> R) -> R { surveys.withLock { body(&$0) } }
}
