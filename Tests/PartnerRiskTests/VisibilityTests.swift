import Foundation
import Testing
@testable import PartnerRiskCore

/// A small deterministic generator so random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state ^ (state >> 33)
    }
}

/// Random answers of the right shape for each question (sometimes missing or N/A).
func randomAnswers(for survey: Survey, using generator: inout SeededGenerator) -> AnswerSet {
    var answers = AnswerSet()
    for question in survey.questions where Int.random(in: 0..<5, using: &generator) > 0 {
        if question.allowNA && Int.random(in: 0..<8, using: &generator) == 0 {
            answers[question.id] = .notApplicable(reason: "no such activity")
            continue
        }
        let value: JSONValue
        switch question.type {
        case .yesNo: value = .string(["yes", "no"].randomElement(using: &generator)!)
        case .yesNoPartial: value = .string(["yes", "partial", "no"].randomElement(using: &generator)!)
        case .singleChoice: value = .string(question.options.randomElement(using: &generator)!.id)
        case .multiChoice: value = .array(question.options.filter { _ in Bool.random(using: &generator) }.map { .string($0.id) })
        case .number: value = .number(Double(Int.random(in: Int(question.min ?? 0)...Int(question.max ?? 1000), using: &generator)))
        case .date: value = .string(DayFormat.day(fixedNow.addingTimeInterval(-Double(Int.random(in: 0...800, using: &generator)) * 86_400)))
        case .text, .evidence: value = .string("note \(Int.random(in: 0...99, using: &generator))")
        case .countryList: value = .array([.string(["CA", "US", "MX", "VN", "IR"].randomElement(using: &generator)!)])
        }
        answers[question.id] = .value(value)
    }
    return answers
}

@Suite struct VisibilityTests {
    let survey = try! SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")

    @Test func showIfAndSectorFilteringAgreeWithTheOutline() {
        var generator = SeededGenerator(state: 2026)
        for round in 0..<300 {
            let sector = Sector.allCases[round % Sector.allCases.count]
            let answers = randomAnswers(for: survey, using: &generator)
            let visible = survey.visibleQuestions(for: sector, answers: answers)
            let outline = Set(SurveyOutline(survey: survey, language: .en, sector: sector).questions.map(\.id))
            let effective = survey.effectiveAnswers(for: sector, answers: answers)
            var earlier = AnswerSet()
            for question in visible {
                #expect(question.applies(to: sector))
                #expect(outline.contains(question.id), "\(question.id) visible but not in the \(sector) outline")
                if let condition = question.showIf {
                    #expect(condition.evaluate(earlier), "\(question.id) shown although its condition is false")
                }
                if let answer = effective[question.id] { earlier[question.id] = answer }
            }
            let hidden = survey.questions(for: sector).filter { question in !visible.contains { $0.id == question.id } }
            for question in hidden {
                #expect(question.showIf != nil, "\(question.id) hidden without a condition")
                #expect(effective[question.id] == nil, "hidden \(question.id) kept an answer")
            }
        }
    }

    @Test func sectorApplicabilityFollowsTheSurvey() {
        let broker = Set(survey.questions(for: .customsBroker).map(\.id))
        let carrier = Set(survey.questions(for: .highwayCarrier).map(\.id))
        let trailer = survey.questions.filter { $0.appliesTo == [.highwayCarrier] }
        #expect(!trailer.isEmpty)
        #expect(trailer.allSatisfy { carrier.contains($0.id) && !broker.contains($0.id) })
        #expect(!survey.questions.filter { $0.category == .seals }.contains { broker.contains($0.id) })
    }

    @Test func conditionsEvaluateEachOperator() {
        let answers = AnswerSet([
            "a": .value(.string("yes")), "n": .value(.number(30)), "m": .value(.array([.string("cash"), .string("wire")])),
            "na": .notApplicable(reason: "x"), "blank": .value(.string("  ")),
        ])
        #expect(Condition.equals("a", "yes").evaluate(answers))
        #expect(!Condition.notEquals("a", "yes").evaluate(answers))
        #expect(!Condition.notEquals("missing", "yes").evaluate(answers))
        #expect(Condition.isOneOf("a", ["no", "yes"]).evaluate(answers))
        #expect(Condition.includes("m", "cash").evaluate(answers))
        #expect(!Condition.includes("m", "crypto").evaluate(answers))
        #expect(Condition.compare("n", .gte, 30).evaluate(answers) && !Condition.compare("n", .gt, 30).evaluate(answers))
        #expect(Condition.compare("n", .lt, 31).evaluate(answers) && Condition.compare("n", .lte, 30).evaluate(answers))
        #expect(Condition.answered("na", false).evaluate(answers) && Condition.answered("blank", false).evaluate(answers))
        #expect(Condition.all([.equals("a", "yes"), .not(.answered("blank", true))]).evaluate(answers))
        #expect(Condition.any([.equals("a", "no"), .equals("n", "30")]).evaluate(answers))
    }
}
