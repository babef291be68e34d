import Foundation

/// A partner's answer to one question: a value, or "not applicable" with a reason.
public enum Answer: Sendable, Equatable, Codable {
    case value(JSONValue)
    case notApplicable(reason: String)

    /// Decodes `{"na": "reason"}` as not applicable, anything else as a value.
    public init(json: JSONValue) {
        if case .object(let object) = json, object.count == 1, let reason = object["na"]?.stringValue {
            self = .notApplicable(reason: reason)
        } else {
            self = .value(json)
        }
    }

    public var json: JSONValue {
        switch self {
        case .value(let value): return value
        case .notApplicable(let reason): return .object(["na": .string(reason)])
        }
    }

    public init(from decoder: Decoder) throws { self.init(json: try JSONValue(from: decoder)) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}

/// All answers of one response, by question id.
public struct AnswerSet: Sendable, Equatable, Codable {
    public var answers: [String: Answer]

    public init(_ answers: [String: Answer] = [:]) { self.answers = answers }

    /// Answers stored as one JSON object (`response.answers_json`); nil when the text is not one.
    public init?(storedJSON text: String) {
        guard let object = JSONParser.parseObject(text, Answer.init(json:)) else { return nil }
        answers = object
    }

    public subscript(id: String) -> Answer? {
        get { answers[id] }
        set { answers[id] = newValue }
    }

    /// The value answered, nil when unanswered, blank or not applicable.
    public func value(_ id: String) -> JSONValue? { Self.usableValue(answers[id]) }

    /// The value of an answer, nil when there is none or it is blank or not applicable.
    public static func usableValue(_ answer: Answer?) -> JSONValue? {
        guard case .value(let value)? = answer else { return nil }
        switch value {
        case .null: return nil
        case .string(let text) where Self.isBlank(text): return nil
        case .array(let items) where items.isEmpty: return nil
        default: return value
        }
    }

    /// Empty or only whitespace; a visible ASCII first character answers at once (this is hot).
    static func isBlank(_ text: String) -> Bool {
        if let first = text.utf8.first, first > 0x20 && first < 0x7F { return false }
        return text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    public init(from decoder: Decoder) throws { answers = try [String: Answer](from: decoder) }
    public func encode(to encoder: Encoder) throws { try answers.encode(to: encoder) }
}
