import Foundation
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskDemo
import PartnerRiskMail

/// Scores, the ranking and the officer's decisions, the same on both stores (issue 20): real
/// invitations answered by the demo's partners, imported, scored, decided on and re-ranked.
extension StoreContractTests {
    /// The composition root over a contract store, as a command would build it.
    func environment(_ store: ContractStore, officer: String = "Dana Officer", at time: Date = fixedNow) -> AppEnvironment {
        let paths = Workspace(databasePath: store.directory.path("partner-risk.sqlite"), surveysDirectory: ProjectRoot.url.appendingPathComponent("Surveys"),
                              templatesDirectory: ProjectRoot.url.appendingPathComponent("Templates"))
        return AppEnvironment(workspace: paths, config: AppConfig(), repositories: store.repositories, time: FixedTime(time), officer: officer)
    }

    /// Three partners invited, each answering with the demo's answer file, imported and scored.
    func scoredStore(_ kind: StoreKind) throws -> (ContractStore, AppEnvironment) {
        let (store, campaign) = try campaignStore(kind)
        _ = try sender(store).send(campaignID: campaign.id)
        let outbox = store.directory.url.appendingPathComponent("outbox"), answers = store.directory.url.appendingPathComponent("answers")
        var seed: UInt64 = 1
        while true {  // a seed where none of the three stays silent
            try? FileManager.default.removeItem(at: answers)
            if try DemoResponder(catalog: Self.catalog, seed: seed, today: fixedNow).respond(outbox: outbox, output: answers).silent == 0 { break }
            seed += 1
        }
        let env = environment(store)
        let files = try FileManager.default.contentsOfDirectory(at: answers, includingPropertiesForKeys: nil).map(\.path).sorted()
        let summary = try env.ingest.importPaths(files)
        #expect(summary.acceptedResponseIDs.count == 3)
        try env.submissions.accepted(summary.acceptedResponseIDs)
        return (store, env)
    }

    @Test(arguments: StoreKind.available)
    func everyCurrentResponseIsScoredOnceAndTheRankingReadsTheNewestScoreRiskiestFirst(kind: StoreKind) throws {
        let (store, env) = try scoredStore(kind)
        let repositories = store.repositories
        #expect(try repositories.unscoredResponseIDs().isEmpty)
        let latest = try repositories.latestScores(), detailed = try repositories.latestScoresDetailed()
        #expect(latest.count == 3 && detailed.count == 3)
        #expect(latest.map(\.overallRisk) == latest.map(\.overallRisk).sorted(by: >))
        for score in latest {
            let full = try #require(detailed.first { $0.id == score.id })
            #expect(full.overallRisk == score.overallRisk && full.tier == score.tier && full.responseID == score.responseID)
            #expect(!full.factors.isEmpty && !full.categories.isEmpty)
            #expect(full.surveyVersion != nil && full.configVersion != nil)
            // The ranking's first reason is the explanation's first factor, in both languages.
            #expect(score.topReason == full.factors.first?.text.en && score.topReasonFR == full.factors.first?.text.fr)
            #expect(score.flagCount == full.factors.filter { $0.kind == .knockout || $0.kind == .redFlag }.count)
            #expect(try repositories.currentCategories(partnerIDs: [score.partnerID])[score.partnerID]?.map(\.risk) == full.categories.map(\.risk))
            #expect(try repositories.scoreHistory(partnerID: score.partnerID).map(\.id) == [score.id])
        }
        // Scoring again what is already scored (two runs at once) writes nothing.
        let stamp = try repositories.rankingInputsStamp()
        let ids = try repositories.currentScoringInputs().map(\.responseID)
        try env.scoringService().score(responseIDs: ids, skipScored: true)
        #expect(try repositories.latestScores().map(\.id) == latest.map(\.id))
        #expect(try latest.allSatisfy { try repositories.scoreHistory(partnerID: $0.partnerID).count == 1 })
        // A full rescore adds history and moves the ranking to the new rows; the stamp changes.
        #expect(try env.scoringService().rescoreAll() == 3)
        let again = try repositories.latestScores()
        #expect(Set(again.map(\.id)).isDisjoint(with: latest.map(\.id)) && again.map(\.overallRisk) == latest.map(\.overallRisk))
        #expect(try repositories.scoreHistory(partnerID: latest[0].partnerID).count == 2)
        #expect(try repositories.rankingInputsStamp() != stamp)
        let month = try #require(try repositories.monthlyRisk().first)
        #expect(month.month == "2026-11" && month.partners == 3)  // a rescore in the same month counts each partner once
        #expect(try env.ranking().rows.count == 3)
    }

