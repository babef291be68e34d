import Foundation

/// A rule on earlier answers: decides whether a question is shown or a red flag is raised.
public indirect enum Condition: Sendable, Equatable {
    case equals(String, String)
    case notEquals(String, String)
    case isOneOf(String, [String])
    case includes(String, String)
    case compare(String, Comparison, Double)
    case answered(String, Bool)
    case all([Condition])
    case any([Condition])
    case not(Condition)

    public enum Comparison: String, Sendable, CaseIterable { case gt, gte, lt, lte }

    /// Every question id the condition reads.
    public var questionIDs: [String] {
        switch self {
        case .equals(let id, _), .notEquals(let id, _), .isOneOf(let id, _), .includes(let id, _),
             .compare(let id, _, _), .answered(let id, _):
            return [id]
        case .all(let parts), .any(let parts): return parts.flatMap(\.questionIDs)
        case .not(let inner): return inner.questionIDs
        }
    }

    /// Evaluates against answers by id; an unanswered or N/A question makes a comparison false.
    /// (The rule itself is `PositionCondition.evaluate`, which scoring and validation use.)
    public func evaluate(_ answers: AnswerSet) -> Bool {
        var positions: [String: Int] = [:]
        var placed = PositionedAnswers()
        for id in questionIDs where positions[id] == nil {
            positions[id] = placed.count
            placed.append(answers[id])
        }
        return PositionCondition(self, positions: positions).evaluate(placed)
    }

    /// Whether an answered value equals a condition's literal (`yes`/`no` for booleans too).
    static func matches(_ value: JSONValue, _ literal: String) -> Bool {
        switch value {
        case .string(let text): return text == literal
        case .number(let number): return Double(literal) == number
        case .bool(let flag): return (flag ? "yes" : "no") == literal || String(flag) == literal
        default: return false
        }
    }
}

extension Survey {
    /// The questions a partner of `sector` sees given the answers so far: those that apply to the
    /// sector and whose `show_if` holds on the answers to questions shown before them.
    public func visibleQuestions(for sector: Sector, answers: AnswerSet) -> [Question] {
        var placed = positionedAnswers(answers)
        return hideUnshown(for: sector, in: &placed).map { questions[$0] }
    }

    /// Answers restricted to visible questions: what a hidden question was given is ignored.
    public func effectiveAnswers(for sector: Sector, answers: AnswerSet) -> AnswerSet {
        var placed = positionedAnswers(answers)
        var kept = AnswerSet()
        for position in hideUnshown(for: sector, in: &placed) {
            if let answer = placed[position] { kept[questions[position].id] = answer }
        }
        return kept
    }
}
