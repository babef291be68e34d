import Foundation
import Testing
@testable import PartnerRiskCore

/// Scores that rest on the officer's checks, not the partner's word (issue 16), on the real
/// scoring config and a small survey.
@Suite struct DefensibleScoreTests {
    static let surveyText = ScoringEngineTests.surveyText
        .replacingOccurrences(of: "      - {id: S1, text: {en: \"ISO 17712?\", fr: \"ISO 17712?\"}, type: yes_no, weight: 5, level: knockout}", with: """
              - {id: S0, text: {en: "Certificate expiry", fr: "Expiration"}, type: date, role: seal.certificate_expiry, weight: 1, level: should}
              - {id: S1, text: {en: "ISO 17712?", fr: "ISO 17712?"}, type: yes_no, weight: 5, level: knockout, relies_on: seal.certificate_expiry}
        """)
        + """

              - id: M3
                text: {en: "Goods fit the business?", fr: "Marchandises conformes?"}
                type: yes_no
                weight: 2
                level: should
                red_flags:
                  - {id: routes, when: {question: M3, equals: "no"}, kind: money, name: {en: "Routes", fr: "Itinéraires"}, explanation: {en: "Routing", fr: "Acheminement"}}
        """

    let survey: Survey = {
        let parsed = SurveyParser().parse(DefensibleScoreTests.surveyText, file: "mini.yaml")
        precondition(parsed.problems.isEmpty, "\(parsed.problems)")
        return parsed.survey!
    }()
    var config: ScoringConfig { ScoringEngineTests.scoring.0 }
    var countries: CountryRiskList { ScoringEngineTests.scoring.1 }

    var perfect: [String: JSONValue] {
        ["S0": "2027-06-30", "S1": "yes", "S2": "yes", "S3": "yes", "C1": "yes", "C2": "2026-06-01", "C3": .number(8), "M1": "yes", "M3": "yes"]
    }

    func score(_ answers: [String: JSONValue], country: String = "CA", trustedTrader: String? = nil, evidence: Set<String> = ["C1"],
               review: OfficerReview = .none, survey: Survey? = nil) -> ScoreResult {
        let partner = Partner(id: 1, name: "P", email: "p@x.example.com", country: country, sector: .importer, language: .fr,
                              trustedTrader: trustedTrader, createdAt: fixedNow, updatedAt: fixedNow)
        var set = AnswerSet()
        for (id, value) in answers { set[id] = Answer(json: value) }
        return ScoringEngine().score(ScoreInput(survey: survey ?? self.survey, config: config, countries: countries, partner: partner,
                                                answers: set, evidenceProvided: evidence, review: review, asOf: fixedNow))
    }

    func risk(_ result: ScoreResult, _ category: Category) -> Double? { result.categories.first { $0.category == category }?.risk }

    func verified(_ program: String, expires: String?) -> OfficerReview {
        OfficerReview(memberships: [VerifiedMembership(partnerID: 1, program: program, number: "123", expires: expires, note: "portal",
                                                       verifiedBy: "Dana", verifiedAt: "2026-11-20T10:00:00Z")])
    }

    @Test func anExpiredSealCertificateTakesTheCreditOfTheQuestionsThatRelyOnIt() {
        #expect(score(perfect).overallRisk == 0)
        var answers = perfect
        answers["S0"] = "2026-01-31"
        let expired = score(answers)
        #expect(risk(expired, .seals) == 50)   // S1 gets no credit: (0 + 3 + 2) / 10 = 50, capped at 50
        let factor = expired.factors.first { $0.kind == .expired && $0.code == "S1" }
        #expect(factor?.text.en.contains("the seal certificate expired on 2026-01-31") == true)
        #expect(!expired.knockout)   // a knock-out is an answer of no, not an expired certificate
        #expect(expired.factors.contains { $0.kind == .cap && $0.text.en.contains("seals capped at 50") && $0.text.en.contains("S1") })
    }

    @Test func onlyAVerifiedUnexpiredMembershipOfARecognisedProgramWaivesEvidence() {
        let noEvidence: Set<String> = []
        // Declared in the partner file: not verified, nothing waived, and said so.
        let declared = score(perfect, trustedTrader: "CTPAT:123", evidence: noEvidence)
        #expect(risk(declared, .corporate) == 25)
        #expect(declared.factors.contains { $0.kind == .membership && $0.text.en.contains("declared by the partner, not verified") })
        // Verified CTPAT with an expiry in the future: waived.
        #expect(risk(score(perfect, evidence: noEvidence, review: verified("ctpat", expires: "2027-03-01")), .corporate) == 0)
        // Verified without an expiry, expired, or of the EU AEO (no arrangement with PIP): nothing waived.
        let noExpiry = score(perfect, evidence: noEvidence, review: verified("ctpat", expires: nil))
        #expect(risk(noExpiry, .corporate) == 25 && noExpiry.factors.contains { $0.text.en.contains("verified without an expiry date") })
        let lapsed = score(perfect, evidence: noEvidence, review: verified("ctpat", expires: "2026-10-31"))
        #expect(risk(lapsed, .corporate) == 25 && lapsed.factors.contains { $0.kind == .expired && $0.text.en.contains("expired on 2026-10-31") })
        let eu = score(perfect, evidence: noEvidence, review: verified("aeo_eu", expires: "2028-01-01"))
        #expect(risk(eu, .corporate) == 25 && eu.factors.contains { $0.text.en.contains("not a program recognised by PIP") })
        #expect(config.program("other") == nil && config.program("aeo_eu")?.recognised == false && config.program("aeo_peru")?.recognised == true)
    }

