import Foundation
import Synchronization

/// How alike two names are, as sanctions screening needs it: case, accents and punctuation do not
/// count, legal forms (Inc, Ltd, GmbH, S.A. de C.V., OOO, …) are dropped, and the words are
/// compared in any order, each with the Jaro–Winkler similarity of its best partner in the other
/// name. Written here because no kept Swift library matches names; the measure is the textbook one.
public enum NameMatcher {
    /// Words that say what kind of company it is, not which: left out of the comparison.
    static let legalForms: Set<String> = [
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "corp", "corporation", "co", "company", "gmbh", "ag", "kg",
        "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "asa", "aps", "sl", "cv", "de", "rl", "ooo", "oao", "zao", "pao", "ao",
        "jsc", "pjsc", "cjsc", "ojsc", "tov", "pvt", "private", "pte", "pty", "sdn", "bhd", "kk", "kft", "sro", "doo", "ad", "jsco",
        "liability", "joint", "stock", "jointstock", "public", "closed", "societe", "anonyme", "aktiengesellschaft", "gesellschaft", "mbh",
        "obshchestvo", "ogranichennoy", "otvetstvennostyu", "aktsionernoye",
        "the", "and", "of", "du", "des", "del", "la", "le", "et", "y", "e", "group", "holding", "holdings",
    ]

