import Foundation
import Yams

/// Walks a composed YAML tree and collects problems with their line and column, so a file
/// gets every problem reported at once.
final class YAMLReader {
    let file: String
    private(set) var problems: [SurveyProblem] = []

    init(file: String) {
        self.file = file
    }

    /// Composes the text; a syntax error becomes one problem with its position.
    func compose(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                report(line: 1, column: 1, "the file is empty", "write the survey as YAML; see Surveys/README.md")
                return nil
            }
            return node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            for key in duplicates { reportDuplicate(key, mappingLine: context.mark.line, in: text) }
            return nil
        } catch let error as YamlError {
            let (mark, problem) = Self.describe(error)
            report(line: mark?.line ?? 1, column: mark?.column ?? 1, "YAML syntax error: \(problem)",
                   "fix the indentation or quoting at this point (quote text that contains ': ' or starts with a special character)")
            return nil
        } catch {
            report(line: 1, column: 1, "cannot read YAML: \(error)", "check the file is UTF-8 YAML")
            return nil
        }
    }

    /// A key written twice in one mapping, reported at its second line (Yams names only the
    /// mapping, and its message would echo the file).
    private func reportDuplicate(_ key: String, mappingLine: Int, in text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var first: (line: Int, indent: Int)?
        for (index, line) in lines.enumerated() where index + 1 >= mappingLine {
            let indent = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix(key), rest.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") else { continue }
            if let first, first.indent == indent {
                report(line: index + 1, column: indent + 1, "duplicate key `\(key)` (first at line \(first.line))",
                       "keep one `\(key):` in this mapping")
                return
            }
            if first == nil { first = (index + 1, indent) }
        }
        report(line: mappingLine, column: 1, "duplicate key `\(key)` in this mapping", "keep one `\(key):` in this mapping")
    }

    static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark, problem)
        default:
            return (nil, "\(error)")
        }
    }

    func report(_ node: Node?, _ message: String, _ fix: String) {
        report(line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message, fix)
    }

    func report(line: Int, column: Int, _ message: String, _ fix: String) {
        problems.append(SurveyProblem(file: file, line: line, column: column, message: message, fix: fix))
    }

    /// The mapping of `node`, reporting when it is something else.
    func mapping(_ node: Node?, _ what: String) -> Node.Mapping? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping of keys to values", "write it as `key: value` lines indented under it")
            return nil
        }
        return mapping
    }

    func sequence(_ node: Node?, _ what: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            report(node, "\(what) must be a list", "write each item on its own line starting with `- `, or as [a, b]")
            return nil
        }
        return Array(sequence)
    }

    func scalar(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            report(node, "\(what) must be a single value", "write it on the same line after the colon")
            return nil
        }
        return scalar.string
    }

    /// Reports keys not in `known` (typos would otherwise be silently ignored).
    func checkKeys(_ mapping: Node.Mapping, known: [String], in what: String) {
        for (key, _) in mapping {
            guard let name = key.string, !known.contains(name) else { continue }
            report(key, "unknown key `\(name)` in \(what)", "remove it or correct its spelling; allowed keys: \(known.joined(separator: ", "))")
        }
    }

    func required(_ mapping: Node.Mapping, _ key: String, in what: String, owner: Node) -> Node? {
        if let value = mapping[key] { return value }
        report(owner, "\(what) has no `\(key)`", "add `\(key):` to it")
        return nil
    }

    func string(_ mapping: Node.Mapping, _ key: String, in what: String, owner: Node, required isRequired: Bool = true) -> String? {
        let node = isRequired ? required(mapping, key, in: what, owner: owner) : mapping[key]
        guard let text = scalar(node, "`\(key)`") else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            report(node, "`\(key)` is empty in \(what)", "give it a value")
            return nil
        }
        return text
    }

    func number(_ node: Node?, _ key: String) -> Double? {
        guard let text = scalar(node, "`\(key)`") else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            report(node, "`\(key)` must be a number, not \"\(text)\"", "write a number such as 3 or 0.5")
            return nil
        }
        guard value.isFinite else {
            report(node, "`\(key)` is \(text), which is not a finite number", "write a number such as 3 or 0.5")
            return nil
        }
        return value
    }

    /// A whole number within `range`; anything else (a fraction, `1e19`, `-1`) is reported at its line.
    func wholeNumber(_ node: Node?, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = number(node, key) else { return nil }
        guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
            report(node, "`\(key)` is \(value.formatted()), not a whole number from \(range.lowerBound) to \(range.upperBound)",
                   "write a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(value)
    }

    func bool(_ node: Node?, _ key: String) -> Bool? {
        guard let text = scalar(node, "`\(key)`") else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            report(node, "`\(key)` must be true or false, not \"\(text)\"", "write true or false")
            return nil
        }
    }

    /// A `{en: ..., fr: ...}` text; both languages are required and non-empty.
    func localized(_ node: Node?, _ key: String, in what: String) -> LocalizedText? {
        guard let node else { return nil }
        if case .scalar = node {
            report(node, "`\(key)` of \(what) has one language only", "write it as {en: \"...\", fr: \"...\"} with both English and French")
            return nil
        }
        guard let mapping = mapping(node, "`\(key)`") else { return nil }
        checkKeys(mapping, known: ["en", "fr"], in: "`\(key)` of \(what)")
        var texts: [String: String] = [:]
        for language in ["en", "fr"] {
            let text = scalar(mapping[language], "`\(key).\(language)`")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if text.isEmpty {
                let name = language == "en" ? "English" : "French"
                report(mapping[language] ?? node, "`\(key)` of \(what) has no \(name) text (\(language))", "add `\(language): \"...\"` with the \(name) wording")
            }
            texts[language] = text
        }
        guard let en = texts["en"], let fr = texts["fr"], !en.isEmpty, !fr.isEmpty else { return nil }
        return LocalizedText(en: en, fr: fr)
    }
}
