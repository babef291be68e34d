import Foundation
import Testing
@testable import PartnerRiskCore

/// Hand-computed scores on a small survey: every rule of scoring.md.
@Suite struct ScoringEngineTests {
    static let surveyText = """
        id: mini
        version: "1"
        title: {en: "Mini", fr: "Mini"}
        sections:
          - id: profile
            title: {en: "Profile", fr: "Profil"}
            category: profile
            questions:
              - {id: P1, text: {en: "Banks", fr: "Banques"}, type: country_list, role: countries.banks, required: false}
          - id: seals
            title: {en: "Seals", fr: "Scellés"}
            category: seals
            questions:
              - {id: S1, text: {en: "ISO 17712?", fr: "ISO 17712?"}, type: yes_no, weight: 5, level: knockout}
              - {id: S2, text: {en: "Audits?", fr: "Audits?"}, type: yes_no_partial, weight: 3, level: must}
              - {id: S3, text: {en: "Photos?", fr: "Photos?"}, type: yes_no, weight: 2, level: should, allow_na: true}
          - id: corporate
            title: {en: "Corporate", fr: "Entreprise"}
            category: corporate
            questions:
              - {id: C1, text: {en: "Risk assessment?", fr: "Évaluation?"}, type: yes_no, weight: 4, level: must, evidence: {mode: required, waivable: true}}
              - {id: C2, text: {en: "Reviewed on", fr: "Révisée le"}, type: date, weight: 2, level: should, stale_after_days: 365}
              - id: C3
                text: {en: "Hours to remove access", fr: "Heures"}
                type: number
                weight: 2
                level: should
                bands: [{lte: 24, credit: 1}, {lte: 72, credit: 0.5}, {credit: 0}]
          - id: money
            title: {en: "Money", fr: "Argent"}
            category: money
            questions:
              - id: M1
                text: {en: "No cash payments?", fr: "Aucun paiement en espèces?"}
                type: yes_no
                weight: 2
                level: should
                red_flags:
                  - {id: cash, when: {question: M1, equals: "no"}, unless: {question: M2, answered: true}, knockout: true, kind: money, name: {en: "Cash", fr: "Espèces"}, explanation: {en: "Cash payments", fr: "Paiements en espèces"}}
              - {id: M2, text: {en: "Explain", fr: "Expliquez"}, type: text, weight: 1, level: should, required: false, show_if: {question: M1, equals: "no"}}
        """

