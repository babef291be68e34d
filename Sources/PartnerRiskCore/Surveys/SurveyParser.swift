import Crypto
import Foundation
import Yams

/// Reads a survey YAML file into a `Survey` and checks every rule of the format
/// (see `Surveys/README.md`). All problems are collected, none stops the others.
public struct SurveyParser {
    static let surveyKeys = ["id", "version", "kind", "title", "intro", "scoring", "sections"]
    static let sectionKeys = ["id", "title", "category", "intro", "questions"]
    static let questionKeys = [
        "id", "text", "help", "type", "required", "applies_to", "show_if", "allow_na", "evidence", "weight", "level",
        "options", "unit", "min", "max", "bands", "stale_after_days", "max_length", "role", "relies_on", "maps_to", "red_flags",
    ]
    /// Roles of dates that other questions may rely on (`relies_on`): certificates that expire.
    static let expiryRoles: Set<String> = ["seal.certificate_expiry", "trusted_trader.expiry"]
    static let roles: Set<String> = [
        "countries.registration", "countries.sites", "countries.banks", "countries.transit",
        "trusted_trader.program", "trusted_trader.number", "trusted_trader.expiry", "seal.certificate_expiry",
        "trigger.ownership_change", "trigger.incident", "trigger.sites", "trigger.routes", "trigger.subcontractors",
        "trigger.certification_lost", "screening.owners", "screening.banks",
    ]

    public init() {}

    /// Parses and validates; returns the survey (nil when unusable) and every problem found.
    public func parse(_ text: String, file: String) -> (survey: Survey?, problems: [SurveyProblem]) {
        let reader = YAMLReader(file: file)
        guard let root = reader.compose(text), let top = reader.mapping(root, "the survey") else {
            return (nil, reader.problems)
        }
        reader.checkKeys(top, known: Self.surveyKeys, in: "the survey")
        let id = reader.string(top, "id", in: "the survey", owner: root)
        let version = reader.string(top, "version", in: "the survey", owner: root)
        let title = reader.localized(reader.required(top, "title", in: "the survey", owner: root), "title", in: "the survey")
        let intro = reader.localized(top["intro"], "intro", in: "the survey")
        var kind = Survey.Kind.full
        if let kindText = reader.string(top, "kind", in: "the survey", owner: root, required: false) {
            if let parsed = Survey.Kind(rawValue: kindText) { kind = parsed } else {
                reader.report(top["kind"], "unknown survey kind \"\(kindText)\"", "use full or annual")
            }
        }
        let scoring = reader.string(top, "scoring", in: "the survey", owner: root, required: false)
        var context = Context(reader: reader)
        var sections: [SurveySection] = []
        if let items = reader.sequence(reader.required(top, "sections", in: "the survey", owner: root), "`sections`") {
            for item in items {
                if let section = context.section(item) { sections.append(section) }
            }
        }
        context.checkReferences(sections)
        let hash = CanonicalJSON.hex(SHA256.hash(data: Data(text.utf8)))
        guard let id, let version, let title, reader.problems.isEmpty else { return (nil, reader.problems) }
        let survey = Survey(
            id: id, version: version, kind: kind, title: title, intro: intro, scoringFile: scoring,
            sections: sections, contentHash: hash, source: text)
        return (survey, reader.problems)
    }

    /// Loads a file that must be valid; throws every problem otherwise.
    public func load(contentsOf url: URL) throws -> Survey {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PartnerRiskError.badInput("\(url.path): cannot read the survey file (\(error.localizedDescription))")
        }
        let (survey, problems) = parse(text, file: url.path)
        guard let survey, problems.isEmpty else { throw InvalidSurveyFile(problems: problems) }
        return survey
    }
}

