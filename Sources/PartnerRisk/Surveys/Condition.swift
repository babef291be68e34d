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

    /// Evaluates against answers; an unanswered or N/A question makes a comparison false.
    public func evaluate(_ answers: AnswerSet) -> Bool {
        switch self {
        case .equals(let id, let literal):
            return answers.value(id).map { Self.matches($0, literal) } ?? false
        case .notEquals(let id, let literal):
            return answers.value(id).map { !Self.matches($0, literal) } ?? false
        case .isOneOf(let id, let literals):
            guard let value = answers.value(id) else { return false }
            return literals.contains { Self.matches(value, $0) }
        case .includes(let id, let literal):
            guard let value = answers.value(id) else { return false }
            if case .array(let items) = value { return items.contains { Self.matches($0, literal) } }
            return Self.matches(value, literal)
        case .compare(let id, let comparison, let bound):
            guard let number = answers.value(id)?.numberValue else { return false }
            switch comparison {
            case .gt: return number > bound
            case .gte: return number >= bound
            case .lt: return number < bound
            case .lte: return number <= bound
            }
        case .answered(let id, let expected):
            return (answers.value(id) != nil) == expected
        case .all(let parts): return parts.allSatisfy { $0.evaluate(answers) }
        case .any(let parts): return parts.contains { $0.evaluate(answers) }
        case .not(let inner): return !inner.evaluate(answers)
        }
    }

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
        visibility(for: sector, answers: answers).indices.map { questions[$0] }
    }

    /// Answers restricted to visible questions: what a hidden question was given is ignored.
    public func effectiveAnswers(for sector: Sector, answers: AnswerSet) -> AnswerSet {
        visibility(for: sector, answers: answers).answers
    }

    /// The positions of the visible questions and their answers, in one pass. `show_if` reads
    /// earlier questions only, so until an answered question turns out hidden the answers so far
    /// are exactly the shown ones: the common case (nothing hidden was answered) copies nothing.
    public func visibility(for sector: Sector, answers: AnswerSet) -> (indices: [Int], answers: AnswerSet) {
        let result = visibleAnswers(for: sector, answers: answers)
        return (result.indices, result.answers)
    }

    /// `visibility`, with each question's answer also by position (nil when hidden or unanswered),
    /// so a caller walking the questions needs no lookups by id.
    public func visibleAnswers(for sector: Sector, answers: AnswerSet) -> (indices: [Int], answers: AnswerSet, byPosition: [Answer?]) {
        var visible: [Int] = []
        visible.reserveCapacity(questions.count)
        var byPosition = [Answer?](repeating: nil, count: questions.count)
        var shown: AnswerSet?
        var answeredAndShown = 0
        for index in questions.indices {
            let question = questions[index]
            let answer = answers[question.id]
            let isShown = question.applies(to: sector) && (question.showIf.map { $0.evaluate(shown ?? answers) } ?? true)
            if isShown {
                visible.append(index)
                if let answer {
                    answeredAndShown += 1
                    shown?[question.id] = answer
                    byPosition[index] = answer
                }
            } else if answer != nil && shown == nil {
                shown = answersOf(visible, in: answers)
            }
        }
        if let shown { return (visible, shown, byPosition) }
        // Every answer belongs to a shown question unless some name no question of this survey.
        return (visible, answeredAndShown == answers.answers.count ? answers : answersOf(visible, in: answers), byPosition)
    }

    private func answersOf(_ indices: [Int], in answers: AnswerSet) -> AnswerSet {
        var kept = AnswerSet()
        for index in indices { if let answer = answers[questions[index].id] { kept[questions[index].id] = answer } }
        return kept
    }
}