    @Test(arguments: StoreKind.available)
    func theOfficersDecisionsAreKeptWithWhoAndWhenAndRescoreThePartner(kind: StoreKind) throws {
        let (store, env) = try scoredStore(kind)
        let repositories = store.repositories
        let partner = try #require(try repositories.partner(identifiedBy: "N-1"))
        let before = try #require(try repositories.scoreHistory(partnerID: partner.id).last)
        // A membership verified, then withdrawn: the latest decision counts; each is audited.
        let outcome = try env.decisions.verifyMembership(partner: partner, program: "ctpat", number: "CT-9", expires: "2027-05-31", note: "portal")
        #expect(outcome.rescored == 1)
        #expect(try repositories.verifiedMemberships(partnerID: partner.id).map(\.verifiedBy) == ["Dana Officer"])
        #expect(try repositories.currentScoringInputs().first { $0.partner.id == partner.id }?.review.memberships.map(\.program) == ["ctpat"])
        #expect(try repositories.unverifyMembership(partnerID: partner.id, program: "ctpat", note: "", actor: "Val", at: fixedNow))
        #expect(try !repositories.unverifyMembership(partnerID: partner.id, program: "ctpat", note: "", actor: "Val", at: fixedNow))
        #expect(try repositories.verifiedMemberships(partnerID: nil).isEmpty)
        // Evidence: pending counts, a falsified file is a knock-out with the officer's reason.
        let invitation = try #require(try repositories.responses(campaignID: nil, partnerID: partner.id).first).invitationID
        #expect(try repositories.addEvidence(EvidenceFile(invitationID: invitation, questionID: nil, sha256: String(repeating: "c", count: 64),
                                                          originalName: "scan.pdf", contentType: "application/pdf", size: 10, uploadedAt: "",
                                                          channel: "imap", source: "reply.eml"), at: fixedNow))
        let item = try #require(try repositories.evidenceItems(partnerID: partner.id, status: .pending).first)
        #expect(item.name == "scan.pdf" && item.questionID == nil && item.partnerName == partner.name)
        _ = try env.decisions.assignEvidence(id: item.id, questionID: "F1_iso17712_seals")
        _ = try env.decisions.reviewEvidence(id: item.id, status: .falsified, reason: "no such laboratory")
        let reviewed = try #require(try repositories.evidenceItem(id: item.id))
        #expect(reviewed.status == .falsified && reviewed.reason == "no such laboratory" && reviewed.reviewedBy == "Dana Officer")
        #expect(try repositories.evidenceItems(partnerID: nil, status: .pending).isEmpty)
        let falsified = try #require(try repositories.scoreHistory(partnerID: partner.id).last)
        #expect(falsified.knockout && falsified.id != before.id && falsified.factors.contains { $0.code == "evidence.falsified.F1_iso17712_seals" })
        // A flag accepted once per response; a second acceptance is refused by the store.
        let response = try #require(try repositories.currentResponseIDs(partnerID: partner.id).first)
        #expect(try repositories.acceptFlag(partnerID: partner.id, responseID: response, code: "tbml_cash", note: "explained", actor: "Val", at: fixedNow))
        #expect(try !repositories.acceptFlag(partnerID: partner.id, responseID: response, code: "tbml_cash", note: "again", actor: "Val", at: fixedNow))
        #expect(try repositories.acceptedFlagCodes(responseID: response) == ["tbml_cash"])
        let actions = try repositories.auditEntries(subject: "partner:\(partner.id)").map(\.action)
        #expect(["membership.verify", "membership.unverify", "evidence.assign", "evidence.falsified", "flag.accept"].allSatisfy(actions.contains))
    }

    @Test(arguments: StoreKind.available)
    func flagsAndSignOffsShapeTheReviewRecordsAndASuspensionLeavesTheRanking(kind: StoreKind) throws {
        let (store, _) = try scoredStore(kind)
        let repositories = store.repositories
        let zeta = try #require(try repositories.partner(identifiedBy: "Z-9")), nordic = try #require(try repositories.partner(identifiedBy: "N-1"))
        try repositories.flagPartner(id: zeta.id, reason: "seal found broken at the border", actor: "Val", at: fixedNow)
        var records = Dictionary(uniqueKeysWithValues: try repositories.reviewRecords().map { ($0.partnerID, $0) })
        #expect(records.count == 3 && records.values.allSatisfy { $0.hasFullReview && !$0.pendingInvitation && $0.reviewedAt != nil })
        #expect(records[zeta.id]?.openFlags == ["seal found broken at the border"] && records[nordic.id]?.openFlags == [])
        #expect(records.values.allSatisfy { $0.countryListText != nil && $0.surveyVersionID != nil && !$0.answers.answers.isEmpty })
        try repositories.signOff(partnerID: zeta.id, decision: .suspend, note: "until the seal audit", actor: "Val", at: fixedNow.addingTimeInterval(60))
        #expect(try repositories.signOffs(partnerID: zeta.id).map(\.decision) == ["suspend"])
        records = Dictionary(uniqueKeysWithValues: try repositories.reviewRecords().map { ($0.partnerID, $0) })
        #expect(records[zeta.id]?.openFlags == [])
        // Suspended: out of the ranking, its scores kept as history.
        #expect(try !repositories.latestScores().contains { $0.partnerID == zeta.id })
        #expect(try repositories.scoreHistory(partnerID: zeta.id).count == 1)
        #expect(try repositories.unscoredResponseIDs().isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func responsesScoresDecisionsAndTheAuditTrailRefuseChangesOnBothStores(kind: StoreKind) throws {
        let (store, _) = try scoredStore(kind)
        let partner = try #require(try store.repositories.partner(identifiedBy: "N-1"))
        try store.repositories.verifyMembership(VerifiedMembership(partnerID: partner.id, program: "ctpat", number: "CT-1", expires: nil, note: "",
                                                                   verifiedBy: "Val", verifiedAt: DayFormat.timestamp(fixedNow)))
        for statement in ["UPDATE response SET channel = channel", "DELETE FROM response", "UPDATE score SET tier = tier",
                          "UPDATE audit_log SET detail = detail", "DELETE FROM audit_log",
                          "UPDATE membership_verification SET note = note", "DELETE FROM membership_verification"] {
            #expect(throws: (any Error).self, "\(statement) was allowed") { try store.execute(statement) }
        }
        #expect(try store.repositories.latestScores().count == 3 && store.repositories.responses(campaignID: nil, partnerID: nil).count == 3)
    }

    @Test(arguments: StoreKind.available)
    func aPartnerWhoNeverAnsweredIsANonResponderAfterTheDeadlineWithTheRemindersDelivered(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        _ = try sender(store).send(campaignID: campaign.id)
        #expect(try store.repositories.nonResponders(deadlineBefore: "2026-12-31").isEmpty)
        _ = try store.campaigns.queueReminders(campaignID: campaign.id, maxReminders: 2, minDays: 7, at: fixedNow.addingTimeInterval(8 * 86_400))
        _ = try sender(store, time: fixedNow.addingTimeInterval(8 * 86_400)).send(campaignID: campaign.id)
        let late = try store.repositories.nonResponders(deadlineBefore: "2027-02-01")
        #expect(late.count == 3 && late.allSatisfy { $0.remindersSent == 1 && !$0.undeliverable && $0.deadline == "2026-12-31" && $0.campaignID == campaign.id })
    }

    @Test(arguments: StoreKind.available)
    func aScoringConfigVersionIsStoredOnceAndAnEditedOneUnderTheSameVersionIsRefused(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        let (config, countries) = try ScoringSource(catalog: Self.catalog).scoring()
        let id = try store.repositories.registerScoringConfig(config, countries: countries, at: fixedNow)
        #expect(try store.repositories.registerScoringConfig(config, countries: countries, at: fixedNow.addingTimeInterval(5)) == id)
        var edited = config
        edited.source += "\n# edited"
        edited.contentHash = String(repeating: "0", count: 64)
        #expect(throws: PartnerRiskError.self) { try store.repositories.registerScoringConfig(edited, countries: countries, at: fixedNow) }
    }
}

/// Both stores give the same ranking for the same inputs (when the PostgreSQL test server is there).
@Suite struct StoreParityTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres), "needs the PostgreSQL test server (scripts/test-postgres.sh)"))
    func theSameAnswersRankTheSameOnBothStores() throws {
        let contract = StoreContractTests()
        func ranking(_ kind: StoreKind) throws -> [String] {
            let (store, env) = try contract.scoredStore(kind)
            _ = store
            return try env.ranking().rows.map { "\($0.partner.email) \($0.overallRisk ?? -1) \($0.tier) \($0.headline)" }
        }
        let sqlite = try ranking(.sqlite), postgres = try ranking(.postgres)
        #expect(sqlite.count == 3 && sqlite == postgres)
    }
}
