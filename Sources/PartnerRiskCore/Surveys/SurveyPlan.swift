import Foundation

/// Answers of one response by question position: `answers[i]` answers `survey.questions[i]`.
/// Scoring reads answers this way; ids are looked up once, when the answers are read.
public typealias PositionedAnswers = [Answer?]

/// A condition whose question ids are resolved to positions in the survey's question list, so
/// evaluating it looks nothing up by id. Position -1 stands for a question the survey lacks
/// (never answered).
indirect enum PositionCondition: Sendable {
    case equals(Int, String)
    case notEquals(Int, String)
    case isOneOf(Int, [String])
    case includes(Int, String)
    case compare(Int, Condition.Comparison, Double)
    case answered(Int, Bool)
    case all([PositionCondition])
    case any([PositionCondition])
    case not(PositionCondition)

    init(_ condition: Condition, positions: [String: Int]) {
        func at(_ id: String) -> Int { positions[id] ?? -1 }
        switch condition {
        case .equals(let id, let literal): self = .equals(at(id), literal)
        case .notEquals(let id, let literal): self = .notEquals(at(id), literal)
        case .isOneOf(let id, let literals): self = .isOneOf(at(id), literals)
        case .includes(let id, let literal): self = .includes(at(id), literal)
        case .compare(let id, let comparison, let bound): self = .compare(at(id), comparison, bound)
        case .answered(let id, let expected): self = .answered(at(id), expected)
        case .all(let parts): self = .all(parts.map { PositionCondition($0, positions: positions) })
        case .any(let parts): self = .any(parts.map { PositionCondition($0, positions: positions) })
        case .not(let inner): self = .not(PositionCondition(inner, positions: positions))
        }
    }

    /// Evaluates against answers by position; an unanswered or N/A question makes a comparison false.
    func evaluate(_ answers: PositionedAnswers) -> Bool {
        func value(_ position: Int) -> JSONValue? {
            position >= 0 && position < answers.count ? AnswerSet.usableValue(answers[position]) : nil
        }
        switch self {
        case .equals(let position, let literal):
            return value(position).map { Condition.matches($0, literal) } ?? false
        case .notEquals(let position, let literal):
            return value(position).map { !Condition.matches($0, literal) } ?? false
        case .isOneOf(let position, let literals):
            guard let found = value(position) else { return false }
            return literals.contains { Condition.matches(found, $0) }
        case .includes(let position, let literal):
            guard let found = value(position) else { return false }
            if case .array(let items) = found { return items.contains { Condition.matches($0, literal) } }
            return Condition.matches(found, literal)
        case .compare(let position, let comparison, let bound):
            guard let number = value(position)?.numberValue else { return false }
            switch comparison {
            case .gt: return number > bound
            case .gte: return number >= bound
            case .lt: return number < bound
            case .lte: return number <= bound
            }
        case .answered(let position, let expected):
            return (value(position) != nil) == expected
        case .all(let parts): return parts.allSatisfy { $0.evaluate(answers) }
        case .any(let parts): return parts.contains { $0.evaluate(answers) }
        case .not(let inner): return !inner.evaluate(answers)
        }
    }
}

/// What scoring reads of a survey, worked out once per survey: conditions and red-flag rules on
/// positions, the positions of the questions with a role, and the question ids in the order
/// stored answers list them (UTF-8 byte order), so reading stored answers hashes no keys.
final class SurveyPlan: Sendable {
    /// A red-flag rule with its conditions on positions.
    struct Flag: Sendable {
        let rule: RedFlagRule
        let when: PositionCondition
        let unless: PositionCondition?
        /// The question the partner explains the flag in (the first `answered: true` of `unless`).
        let explanation: Int?
    }

    let positions: [String: Int]
    let showIf: [PositionCondition?]
    /// Per sector, whether each question is asked of it (`Question.applies(to:)`, worked out once:
    /// every validation and every score asks it of every question).
    private let asked: [Sector: [Bool]]
    let flags: [Flag]
    let trustedTraderProgram: Int?
    let trustedTraderExpiry: Int?
    /// Per question, the position of the expiry date its credit relies on (`relies_on`).
    let reliesOn: [Int?]
    /// Questions whose answer lists countries (registration aside: sites, banks, transit).
    let countryQuestions: [Int]
    /// The ids' UTF-8 bytes one after another, in byte order, and where each starts and which
    /// position it names.
    private let keyBytes: [UInt8]
    private let keys: [(start: Int, count: Int, position: Int)]