    let survey = SurveyParser().parse(Self.surveyText, file: "mini.yaml").survey!
    static let scoring = try! SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).scoring()
    var config: ScoringConfig { Self.scoring.0 }
    var countries: CountryRiskList { Self.scoring.1 }

    func score(_ answers: [String: JSONValue], sector: Sector = .importer, country: String = "CA", trustedTrader: String? = nil,
               evidence: Set<String> = ["C1"]) -> ScoreResult {
        let partner = Partner(id: 1, name: "P", email: "p@x.example.com", country: country, sector: sector, trustedTrader: trustedTrader,
                              createdAt: fixedNow, updatedAt: fixedNow)
        var set = AnswerSet()
        for (id, value) in answers { set[id] = Answer(json: value) }
        return ScoringEngine().score(ScoreInput(survey: survey, config: config, countries: countries, partner: partner, answers: set,
                                                evidenceProvided: evidence, asOf: fixedNow))
    }

    var perfect: [String: JSONValue] {
        ["S1": "yes", "S2": "yes", "S3": "yes", "C1": "yes", "C2": "2026-06-01", "C3": .number(8), "M1": "yes"]
    }

    func risk(_ result: ScoreResult, _ category: Category) -> Double? { result.categories.first { $0.category == category }?.risk }

    @Test func perfectAnswersAreZeroRiskAndLow() {
        let result = score(perfect)
        #expect(result.overallRisk == 0 && result.tier == .low && !result.knockout)
        #expect(result.factors.isEmpty)
    }

    @Test func weightedCreditsPartialAndBands() {
        var answers = perfect
        answers["S2"] = "partial"          // seals: (5 + 1.5 + 2) / 10 = 85 → risk 15
        answers["C3"] = .number(48)        // corporate: (4 + 2 + 1) / 8 = 87.5 → risk 12.5
        let result = score(answers)
        #expect(risk(result, .seals) == 15)
        #expect(risk(result, .corporate) == 12.5)
        // importer weights: seals 15, corporate 10, money 15 (other categories have no questions)
        #expect(abs(result.overallRisk - (15 * 15 + 10 * 12.5) / 40) < 1e-9)
        #expect(result.tier == .low)
    }

    @Test func aMustAnsweredNoCapsTheCategoryAt50() {
        var answers = perfect
        answers["S2"] = "no"               // seals control (5 + 0 + 2) / 10 = 70, capped at 50
        let result = score(answers)
        #expect(risk(result, .seals) == 50)
        #expect(result.categories.first { $0.category == .seals }?.capped == true)
    }

    @Test func aKnockoutForcesAtLeastHighAndIsExplainedFirst() {
        var answers = perfect
        answers["S1"] = "no"
        let result = score(answers)
        #expect(result.knockout)
        #expect(result.tier == .high)
        #expect(result.factors.first?.kind == .knockout && result.factors.first?.code == "S1")
        #expect(result.overallRisk < 60)
    }

    @Test func notApplicableDropsOutOfTheDenominator() {
        var answers = perfect
        answers["S3"] = .object(["na": "no containers"])
        answers["S2"] = "partial"           // seals: (5 + 1.5) / 8 = 81.25 → risk 18.75
        #expect(risk(score(answers), .seals) == 18.75)
    }

    @Test func missingRequiredEvidenceGivesAtMostHalfCreditAndADeclaredMembershipWaivesNothing() {
        let without = score(perfect, evidence: [])
        #expect(risk(without, .corporate) == 25)        // (2 + 2 + 2) / 8 = 75
        // A membership the partner only declares waives nothing (verified ones: DefensibleScoreTests).
        let declared = score(perfect, trustedTrader: "CTPAT:123", evidence: [])
        #expect(risk(declared, .corporate) == 25)
    }

    @Test func staleDatesCountAsNo() {
        var answers = perfect
        answers["C2"] = "2025-06-01"        // more than 365 days before 2026-11-24
        #expect(risk(score(answers), .corporate) == 25)
    }

    @Test func countryMultiplierUsesTheWorstListAndCountermeasuresKnockOut() {
        var answers = perfect
        answers["S2"] = "partial"
        let base = score(answers).overallRisk
        answers["P1"] = .array(["VN"])      // grey list ×1.25
        #expect(abs(score(answers).overallRisk - base * 1.25) < 1e-9)
        answers["P1"] = .array(["VN", "MM"]) // enhanced due diligence ×1.5 wins
        #expect(abs(score(answers).overallRisk - base * 1.5) < 1e-9)
        let iran = score(perfect, country: "IR")
        #expect(iran.knockout && iran.tier >= .high)
    }

    @Test func aMoneyRedFlagIsAKnockoutExplainedOrNot() {
        var answers = perfect
        answers["M1"] = "no"
        let unexplained = score(answers)
        #expect(unexplained.knockout && unexplained.factors.first?.code == "cash")
        answers["M2"] = "Customer prepays freight in cash at the border; receipts kept."
        // Explained by the partner: still a knock-out until the officer accepts it (DefensibleScoreTests).
        let explained = score(answers)
        #expect(explained.knockout)
        #expect(explained.factors.contains { $0.kind == .knockout && $0.code == "cash" && $0.text.en.contains("receipts kept") })
    }

    @Test func sectorWeightsChangeTheOverallRisk() {
        var answers = perfect
        answers["C3"] = .number(100)        // corporate risk 25
        // customs broker: corporate 15, seals 0, money 25 → 15 × 25 / 40
        let broker = score(answers, sector: .customsBroker)
        #expect(abs(broker.overallRisk - 15 * 25 / 40) < 1e-9)
    }

    @Test func tiersFollowTheConfiguredThresholds() {
        #expect(config.tier(for: 29.9) == .low && config.tier(for: 30) == .medium && config.tier(for: 60) == .high && config.tier(for: 80) == .critical)
    }

    @Test func propertiesHoldOnTheRealSurvey() throws {
        let full = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        var generator = SeededGenerator(state: 99)
        for round in 0..<150 {
            let sector = Sector.allCases[round % Sector.allCases.count]
            let partner = Partner(id: 1, name: "P", email: "p@x.example.com", country: "CA", sector: sector, createdAt: fixedNow, updatedAt: fixedNow)
            let answers = randomAnswers(for: full, using: &generator)
            let input = ScoreInput(survey: full, config: config, countries: countries, partner: partner, answers: answers, asOf: fixedNow)
            let result = ScoringEngine().score(input)
            #expect((0...100).contains(result.overallRisk))
            #expect(result.categories.allSatisfy { (0...100).contains($0.risk) })
            // Answering one yes/no question better never raises risk.
            let visible = full.visibleQuestions(for: sector, answers: full.effectiveAnswers(for: sector, answers: answers))
            if let question = visible.first(where: { $0.isScored && $0.type == .yesNo && $0.showIf == nil && answers.value($0.id)?.stringValue == "no" }),
               !full.questions.contains(where: { $0.showIf?.questionIDs.contains(question.id) == true }) {
                var better = answers
                better[question.id] = .value(.string("yes"))
                let improved = ScoringEngine().score(ScoreInput(survey: full, config: config, countries: countries, partner: partner, answers: better, asOf: fixedNow))
                #expect(improved.overallRisk <= result.overallRisk + 1e-9, "\(question.id) yes raised risk")
                #expect(improved.tier <= result.tier || result.knockout != improved.knockout)
            }
            // Adding a knock-out never lowers the tier.
            if let knockout = visible.first(where: { $0.level == .knockout && $0.type == .yesNo }) {
                var worse = answers
                worse[knockout.id] = .value(.string("no"))
                let dropped = ScoringEngine().score(ScoreInput(survey: full, config: config, countries: countries, partner: partner, answers: worse, asOf: fixedNow))
                #expect(dropped.tier >= result.tier && dropped.knockout)
            }
        }
    }
}

