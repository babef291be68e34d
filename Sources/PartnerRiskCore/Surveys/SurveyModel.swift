import Foundation

/// A visible string in both of the product's languages.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var en: String
    public var fr: String

    public init(en: String, fr: String) {
        self.en = en
        self.fr = fr
    }

    public func text(_ language: Language) -> String { language == .fr ? fr : en }
}

/// The areas a partner is scored on, plus `profile` for unscored context questions.
public enum Category: String, CaseIterable, Sendable, Codable {
    case corporate, personnel, cyber, cargo, seals, physical, partners, money, profile

    /// The eight scored categories, in report order.
    public static let scored: [Category] = [.corporate, .personnel, .cyber, .cargo, .seals, .physical, .partners, .money]

    /// Hashes the case, not its raw string (the default for raw-value enums): categories key
    /// the per-score sums, looked up for every question of every partner.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    var ordinal: Int {
        switch self {
        case .corporate: return 0
        case .personnel: return 1
        case .cyber: return 2
        case .cargo: return 3
        case .seals: return 4
        case .physical: return 5
        case .partners: return 6
        case .money: return 7
        case .profile: return 8
        }
    }

    public var title: LocalizedText {
        switch self {
        case .corporate: return LocalizedText(en: "Corporate security", fr: "Sécurité de l'entreprise")
        case .personnel: return LocalizedText(en: "Personnel and training", fr: "Personnel et formation")
        case .cyber: return LocalizedText(en: "Cybersecurity", fr: "Cybersécurité")
        case .cargo: return LocalizedText(en: "Cargo and conveyance", fr: "Fret et moyens de transport")
        case .seals: return LocalizedText(en: "Seals", fr: "Scellés")
        case .physical: return LocalizedText(en: "Physical security", fr: "Sécurité physique")
        case .partners: return LocalizedText(en: "Partner oversight", fr: "Surveillance des partenaires")
        case .money: return LocalizedText(en: "Money laundering and sanctions", fr: "Blanchiment d'argent et sanctions")
        case .profile: return LocalizedText(en: "Profile", fr: "Profil")
        }
    }
}

/// What kind of answer a question takes.
public enum QuestionType: String, CaseIterable, Sendable, Codable {
    case yesNo = "yes_no"
    case yesNoPartial = "yes_no_partial"
    case singleChoice = "single_choice"
    case multiChoice = "multi_choice"
    case number, date, text
    case countryList = "country_list"
    case evidence
}

/// How much a question matters when it is answered "no".
public enum QuestionLevel: String, CaseIterable, Sendable, Codable {
    /// A "no" forces at least High risk.
    case knockout
    /// A "no" caps the category's control score.
    case must
    case should
}

/// Whether a question wants a supporting document.
public struct EvidenceRule: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case none, optional, required }
    public var mode: Mode
    /// A verified trusted-trader membership waives the document.
    public var waivable: Bool

    public static let none = EvidenceRule(mode: .none, waivable: false)
}

/// One choice of a single- or multi-choice question.
public struct ChoiceOption: Sendable, Equatable {
    public var id: String
    public var label: LocalizedText
    /// Credit 0...1 when chosen (single-choice scored questions).
    public var credit: Double?
}

/// Credit for a number answer: the first band whose bounds hold gives the credit.
public struct NumberBand: Sendable, Equatable {
    public var lte: Double?
    public var gte: Double?
    public var credit: Double

    public func holds(_ value: Double) -> Bool {
        (lte.map { value <= $0 } ?? true) && (gte.map { value >= $0 } ?? true)
    }
}

/// An answer pattern that raises a named money-laundering or security flag.
public struct RedFlagRule: Sendable, Equatable {
    public var id: String
    public var when: Condition
    public var unless: Condition?
    public var knockout: Bool
    public var kind: String
    public var name: LocalizedText
    public var explanation: LocalizedText
    public var questionID: String
}

/// One question of a survey, with its applicability, condition and scoring rules. A class with
/// constant fields: surveys are read constantly while validating and scoring, and sharing one
/// instance avoids copying two dozen fields (and their reference counts) at every access.
public final class Question: Sendable, Equatable {
    public let id: String
    public let text: LocalizedText
    public let help: LocalizedText?
    public let type: QuestionType
    public let required: Bool
    public let appliesTo: Set<Sector>?
    public let showIf: Condition?
    public let allowNA: Bool
    public let evidence: EvidenceRule
    public let weight: Int?
    public let level: QuestionLevel?
    public let options: [ChoiceOption]
    public let unit: LocalizedText?
    public let min: Double?
    public let max: Double?
    public let bands: [NumberBand]
    public let staleAfterDays: Int?
    public let maxLength: Int
    public let role: String?
    /// The role of a date this question's credit relies on (`seal.certificate_expiry`): when
    /// that date has passed, the question gets no credit.
    public let reliesOn: String?
    public let mapsTo: [String: String]
    public let redFlags: [RedFlagRule]
    public let category: Category
    public let sectionID: String

