import Foundation
import Testing
@testable import PartnerRiskCore

/// One broken file per rule: the validator must name the exact line and say what is wrong.
@Suite struct SurveyValidatorTests {
    /// A small valid survey; cases below replace one line to break one rule.
    static let valid = """
        id: tiny
        version: "1"
        title: {en: "Tiny", fr: "Petit"}
        sections:
          - id: seals
            title: {en: "Seals", fr: "Scellés"}
            category: seals
            questions:
              - id: S1
                text: {en: "Do you use ISO 17712 H seals?", fr: "Utilisez-vous des scellés ISO 17712 H?"}
                type: yes_no
                weight: 5
                level: knockout
              - id: S2
                text: {en: "How often are seals audited?", fr: "À quelle fréquence les scellés sont-ils vérifiés?"}
                type: single_choice
                weight: 3
                level: must
                show_if: {question: S1, equals: "yes"}
                options:
                  - {id: monthly, label: {en: "Monthly", fr: "Mensuelle"}, credit: 1}
                  - {id: never, label: {en: "Never", fr: "Jamais"}, credit: 0}
        """

    private func problems(_ text: String) -> [String] {
        SurveyParser().parse(text, file: "t.yaml").problems.map { "\($0.line):\($0.column): \($0.message)" }
    }

    /// The 1-based line of the first line holding `fragment`.
    static func line(of fragment: String, in text: String) -> Int {
        (text.components(separatedBy: "\n").firstIndex { $0.contains(fragment) } ?? -1) + 1
    }