/// Stored answers read straight into question positions must mean exactly what they mean by id.
@Suite struct PositionedAnswersTests {
    @Test func storedAnswersInAnyKeyOrderReadToTheSamePositionsAndScore() throws {
        let full = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let engine = ScoringEngine()
        var generator = SeededGenerator(state: 7)
        for round in 0..<40 {
            let sector = Sector.allCases[round % Sector.allCases.count]
            var answers = randomAnswers(for: full, using: &generator)
            answers["ZZ_NOT_A_QUESTION"] = .value(.string("ignored"))
            let canonical = CanonicalJSON.text(.object(answers.answers.mapValues(\.json)))
            // The same members, last key first: not in byte order, so ids are looked up.
            let reversed = "{" + answers.answers.keys.sorted(by: >).map { "\(CanonicalJSON.text(.string($0))):\(CanonicalJSON.text(answers[$0]!.json))" }
                .joined(separator: ",") + "}"
            let expected = full.questions.map { answers[$0.id] }
            #expect(full.positionedAnswers(storedJSON: canonical) == expected)
            #expect(full.positionedAnswers(storedJSON: reversed) == expected)
            #expect(full.positionedAnswers(answers) == expected)
            let partner = Partner(id: 1, name: "P", email: "p@x.example.com", country: "CA", sector: sector, createdAt: fixedNow, updatedAt: fixedNow)
            let byID = engine.score(ScoreInput(survey: full, config: ScoringEngineTests.scoring.0, countries: ScoringEngineTests.scoring.1,
                                               partner: partner, answers: answers, asOf: fixedNow))
            let byPosition = engine.score(ScoreInput(survey: full, config: ScoringEngineTests.scoring.0, countries: ScoringEngineTests.scoring.1,
                                                     partner: partner, positionedAnswers: full.positionedAnswers(storedJSON: reversed)!, asOf: fixedNow))
            #expect(byID == byPosition)
        }
    }

    @Test func escapedAndNonASCIIKeysAreDecodedAndMalformedTextIsRefused() throws {
        let full = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        let first = full.questions[0].id
        let escaped = String(first.unicodeScalars.map { "\\u" + String(format: "%04x", $0.value) }.joined())
        let read = full.positionedAnswers(storedJSON: "{\"é\": 1, \"\(escaped)\": {\"na\": \"closed\"}}")
        #expect(read?[0] == .notApplicable(reason: "closed"))
        #expect(read?.compactMap { $0 }.count == 1)
        #expect(full.positionedAnswers(storedJSON: "[1]") == nil)
        #expect(full.positionedAnswers(storedJSON: "{\"\(first)\": 1") == nil)
        #expect(full.positionedAnswers(storedJSON: "{\"\(first)\": 1} x") == nil)
    }
}

@Suite struct ExplanationStorageTests {
    @Test func factorsRoundTripThroughTextIDsAndOldInlineExplanationsStillRead() throws {
        let factors = [
            ScoreFactor(kind: .knockout, code: "KO_SEALS", text: LocalizedText(en: "No seals “at all”", fr: "Aucun scellé « du tout »"), points: 0),
            ScoreFactor(kind: .loss, code: "E3", text: LocalizedText(en: "−4.5 pts seals", fr: "−4,5 pts scellés"), points: 4.5),
            ScoreFactor(kind: .redFlag, code: "ML1", text: LocalizedText(en: "No seals “at all”", fr: "Aucun scellé « du tout »"), points: 0),
        ]
        var table: [LocalizedText: Int64] = [:]
        let stored = ScoreFactor.encodeList(factors) { index in
            let text = factors[index].text
            if let id = table[text] { return id }
            table[text] = Int64(table.count + 1)
            return Int64(table.count)
        }
        #expect(table.count == 2) // the repeated sentence is stored once
        #expect(!stored.contains("No seals"))
        let texts = Dictionary(uniqueKeysWithValues: table.map { ($0.value, $0.key) })
        #expect(ScoreFactor.decodeList(stored, texts: texts) == factors)
        let inline = #"[{"code":"E3","kind":"loss","points":4.5,"text":{"en":"−4.5 pts seals","fr":"−4,5 pts scellés"}}]"#
        #expect(ScoreFactor.decodeList(inline, texts: [:]) == [factors[1]])
    }
}