/// State shared while parsing one file: ids seen so far and conditions to check at the end.
private struct Context {
    let reader: YAMLReader
    var sectionIDs: Set<String> = []
    var questionNodes: [String: Node] = [:]
    var redFlagIDs: Set<String> = []
    var pendingConditions: [(condition: Condition, node: Node, ownerIndex: Int, earlierOnly: Bool)] = []
    var questionOrder: [String] = []

    init(reader: YAMLReader) {
        self.reader = reader
    }

    mutating func section(_ node: Node) -> SurveySection? {
        guard let mapping = reader.mapping(node, "a section") else { return nil }
        reader.checkKeys(mapping, known: SurveyParser.sectionKeys, in: "a section")
        let id = reader.string(mapping, "id", in: "a section", owner: node)
        let what = "section \(id ?? "?")"
        if let id, !sectionIDs.insert(id).inserted {
            reader.report(mapping["id"], "section id `\(id)` is used twice", "give each section its own id")
        }
        let title = reader.localized(reader.required(mapping, "title", in: what, owner: node), "title", in: what)
        let intro = reader.localized(mapping["intro"], "intro", in: what)
        var category: Category?
        if let text = reader.string(mapping, "category", in: what, owner: node) {
            category = Category(rawValue: text)
            if category == nil {
                reader.report(mapping["category"], "unknown category \"\(text)\" in \(what)",
                              "use one of \(Category.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var questions: [Question] = []
        if let items = reader.sequence(reader.required(mapping, "questions", in: what, owner: node), "`questions`") {
            for item in items {
                if let question = self.question(item, category: category ?? .corporate, sectionID: id ?? "?") {
                    questions.append(question)
                }
            }
        }
        guard let id, let title, let category else { return nil }
        return SurveySection(id: id, title: title, category: category, intro: intro, questions: questions)
    }

    mutating func question(_ node: Node, category: Category, sectionID: String) -> Question? {
        guard let mapping = reader.mapping(node, "a question") else { return nil }
        reader.checkKeys(mapping, known: SurveyParser.questionKeys, in: "a question")
        let id = reader.string(mapping, "id", in: "a question", owner: node)
        let what = "question \(id ?? "?")"
        if let id {
            if id.range(of: "^[A-Za-z][A-Za-z0-9_]*$", options: .regularExpression) == nil {
                reader.report(mapping["id"], "question id `\(id)` has characters other than letters, digits and _", "rename it, e.g. B1_risk_assessment")
            }
            if questionNodes[id] != nil {
                reader.report(mapping["id"], "question id `\(id)` is used twice", "give each question its own id (ids are unique in the whole survey)")
            } else {
                questionNodes[id] = node
            }
            questionOrder.append(id)
        }
        let index = questionOrder.count - 1
        let text = reader.localized(reader.required(mapping, "text", in: what, owner: node), "text", in: what)
        let help = reader.localized(mapping["help"], "help", in: what)
        var type: QuestionType?
        if let typeText = reader.string(mapping, "type", in: what, owner: node) {
            type = QuestionType(rawValue: typeText)
            if type == nil {
                reader.report(mapping["type"], "unknown question type \"\(typeText)\" in \(what)",
                              "use one of \(QuestionType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let required = mapping["required"].flatMap { reader.bool($0, "required") } ?? true
        let allowNA = mapping["allow_na"].flatMap { reader.bool($0, "allow_na") } ?? false
        let appliesTo = sectors(mapping["applies_to"], what: what)
        let options = self.options(mapping["options"], type: type, what: what, owner: node, scored: category != .profile)
        let (weight, level) = scoring(mapping, category: category, what: what, owner: node)
        let evidence = evidenceRule(mapping["evidence"], what: what)
        var showIf: Condition?
        if let conditionNode = mapping["show_if"], let condition = self.condition(conditionNode) {
            showIf = condition
            pendingConditions.append((condition, conditionNode, index, true))
        }
        let numbers = numberRules(mapping, type: type, what: what)
        let staleAfter = mapping["stale_after_days"].flatMap { reader.wholeNumber($0, "stale_after_days", in: 1...36_500) }
        if staleAfter != nil && type != .date {
            reader.report(mapping["stale_after_days"], "`stale_after_days` on \(what), which is not a date question", "remove it or make the question type date")
        }
        let maxLength = mapping["max_length"].flatMap { reader.wholeNumber($0, "max_length", in: 1...1_000_000) } ?? 2000
        let role = reader.string(mapping, "role", in: what, owner: node, required: false)
        if let role, !SurveyParser.roles.contains(role) {
            reader.report(mapping["role"], "unknown role \"\(role)\" on \(what)", "use one of \(SurveyParser.roles.sorted().joined(separator: ", "))")
        }
        let reliesOn = reader.string(mapping, "relies_on", in: what, owner: node, required: false)
        if let reliesOn, !SurveyParser.expiryRoles.contains(reliesOn) {
            reader.report(mapping["relies_on"], "\(what) relies on \"\(reliesOn)\", which is not the role of an expiry date",
                          "use one of \(SurveyParser.expiryRoles.sorted().joined(separator: ", "))")
        }
        if role.map(SurveyParser.expiryRoles.contains) == true, type != .date {
            reader.report(mapping["role"], "\(what) has the expiry role \"\(role!)\" but is not a date question", "make its type date")
        }
        var mapsTo: [String: String] = [:]
        if let mapsNode = mapping["maps_to"], let maps = reader.mapping(mapsNode, "`maps_to`") {
            for (key, value) in maps {
                if let key = key.string, let value = reader.scalar(value, "`maps_to.\(key)`") { mapsTo[key] = value }
            }
        }
        let flags = redFlags(mapping["red_flags"], questionID: id ?? "?", index: index)
        guard let id, let text, let type else { return nil }
        return Question(
            id: id, text: text, help: help, type: type, required: required, appliesTo: appliesTo, showIf: showIf,
            allowNA: allowNA, evidence: evidence, weight: weight, level: level, options: options,
            unit: numbers.unit, min: numbers.min, max: numbers.max, bands: numbers.bands, staleAfterDays: staleAfter,
            maxLength: maxLength, role: role, reliesOn: reliesOn, mapsTo: mapsTo, redFlags: flags, category: category, sectionID: sectionID)
    }

    func sectors(_ node: Node?, what: String) -> Set<Sector>? {
        guard let node, let items = reader.sequence(node, "`applies_to`") else { return nil }
        var result = Set<Sector>()
        for item in items {
            guard let name = reader.scalar(item, "a sector") else { continue }
            if let sector = Sector(rawValue: name) { result.insert(sector) } else {
                reader.report(item, "unknown sector \"\(name)\" in `applies_to` of \(what)", "use one of \(Sector.allNames)")
            }
        }
        return result
    }

    func options(_ node: Node?, type: QuestionType?, what: String, owner: Node, scored: Bool) -> [ChoiceOption] {
        let isChoice = type == .singleChoice || type == .multiChoice
        guard let node else {
            if isChoice { reader.report(owner, "\(what) is a \(type!.rawValue) question without `options`", "add `options:` with at least two choices") }
            return []
        }
        if !isChoice, type != nil {
            reader.report(node, "\(what) has `options` but its type is \(type!.rawValue)", "remove `options` or change the type to single_choice or multi_choice")
        }
        guard let items = reader.sequence(node, "`options`") else { return [] }
        if isChoice && items.count < 2 {
            reader.report(node, "\(what) has fewer than two options", "add the missing choices")
        }
        var seen = Set<String>()
        var options: [ChoiceOption] = []
        for item in items {
            guard let mapping = reader.mapping(item, "an option") else { continue }
            reader.checkKeys(mapping, known: ["id", "label", "credit"], in: "an option of \(what)")
            let id = reader.string(mapping, "id", in: "an option of \(what)", owner: item)
            if let id, !seen.insert(id).inserted {
                reader.report(mapping["id"], "option id `\(id)` is used twice in \(what)", "give each option its own id")
            }
            let label = reader.localized(reader.required(mapping, "label", in: "option \(id ?? "?") of \(what)", owner: item), "label", in: "option \(id ?? "?") of \(what)")
            let credit = mapping["credit"].flatMap { reader.number($0, "credit") }
            if let credit, !(0...1).contains(credit) {
                reader.report(mapping["credit"], "credit \(credit) of option \(id ?? "?") is outside 0–1", "use a credit between 0 (no control) and 1 (full control)")
            }
            if scored && type == .singleChoice && credit == nil {
                reader.report(item, "option \(id ?? "?") of scored \(what) has no `credit`", "add `credit:` between 0 and 1")
            }
            if let id, let label { options.append(ChoiceOption(id: id, label: label, credit: credit)) }
        }
        return options
    }

    func scoring(_ mapping: Node.Mapping, category: Category, what: String, owner: Node) -> (Int?, QuestionLevel?) {
        let weightNode = mapping["weight"], levelNode = mapping["level"]
        if category == .profile {
            if weightNode != nil || levelNode != nil {
                reader.report(weightNode ?? levelNode, "\(what) is in a profile section, which is not scored, but has a weight or level", "remove `weight` and `level`, or move the question to a scored section")
            }
            return (nil, nil)
        }
        var weight: Int?
        if let weightNode {
            if let value = reader.number(weightNode, "weight") {
                if value != value.rounded() || !(1...5).contains(value) {
                    reader.report(weightNode, "weight \(value.formatted()) of \(what) is outside 1–5", "use a whole number from 1 (minor) to 5 (critical)")
                } else {
                    weight = Int(value)
                }
            }
        } else {
            reader.report(owner, "scored \(what) has no `weight`", "add `weight:` from 1 to 5")
        }
        var level: QuestionLevel?
        if let text = reader.string(mapping, "level", in: what, owner: owner) {
            level = QuestionLevel(rawValue: text)
            if level == nil {
                reader.report(levelNode, "unknown level \"\(text)\" in \(what)", "use knockout, must or should")
            }
        }
        return (weight, level)
    }

    func evidenceRule(_ node: Node?, what: String) -> EvidenceRule {
        guard let node, let mapping = reader.mapping(node, "`evidence`") else { return .none }
        reader.checkKeys(mapping, known: ["mode", "waivable"], in: "`evidence` of \(what)")
        var mode = EvidenceRule.Mode.optional
        if let text = reader.scalar(mapping["mode"], "`evidence.mode`") {
            if let parsed = EvidenceRule.Mode(rawValue: text) { mode = parsed } else {
                reader.report(mapping["mode"], "unknown evidence mode \"\(text)\" in \(what)", "use none, optional or required")
            }
        }
        let waivable = mapping["waivable"].flatMap { reader.bool($0, "waivable") } ?? false
        return EvidenceRule(mode: mode, waivable: waivable)
    }

    func numberRules(_ mapping: Node.Mapping, type: QuestionType?, what: String) -> (unit: LocalizedText?, min: Double?, max: Double?, bands: [NumberBand]) {
        let keys = ["unit", "min", "max", "bands"]
        if type != .number, type != nil {
            for key in keys where mapping[key] != nil {
                reader.report(mapping[key], "`\(key)` on \(what), which is not a number question", "remove `\(key)` or make the type number")
            }
            return (nil, nil, nil, [])
        }
        let unit = reader.localized(mapping["unit"], "unit", in: what)
        let min = mapping["min"].flatMap { reader.number($0, "min") }
        let max = mapping["max"].flatMap { reader.number($0, "max") }
        if let min, let max, min > max {
            reader.report(mapping["max"], "`max` \(max.formatted()) is below `min` \(min.formatted()) in \(what)", "swap them")
        }
        var bands: [NumberBand] = []
        if let node = mapping["bands"], let items = reader.sequence(node, "`bands`") {
            for item in items {
                guard let band = reader.mapping(item, "a band") else { continue }
                reader.checkKeys(band, known: ["lte", "gte", "credit"], in: "a band of \(what)")
                let credit = band["credit"].flatMap { reader.number($0, "credit") }
                if credit == nil { reader.report(item, "a band of \(what) has no `credit`", "add `credit:` between 0 and 1") }
                if let credit, !(0...1).contains(credit) {
                    reader.report(band["credit"], "band credit \(credit) is outside 0–1", "use a credit between 0 and 1")
                }
                bands.append(NumberBand(lte: band["lte"].flatMap { reader.number($0, "lte") },
                                        gte: band["gte"].flatMap { reader.number($0, "gte") }, credit: credit ?? 0))
            }
            if let last = bands.last, last.lte != nil || last.gte != nil {
                reader.report(items.last, "the bands of \(what) have no catch-all last band", "end the list with a band without bounds, e.g. `- {credit: 0}`")
            }
        }
        return (unit, min, max, bands)
    }

    mutating func redFlags(_ node: Node?, questionID: String, index: Int) -> [RedFlagRule] {
        guard let node, let items = reader.sequence(node, "`red_flags`") else { return [] }
        var rules: [RedFlagRule] = []
        for item in items {
            guard let mapping = reader.mapping(item, "a red flag") else { continue }
            reader.checkKeys(mapping, known: ["id", "when", "unless", "knockout", "kind", "name", "explanation"], in: "a red flag")
            let id = reader.string(mapping, "id", in: "a red flag", owner: item)
            if let id, !redFlagIDs.insert(id).inserted {
                reader.report(mapping["id"], "red flag id `\(id)` is used twice", "give each red flag its own id")
            }
            let what = "red flag \(id ?? "?")"
            var when: Condition?
            if let whenNode = reader.required(mapping, "when", in: what, owner: item), let parsed = condition(whenNode) {
                when = parsed
                pendingConditions.append((parsed, whenNode, index, false))
            }
            var unless: Condition?
            if let unlessNode = mapping["unless"], let parsed = condition(unlessNode) {
                unless = parsed
                pendingConditions.append((parsed, unlessNode, index, false))
            }
            let knockout = mapping["knockout"].flatMap { reader.bool($0, "knockout") } ?? false
            let kind = reader.string(mapping, "kind", in: what, owner: item, required: false) ?? "security"
            if !["money", "security"].contains(kind) {
                reader.report(mapping["kind"], "unknown red flag kind \"\(kind)\"", "use money or security")
            }
            let name = reader.localized(reader.required(mapping, "name", in: what, owner: item), "name", in: what)
            let explanation = reader.localized(reader.required(mapping, "explanation", in: what, owner: item), "explanation", in: what)
            if let id, let when, let name, let explanation {
                rules.append(RedFlagRule(id: id, when: when, unless: unless, knockout: knockout, kind: kind, name: name,
                                         explanation: explanation, questionID: questionID))
            }
        }
        return rules
    }

    /// Parses `{question: X, equals: ...}`, `{and: [...]}`, `{or: [...]}`, `{not: ...}`.
    func condition(_ node: Node) -> Condition? {
        guard let mapping = reader.mapping(node, "a condition") else { return nil }
        if let parts = mapping["and"] ?? mapping["or"] {
            guard mapping.count == 1 else {
                reader.report(node, "a condition with `and`/`or` has other keys too", "nest the other tests inside the list")
                return nil
            }
            guard let items = reader.sequence(parts, "`and`/`or`") else { return nil }
            let conditions = items.compactMap(condition)
            guard conditions.count == items.count else { return nil }
            return mapping["and"] != nil ? .all(conditions) : .any(conditions)
        }
        if let inner = mapping["not"] {
            return condition(inner).map(Condition.not)
        }
        let operators = ["equals", "not_equals", "in", "includes", "gt", "gte", "lt", "lte", "answered"]
        reader.checkKeys(mapping, known: ["question"] + operators, in: "a condition")
        guard let question = reader.scalar(mapping["question"], "`question`") else {
            reader.report(node, "a condition names no `question`", "write {question: ID, equals: VALUE} (or and/or/not)")
            return nil
        }
        let used = operators.filter { mapping[$0] != nil }
        guard used.count == 1, let op = used.first, let operand = mapping[op] else {
            reader.report(node, "a condition on \(question) needs exactly one test", "use one of \(operators.joined(separator: ", "))")
            return nil
        }
        switch op {
        case "equals": return reader.scalar(operand, "`equals`").map { .equals(question, $0) }
        case "not_equals": return reader.scalar(operand, "`not_equals`").map { .notEquals(question, $0) }
        case "includes": return reader.scalar(operand, "`includes`").map { .includes(question, $0) }
        case "in":
            guard let items = reader.sequence(operand, "`in`") else { return nil }
            return .isOneOf(question, items.compactMap { reader.scalar($0, "a value") })
        case "answered": return reader.bool(operand, "answered").map { .answered(question, $0) }
        default:
            // `op` is one of the comparisons: the cases above took every other operator.
            return reader.number(operand, op).map { .compare(question, Condition.Comparison(rawValue: op)!, $0) }
        }
    }

    /// Conditions may only read known questions (show_if: earlier ones) and valid option values.
    func checkReferences(_ sections: [SurveySection]) {
        let questions = Dictionary(sections.flatMap(\.questions).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for pending in pendingConditions {
            for id in Set(pending.condition.questionIDs).sorted() {
                guard let position = questionOrder.firstIndex(of: id) else {
                    reader.report(pending.node, "the condition refers to unknown question `\(id)`", "use the id of a question in this survey")
                    continue
                }
                if pending.earlierOnly && position >= pending.ownerIndex {
                    reader.report(pending.node, "`show_if` refers to `\(id)`, which is not asked before this question", "move the condition's question earlier or refer to an earlier question")
                }
            }
            checkValues(pending.condition, pending.node, questions)
        }
        let roles = Set(questions.values.compactMap(\.role))
        for question in sections.flatMap(\.questions) {
            guard let role = question.reliesOn, !roles.contains(role) else { continue }
            reader.report(questionNodes[question.id], "question `\(question.id)` relies on \"\(role)\", but no question of this survey has that role",
                          "add the date question with `role: \(role)` or remove `relies_on`")
        }
    }

    func checkValues(_ condition: Condition, _ node: Node, _ questions: [String: Question]) {
        func allowed(_ question: Question) -> [String]? {
            switch question.type {
            case .yesNo: return ["yes", "no"]
            case .yesNoPartial: return ["yes", "partial", "no"]
            case .singleChoice, .multiChoice: return question.options.map(\.id)
            default: return nil
            }
        }
        func check(_ id: String, _ values: [String]) {
            guard let question = questions[id], let valid = allowed(question) else { return }
            for value in values where !valid.contains(value) {
                reader.report(node, "the condition compares `\(id)` with \"\(value)\", which is not one of its answers", "use one of \(valid.joined(separator: ", "))")
            }
        }
        switch condition {
        case .equals(let id, let value), .notEquals(let id, let value), .includes(let id, let value): check(id, [value])
        case .isOneOf(let id, let values): check(id, values)
        case .compare(let id, _, _):
            if let question = questions[id], question.type != .number {
                reader.report(node, "the condition compares `\(id)` as a number but it is a \(question.type.rawValue) question", "use equals/in for non-number questions")
            }
        case .all(let parts), .any(let parts): parts.forEach { checkValues($0, node, questions) }
        case .not(let inner): checkValues(inner, node, questions)
        case .answered: break
        }
    }
}
