import Foundation
import Testing
@testable import PartnerRiskCore

/// The key that finds an explanation sentence's stored id: equal only for byte-identical text.
@Suite struct SentenceKeyTests {
    @Test func keysAreEqualExactlyWhenBothSentencesHaveTheSameBytes() {
        let text = LocalizedText(en: "Seal certificate expired", fr: "Certificat de scellé expiré")
        #expect(SentenceKey(text) == SentenceKey(LocalizedText(en: text.en, fr: text.fr)))
        #expect(SentenceKey(text).hashValue == SentenceKey(LocalizedText(en: text.en, fr: text.fr)).hashValue)
        #expect(SentenceKey(text) != SentenceKey(LocalizedText(en: text.en, fr: text.fr + ".")))
        #expect(SentenceKey(text) != SentenceKey(LocalizedText(en: text.fr, fr: text.en)))
        // Swift's String equality treats "é" and "e" + combining acute as equal; the stored bytes differ, so the keys do.
        let composed = LocalizedText(en: "x", fr: "scell\u{E9}"), decomposed = LocalizedText(en: "x", fr: "scelle\u{301}")
        #expect(composed == decomposed)
        #expect(SentenceKey(composed) != SentenceKey(decomposed))
    }

    @Test func manyDistinctSentencesNeverShareAnEntry() {
        var ids: [SentenceKey: Int] = [:]
        let sentences = (0..<20_000).map { LocalizedText(en: "−\($0 % 97).\($0 % 10) pts seals: F\($0)", fr: "−\($0 % 97),\($0 % 10) pts scellés : F\($0)") }
        for (index, text) in sentences.enumerated() { ids[SentenceKey(text)] = index }
        #expect(ids.count == sentences.count)
        for (index, text) in sentences.enumerated() { #expect(ids[SentenceKey(text)] == index) }
    }
}

/// How a score is written for storage.
@Suite struct StoredExplanationTests {
    /// Points and category scores are stored to three decimals, written digit by digit: the text
    /// is the one Swift writes for the rounded `Double`, whatever the value.
    @Test func thousandthsAreWrittenAsSwiftWritesTheRoundedDouble() {
        var generator = SeededGenerator(state: 5)
        var values: [Double] = [0, -0.0, -0.0001, 0.0004, 0.0005, 1, 1.5, 3.571, 99.9999, 100, -2.25, 1e9 - 0.001, 1e9, 1e12, 5e15, 1e300, -1e300]
        for _ in 0..<20_000 { values.append(Double.random(in: -150...150, using: &generator)) }
        for _ in 0..<2_000 { values.append(Double(Int.random(in: -100_000...100_000, using: &generator)) / 1000) }
        for value in values {
            #expect(StoredExplanation.thousandthsText(value) == "\(StoredExplanation.thousandths(value))", "\(value)")
        }
    }
}
