import Foundation

/// A plain-text outline of a survey as a partner of one sector would see it, in one language.
public struct SurveyOutline {
    public var survey: Survey
    public var language: Language
    public var sector: Sector?

    public init(survey: Survey, language: Language, sector: Sector?) {
        self.survey = survey
        self.language = language
        self.sector = sector
    }

    /// The questions included: those that apply to the sector (all when no sector).
    public var questions: [Question] {
        guard let sector else { return survey.questions }
        return survey.questions(for: sector)
    }

    public func render() -> String {
        let fr = language == .fr
        var lines = ["\(survey.title.text(language)) — \(survey.id) \(survey.version)"]
        if let sector { lines.append((fr ? "Secteur : " : "Sector: ") + sector.rawValue) }
        let included = Set(questions.map(\.id))
        var number = 0
        for section in survey.sections {
            let shown = section.questions.filter { included.contains($0.id) }
            guard !shown.isEmpty else { continue }
            lines.append("")
            lines.append("\(section.title.text(language)) [\(section.category.rawValue)]")
            for question in shown {
                number += 1
                var tags = [question.type.rawValue]
                if let level = question.level { tags.append(level.rawValue) }
                if let weight = question.weight { tags.append("w\(weight)") }
                if !question.required { tags.append(fr ? "facultative" : "optional") }
                if question.evidence.mode != .none { tags.append((fr ? "preuve " : "evidence ") + question.evidence.mode.rawValue) }
                lines.append("  \(number). \(question.id): \(question.text.text(language)) (\(tags.joined(separator: ", ")))")
                if let condition = question.showIf {
                    lines.append("       " + (fr ? "si " : "if ") + ConditionText.describe(condition))
                }
                for option in question.options {
                    lines.append("       - \(option.id): \(option.label.text(language))")
                }
            }
        }
        lines.append("")
        lines.append("\(number) " + (fr ? "questions" : "questions"))
        return lines.joined(separator: "\n")
    }
}

/// Conditions written back in the YAML's own words, for outlines and explanations.
public enum ConditionText {
    public static func describe(_ condition: Condition) -> String {
        switch condition {
        case .equals(let id, let value): return "\(id) = \(value)"
        case .notEquals(let id, let value): return "\(id) ≠ \(value)"
        case .isOneOf(let id, let values): return "\(id) in [\(values.joined(separator: ", "))]"
        case .includes(let id, let value): return "\(id) includes \(value)"
        case .compare(let id, let op, let bound): return "\(id) \(["gt": ">", "gte": "≥", "lt": "<", "lte": "≤"][op.rawValue]!) \(bound.formatted())"
        case .answered(let id, let yes): return yes ? "\(id) answered" : "\(id) not answered"
        case .all(let parts): return "(" + parts.map(describe).joined(separator: " and ") + ")"
        case .any(let parts): return "(" + parts.map(describe).joined(separator: " or ") + ")"
        case .not(let inner): return "not " + describe(inner)
        }
    }
}
