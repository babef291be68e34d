import Foundation

/// A computed score made ready for storage on the scoring thread that computed it: the ranking
/// summary, the categories text and a fingerprint of each explanation sentence. The single
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
    public var fingerprints: [TextFingerprint]
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
        fingerprints = result.factors.map { TextFingerprint($0.text) }
        explanation = StoredExplanation(result.factors)
    }
}

/// Identifies a sentence in both languages by a 64-bit hash of its UTF-8 bytes plus both
/// lengths. Hashing or comparing Swift strings normalizes Unicode, which made French sentences
/// the slowest part of storing scores. The hash reads eight bytes at a time (multiply and
/// fold); it is never stored, only used to find a sentence's id. (A collision needs two
/// different sentences of the same lengths with the same 64-bit hash among a few thousand.)
public struct TextFingerprint: Hashable, Sendable {
    public let hash: UInt64
    public let enCount: Int
    public let frCount: Int

    public init(_ text: LocalizedText) {
        var (en, fr) = (text.en, text.fr)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        enCount = en.withUTF8 { bytes in Self.mix(bytes, into: &hash) }
        frCount = fr.withUTF8 { bytes in Self.mix(bytes, into: &hash) }
        self.hash = hash
    }

    private static func mix(_ bytes: UnsafeBufferPointer<UInt8>, into hash: inout UInt64) -> Int {
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
        return bytes.count
    }
}
