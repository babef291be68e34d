import Foundation

/// Checks answers against the survey for one partner: every answer fits its question (type,
/// options, ranges, dates, lengths), no unknown question ids, and which required questions are
/// still missing.
public struct AnswerValidator {
    public let survey: Survey
    public let sector: Sector

    public init(survey: Survey, sector: Sector) {
        self.survey = survey
        self.sector = sector
    }

    public struct Result: Sendable {
        /// Answers to the questions the partner actually sees (hidden ones dropped).
        public var answers: AnswerSet
        public var problems: [String]
        public var missing: [String]
        public var complete: Bool { missing.isEmpty }
    }

    public func validate(_ raw: [String: JSONValue]) -> Result {
        var problems: [String] = []
        var answers = AnswerSet()
        let applicable = Dictionary(uniqueKeysWithValues: survey.questions(for: sector).map { ($0.id, $0) })
        for (id, value) in raw.sorted(by: { $0.key < $1.key }) {
            guard let question = applicable[id] else {
                problems.append(survey.question(id) == nil ? "unknown question \(id)" : "question \(id) is not asked of a \(sector.rawValue)")
                continue
            }
            let answer = Answer(json: value)
            if case .notApplicable(let reason) = answer {
                if !question.allowNA { problems.append("\(id): \"not applicable\" is not allowed for this question") }
                else if reason.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("\(id): \"not applicable\" needs a reason") }
                else { answers[id] = answer }
                continue
            }
            if let problem = check(value, for: question) { problems.append("\(id): \(problem)") } else { answers[id] = answer }
        }
        let effective = survey.effectiveAnswers(for: sector, answers: answers)
        let missing = survey.visibleQuestions(for: sector, answers: effective)
            .filter { $0.required && effective.value($0.id) == nil && !effective.isNotApplicable($0.id) }.map(\.id)
        return Result(answers: effective, problems: problems, missing: missing)
    }

    func check(_ value: JSONValue, for question: Question) -> String? {
        if case .null = value { return nil }
        switch question.type {
        case .yesNo, .yesNoPartial:
            let allowed = question.type == .yesNo ? ["yes", "no"] : ["yes", "partial", "no"]
            guard let text = value.stringValue, allowed.contains(text) else { return "expected one of \(allowed.joined(separator: ", "))" }
        case .singleChoice:
            guard let text = value.stringValue, question.option(text) != nil else { return "not one of the choices" }
        case .multiChoice:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue.flatMap(question.option) != nil }) else {
                return "expected a list of the choices"
            }
        case .number:
            guard let number = value.numberValue, number.isFinite else { return "expected a number" }
            if let min = question.min, number < min { return "below the minimum \(min.formatted())" }
            if let max = question.max, number > max { return "above the maximum \(max.formatted())" }
        case .date:
            guard let text = value.stringValue, DayFormat.parseDay(text) != nil else { return "expected a date YYYY-MM-DD" }
        case .text, .evidence:
            guard let text = value.stringValue else { return "expected text" }
            if text.count > question.maxLength { return "longer than \(question.maxLength) characters" }
        case .countryList:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue.flatMap(CountryCode.normalize) != nil }) else {
                return "expected a list of ISO country codes"
            }
        }
        return nil
    }
}