    private func replacing(_ old: String, _ new: String) -> String {
        precondition(Self.valid.contains(old), "fixture does not contain \(old)")
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    @Test func theValidFixtureHasNoProblems() {
        #expect(problems(Self.valid).isEmpty)
    }

    @Test(arguments: [
        // (old text, new text, expected "line:column: message" prefix)
        ("- id: S2", "- id: S1", "14:13: question id `S1` is used twice"),
        ("show_if: {question: S1, equals: \"yes\"}", "show_if: {question: S2, answered: true}", "19:18: `show_if` refers to `S2`, which is not asked before this question"),
        ("show_if: {question: S1, equals: \"yes\"}", "show_if: {question: S9, equals: \"yes\"}", "19:18: the condition refers to unknown question `S9`"),
        ("show_if: {question: S1, equals: \"yes\"}", "show_if: {question: S1, equals: \"maybe\"}", "19:18: the condition compares `S1` with \"maybe\", which is not one of its answers"),
        ("weight: 3", "weight: 7", "17:17: weight 7 of question S2 is outside 1–5"),
        ("category: seals", "category: sealz", "7:15: unknown category \"sealz\" in section seals"),
        ("type: single_choice", "type: multiple", "16:15: unknown question type \"multiple\" in question S2"),
        ("fr: \"Utilisez-vous des scellés ISO 17712 H?\"}", "fr: \"\"}", "10:57: `text` of question S1 has no French text (fr)"),
        ("level: knockout", "level: critical", "13:16: unknown level \"critical\" in question S1"),
        ("        weight: 5\n", "", "9:9: scored question S1 has no `weight`"),
        ("type: yes_no", "type: yes_no\n        colour: red", "12:9: unknown key `colour` in a question"),
        ("title: {en: \"Tiny\", fr: \"Petit\"}", "title: \"Tiny\"", "3:8: `title` of the survey has one language only"),
        ("credit: 1}", "credit: 1.5}", "21:76: credit 1.5 of option monthly is outside 0–1"),
    ])
    func eachRuleNamesItsLine(old: String, new: String, expected: String) {
        let found = problems(replacing(old, new))
        #expect(found.count == 1, "one rule broken should give one problem: \(found)")
        #expect(found.contains { $0.hasPrefix(expected) }, "expected \(expected) in \(found)")
    }

    @Test func choiceQuestionsNeedOptions() {
        let options = Self.valid.components(separatedBy: "\n").filter { $0.contains("options:") || $0.contains("credit: ") }
        var text = Self.valid
        for line in options { text = text.replacingOccurrences(of: line + "\n", with: "").replacingOccurrences(of: "\n" + line, with: "") }
        #expect(problems(text).contains { $0.hasPrefix("14:9: question S2 is a single_choice question without `options`") })
    }

    @Test func syntaxErrorsArePositioned() {
        let found = problems("id: x\nsections: [\n  - a: b\n")
        #expect(found.count == 1)
        #expect(found[0].contains("YAML syntax error"))
    }

    @Test func allProblemsAreReportedAtOnce() {
        let text = replacing("weight: 3", "weight: 9").replacingOccurrences(of: "category: seals", with: "category: x")
        #expect(problems(text).count >= 2)
    }

    @Test func scoringConfigWeightsMustSumTo100PerSector() throws {
        var text = try String(contentsOfFile: ProjectRoot.path("Surveys/scoring.yaml"), encoding: .utf8)
        #expect(ScoringConfigParser().parse(text, file: "s.yaml").problems.isEmpty)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("  warehouse:") }! + 1
        text = text.replacingOccurrences(of: "physical: 25, partners: 5, money: 10}\n  freight", with: "physical: 30, partners: 5, money: 10}\n  freight")
        let found = ScoringConfigParser().parse(text, file: "s.yaml").problems
        #expect(found.map(\.line) == [line])
        #expect(found.first?.message == "the weights of warehouse add up to 105, not 100")
    }

    @Test func theShippedFilesValidate() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: ProjectRoot.path("Surveys"))
            .filter { $0.hasSuffix(".yaml") }.map { ProjectRoot.path("Surveys/\($0)") } + [ProjectRoot.path("Surveys/countries/fatf-2026-06.yaml")]
        #expect(files.count >= 4)
        for (file, found) in SurveyCatalog.validate(files: files) {
            #expect(found.isEmpty, "\(file): \(found)")
        }
        let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))
        let full = try catalog.survey(id: "pip-partner-security")
        #expect((60...85).contains(full.questions.count))
        #expect(Set(full.sections.map(\.category)) == Set(Category.allCases))
        let annual = try catalog.survey(id: "pip-annual-update")
        #expect(annual.kind == .annual)
        let (config, countries) = try catalog.scoring(for: annual)
        #expect(config.sectorWeights.count == Sector.allCases.count)
        #expect(countries.lists["countermeasures"] == ["KP", "IR"])
    }

    @Test(arguments: ["1e19", "1e400", "-1", "2.5", "inf", "99999999999999999999"])
    func numbersOutOfRangeAreReportedAtTheirLineNotACrash(value: String) {
        let text = replacing("        type: yes_no\n", "        type: yes_no\n        max_length: \(value)\n")
        let found = problems(text)
        #expect(found.count == 1 && found[0].hasPrefix("\(Self.line(of: "max_length", in: text)):21: `max_length`"), "\(found)")
        let weighted = replacing("weight: 5", "weight: \(value)")
        let weight = problems(weighted)
        #expect(weight.count == 1 && weight[0].hasPrefix("\(Self.line(of: "weight: \(value)", in: weighted)):"), "\(weight)")
    }

    @Test func aDuplicateKeyIsReportedAtItsOwnLineWithoutEchoingTheFile() {
        let text = replacing("        weight: 3\n", "        weight: 3\n        weight: 4\n")
        let (first, second) = (Self.line(of: "weight: 3", in: text), Self.line(of: "weight: 4", in: text))
        #expect(problems(text) == ["\(second):9: duplicate key `weight` (first at line \(first))"])
    }

    @Test func theScoringConfigRefusesDayAndMonthCountsOutOfRange() throws {
        let text = try String(contentsOfFile: ProjectRoot.path("Surveys/scoring.yaml"), encoding: .utf8)
        for (old, new) in [("non_response_days_after_deadline: 30", "non_response_days_after_deadline: 1e19"),
                           ("review_months: {default: 12", "review_months: {default: -1")] {
            #expect(text.contains(old))
            let (config, found) = ScoringConfigParser().parse(text.replacingOccurrences(of: old, with: new), file: "scoring.yaml")
            #expect(config == nil || !found.isEmpty)
            #expect(found.contains { $0.message.contains("not a whole number") }, "\(found.map(\.message))")
        }
    }
}
