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
        /// The answers that fit, by position in the survey's questions (as scoring reads them):
        /// those with a problem and those hidden from the partner are left out.
        public var positioned: PositionedAnswers
        public var problems: [String]
        public var missing: [String]
        /// The survey the answers were checked against.
        let survey: Survey
        public var complete: Bool { missing.isEmpty }

        /// Answers to the questions the partner actually sees (hidden ones dropped), by id.
        public var answers: AnswerSet {
            var answers = AnswerSet()
            for (position, answer) in positioned.enumerated() { if let answer { answers[survey.questions[position].id] = answer } }
            return answers
        }

        /// How many answers were kept.
        public var keptCount: Int { positioned.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    }

    public func validate(_ raw: [String: JSONValue]) -> Result { validate(AnswerMembers(raw)) }

    /// Checks the members of an answers object (a key given twice: the later value counts).
    public func validate(_ raw: AnswerMembers) -> Result {
        var problems: [(id: String, text: String)] = []
        // The answers that fit, by position; `show_if` is then evaluated on them.
        var given = PositionedAnswers(repeating: nil, count: survey.questions.count)
        var cursor = 0
        let asked = survey.plan.asked(of: sector)
        for index in 0..<raw.count {
            guard let position = raw.withKey(index, { survey.plan.position(ofKey: $0, cursor: &cursor) }) else {
                let id = raw.key(index)
                if !problems.contains(where: { $0.id == id }) { problems.append((id, "unknown question \(id)")) }
                continue
            }
            let question = survey.questions[position]
            let id = question.id
            // A key given twice: only the later value counts, as in a JSON object read into a dictionary.
            given[position] = nil
            problems.removeAll { $0.id == id }
            guard asked[position] else {
                problems.append((id, "question \(id) is not asked of a \(sector.rawValue)"))
                continue
            }
            let value = raw.values[index]
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
        let visible = survey.hideUnshown(for: sector, in: &given)
        let missing = visible.filter { position in
            guard survey.questions[position].required else { return false }
            if case .notApplicable? = given[position] { return false }
            return AnswerSet.usableValue(given[position]) == nil
        }.map { survey.questions[$0].id }
        return Result(positioned: given, problems: problems.sorted { $0.id < $1.id }.map(\.text), missing: missing, survey: survey)
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
