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
        var problems: [(id: String, text: String)] = []
        for (id, value) in raw {
            guard let question = survey.question(id), question.applies(to: sector) else {
                problems.append((id, survey.question(id) == nil ? "unknown question \(id)" : "question \(id) is not asked of a \(sector.rawValue)"))
                continue
            }
            if case .notApplicable(let reason) = Answer(json: value) {
                if !question.allowNA { problems.append((id, "\(id): \"not applicable\" is not allowed for this question")) }
                else if AnswerSet.isBlank(reason) { problems.append((id, "\(id): \"not applicable\" needs a reason")) }
                continue
            }
            if let problem = check(value, for: question) { problems.append((id, "\(id): \(problem)")) }
        }
        // Answers with a problem are left out; the rest keep their values (mapValues keeps the table).
        var answers = AnswerSet(raw.mapValues(Answer.init(json:)))
        for problem in problems { answers[problem.id] = nil }
        let (visible, effective) = survey.visibility(for: sector, answers: answers)
        let missing = visible.map { survey.questions[$0] }
            .filter { $0.required && effective.value($0.id) == nil && !effective.isNotApplicable($0.id) }.map(\.id)
        return Result(answers: effective, problems: problems.sorted { $0.id < $1.id }.map(\.text), missing: missing)
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
