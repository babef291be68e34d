import Foundation
import PartnerRiskCore

/// Turns the web form's fields (`q.ID`, `na.ID`, `na_reason.ID`) into answers in the same JSON
/// shape as the offline answer file, so one validator checks both. Input the form cannot turn
/// into a value (a word in a number box) is kept as an error code for that question.
public struct FormAnswerReader {
    public let questions: [Question]

    public init(survey: Survey, sector: Sector) {
        self.questions = survey.questions(for: sector)
    }

    public struct Result: Sendable {
        public var answers: [String: JSONValue] = [:]
        /// Error codes (keys of the web strings) by question id.
        public var errors: [String: String] = [:]
        /// What was typed, by question id, to show back when it could not be read.
        public var typed: [String: String] = [:]
    }

    public func read(_ fields: FormFields) -> Result {
        var result = Result()
        for question in questions {
            if fields.first("na.\(question.id)") != nil, question.allowNA {
                let reason = fields.first("na_reason.\(question.id)")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if reason.isEmpty { result.errors[question.id] = "error_na_reason" }
                result.answers[question.id] = .object(["na": .string(reason)])
                continue
            }
            let values = fields.all("q.\(question.id)").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            guard !values.isEmpty else { continue }
            switch value(values, for: question) {
            case .success(let value): result.answers[question.id] = value
            case .failure(let error):
                result.errors[question.id] = error.code
                result.typed[question.id] = values.joined(separator: ", ")
            }
        }
        return result
    }

    struct InputError: Error { var code: String }

    func value(_ values: [String], for question: Question) -> Swift.Result<JSONValue, InputError> {
        let text = values[0]
        switch question.type {
        case .yesNo, .yesNoPartial, .singleChoice, .date, .text, .evidence:
            return .success(.string(text))
        case .multiChoice:
            return .success(.array(values.map(JSONValue.string)))
        case .number:
            let normalized = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ",", with: ".")
            guard let number = Double(normalized), number.isFinite else { return .failure(InputError(code: "error_number")) }
            return .success(.number(number))
        case .countryList:
            let items = values.flatMap { $0.split(whereSeparator: { ", ;\n\t".contains($0) }) }.map(String.init)
            let codes = items.compactMap(CountryCode.normalize)
            guard codes.count == items.count else { return .failure(InputError(code: "error_country")) }
            return .success(.array(codes.map(JSONValue.string)))
        }
    }
}
