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
            $0.category.rawValue + ":" + StoredExplanation.thousandthsText($0.control) + ":" + StoredExplanation.thousandthsText($0.risk) + ($0.capped ? ":1" : ":0")
        }.joined(separator: ";")
        sentenceKeys = result.factors.map { SentenceKey($0.text) }
        explanation = StoredExplanation(result.factors)
    }
}

/// Identifies an explanation sentence in both languages exactly: two keys are equal only when
/// both sentences are byte for byte the same, so an audited score never points at another
/// sentence. A 64-bit hash of the bytes is worked out once, on the scoring thread that made the
/// sentence, so the single database writer only hashes one word per lookup; the hash only picks
/// the bucket, and equality compares the bytes. Bytes rather than `String`s because hashing or
/// comparing Swift strings normalizes Unicode, which made French sentences the slowest part of
/// storing scores.
public struct SentenceKey: Hashable, Sendable {
    public let text: LocalizedText
    private let digest: UInt64

    public init(_ text: LocalizedText) {
        var (en, fr) = (text.en, text.fr)
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        en.withUTF8 { Self.mix($0, into: &digest) }
        fr.withUTF8 { Self.mix($0, into: &digest) }
        self.text = LocalizedText(en: en, fr: fr)
        self.digest = digest
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    public static func == (lhs: SentenceKey, rhs: SentenceKey) -> Bool {
        lhs.digest == rhs.digest && sameBytes(lhs.text.en, rhs.text.en) && sameBytes(lhs.text.fr, rhs.text.fr)
    }

    private static func sameBytes(_ left: String, _ right: String) -> Bool {
        var (left, right) = (left, right)
        return left.withUTF8 { l in
            right.withUTF8 { r in l.count == r.count && (l.count == 0 || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0) }  // non-empty: base addresses
        }
    }

    /// Folds the bytes into `hash` eight at a time (multiply and shift), then the tail and the length.
    private static func mix(_ bytes: UnsafeBufferPointer<UInt8>, into hash: inout UInt64) {
        func fold(_ word: UInt64) {
            hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
        }
        let words = bytes.count / 8
        if let base = bytes.baseAddress, words > 0 {
            let raw = UnsafeRawPointer(base)
            for index in 0..<words { fold(raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        }
        var tail: UInt64 = 0
        for byte in bytes[(words * 8)...].reversed() { tail = tail << 8 | UInt64(byte) }
        fold(tail ^ UInt64(bytes.count) << 56)
    }
}
