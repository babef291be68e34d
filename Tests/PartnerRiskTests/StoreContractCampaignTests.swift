import Foundation
import Synchronization
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskPostgres
@testable import PartnerRiskStore
import PartnerRiskTemplates

/// Campaigns, the outbox and responses, the same on both stores (issue 20): a real sender over the
/// drop transport, the claim taken once, revisions ordered by save time, and two writers at once.
extension StoreContractTests {
    /// A store with the three partners of `csv` and one campaign on the PIP survey.
    func campaignStore(_ kind: StoreKind) throws -> (ContractStore, Campaign) {
        let store = try ContractStore(kind)
        _ = try imported(store)
        let sender = MailAddress(name: "Acme Compliance", address: "compliance@acme.example.com")
        let campaign = try CampaignService(partners: store.partners, surveys: store.surveys, campaigns: store.campaigns, time: FixedTime(fixedNow))
            .create(survey: try Self.catalog.survey(id: "pip-partner-security"), audience: .all, deadline: "2026-12-31", sender: sender)
        return (store, campaign)
    }

    func sender(_ store: ContractStore, time: Date = fixedNow) throws -> CampaignSender {
        let templates = try TemplateLibrary(directory: ProjectRoot.url.appendingPathComponent("Templates"), required: MailComposer.requiredTemplates)
        let composer = MailComposer(templates: templates, officer: AppConfig.Officer(name: "Jeanne Roy", company: "Acme Imports", email: "compliance@acme.example.com"),
                                    sender: MailAddress(name: "Acme Compliance", address: "compliance@acme.example.com"),
                                    publicURL: "https://survey.acme.example", surveys: store.surveys)
        return CampaignSender(repository: store.campaigns, composer: composer,
                              transports: DropTransportFactory(directory: store.directory.url.appendingPathComponent("outbox")), time: FixedTime(time),
                              options: .init(connections: 2, retryBase: 60, maxAttempts: 3), links: testLinkKey)
    }

