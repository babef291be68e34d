import Foundation

/// A computed score made ready for storage on the scoring thread that computed it: the ranking
/// summary, the categories text and the exact key of each explanation sentence. The single
/// database writer then only looks ids up and inserts, which is what bounds a rescore.
public struct ScoreRecord: Sendable {
    public var work: ScoringWorkItem
    public var result: ScoreResult
    /// The two riskiest weighted categories, e.g. `seals 93, physical 50`.
    public var worst: String
    public var flagCount: Int
    /// The first reason of the explanation (English).
    public var headline: String
    /// `category:control:risk:capped` joined by `;` (scores to three decimals).
    public var categories: String
    /// One per factor of `result.factors`, in order.
    public var sentenceKeys: [SentenceKey]
    /// The explanation as stored, but for the sentences' ids.
    public var explanation: StoredExplanation

    public init(work: ScoringWorkItem, result: ScoreResult) {
        self.work = work
        self.result = result
        worst = result.categories.filter { $0.weight > 0 }.sorted { $0.risk > $1.risk }.prefix(2)
            .map { "\($0.category.rawValue) \(Int($0.risk.rounded()))" }.joined(separator: ", ")
        flagCount = result.factors.filter { $0.kind == .knockout || $0.kind == .redFlag }.count
        headline = result.factors.first?.text.en ?? ""
        categories = result.categories.map {
            "\($0.category.rawValue):\(StoredExplanation.thousandths($0.control)):\(StoredExplanation.thousandths($0.risk)):\($0.capped ? 1 : 0)"
        }.joined(separator: ";")
        sentenceKeys = result.factors.map { SentenceKey($0.text) }
        explanation = StoredExplanation(result.factors)
    }
}

/// Identifies an explanation sentence in both languages exactly: the English UTF-8 bytes, a
/// 0xFF byte (never part of UTF-8, so no two pairs give the same key) and the French bytes.
/// Equal keys mean byte-identical sentences, so an audited score can never point at another
/// sentence. Bytes rather than `String`s because hashing or comparing Swift strings normalizes
/// Unicode, which made French sentences the slowest part of storing scores.
public struct SentenceKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ text: LocalizedText) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.en.utf8.count + text.fr.utf8.count + 1)
        bytes.append(contentsOf: text.en.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: text.fr.utf8)
        self.bytes = bytes
    }

    // Hashed and compared as one block of memory: `[UInt8]`'s own `hash(into:)` feeds the hasher
    // a byte at a time, which made the single database writer of a rescore a third slower.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: SentenceKey, rhs: SentenceKey) -> Bool {
        lhs.bytes.count == rhs.bytes.count && lhs.bytes.withUnsafeBytes { left in
            rhs.bytes.withUnsafeBytes { right in left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }  // non-empty: base addresses
        }
    }
}
