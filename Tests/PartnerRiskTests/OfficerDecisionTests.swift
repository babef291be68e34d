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