    @Test(arguments: StoreKind.available)
    func aCampaignQueuesOneInvitationPerPartnerAndASendDeliversEachOnce(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        #expect(try store.campaigns.campaigns() == [campaign] && store.campaigns.campaign(id: campaign.id) == campaign)
        #expect(campaign.surveyID == "pip-partner-security" && campaign.status == "open" && campaign.deadline == "2026-12-31")
        let partners = try store.partners.partners(matching: PartnerFilter())
        #expect(try store.campaigns.invitedPartners(campaignID: campaign.id) == Set(partners.map(\.id)))
        #expect(Set(try store.campaigns.invitationSectors(campaignID: campaign.id).map(\.1)) == [.customsBroker, .highwayCarrier, .warehouse])
        #expect(try store.campaigns.stateCounts(campaignID: campaign.id) == [.queued: 3])
        #expect(try sender(store).send(campaignID: campaign.id).sent == 3)
        #expect(try sender(store).send(campaignID: campaign.id).sent == 0)
        #expect(try store.campaigns.stateCounts(campaignID: campaign.id) == [.sent: 3])
        let outbox = try FileManager.default.contentsOfDirectory(atPath: store.directory.path("outbox"))
        #expect(outbox.filter { $0.hasSuffix(".eml") }.count == 3)
        let counts = try store.campaigns.invitationCounts(campaignID: campaign.id)
        #expect((counts.invited, counts.responded, counts.complete) == (3, 0, 0))
        // Every sent link leads back to its invitation, with its partner and campaign.
        let (invitationID, _) = try #require(try store.campaigns.invitationSectors(campaignID: campaign.id).first)
        let context = try store.campaigns.invitationContext(invitationID: invitationID)
        let token = testLinkKey.token(invitationID: invitationID, generation: 1)
        #expect(try store.responses.invitation(tokenHash: token.hash, at: fixedNow) == context)
        #expect(context.campaign == campaign && context.tokenGeneration == 1 && partners.contains(context.partner))
        #expect(throws: PartnerRiskError.self) { try store.campaigns.invitationContext(invitationID: 9_999) }
        // Reminders a week later go to all three (none answered); not twice while queued.
        #expect(try store.campaigns.queueReminders(campaignID: campaign.id, maxReminders: 2, minDays: 7, at: fixedNow.addingTimeInterval(8 * 86_400)) == 3)
        #expect(try store.campaigns.queueReminders(campaignID: campaign.id, maxReminders: 2, minDays: 7, at: fixedNow.addingTimeInterval(8 * 86_400)) == 0)
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).map(\.kind) == ["reminder", "reminder", "reminder"])
    }

    @Test(arguments: StoreKind.available)
    func aClaimIsTakenOnceAndAClaimOfAGoneRunBecomesUncertainUntilRequeued(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let due = try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow)
        #expect(due.count == 3 && due.allSatisfy { $0.state == .queued && $0.kind == "invitation" && $0.attempts == 0 })
        let gone = SendRun(id: "gone", pid: Int32.max), live = SendRun()
        let first = due[0], second = due[1]
        #expect(try store.campaigns.beginSending(messageID: first.id, invitationID: first.invitationID, tokenHash: nil, messageIDHeader: "<1@x>", run: gone, at: fixedNow))
        #expect(try !store.campaigns.beginSending(messageID: first.id, invitationID: first.invitationID, tokenHash: nil, messageIDHeader: "<2@x>", run: live, at: fixedNow))
        #expect(try store.campaigns.beginSending(messageID: second.id, invitationID: second.invitationID, tokenHash: nil, messageIDHeader: "<3@x>", run: live, at: fixedNow))
        // The live run's claim stays; the gone run's is uncertain (the server may have the mail).
        #expect(try store.campaigns.markInterruptedSendsUncertain(campaignID: campaign.id, run: live, at: fixedNow) == 1)
        #expect(try store.campaigns.stateCounts(campaignID: campaign.id) == [.uncertain: 1, .sending: 1, .queued: 1])
        #expect(try store.campaigns.problemMessages(campaignID: campaign.id).map(\.id) == [first.id])
        #expect(try store.campaigns.requeueUncertain(campaignID: campaign.id, at: fixedNow) == 1)
        // A deferral waits for its time; a failure is a problem with the server's reply.
        try store.campaigns.finishSending(messageID: second.id, state: .deferred, reply: "451 try later", nextAttempt: fixedNow.addingTimeInterval(600), at: fixedNow)
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).map(\.id) == [first.id, due[2].id])
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow.addingTimeInterval(601)).map(\.id) == due.map(\.id))
        #expect(try store.campaigns.beginSending(messageID: second.id, invitationID: second.invitationID, tokenHash: nil, messageIDHeader: "<4@x>", run: live, at: fixedNow))
        try store.campaigns.finishSending(messageID: second.id, state: .failed, reply: "550 no such user", nextAttempt: nil, at: fixedNow)
        let problem = try #require(try store.campaigns.problemMessages(campaignID: campaign.id).first)
        #expect(problem.id == second.id && problem.state == .failed && problem.lastReply == "550 no such user" && problem.attempts == 2)
    }

    @Test(arguments: StoreKind.available)
    func linksAreRevokedByReissueByDeactivationAndAtTheEndOfAClosedCampaignsGrace(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let due = try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow)
        for (index, item) in due.enumerated() {
            _ = try store.campaigns.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: "h\(index)", messageIDHeader: "<\(index)@x>",
                                                 run: SendRun(), at: fixedNow)
        }
        let found = try store.responses.invitations(tokenHashes: ["h0", "h1", "h2", "unknown"], at: fixedNow)
        #expect(found.keys.sorted() == ["h0", "h1", "h2"] && found["h0"]?.invitationID == due[0].invitationID)
        #expect(try store.campaigns.reissueToken(invitationID: due[0].invitationID, queueInvitation: true, at: fixedNow) == 2)
        #expect(try store.responses.invitation(tokenHash: "h0", at: fixedNow) == nil)
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).map(\.invitationID) == [due[0].invitationID])
        let partner = try #require(found["h1"]?.partner)
        try store.partners.deactivatePartner(id: partner.id, at: fixedNow)
        #expect(try store.responses.invitation(tokenHash: "h1", at: fixedNow) == nil)
        #expect(try store.campaigns.revokeTokens(invitationIDs: [], partnerID: partner.id, reason: "again", at: fixedNow) == 0)
        // Closed: the link still opens (the "closed" page) for the grace period, then not.
        try store.campaigns.closeCampaign(id: campaign.id, linksLastUntil: fixedNow.addingTimeInterval(3_600), at: fixedNow)
        #expect(try store.campaigns.campaign(id: campaign.id)?.status == "closed")
        #expect(try store.responses.invitation(tokenHash: "h2", at: fixedNow.addingTimeInterval(60)) != nil)
        #expect(try store.responses.invitation(tokenHash: "h2", at: fixedNow.addingTimeInterval(3_601)) == nil)
        let actions = try store.audit.auditEntries(subject: nil).map(\.action)
        #expect(actions.filter { $0.hasPrefix("invitation.") || $0.hasPrefix("campaign.") }
            == ["campaign.create", "invitation.reissue", "invitation.revoke", "campaign.close"])
    }

    static func response(_ invitationID: Int64, _ answers: [String: JSONValue], receivedAt: Date, savedAt: Date? = nil,
                         complete: Bool = true) -> NewResponse {
        let set = AnswerSet(answers.mapValues(Answer.value))
        var response = NewResponse(invitationID: invitationID, channel: .file, source: "reply.html", complete: complete, missing: complete ? [] : ["B1"],
                                   checksum: CanonicalJSON.sha256(set.json), answers: set, receivedAt: receivedAt, savedAt: savedAt)
        response.acknowledge = true
        return response
    }

    @Test(arguments: StoreKind.available)
    func revisionsAreOrderedBySaveTimeARepeatIsADuplicateAndEachCurrentOneIsAcknowledgedOnce(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let invitation = try #require(try store.campaigns.invitationSectors(campaignID: campaign.id).first?.0)
        let monday = fixedNow, tuesday = fixedNow.addingTimeInterval(86_400), wednesday = fixedNow.addingTimeInterval(2 * 86_400)
        let correction = Self.response(invitation, ["A1": .bool(true), "B2": "Maple"], receivedAt: tuesday, savedAt: tuesday)
        let first = try store.responses.storeResponses([correction, correction])
        guard case .stored(id: let currentID, revision: 1, supersededBy: nil) = first[0] else { Issue.record("not stored: \(first)"); return }
        #expect(first[1] == .duplicate(revision: 1))
        // Last week's file, forwarded late: history, not current, and no second receipt.
        let stale = Self.response(invitation, ["A1": .bool(false)], receivedAt: wednesday, savedAt: monday)
        guard case .stored(id: let staleID, revision: 2, supersededBy: 1)? = try store.responses.storeResponses([stale]).first else { Issue.record("stale copy not kept"); return }
        #expect(try store.responses.storeResponses([stale]) == [.duplicate(revision: 2)])
        #expect(try store.responses.currentResponseIDs(invitationIDs: [invitation, 9_999]) == [currentID])
        let listed = try store.responses.responses(campaignID: campaign.id, partnerID: nil)
        #expect(listed.map(\.id) == [currentID, staleID] && listed.map(\.current) == [true, false] && listed.map(\.revision) == [1, 2])
        #expect(listed[1].savedAt == DayFormat.timestamp(monday) && listed[1].receivedAt == DayFormat.timestamp(wednesday) && listed[1].source == "reply.html")
        #expect(try store.responses.responses(campaignID: nil, partnerID: 9_999).isEmpty)
        #expect(try store.responses.answers(responseID: currentID).json == JSONParser.parse(correction.answersJSON))
        #expect(try store.responses.answers(responseID: 9_999) == AnswerSet())
        let thanks = try store.campaigns.dueMessages(campaignID: campaign.id, at: wednesday).filter { $0.kind == "thank-you" }
        #expect(thanks.map(\.revision) == [1])
        #expect(try store.campaigns.queueThankYous(responseIDs: [currentID, staleID], at: wednesday) == [campaign.id])
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: wednesday).filter { $0.kind == "thank-you" }.map(\.revision) == [1, 2])
        #expect(try store.campaigns.queueThankYous(responseIDs: [currentID], at: wednesday) == [campaign.id])
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: wednesday).filter { $0.kind == "thank-you" }.count == 2)
        let counts = try store.campaigns.invitationCounts(campaignID: campaign.id)
        #expect((counts.invited, counts.responded, counts.complete) == (3, 1, 1))
        // Responses are immutable revisions: the store itself refuses a change.
        try store.responses.recordRejected(channel: .imap, source: "INBOX/7", reason: "no answer file attached", quarantinePath: "/q/7.eml", at: monday)
        #expect(try store.responses.rejectedInputs().map(\.reason) == ["no answer file attached"])
        #expect(try store.responses.rejectedInputs().first?.quarantinePath == "/q/7.eml")
    }

    @Test(arguments: StoreKind.available)
    func twoWritersAtOnceStoreEachAnswerOnceAndClaimEachMessageOnce(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let invitations = try store.campaigns.invitationSectors(campaignID: campaign.id).map(\.0).sorted()
        let batch = invitations.map { Self.response($0, ["A1": .string("\($0)")], receivedAt: fixedNow) }
        let due = try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow)
        let results = Mutex<[[StoredRevision]]>([]), claims = Mutex<Int>(0)
        let responses = store.responses, campaigns = store.campaigns
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            // Two writers go through the batch backwards: locking in one order must not deadlock.
            let stored = try? responses.storeResponses(writer % 2 == 0 ? batch : batch.reversed())
            results.withLock { $0.append(stored ?? []) }
            for item in due where (try? campaigns.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: nil,
                                                                       messageIDHeader: "<\(writer)@x>", run: SendRun(id: "w\(writer)"), at: fixedNow)) == true {
                claims.withLock { $0 += 1 }
            }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 4 && all.allSatisfy { $0.count == 3 })
        #expect(all.joined().filter { if case .stored = $0 { true } else { false } }.count == 3)
        #expect(try store.responses.responses(campaignID: campaign.id, partnerID: nil).count == 3)
        #expect(claims.withLock { $0 } == 3)
    }
}

