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
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return (coverage(a, by: b) + coverage(b, by: a)) / 2
    }

    public static func similarity(_ a: String, _ b: String) -> Double { similarity(words(a), words(b)) }

    /// How well each word of `a` finds a partner in `b`, weighted by word length.
    static func coverage(_ a: [String], by b: [String]) -> Double {
        var total = 0.0, weight = 0.0
        for word in a {
            let length = Double(word.count)
            total += length * (b.map { jaroWinkler(word, $0) }.max() ?? 0)
            weight += length
        }
        return weight > 0 ? total / weight : 0
    }

    /// The Jaro–Winkler similarity of two words (prefix scale 0.1, up to 4 characters).
    public static func jaroWinkler(_ s: String, _ t: String) -> Double {
        if s == t { return 1 }
        let a = Array(s.unicodeScalars), b = Array(t.unicodeScalars)
        guard !a.isEmpty, !b.isEmpty else { return 0 }
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
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions) / 2) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}

/// The names of every entry of some lists, indexed by the first three letters of each word, so a
/// partner's name is compared only with names that share the start of a word with it (a full
/// comparison with 30,000 names for each of 50,000 partners would take minutes).
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
    private let byPrefix: [String: [Int]]

    public init(entries: [SanctionsEntry]) {
        var names: [Name] = []
        var byPrefix: [String: [Int]] = [:]
        for (entry, item) in entries.enumerated() {
            for name in item.names {
                let words = NameMatcher.words(name)
                guard !words.isEmpty else { continue }
                for prefix in Set(words.map(Self.prefix)) { byPrefix[prefix, default: []].append(names.count) }
                names.append(Name(entry: entry, name: name, words: words))
            }
        }
        self.names = names
        self.byPrefix = byPrefix
    }

    static func prefix(_ word: String) -> String { String(word.prefix(3)) }

    /// The entries `name` matches at `threshold` or better, each once with its best-matching name.
    public func matches(_ name: String, threshold: Double) -> [Match] {
        let words = NameMatcher.words(name)
        guard !words.isEmpty else { return [] }
        var candidates = Set<Int>()
        for prefix in Set(words.map(Self.prefix)) { candidates.formUnion(byPrefix[prefix] ?? []) }
        var best: [Int: Match] = [:]
        for index in candidates {
            let listed = names[index]
            let score = NameMatcher.similarity(words, listed.words)
            guard score >= threshold, score > (best[listed.entry]?.score ?? 0) else { continue }
            best[listed.entry] = Match(entry: listed.entry, matchedName: listed.name, score: score)
        }
        return best.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.entry < $1.entry }
    }
}
