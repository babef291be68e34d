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
        /// `answers` by position in the survey's questions, as scoring reads them.
        public var positioned: PositionedAnswers = []
        public var complete: Bool { missing.isEmpty }
    }

    public func validate(_ raw: [String: JSONValue]) -> Result {
        var problems: [(id: String, text: String)] = []
        // The answers that fit, by position; `show_if` is then evaluated on them.
        var given = PositionedAnswers(repeating: nil, count: survey.questions.count)
        for (id, value) in raw {
            guard let position = survey.position(of: id) else {
                problems.append((id, "unknown question \(id)"))
                continue
            }
            let question = survey.questions[position]
            guard question.applies(to: sector) else {
                problems.append((id, "question \(id) is not asked of a \(sector.rawValue)"))
                continue
            }
            let answer = Answer(json: value)
            if case .notApplicable(let reason) = answer {
                if !question.allowNA { problems.append((id, "\(id): \"not applicable\" is not allowed for this question")); continue }
                if AnswerSet.isBlank(reason) { problems.append((id, "\(id): \"not applicable\" needs a reason")); continue }
            } else if let problem = check(value, for: question) {
                problems.append((id, "\(id): \(problem)"))
                continue
            }
            given[position] = answer
        }
        let answered = given.map { $0 != nil }
        let visible = survey.hideUnshown(for: sector, in: &given)
        // The given answers minus those with a problem or hidden by a condition (mapValues keeps the table).
        var answers = AnswerSet(raw.mapValues(Answer.init(json:)))
        for problem in problems { answers[problem.id] = nil }
        for position in given.indices where answered[position] && given[position] == nil { answers[survey.questions[position].id] = nil }
        let missing = visible.filter { position in
            guard survey.questions[position].required else { return false }
            if case .notApplicable? = given[position] { return false }
            return AnswerSet.usableValue(given[position]) == nil
        }.map { survey.questions[$0].id }
        return Result(answers: answers, problems: problems.sorted { $0.id < $1.id }.map(\.text), missing: missing, positioned: given)
    }

    func check(_ value: JSONValue, for question: Question) -> String? {
        if case .null = value { return nil }
        switch question.type {
        case .yesNo, .yesNoPartial:
            switch value.stringValue {
            case "yes", "no": break
            case "partial" where question.type == .yesNoPartial: break
            default: return question.type == .yesNo ? "expected one of yes, no" : "expected one of yes, partial, no"
            }
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
            // Counted in Unicode scalars, not grapheme clusters: a letter followed by thousands of
            // combining marks is thousands long. Scalars never outnumber UTF-8 bytes, so only a
            // long text needs counting.
            if text.utf8.count > question.maxLength && text.unicodeScalars.count > question.maxLength { return "longer than \(question.maxLength) characters" }
        case .countryList:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue.flatMap(CountryCode.normalize) != nil }) else {
                return "expected a list of ISO country codes"
            }
        }
        return nil
    }
}