extension StoreContractTests {
    static func list(_ entries: [SanctionsEntry], date: String) -> SanctionsList {
        SanctionsList(name: "canada-sema", format: .canadaSEMA, date: date, entries: entries)
    }

    static let severny = SanctionsEntry(key: "Russia/1/7", kind: .entity, names: ["OOO Severny Put", "Severnyi Put"], program: "Russia",
                                        listedOn: "2022-03-01", details: "")

    @Test(arguments: StoreKind.available)
    func aListVersionIsKeptWholeAndAHitIsRecordedOnceDecidedAndOpenedAgainWhenItsEntryChanges(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let screening = store.screening
        let other = SanctionsEntry(key: "Iran/2/1", kind: .individual, names: ["Ali Example"], program: "Iran", listedOn: nil, details: "born 1960")
        let first = try screening.storeList(Self.list([Self.severny, other], date: "2026-11-01"), sourceFile: "sema.xml", sha256: "f1", at: fixedNow)
        #expect(first.added.map(\.key) == ["Russia/1/7", "Iran/2/1"] && first.changed.isEmpty)
        #expect(try screening.currentEntries().map(\.entry) == [Self.severny, other])
        let partner = try #require(try store.partners.partner(identifiedBy: "N-1"))
        let match = FoundMatch(partnerID: partner.id, list: "canada-sema", entryKey: "Russia/1/7", screenedName: "Severny Put Ltd", screenedAs: "name",
                               matchedName: "OOO Severny Put", score: 0.93)
        let found = try screening.recordMatches([match], at: fixedNow)
        let hit = try #require(found.new.first)
        #expect(hit.entryName == "OOO Severny Put" && hit.program == "Russia" && hit.partnerName == "Nordic Freight" && hit.status == .open && hit.score == 0.93)
        #expect(try screening.recordMatches([match], at: fixedNow).unchanged == 1)
        try screening.decideHit(id: hit.id, status: .cleared, note: "different company (other address)", actor: "Dana Roy", at: fixedNow.addingTimeInterval(60))
        #expect(try screening.screeningHit(id: hit.id)?.decidedBy == "Dana Roy")
        #expect(try screening.screeningHits(partnerID: partner.id, status: .cleared).map(\.id) == [hit.id])
        #expect(try screening.screeningHits(partnerID: nil, status: .open).isEmpty)
        // The same entry again: still cleared. A changed entry: opened again.
        _ = try screening.storeList(Self.list([Self.severny], date: "2026-11-15"), sourceFile: "sema.xml", sha256: "f2", at: fixedNow)
        #expect(try screening.recordMatches([match], at: fixedNow).unchanged == 1)
        var changed = Self.severny
        changed.names.append("Severny Put Logistics")
        let second = try screening.storeList(Self.list([changed], date: "2026-12-01"), sourceFile: "sema.xml", sha256: "f3", at: fixedNow)
        #expect(second.changed.map(\.key) == ["Russia/1/7"])
        #expect(try screening.listVersions().map { "\($0.list) \($0.date ?? "") \($0.entries)" } == ["canada-sema 2026-12-01 1"])
        #expect(try screening.currentEntries().map(\.entry) == [changed])
        let reopened = try screening.recordMatches([match], at: fixedNow.addingTimeInterval(120))
        #expect(reopened.reopened.map(\.id) == [hit.id] && reopened.reopened.first?.status == .open)
        // Names to screen come from the current complete answers only, as text.
        let id = try #require(try store.campaigns.invitationSectors(campaignID: campaign.id).map(\.0)
            .first { try store.campaigns.invitationContext(invitationID: $0).partner.id == partner.id })
        _ = try store.responses.storeResponses([Self.response(id, ["E2": "Ann Lee", "E3": "Maple Bank", "A1": .bool(true)], receivedAt: fixedNow)])
        _ = try store.responses.storeResponses([Self.response(id, ["E2": "Old Owner"], receivedAt: fixedNow, savedAt: fixedNow.addingTimeInterval(-86_400))])
        let names = try screening.answeredNames(questionIDs: ["E2", "E3", "A1"])
        #expect(names.map { "\($0.partnerID) \($0.questionID) \($0.text)" } == ["\(partner.id) E2 Ann Lee", "\(partner.id) E3 Maple Bank"])
        #expect(try store.audit.auditEntries(subject: "list:canada-sema").count == 3)
        #expect(try store.audit.auditEntries(subject: "partner:\(partner.id)").map(\.action) == ["screening.hit", "screening.clear", "screening.reopen"])
    }
}

