import Foundation

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
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: ".", with: "").replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "’", with: "")
        let all = folded.split { !$0.isLetter && !$0.isNumber }.map { String($0).lowercased() }
        let kept = all.filter { !legalForms.contains($0) }
        return kept.isEmpty ? all : kept
    }

    /// 0…1: how well the words of `a` and `b` pair up, in either direction (averaged, each word
    /// weighted by its length), order free.
    public static func similarity(_ a: [String], _ b: [String]) -> Double {
        similarity(a.map(Word.init), b.map(Word.init))
    }

    /// A word as compared: its Unicode scalars, read once.
    public struct Word: Sendable {
        let scalars: [UInt32]
        public init(_ text: String) { scalars = text.unicodeScalars.map(\.value) }
    }

    /// The same on words read once (what screening runs use: no conversion per pair).
    public static func similarity(_ a: [Word], _ b: [Word]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var best = [Double](repeating: 0, count: b.count)
        var forward = 0.0, forwardWeight = 0.0
        for word in a {
            var top = 0.0
            for (index, other) in b.enumerated() {
                let score = jaroWinkler(word.scalars, other.scalars)
                top = max(top, score)
                best[index] = max(best[index], score)
            }
            forward += Double(word.scalars.count) * top
            forwardWeight += Double(word.scalars.count)
        }
        var backward = 0.0, backwardWeight = 0.0
        for (index, other) in b.enumerated() {
            backward += Double(other.scalars.count) * best[index]
            backwardWeight += Double(other.scalars.count)
        }
        return (forward / forwardWeight + backward / backwardWeight) / 2
    }

    public static func similarity(_ a: String, _ b: String) -> Double { similarity(words(a), words(b)) }

    /// The Jaro–Winkler similarity of two words (prefix scale 0.1, up to 4 characters).
    public static func jaroWinkler(_ s: String, _ t: String) -> Double {
        jaroWinkler(s.unicodeScalars.map(\.value), t.unicodeScalars.map(\.value))
    }

    /// The same on scalar values; words of up to 64 letters are compared without allocating.
    static func jaroWinkler(_ a: [UInt32], _ b: [UInt32]) -> Double {
        if a == b { return a.isEmpty ? 0 : 1 }
        guard !a.isEmpty, !b.isEmpty else { return 0 }
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

    static func winkler(matches: Int, transpositions: Int, _ a: [UInt32], _ b: [UInt32]) -> Double {
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions) / 2) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    /// Words longer than 64 letters (rare): the same measure with arrays of flags.
    static func jaroWinklerLong(_ a: [UInt32], _ b: [UInt32]) -> Double {
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
/// comparison with 30,000 names for each of 50,000 partners would take minutes).
public struct ScreeningIndex: Sendable {
    public struct Name: Sendable {
        public var entry: Int
        public var name: String
        public var words: [String]
        var compared: [NameMatcher.Word]
        /// How many different word starts the name has.
        var prefixCount: Int
    }

    public struct Match: Sendable, Equatable {
        public var entry: Int
        public var matchedName: String
        public var score: Double
    }

    public let names: [Name]
    private let byPrefix: [String: [Int]]
    /// A word start held by more names than this is common (one name in 200, at least 50 names).
    private let commonBucket: Int

    public init(entries: [SanctionsEntry]) {
        var names: [Name] = []
        var byPrefix: [String: [Int]] = [:]
        for (entry, item) in entries.enumerated() {
            for name in item.names {
                let words = NameMatcher.words(name)
                guard !words.isEmpty else { continue }
                for prefix in Set(words.map(Self.prefix)) { byPrefix[prefix, default: []].append(names.count) }
                names.append(Name(entry: entry, name: name, words: words, compared: words.map(NameMatcher.Word.init),
                                  prefixCount: Set(words.map(Self.prefix)).count))
            }
        }
        self.names = names
        self.byPrefix = byPrefix
        commonBucket = max(50, names.count / 200)
    }

    static func prefix(_ word: String) -> String { String(word.prefix(4)) }

    /// The entries `name` matches at `threshold` or better, each once with its best-matching name.
    public func matches(_ name: String, threshold: Double) -> [Match] {
        let words = NameMatcher.words(name)
        guard !words.isEmpty else { return [] }
        let compared = words.map(NameMatcher.Word.init)
        // Candidates come from the distinctive words: a word start shared by a large share of all
        // names (Trading, International) finds candidates only when the name has no other word.
        // A candidate must share the start of at least half of those words: a name whose other
        // words all differ cannot reach a threshold near 0.9 (their letters weigh in both ways).
        let all = Set(words.map(Self.prefix))
        let distinctive = all.filter { (byPrefix[$0]?.count ?? 0) <= commonBucket }
        let prefixes = distinctive.isEmpty ? all : distinctive
        let needed = max(1, (prefixes.count + 1) / 2)
        var shared: [Int: Int] = [:]
        for prefix in prefixes { for index in byPrefix[prefix] ?? [] { shared[index, default: 0] += 1 } }
        var best: [Int: Match] = [:]
        for (index, count) in shared where count >= min(needed, names[index].prefixCount) {
            let listed = names[index]
            let score = NameMatcher.similarity(compared, listed.compared)
            guard score >= threshold, score > (best[listed.entry]?.score ?? 0) else { continue }
            best[listed.entry] = Match(entry: listed.entry, matchedName: listed.name, score: score)
        }
        return best.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.entry < $1.entry }
    }
}
