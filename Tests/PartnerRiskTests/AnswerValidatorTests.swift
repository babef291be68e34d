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
}
