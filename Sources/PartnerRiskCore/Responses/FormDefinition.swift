import Foundation

/// The survey as one partner sees it (their sector's questions, their language) as JSON: what
/// the offline answer file and the web form are built from.
public struct FormDefinition {
    public var survey: Survey
    public var partner: Partner
    public var language: Language
    public var token: String
    public var campaignID: Int64
    public var deadline: String

    public init(survey: Survey, partner: Partner, language: Language, token: String, campaignID: Int64, deadline: String) {
        self.survey = survey
        self.partner = partner
        self.language = language
        self.token = token
        self.campaignID = campaignID
        self.deadline = deadline
    }

    public var json: JSONValue { object(sections: .array(sectionsJSON)) }

    /// The sections a partner of this sector sees, in this language (the same for every token).
    public var sectionsJSON: [JSONValue] {
        survey.sections.compactMap { section in
            let questions = section.questions.filter { $0.applies(to: partner.sector) }
            guard !questions.isEmpty else { return nil }
            return .object([
                "id": .string(section.id), "title": .string(section.title.text(language)),
                "intro": .text(section.intro?.text(language)), "questions": .array(questions.map(question)),
            ])
        }
    }

    func object(sections: JSONValue) -> JSONValue {
        .object([
            "format": "partner-risk-form/1", "survey_id": .string(survey.id), "survey_version": .string(survey.version),
            "title": .string(survey.title.text(language)), "intro": .text(survey.intro?.text(language)),
            "language": .string(language.rawValue), "sector": .string(partner.sector.rawValue), "token": .string(token),
            "campaign_id": .number(Double(campaignID)), "partner_id": .number(Double(partner.id)),
            "partner_name": .string(partner.name), "partner_country": .string(partner.country), "deadline": .string(deadline), "labels": .object(labels),
            "sections": sections,
        ])
    }

    /// The JSON text, safe to embed inside a `<script>` element.
    public var embeddableJSON: String { Self.embeddable(json.rendered()) }

    /// The same, splicing in sections already rendered with `embeddable` (cached per sector).
    public func embeddableJSON(renderedSections: String) -> String {
        guard let (before, after) = embeddableJSONAround() else { return embeddableJSON }
        return before + renderedSections + after
    }

    /// The embeddable JSON before and after its sections, so a caller can write the three parts
    /// straight into one buffer (the sections are the large part, the same for a whole campaign).
    public func embeddableJSONAround() -> (String, String)? {
        let marker = "\u{1}SECTIONS\u{1}"
        let outer = Self.embeddable(object(sections: .string(marker)).rendered())
        let quoted = "\"\\u0001SECTIONS\\u0001\""
        guard let range = outer.firstRange(of: quoted) else { return nil }
        return (String(outer[..<range.lowerBound]), String(outer[range.upperBound...]))
    }

    /// Escapes every `<` as `\u003c` so the JSON can sit inside a `<script>` element.
    public static func embeddable(_ json: String) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(json.utf8.count + 64)
        for byte in json.utf8 {
            if byte == UInt8(ascii: "<") { bytes.append(contentsOf: Array("\\u003c".utf8)) } else { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func question(_ question: Question) -> JSONValue {
        .object([
            "id": .string(question.id), "text": .string(question.text.text(language)), "help": .text(question.help?.text(language)),
            "type": .string(question.type.rawValue), "required": .bool(question.required), "allow_na": .bool(question.allowNA),
            "options": .array(question.options.map { .object(["id": .string($0.id), "label": .string($0.label.text(language))]) }),
            "unit": .text(question.unit?.text(language)), "min": question.min.map(JSONValue.number) ?? .null,
            "max": question.max.map(JSONValue.number) ?? .null, "max_length": .number(Double(question.maxLength)),
            "evidence": .string(question.evidence.mode.rawValue), "show_if": question.showIf.map(Self.conditionJSON) ?? .null,
        ])
    }

    public static func conditionJSON(_ condition: Condition) -> JSONValue {
        switch condition {
        case .equals(let id, let value): return .object(["question": .string(id), "equals": .string(value)])
        case .notEquals(let id, let value): return .object(["question": .string(id), "not_equals": .string(value)])
        case .isOneOf(let id, let values): return .object(["question": .string(id), "in": .array(values.map(JSONValue.string))])
        case .includes(let id, let value): return .object(["question": .string(id), "includes": .string(value)])
        case .compare(let id, let op, let bound): return .object(["question": .string(id), op.rawValue: .number(bound)])
        case .answered(let id, let flag): return .object(["question": .string(id), "answered": .bool(flag)])
        case .all(let parts): return .object(["and": .array(parts.map(conditionJSON))])
        case .any(let parts): return .object(["or": .array(parts.map(conditionJSON))])
        case .not(let inner): return .object(["not": conditionJSON(inner)])
        }
    }

    private var labels: [String: JSONValue] {
        let fr = language == .fr
        let pairs: [(String, String, String)] = [
            ("save", "Save answers", "Enregistrer les réponses"),
            ("load", "Open a saved answer file", "Ouvrir un fichier de réponses enregistré"),
            ("required", "Required", "Obligatoire"),
            ("not_applicable", "Not applicable", "Sans objet"),
            ("na_reason", "Reason", "Motif"),
            ("yes", "Yes", "Oui"), ("no", "No", "Non"), ("partial", "Partially", "En partie"),
            ("missing", "Please answer the required questions marked in red", "Veuillez répondre aux questions obligatoires indiquées en rouge"),
            ("saved", "Saved. Attach the file to a reply to the invitation email, or open it here again to continue later.",
             "Enregistré. Joignez le fichier à une réponse au courriel d'invitation, ou ouvrez-le ici de nouveau pour continuer plus tard."),
            ("choose", "Choose…", "Choisir…"),
            ("invalid_number", "Enter a number between {min} and {max}", "Entrez un nombre entre {min} et {max}"),
            ("invalid_date", "Enter a date as YYYY-MM-DD", "Entrez une date au format AAAA-MM-JJ"),
            ("too_long", "Too long", "Trop long"),
            ("evidence_hint", "Name the document you will send, or a link to it", "Indiquez le document que vous enverrez ou un lien vers celui-ci"),
            ("file_name_prefix", "answers", "reponses"),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.map { ($0.0, JSONValue.string(fr ? $0.2 : $0.1)) })
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