    /// The words of a name, folded (case, accents, width), without punctuation and legal forms.
    /// "S.A. de C.V." and "Co." fold to nothing; a name made only of such words keeps them.
    public static func words(_ name: String) -> [String] {
        // One pass over the folded scalars: dots and apostrophes join ("S.A." is "sa", "O'Neil"
        // is "oneil"), any other scalar that is neither a letter nor a digit separates.
        var all: [String] = [], word = String.UnicodeScalarView()
        for scalar in name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).unicodeScalars {
            if scalar == "." || scalar == "'" || scalar == "’" { continue }
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                word.append(scalar)
            } else if !word.isEmpty {
                all.append(String(word).lowercased())
                word = String.UnicodeScalarView()
            }
        }
        if !word.isEmpty { all.append(String(word).lowercased()) }
        let kept = all.filter { !legalForms.contains($0) }
        return kept.isEmpty ? all : kept
    }

    /// 0…1: how well the words of `a` and `b` pair up, in either direction (averaged, each word
    /// weighted by its length), order free.
    public static func similarity(_ a: [String], _ b: [String]) -> Double {
        let a = Words(a), b = Words(b)
        return a.withSlices { a in b.withSlices { b in similarity(a, b, floor: 0) } }
    }

    public static func similarity(_ a: String, _ b: String) -> Double { similarity(words(a), words(b)) }

    /// Words laid end to end in one buffer of Unicode scalars, with fence posts: word `k` is
    /// `letters[fences[k]..<fences[k + 1]]`. Screening compares these, so no word is a separate
    /// array and the inner loops count no references.
    public struct Words: Sendable {
        var letters: [UInt32] = []
        var fences: [Int32] = [0]
        public init(_ words: [String] = []) { for word in words { append(word) } }
        public var count: Int { fences.count - 1 }
        mutating func append(_ word: String) {
            letters.append(contentsOf: word.unicodeScalars.lazy.map(\.value))
            fences.append(Int32(letters.count))
        }
        func withSlices<R>(_ body: (Slices) -> R) -> R {
            letters.withUnsafeBufferPointer { letters in fences.withUnsafeBufferPointer { body(Slices(letters: letters, fences: $0)) } }
        }
    }

    /// Some words of a `Words` buffer, as compared: `fences` holds one post more than there are words.
    struct Slices {
        let letters: UnsafeBufferPointer<UInt32>
        let fences: UnsafeBufferPointer<Int32>
        var count: Int { fences.count - 1 }
        func word(_ k: Int) -> UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(rebasing: letters[Int(fences[k])..<Int(fences[k + 1])]) }
        func length(_ k: Int) -> Int { Int(fences[k + 1] - fences[k]) }
        /// Words `range` of these (fences shared, not copied).
        func words(_ range: Range<Int>) -> Slices { Slices(letters: letters, fences: UnsafeBufferPointer(rebasing: fences[range.lowerBound...range.upperBound])) }
    }

    /// The similarity of `a` and `b`, or 0 as soon as it cannot reach a threshold of
    /// (1 + `floor`) / 2: the backward half is at most 1, so the forward half must reach `floor`.
    static func similarity(_ a: Slices, _ b: Slices, floor: Double) -> Double {
        guard a.count > 0, b.count > 0 else { return 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: b.count) { best in
            best.initialize(repeating: 0)
            var forwardWeight = 0.0
            for k in 0..<a.count { forwardWeight += Double(a.length(k)) }
            var forward = 0.0, remaining = forwardWeight
            for k in 0..<a.count {
                let word = a.word(k)
                var top = 0.0
                for j in 0..<b.count {
                    let score = jaroWinkler(word, b.word(j))
                    top = max(top, score)
                    best[j] = max(best[j], score)
                }
                forward += Double(word.count) * top
                remaining -= Double(word.count)
                if (forward + remaining) / forwardWeight < floor { return 0 }
            }
            var backward = 0.0, backwardWeight = 0.0
            for j in 0..<b.count {
                backward += Double(b.length(j)) * best[j]
                backwardWeight += Double(b.length(j))
            }
            return (forward / forwardWeight + backward / backwardWeight) / 2
        }
    }

    /// The Jaro–Winkler similarity of two words (prefix scale 0.1, up to 4 characters).
    public static func jaroWinkler(_ s: String, _ t: String) -> Double {
        let a = s.unicodeScalars.map(\.value), b = t.unicodeScalars.map(\.value)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { jaroWinkler(a, $0) } }
    }

    /// The same on scalar values; words of up to 64 letters are compared without allocating.
    static func jaroWinkler(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        if a.count == b.count && a.elementsEqual(b) { return 1 }
        guard a.count <= 64, b.count <= 64 else { return jaroWinklerLong(a, b) }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var usedB: UInt64 = 0, usedA: UInt64 = 0
        var matches = 0
        for i in 0..<a.count {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where usedB & (1 << UInt64(j)) == 0 && a[i] == b[j] {
                usedA |= 1 << UInt64(i)
                usedB |= 1 << UInt64(j)
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0, k = 0
        for i in 0..<a.count where usedA & (1 << UInt64(i)) != 0 {
            while usedB & (1 << UInt64(k)) == 0 { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        return winkler(matches: matches, transpositions: transpositions, a, b)
    }

    static func winkler(matches: Int, transpositions: Int, _ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions) / 2) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    /// Words longer than 64 letters (rare): the same measure with arrays of flags.
    static func jaroWinklerLong(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var matchedA = [Bool](repeating: false, count: a.count), matchedB = [Bool](repeating: false, count: b.count)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !matchedB[j] && a[i] == b[j] {
                matchedA[i] = true
                matchedB[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0, k = 0
        for i in a.indices where matchedA[i] {
            while !matchedB[k] { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        return winkler(matches: matches, transpositions: transpositions, a, b)
    }
}

/// The names of every entry of some lists, indexed by the first four letters of each word, so a
/// partner's name is compared only with names that share the start of a word with it (a full
/// comparison with 30,000 names for each of 50,000 partners would take minutes). Many names are
/// matched at once on every core (`matches(_:threshold:)` on an array).
public struct ScreeningIndex: Sendable {
    public struct Name: Sendable {
        public var entry: Int
        public var name: String
        public var words: [String]
    }

    public struct Match: Sendable, Equatable {
        public var entry: Int
        public var matchedName: String
        public var score: Double
    }

    public let names: [Name]
    /// Every name's words, end to end: name `n` is words `firstWord[n]..<firstWord[n + 1]`.
    private let words: NameMatcher.Words
    private let firstWord: [Int32]
    /// How many different word starts each name has.
    private let prefixCounts: [Int32]
    private let byPrefix: [String: [Int32]]
    /// A word start held by more names than this is common (one name in 200, at least 50 names).
    private let commonBucket: Int

    public init(entries: [SanctionsEntry]) {
        var names: [Name] = [], words = NameMatcher.Words(), firstWord: [Int32] = [0], prefixCounts: [Int32] = []
        var byPrefix: [String: [Int32]] = [:]
        for (entry, item) in entries.enumerated() {
            for name in item.names {
                let folded = NameMatcher.words(name)
                guard !folded.isEmpty else { continue }
                let prefixes = Set(folded.map(Self.prefix))
                for prefix in prefixes { byPrefix[prefix, default: []].append(Int32(names.count)) }
                names.append(Name(entry: entry, name: name, words: folded))
                folded.forEach { words.append($0) }
                firstWord.append(Int32(words.count))
                prefixCounts.append(Int32(prefixes.count))
            }
        }
        self.names = names
        self.words = words
        self.firstWord = firstWord
        self.prefixCounts = prefixCounts
        self.byPrefix = byPrefix
        commonBucket = max(50, names.count / 200)
    }

    static func prefix(_ word: String) -> String { String(word.prefix(4)) }

    /// The entries `name` matches at `threshold` or better, each once with its best-matching name.
    public func matches(_ name: String, threshold: Double) -> [Match] {
        matches([name], threshold: threshold)[0]
    }

    /// The same for many names, shared out over the cores; the answers are in the order of `queries`.
    public func matches(_ queries: [String], threshold: Double, progress: ProgressMeter? = nil) -> [[Match]] {
        progress?.begin(total: queries.count)
        defer { progress?.finish() }
        return inParallel(queries.count) { range, scratch in
            range.map { index in
                let step = index - range.lowerBound
                if let progress, step % 256 == 255 || index == range.upperBound - 1 { progress.advance(step % 256 + 1) }
                return candidates(queries[index], threshold: threshold, scratch: &scratch)
            }
        }
    }

    /// For `make bench-screen`'s reference: how many of all the pairs of `queries` × every list
    /// name reach `threshold`, with the same comparison and cores but no index.
    public func allPairsAtOrAbove(_ queries: [String], threshold: Double) -> Int {
        inParallel(queries.count) { range, _ in
            range.map { query in
                let asked = NameMatcher.Words(NameMatcher.words(queries[query]))
                return asked.withSlices { asked in
                    words.withSlices { listed in
                        (0..<names.count).count { NameMatcher.similarity(asked, listed.words(wordRange($0)), floor: 2 * threshold - 1) >= threshold }
                    }
                }
            }
        }.reduce(0, +)
    }

    private func wordRange(_ name: Int) -> Range<Int> { Int(firstWord[name])..<Int(firstWord[name + 1]) }

    /// Per worker: how many word starts each list name shares with the name asked, and which
    /// names were touched (to reset them), kept from one name to the next.
    struct Scratch {
        var shared: [Int32]
        var touched: [Int32] = []
    }

    /// `work` on slices of 0..<count on every core, each with its own scratch; results in order.
    private func inParallel<T: Sendable>(_ count: Int, _ work: @Sendable (Range<Int>, inout Scratch) -> [T]) -> [T] {
        let chunks = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount * 8))
        let results = Mutex<[Int: [T]]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var scratch = Scratch(shared: [Int32](repeating: 0, count: names.count))
            let range = (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
            let done = work(range, &scratch)
            results.withLock { $0[chunk] = done }
        }
        return results.withLock { all in (0..<chunks).flatMap { all[$0] ?? [] } }
    }

    private func candidates(_ name: String, threshold: Double, scratch: inout Scratch) -> [Match] {
        let folded = NameMatcher.words(name)
        guard !folded.isEmpty else { return [] }
        // Candidates come from the distinctive words: a word start shared by a large share of all
        // names (Trading, International) finds candidates only when the name has no other word.
        // A candidate must share the start of at least half of those words: a name whose other
        // words all differ cannot reach a threshold near 0.9 (their letters weigh in both ways).
        let all = Set(folded.map(Self.prefix))
        let distinctive = all.filter { (byPrefix[$0]?.count ?? 0) <= commonBucket }
        let prefixes = distinctive.isEmpty ? all : distinctive
        let needed = Int32(max(1, (prefixes.count + 1) / 2))
        for prefix in prefixes {
            for index in byPrefix[prefix] ?? [] {
                if scratch.shared[Int(index)] == 0 { scratch.touched.append(index) }
                scratch.shared[Int(index)] += 1
            }
        }
        let asked = NameMatcher.Words(folded)
        var best: [Int: Match] = [:]
        asked.withSlices { asked in
            words.withSlices { listed in
                for index in scratch.touched where scratch.shared[Int(index)] >= min(needed, prefixCounts[Int(index)]) {
                    let score = NameMatcher.similarity(asked, listed.words(wordRange(Int(index))), floor: 2 * threshold - 1)
                    let entry = names[Int(index)].entry
                    guard score >= threshold, score > (best[entry]?.score ?? 0) else { continue }
                    best[entry] = Match(entry: entry, matchedName: names[Int(index)].name, score: score)
                }
            }
        }
        for index in scratch.touched { scratch.shared[Int(index)] = 0 }
        scratch.touched.removeAll(keepingCapacity: true)
        return best.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.entry < $1.entry }
    }
}