    public init(id: String, text: LocalizedText, help: LocalizedText?, type: QuestionType, required: Bool, appliesTo: Set<Sector>?, showIf: Condition?, allowNA: Bool, evidence: EvidenceRule, weight: Int?, level: QuestionLevel?, options: [ChoiceOption], unit: LocalizedText?, min: Double?, max: Double?, bands: [NumberBand], staleAfterDays: Int?, maxLength: Int, role: String?, reliesOn: String? = nil, mapsTo: [String: String], redFlags: [RedFlagRule], category: Category, sectionID: String) {
        self.id = id
        self.text = text
        self.help = help
        self.type = type
        self.required = required
        self.appliesTo = appliesTo
        self.showIf = showIf
        self.allowNA = allowNA
        self.evidence = evidence
        self.weight = weight
        self.level = level
        self.options = options
        self.unit = unit
        self.min = min
        self.max = max
        self.bands = bands
        self.staleAfterDays = staleAfterDays
        self.maxLength = maxLength
        self.role = role
        self.reliesOn = reliesOn
        self.mapsTo = mapsTo
        self.redFlags = redFlags
        self.category = category
        self.sectionID = sectionID
    }

    public static func == (lhs: Question, rhs: Question) -> Bool {
        lhs.id == rhs.id && lhs.text == rhs.text && lhs.help == rhs.help && lhs.type == rhs.type && lhs.required == rhs.required
            && lhs.appliesTo == rhs.appliesTo && lhs.showIf == rhs.showIf && lhs.allowNA == rhs.allowNA
            && lhs.evidence == rhs.evidence && lhs.weight == rhs.weight && lhs.level == rhs.level && lhs.options == rhs.options
            && lhs.unit == rhs.unit && lhs.min == rhs.min && lhs.max == rhs.max && lhs.bands == rhs.bands
            && lhs.staleAfterDays == rhs.staleAfterDays && lhs.maxLength == rhs.maxLength && lhs.role == rhs.role && lhs.reliesOn == rhs.reliesOn
            && lhs.mapsTo == rhs.mapsTo && lhs.redFlags == rhs.redFlags && lhs.category == rhs.category
            && lhs.sectionID == rhs.sectionID
    }

    public func applies(to sector: Sector) -> Bool { appliesTo?.contains(sector) ?? true }
    public var isScored: Bool { category != .profile && weight != nil }
    public func option(_ id: String) -> ChoiceOption? { options.first { $0.id == id } }
}

/// A titled group of questions that all score into one category.
public struct SurveySection: Sendable, Equatable {
    public var id: String
    public var title: LocalizedText
    public var category: Category
    public var intro: LocalizedText?
    public var questions: [Question]
}

/// A questionnaire at one version, as loaded from `Surveys/*.yaml`.
public struct Survey: Sendable, Equatable {
    public enum Kind: String, Sendable { case full, annual }

    public var id: String
    public var version: String
    public var kind: Kind
    public var title: LocalizedText
    public var intro: LocalizedText?
    public var scoringFile: String?
    public private(set) var sections: [SurveySection]
    /// SHA-256 of the file's bytes: pins the exact content a campaign used.
    public var contentHash: String
    /// The YAML text itself, stored with the version.
    public var source: String
    /// Every question in order (kept, not recomputed: scoring reads it constantly).
    public private(set) var questions: [Question]
    /// Conditions, rules and ids resolved to positions in `questions` (derived from them).
    let plan: SurveyPlan

    public init(id: String, version: String, kind: Kind, title: LocalizedText, intro: LocalizedText?, scoringFile: String?,
                sections: [SurveySection], contentHash: String, source: String) {
        self.id = id
        self.version = version
        self.kind = kind
        self.title = title
        self.intro = intro
        self.scoringFile = scoringFile
        self.sections = sections
        self.contentHash = contentHash
        self.source = source
        questions = sections.flatMap(\.questions)
        plan = SurveyPlan(questions)
    }

    /// Equal content; the derived question list and plan follow from the sections.
    public static func == (lhs: Survey, rhs: Survey) -> Bool {
        lhs.id == rhs.id && lhs.version == rhs.version && lhs.kind == rhs.kind && lhs.title == rhs.title && lhs.intro == rhs.intro
            && lhs.scoringFile == rhs.scoringFile && lhs.sections == rhs.sections && lhs.contentHash == rhs.contentHash
            && lhs.source == rhs.source
    }

    public func question(_ id: String) -> Question? { plan.positions[id].map { questions[$0] } }

    /// Where question `id` is in `questions`.
    public func position(of id: String) -> Int? { plan.positions[id] }

    /// Questions a partner of `sector` is asked at all (before conditions).
    public func questions(for sector: Sector) -> [Question] { questions.filter { $0.applies(to: sector) } }
}
