import Foundation
import GRDB
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore

/// The officer's decisions on a real SQLite store: recorded with who and when, rescored at once.
extension ResponseIngestTests {
    @Test func aVerifiedMembershipIsRecordedWithItsOfficerAndAnUnknownProgramIsRefused() throws {
        let setup = try setup()
        let store = setup.fixture.store
        let summary = try setup.ingest.importPaths([setup.answers.path])
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        try submissions.accepted(summary.acceptedResponseIDs)
        let decisions = OfficerDecisionService(repositories: store, submissions: submissions, actor: "Dana Officer", time: FixedTime(fixedNow))
        let partner = try #require(try store.partner(identifiedBy: "a@x.example.com"))
        #expect(throws: PartnerRiskError.self) { try decisions.verifyMembership(partner: partner, program: "other", number: "1", expires: "2027-01-01", note: "") }
        let eu = try decisions.verifyMembership(partner: partner, program: "aeo_eu", number: "EU1", expires: "2027-01-01", note: "EU portal")
        #expect(eu.message.contains("not recognised by PIP"))
        let ctpat = try decisions.verifyMembership(partner: partner, program: "CTPAT", number: "CT-9", expires: "2027-05-31", note: "checked on the CTPAT portal")
        #expect(ctpat.rescored == 1)
        #expect(try store.verifiedMemberships(partnerID: partner.id).map(\.program) == ["aeo_eu", "ctpat"])
        let audit = try store.auditEntries(subject: "partner:\(partner.id)").filter { $0.action == "membership.verify" }
        #expect(audit.count == 2 && audit.allSatisfy { $0.actor == "Dana Officer" })
        // The rescore carries the verification: no "declared, not verified" factor any more.
        let latest = try #require(try store.scoreHistory(partnerID: partner.id).last)
        #expect(!latest.factors.contains { $0.text.en.contains("declared by the partner") })
        _ = try decisions.unverifyMembership(partner: partner, program: "ctpat", note: "suspended by CBP")
        #expect(try store.verifiedMemberships(partnerID: partner.id).map(\.program) == ["aeo_eu"])
        #expect(throws: PartnerRiskError.self) { try decisions.unverifyMembership(partner: partner, program: "ctpat", note: "") }
        // The history is append-only.
        #expect(throws: DatabaseError.self) { try store.pool.write { try $0.execute(sql: "DELETE FROM membership_verification") } }
        // A flag the current answers do not raise cannot be accepted.
        #expect(throws: PartnerRiskError.self) { try decisions.acceptFlag(partner: partner, code: "no_such_flag", note: "") }
    }
}

extension ResponseIngestTests {
    /// Imports the answers, scores them and returns the pieces the decision tests use.
    func scoredSetup() throws -> (setup: Setup, submissions: SubmissionService, decisions: OfficerDecisionService) {
        let setup = try setup()
        let summary = try setup.ingest.importPaths([setup.answers.path])
        let submissions = SubmissionService(repositories: setup.fixture.store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        try submissions.accepted(summary.acceptedResponseIDs)
        return (setup, submissions, OfficerDecisionService(repositories: setup.fixture.store, submissions: submissions, actor: "Dana Officer", time: FixedTime(fixedNow)))
    }

    @Test func evidenceReviewsDecideWhatCountsAsProvidedAndFalsifiedEvidenceIsAKnockOut() throws {
        let (setup, _, decisions) = try scoredSetup()
        let store = setup.fixture.store
        let partner = try #require(try store.partner(identifiedBy: "a@x.example.com"))
        let invitation = try #require(try store.responses(campaignID: nil, partnerID: partner.id).first).invitationID
        func file(_ name: String, question: String?) throws {
            _ = try store.addEvidence(EvidenceFile(invitationID: invitation, questionID: question, sha256: String(repeating: name.first!.isLetter ? "a" : "b", count: 64) + name,
                                                   originalName: name, contentType: "application/pdf", size: 1_000, uploadedAt: "", channel: "imap", source: "reply.eml"), at: fixedNow)
        }
        try file("risk-assessment.pdf", question: "B1_risk_assessment")
        try file("scan.pdf", question: nil)
        let items = try store.evidenceItems(partnerID: partner.id, status: .pending)
        #expect(items.map(\.name) == ["risk-assessment.pdf", "scan.pdf"] && items.allSatisfy { $0.status == .pending })
        func provided() throws -> Set<String> { try #require(try store.currentScoringInputs(responseIDs: nil).first { $0.partner.id == partner.id }).evidence }
        #expect(try provided().contains("B1_risk_assessment"))      // pending counts as provided
        // A rejection needs a reason; then the file counts as missing, and the partner is rescored.
        #expect(throws: PartnerRiskError.self) { try decisions.reviewEvidence(id: items[0].id, status: .rejected, reason: " ") }
        let rejected = try decisions.reviewEvidence(id: items[0].id, status: .rejected, reason: "out of date")
        let afterRejection = try provided()
        #expect(rejected.rescored == 1 && !afterRejection.contains("B1_risk_assessment"))
        #expect(try store.evidenceItem(id: items[0].id)?.reviewedBy == "Dana Officer")
        _ = try decisions.reviewEvidence(id: items[0].id, status: .accepted, reason: "")
        #expect(try provided().contains("B1_risk_assessment"))
        // A reply's attachment: falsified only once assigned, and only to a question that asks for evidence.
        #expect(throws: PartnerRiskError.self) { try decisions.reviewEvidence(id: items[1].id, status: .falsified, reason: "forged") }
        #expect(throws: PartnerRiskError.self) { try decisions.assignEvidence(id: items[1].id, questionID: "A1_roles") }
        _ = try decisions.assignEvidence(id: items[1].id, questionID: "F1_iso17712_seals")
        _ = try decisions.reviewEvidence(id: items[1].id, status: .falsified, reason: "the laboratory has no such report")
        let latest = try #require(try store.scoreHistory(partnerID: partner.id).last)
        #expect(latest.knockout && latest.tier >= .high)
        #expect(latest.factors.first { $0.code == "evidence.falsified.F1_iso17712_seals" }?.text.en.contains("the laboratory has no such report") == true)
        let actions = try store.auditEntries(subject: "partner:\(partner.id)").map(\.action)
        #expect(["evidence.rejected", "evidence.accepted", "evidence.assign", "evidence.falsified"].allSatisfy(actions.contains))
    }

    @Test func aFrenchPartnersExplanationIsShownInTheOfficersLanguage() throws {
        let (setup, _, _) = try scoredSetup()
        let store = setup.fixture.store
        let partner = try #require(try store.partner(identifiedBy: "b@x.example.com"))
        #expect(partner.language == .fr)
        func drivers(_ language: Language) throws -> [String] {
            let text = try PartnerSheet.build(partner: partner, store: store, language: language).text
            return text.components(separatedBy: "\n").drop { !$0.hasPrefix("What drove the score:") }.dropFirst().prefix { $0.hasPrefix("  ") && $0.contains(". ") }
        }
        let english = try drivers(.en), french = try drivers(.fr)
        #expect(!english.isEmpty && english.count == french.count)
        #expect(english.allSatisfy { !$0.contains("réponse") && !$0.contains("Critère") && !$0.contains("Signal d'alerte") && !$0.contains("Risque pays") })
        #expect(english != french)
    }
}