    @Test func missingEvidenceIsItsOwnFactorAndNotABadAnswer() {
        let result = score(perfect, evidence: [])
        let factor = result.factors.first { $0.code == "C1" }
        #expect(factor?.kind == .evidence)
        #expect(factor?.text.en.contains("answered “yes”, but the required evidence is missing or was rejected") == true)
        #expect(factor?.text.en.contains("knock-out") == false)
    }

    @Test func aCapNamesTheMustAnsweredNo() {
        var answers = perfect
        answers["S2"] = "no"
        let cap = score(answers).factors.first { $0.kind == .cap }
        #expect(cap?.text.en.hasPrefix("−") == true)
        #expect(cap?.text.en.contains("seals capped at 50: S2 “Audits?” answered “no” (must, weight 3)") == true)
    }

    @Test func anExplainedKnockOutFlagStaysAKnockOutUntilTheOfficerAcceptsIt() {
        var answers = perfect
        answers["M1"] = "no"
        answers["M2"] = "n/a"
        let explained = score(answers)
        #expect(explained.knockout && explained.tier >= .high)
        #expect(explained.factors.first { $0.code == "cash" }?.text.en.contains("The partner's explanation: “n/a”") == true)
        let accepted = score(answers, review: OfficerReview(acceptedFlags: ["cash": FlagAcceptance(actor: "Dana", at: "2026-11-23T09:00:00Z", note: "bank receipts seen")]))
        #expect(!accepted.knockout && accepted.tier == .low)
        #expect(accepted.factors.first { $0.code == "cash" }.map { $0.kind == .redFlag && $0.text.en.contains("explanation accepted by Dana on 2026-11-23: bank receipts seen") } == true)
    }

    @Test func anOpenMoneyLaunderingFlagKeepsThePartnerAtLeastHigh() {
        var answers = perfect
        answers["M3"] = "no"
        let open = score(answers)
        #expect(!open.knockout && open.overallRisk < 30 && open.tier == .high)
        let accepted = score(answers, review: OfficerReview(acceptedFlags: ["routes": FlagAcceptance(actor: "Dana", at: "2026-11-23T09:00:00Z", note: "")]))
        #expect(accepted.tier == .low)
    }

    @Test func myanmarIsAtLeastHighAndRussiaIsAKnockOut() {
        let myanmar = score(perfect, country: "MM")
        #expect(myanmar.tier == .high && !myanmar.knockout)
        #expect(myanmar.factors.contains { $0.kind == .country && $0.text.en.hasSuffix(": at least High") })
        let russia = score(perfect, country: "RU")
        #expect(russia.knockout && russia.factors.contains { $0.text.en.contains("fintrac_directive") })
    }

    @Test func falsifiedEvidenceIsAKnockOut() {
        let result = score(perfect, review: OfficerReview(falsified: ["C1": "certificate number belongs to another firm"]))
        #expect(result.knockout && result.tier >= .high)
        #expect(result.factors.first?.text.en == "Knock-out: the evidence for C1 “Risk assessment?” was found falsified by the officer: certificate number belongs to another firm")
    }

    @Test func theRealSurveyReliesOnTheSealCertificateAndEveryFactorHasBothLanguages() throws {
        let full = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).survey(id: "pip-partner-security")
        #expect(full.questions.first { $0.id == "F1_iso17712_seals" }?.reliesOn == "seal.certificate_expiry")
        let broken = SurveyParser().parse(Self.surveyText.replacingOccurrences(of: "role: seal.certificate_expiry, weight", with: "weight"), file: "mini.yaml")
        #expect(broken.problems.contains { $0.message.contains("relies on \"seal.certificate_expiry\", but no question of this survey has that role") })
        var answers = perfect
        answers["S2"] = "no"; answers["M1"] = "no"; answers["S0"] = "2025-01-01"
        for factor in score(answers, country: "MM", evidence: []).factors {
            #expect(!factor.text.en.isEmpty && !factor.text.fr.isEmpty && factor.text.en != factor.text.fr)
        }
    }
}
