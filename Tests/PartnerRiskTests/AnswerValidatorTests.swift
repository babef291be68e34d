import Foundation
import Testing
@testable import PartnerRiskCore

@Suite struct AnswerValidatorTests {
    @Test func textLimitsCountUnicodeScalarsNotGraphemeClusters() throws {
        let survey = try SurveyParser().load(contentsOf: ProjectRoot.url.appendingPathComponent("Surveys/pip-annual-update.yaml"))
        let question = try #require(survey.questions.first { $0.id == "U2_ownership_change_details" })  // asked when U1 is yes
        let validator = AnswerValidator(survey: survey, sector: .highwayCarrier)
        // One letter and a thousand combining marks per grapheme: Swift counts 1 character each.
        let zalgo = String(repeating: "e" + String(repeating: "\u{301}", count: 1_000), count: 3)
        #expect(zalgo.count == 3)
        let refused = validator.validate(["U1_ownership_change": .string("yes"), question.id: .string(zalgo)]).problems
        #expect(refused.contains { $0.hasPrefix(question.id) && $0.contains("longer than \(question.maxLength) characters") }, "\(refused)")
        let fits = validator.validate(["U1_ownership_change": .string("yes"), question.id: .string(String(repeating: "é", count: question.maxLength))]).problems
        #expect(!fits.contains { $0.hasPrefix(question.id) }, "\(fits)")
    }

    /// Members are matched to questions whatever their order; a key given twice counts once, with
    /// its later value (as a JSON object read into a dictionary); an unknown id is one problem.
    @Test func membersInAnyOrderWithARepeatedKeyCountTheLaterValue() throws {
        let survey = try SurveyParser().load(contentsOf: ProjectRoot.url.appendingPathComponent("Surveys/pip-annual-update.yaml"))
        let validator = AnswerValidator(survey: survey, sector: .highwayCarrier)
        let ids = survey.questions.filter { $0.type == .yesNo && $0.applies(to: .highwayCarrier) && $0.showIf == nil }.map(\.id)
        try #require(ids.count >= 2)
        var members = AnswerMembers()
        members.append(key: ids[1], value: .string("maybe"))  // refused, but given again below
        members.append(key: "Z9_unknown", value: .string("yes"))
        members.append(key: ids[0], value: .string("no"))
        members.append(key: ids[1], value: .string("yes"))
        members.append(key: "Z9_unknown", value: .string("no"))
        let result = validator.validate(members)
        #expect(result.problems == ["unknown question Z9_unknown"])
        let positionOf = { (id: String) in survey.questions.firstIndex { $0.id == id }! }
        #expect(result.positioned[positionOf(ids[1])] == .value(.string("yes")) && result.positioned[positionOf(ids[0])] == .value(.string("no")))
        #expect(result.answers[ids[1]] == .value(.string("yes")) && result.keptCount == 2 && result.answers.answers.count == 2)
        #expect(validator.validate(AnswerMembers([ids[0]: .string("no"), ids[1]: .string("yes")])).positioned == result.positioned)
    }
}