extension StoreContractTests {
    @Test(arguments: StoreKind.available)
    func theWebFormKeepsADraftAndEachDocumentOncePerQuestionAndShowsTheCurrentRevision(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let item = try #require(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).first)
        #expect(try store.campaigns.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: "link", messageIDHeader: "<1@x>",
                                                 run: SendRun(), at: fixedNow))
        let form = store.webForm
        #expect(try form.formVisit(tokenHash: "unknown", at: fixedNow) == nil)
        #expect(try form.draft(invitationID: item.invitationID) == nil)
        try form.saveDraft(invitationID: item.invitationID, answers: ["A1": .bool(true)], at: fixedNow)
        try form.saveDraft(invitationID: item.invitationID, answers: ["A1": .bool(false), "B2": "Maple"], at: fixedNow)
        #expect(try form.draft(invitationID: item.invitationID) == ["A1": .bool(false), "B2": "Maple"])
        let document = EvidenceFile(invitationID: item.invitationID, questionID: "F6", sha256: "ab", originalName: "seal-log.pdf",
                                    contentType: "application/pdf", size: 2_048, uploadedAt: "", channel: "web")
        #expect(try form.addEvidence(document, at: fixedNow))
        #expect(try !form.addEvidence(document, at: fixedNow))
        var unassigned = document
        unassigned.questionID = nil
        unassigned.channel = "imap"
        unassigned.source = "INBOX/3"
        #expect(try form.addEvidence(unassigned, at: fixedNow) && !form.addEvidence(unassigned, at: fixedNow))
        let visit = try #require(try form.formVisit(tokenHash: "link", at: fixedNow))
        #expect(visit.invitation.invitationID == item.invitationID && visit.state.current == nil)
        #expect(visit.state.draftJSON.flatMap(JSONValue.parse)?.objectValue == ["A1": .bool(false), "B2": "Maple"])
        #expect(visit.state.evidence.map(\.questionID) == ["F6", nil] && visit.state.evidence.map(\.source) == [nil, "INBOX/3"])
        #expect(visit.state.evidence.first?.uploadedAt == DayFormat.timestamp(fixedNow) && visit.state.evidence.first?.size == 2_048)
        #expect(try form.evidence(partnerID: visit.invitation.partner.id) == visit.state.evidence)
        #expect(try form.evidence(invitationID: item.invitationID) == visit.state.evidence)
        _ = try store.responses.storeResponses([Self.response(item.invitationID, ["A1": .bool(true)], receivedAt: fixedNow)])
        try form.deleteDraft(invitationID: item.invitationID)
        let after = try #require(try form.formVisit(tokenHash: "link", at: fixedNow))
        #expect(after.state.draftJSON == nil && after.state.current?.revision == 1 && after.state.current?.current == true)
        #expect(try store.audit.auditEntries(subject: "invitation:\(item.invitationID)").map(\.actor).prefix(2) == ["partner", "tester"])
    }

    @Test(arguments: StoreKind.available)
    func aScheduledReminderIsQueuedOnceByWhoeverRecordsItsOffsetFirst(kind: StoreKind) throws {
        let (store, campaign) = try campaignStore(kind)
        let schedule = store.schedule
        #expect(try schedule.serviceState("last-screening") == nil)
        try schedule.setServiceState("last-screening", "2026-11-01", at: fixedNow)
        try schedule.setServiceState("last-screening", "2026-11-24", at: fixedNow)
        #expect(try schedule.serviceState("last-screening") == "2026-11-24")
        #expect(try schedule.campaignsWithDueMessages(at: fixedNow) == [campaign.id] && schedule.campaignsWithClaims().isEmpty)
        #expect(try schedule.reminderCandidates().isEmpty)   // nothing mailed yet
        #expect(try sender(store).send(campaignID: campaign.id).sent == 3)
        #expect(try schedule.campaignsWithDueMessages(at: fixedNow).isEmpty)
        let candidates = try schedule.reminderCandidates()
        #expect(candidates.count == 3 && candidates.allSatisfy { !$0.pending && $0.offsetsDone.isEmpty && $0.lastMailedAt == fixedNow })
        let step = ReminderPlan.Step(invitationID: candidates[0].invitationID, offsets: [-14, -7], remind: true)
        let results = Mutex<[Bool]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let queued = (try? schedule.applyReminderStep(step, at: fixedNow.addingTimeInterval(86_400))) ?? false
            results.withLock { $0.append(queued) }
        }
        #expect(results.withLock { $0 }.filter { $0 }.count == 1)
        let after = try schedule.reminderCandidates()
        #expect(after.first { $0.invitationID == step.invitationID }.map { ($0.pending, $0.offsetsDone) } ?? (false, []) == (true, [-14, -7]))
        #expect(try schedule.campaignsWithDueMessages(at: fixedNow) == [campaign.id])
        #expect(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).map(\.kind) == ["reminder"])
        // Recorded without a reminder: the offsets only.
        let quiet = ReminderPlan.Step(invitationID: candidates[1].invitationID, offsets: [-7], remind: false)
        #expect(try !schedule.applyReminderStep(quiet, at: fixedNow))
        #expect(try schedule.reminderCandidates().first { $0.invitationID == quiet.invitationID }?.offsetsDone == [-7])
        let due = try #require(try store.campaigns.dueMessages(campaignID: campaign.id, at: fixedNow).first)
        _ = try store.campaigns.beginSending(messageID: due.id, invitationID: due.invitationID, tokenHash: nil, messageIDHeader: "<r@x>", run: SendRun(), at: fixedNow)
        #expect(try schedule.campaignsWithClaims() == [campaign.id])
    }
}
