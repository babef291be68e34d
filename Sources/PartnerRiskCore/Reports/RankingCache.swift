import Foundation
import Synchronization

/// The last ranking built, kept until what it rests on changes (`ScoreRepository.rankingInputsStamp`
/// and the day): the workspace's ranking page is asked for far more often than the data changes,
/// and building it for 100,000 partners takes seconds.
public final class RankingCache: Sendable {
    /// A ranking with the stamp of what it was built from: equal stamps, equal rankings (so what is
    /// made from a ranking can be kept by its stamp too).
    public struct Stamped: Sendable {
        public let stamp: String
        public let ranking: Ranking

        public init(stamp: String, ranking: Ranking) {
            self.stamp = stamp
            self.ranking = ranking
        }
    }

    private let kept = Mutex<(stamp: String, ranking: Ranking)?>(nil)

    public init() {}

    /// The cached ranking when `stamp` is the one it was built for, else `build()`'s, kept.
    public func ranking(stamp: String, build: () throws -> Ranking) throws -> Ranking {
        if let hit = kept.withLock({ $0?.stamp == stamp ? $0?.ranking : nil }) { return hit }
        let fresh = try build()
        kept.withLock { $0 = (stamp, fresh) }
        return fresh
    }
}