    init(_ questions: [Question]) {
        var positions: [String: Int] = [:]
        for (position, question) in questions.enumerated() where positions[question.id] == nil { positions[question.id] = position }
        self.positions = positions
        showIf = questions.map { question in question.showIf.map { PositionCondition($0, positions: positions) } }
        asked = Dictionary(uniqueKeysWithValues: Sector.allCases.map { sector in (sector, questions.map { $0.applies(to: sector) }) })
        flags = questions.flatMap { question in
            question.redFlags.map { rule in
                Flag(rule: rule, when: PositionCondition(rule.when, positions: positions),
                     unless: rule.unless.map { PositionCondition($0, positions: positions) },
                     explanation: rule.unless.flatMap(Self.explainingQuestion).flatMap { positions[$0] })
            }
        }
        trustedTraderProgram = questions.firstIndex { $0.role == "trusted_trader.program" }
        trustedTraderExpiry = questions.firstIndex { $0.role == "trusted_trader.expiry" }
        reliesOn = questions.map { question in question.reliesOn.flatMap { role in questions.firstIndex { $0.role == role } } }
        countryQuestions = questions.indices.filter { questions[$0].role?.hasPrefix("countries.") == true }
        var bytes: [UInt8] = []
        var keys: [(start: Int, count: Int, position: Int)] = []
        for (id, position) in positions.sorted(by: { CanonicalJSON.utf8Precedes($0.key, $1.key) }) {
            keys.append((bytes.count, id.utf8.count, position))
            bytes += id.utf8
        }
        keyBytes = bytes
        self.keys = keys
    }

    /// The question a condition asks to be answered (`answered: true`), first found.
    static func explainingQuestion(_ condition: Condition) -> String? {
        switch condition {
        case .answered(let id, true): return id
        case .all(let parts), .any(let parts): return parts.lazy.compactMap(explainingQuestion).first
        default: return nil
        }
    }

    /// Reads stored answers (a JSON object by question id) into positions; nil when the text is
    /// not a JSON object. Ids this survey lacks are left out. Keys in byte order (as stored) are
    /// matched by walking the sorted ids; any other order still works, by lookup.
    func positionedAnswers(storedJSON text: String) -> PositionedAnswers? {
        var answers = PositionedAnswers(repeating: nil, count: showIf.count)
        var cursor = 0
        let parsed = keyBytes.withUnsafeBufferPointer { sortedBytes in
            JSONParser.parseObjectMembers(text) { key, value in
                if let position = self.position(of: key, in: sortedBytes, cursor: &cursor) { answers[position] = Answer(json: value) }
            }
        }
        return parsed ? answers : nil
    }

    /// Whether each question is asked of `sector` (every sector was worked out at init).
    func asked(of sector: Sector) -> [Bool] { asked[sector]! }

    /// The position of the question whose id is `key` (UTF-8 bytes), nil when there is none. Keys
    /// given in byte order (as answer files and stored answers write them) are found by walking
    /// the sorted ids from `cursor`; any other order still works, by lookup.
    func position(ofKey key: UnsafeBufferPointer<UInt8>, cursor: inout Int) -> Int? {
        keyBytes.withUnsafeBufferPointer { position(of: key, in: $0, cursor: &cursor) }
    }

    private func position(of key: UnsafeBufferPointer<UInt8>, in sortedBytes: UnsafeBufferPointer<UInt8>, cursor: inout Int) -> Int? {
        while cursor < keys.count {
            let candidate = keys[cursor]
            let order = CanonicalJSON.byteOrder(UnsafeBufferPointer(rebasing: sortedBytes[candidate.start..<candidate.start + candidate.count]), key)
            if order == 0 { cursor += 1; return candidate.position }
            if order > 0 { break }
            cursor += 1
        }
        return positions[String(decoding: key, as: UTF8.self)]
    }

    /// Answers by id placed by position.
    func positionedAnswers(_ answers: AnswerSet) -> PositionedAnswers {
        var placed = PositionedAnswers(repeating: nil, count: showIf.count)
        for (id, answer) in answers.answers { if let position = positions[id] { placed[position] = answer } }
        return placed
    }
}

extension Survey {
    /// Hides what a partner of `sector` is not shown: clears the answers of questions that do not
    /// apply or whose `show_if` fails, and returns the positions of the shown ones. `show_if`
    /// reads only earlier questions, already settled when it is evaluated.
    func hideUnshown(for sector: Sector, in answers: inout PositionedAnswers) -> [Int] {
        var shown: [Int] = []
        shown.reserveCapacity(questions.count)
        let asked = plan.asked(of: sector)
        for index in questions.indices {
            if asked[index] && (plan.showIf[index]?.evaluate(answers) ?? true) {
                shown.append(index)
            } else {
                answers[index] = nil
            }
        }
        return shown
    }

    /// Stored answers (`response.answers_json`) by position; nil when the text is not a JSON object.
    public func positionedAnswers(storedJSON text: String) -> PositionedAnswers? { plan.positionedAnswers(storedJSON: text) }

    /// Answers by id placed by position; ids this survey lacks are left out.
    public func positionedAnswers(_ answers: AnswerSet) -> PositionedAnswers { plan.positionedAnswers(answers) }
}
