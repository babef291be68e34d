import Foundation
import PartnerRiskCore

/// Everything the web form template shows for one partner: questions in their language with
/// current answers, errors, conditions and uploaded evidence. Builds the Mustache context only;
/// all words live in `Templates/web/`.
public struct FormPage {
    public var survey: Survey
    public var context: InvitationContext
    public var language: Language
    public var strings: WebStrings
    /// The answers to show (draft, latest revision, or what was just posted).
    public var answers: [String: JSONValue]
    /// Error codes by question id.
    public var errors: [String: String]
    public var typed: [String: String]
    public var evidence: [EvidenceFile]

    public init(survey: Survey, context: InvitationContext, language: Language, strings: WebStrings, answers: [String: JSONValue] = [:],
                errors: [String: String] = [:], typed: [String: String] = [:], evidence: [EvidenceFile] = []) {
        self.survey = survey
        self.context = context
        self.language = language
        self.strings = strings
        self.answers = answers
        self.errors = errors
        self.typed = typed
        self.evidence = evidence
    }

    /// The error code for a validator problem ("ID: message").
    public static func errorCode(forProblem message: String) -> String {
        let rules: [(String, String)] = [
            ("minimum", "error_range"), ("maximum", "error_range"), ("date", "error_date"), ("longer than", "error_too_long"),
            ("choice", "error_choice"), ("expected one of", "error_choice"), ("country", "error_country"), ("number", "error_number"),
            ("not applicable", "error_na_reason"),
        ]
        return rules.first { message.contains($0.0) }?.1 ?? "error_invalid"
    }

    public func render(into base: [String: Any]) -> [String: Any] {
        var page = base
        let visible = Set(survey.visibleQuestions(for: context.partner.sector, answers: AnswerSet(answers.mapValues(Answer.init(json:)))).map(\.id))
        page["sections"] = survey.sections.compactMap { section -> [String: Any]? in
            let questions = section.questions.filter { $0.applies(to: context.partner.sector) }
            guard !questions.isEmpty else { return nil }
            return Self.compact(["id": section.id, "title": section.title.text(language), "intro": section.intro?.text(language) ?? "",
                                 "questions": questions.map { question($0, visible: visible.contains($0.id)) }])
        }
        let errorList = survey.questions.compactMap { question in
            errors[question.id].map { ["id": question.id, "text": question.text.text(language), "error": strings.text($0, language)] }
        }
        page["errors"] = errorList
        page["has_errors"] = !errorList.isEmpty
        page["error_count"] = errorList.count
        return page
    }

    func question(_ question: Question, visible: Bool) -> [String: Any] {
        let id = question.id
        let answer = answers[id].map(Answer.init(json:))
        var naReason = ""
        if case .notApplicable(let reason)? = answer { naReason = reason }
        let value: JSONValue? = { if case .value(let value)? = answer { return value }; return nil }()
        var model: [String: Any] = [
            "id": id, "anchor": "q-\(id)", "text": question.text.text(language), "help": question.help?.text(language) ?? "",
            "required": question.required, "field": "q.\(id)", "visible": visible,
            "error": errors[id].map { strings.text($0, language) } ?? "",
            "condition": question.showIf.map(ConditionText.describe) ?? "",
            "show_if": question.showIf.map { FormDefinition.conditionJSON($0).rendered() } ?? "",
            "allow_na": question.allowNA, "na_field": "na.\(id)", "na_reason_field": "na_reason.\(id)",
            "na_checked": answer.map { if case .notApplicable = $0 { return true }; return false } ?? false, "na_reason": naReason,
            "value": typed[id] ?? Self.display(value), "unit": question.unit?.text(language) ?? "",
            "min": question.min.map { $0.formatted() } ?? "", "max": question.max.map { $0.formatted() } ?? "",
            "max_length": question.maxLength,
            "wants_upload": question.evidence.mode != .none || question.type == .evidence,
            "evidence_required": question.evidence.mode == .required, "upload_field": "file.\(id)",
            "uploads": evidence.filter { $0.questionID == id }.map(Self.upload),
        ]
        model["is_" + Self.kind(question.type)] = true
        model["options"] = options(question).map { option in
            ["value": option.0, "label": option.1, "input_id": "\(id)-\(option.0)", "checked": Self.isChosen(option.0, in: value)] as [String: Any]
        }
        return Self.compact(model)
    }

    /// Drops empty strings: Mustache treats "" as present, and the template tests presence.
    public static func compact(_ values: [String: Any]) -> [String: Any] {
        values.filter { !(($0.value as? String)?.isEmpty ?? false) }
    }

    static func kind(_ type: QuestionType) -> String {
        switch type {
        case .yesNo, .yesNoPartial, .singleChoice: return "single"
        case .multiChoice: return "multi"
        case .number: return "number"
        case .date: return "date"
        case .text: return "text"
        case .evidence: return "evidence"
        case .countryList: return "country_list"
        }
    }

    func options(_ question: Question) -> [(String, String)] {
        switch question.type {
        case .yesNo: return ["yes", "no"].map { ($0, strings.text($0, language)) }
        case .yesNoPartial: return ["yes", "partial", "no"].map { ($0, strings.text($0, language)) }
        default: return question.options.map { ($0.id, $0.label.text(language)) }
        }
    }

    static func isChosen(_ option: String, in value: JSONValue?) -> Bool {
        switch value {
        case .string(let text)?: return text == option
        case .array(let items)?: return items.contains(.string(option))
        default: return false
        }
    }

    static func display(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .array(let items)?: return items.compactMap(\.stringValue).joined(separator: ", ")
        default: return ""
        }
    }

    static func upload(_ file: EvidenceFile) -> [String: Any] {
        ["name": file.originalName, "sha256": file.sha256, "short_hash": String(file.sha256.prefix(12)),
         "size": ByteCountFormatter.string(fromByteCount: Int64(file.size), countStyle: .file), "uploaded_at": file.uploadedAt]
    }
}
