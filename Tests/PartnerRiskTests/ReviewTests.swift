import Foundation
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore
@testable import PartnerRiskTemplates

/// History and the yearly cycle, driven by an injected clock.
@Suite struct ReviewTests {
    let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))

    func partner(_ id: Int64, country: String = "CA", updated: Date = fixedNow.addingTimeInterval(-400 * 86_400)) -> Partner {
        Partner(id: id, name: "P\(id)", email: "p\(id)@x.example.com", country: country, sector: .highwayCarrier, createdAt: updated, updatedAt: updated)
    }

    func record(_ id: Int64, reviewedDaysAgo: Double, tier: RiskTier = .low, listText: String? = nil) -> ReviewRecord {
        ReviewRecord(partnerID: id, reviewedAt: fixedNow.addingTimeInterval(-reviewedDaysAgo * 86_400), tier: tier, redFlags: [],
                     countryListText: listText, answers: AnswerSet(), surveyVersionID: nil, hasFullReview: true, pendingInvitation: false, openFlags: [])
    }

    @Test func twelveMonthsForLowSixForHighAndNeverReviewedIsDue() throws {
        let (config, countries) = try catalog.scoring()
        let planner = ReviewPlanner(config: config, countries: countries, survey: try catalog.survey(id: "pip-partner-security"))
        let due = planner.due(partners: [partner(1), partner(2), partner(3), partner(4)],
                              records: [record(1, reviewedDaysAgo: 395, listText: countries.text),   // 13 months: due
                                        record(2, reviewedDaysAgo: 200, listText: countries.text),   // 7 months, Low: not due
                                        record(3, reviewedDaysAgo: 200, tier: .high, listText: countries.text)], // 7 months, High: due
                              asOf: fixedNow)
        #expect(due.map { $0.partner.id } == [1, 3, 4])
        #expect(due[0].reasons.first?.hasPrefix("12 months since the last review") == true)
        #expect(due[1].reasons.first?.hasPrefix("6 months since the last review") == true)
        #expect(due[2].reasons == ["no complete review on file"])
    }

    @Test func aNewGreyListCountryMakesItsPartnersDue() throws {
        let (config, countries) = try catalog.scoring()
        // The list used at the last review did not have Kenya on it.
        let old = countries.text.replacingOccurrences(of: "KE, ", with: "")
        #expect(old != countries.text)
        let planner = ReviewPlanner(config: config, countries: countries, survey: try catalog.survey(id: "pip-partner-security"))
        let due = planner.due(partners: [partner(1, country: "KE"), partner(2, country: "CA")],
                              records: [record(1, reviewedDaysAgo: 30, listText: old), record(2, reviewedDaysAgo: 30, listText: old)], asOf: fixedNow)
        #expect(due.map { $0.partner.id } == [1])
        #expect(due[0].reasons == ["country list change: KE unlisted → increased_monitoring (list of \(countries.listDate))"])
    }

    @Test func flagsAndChangedRecordsTriggerEarlyAndPendingInvitationsAreSkipped() throws {
        let (config, countries) = try catalog.scoring()
        let planner = ReviewPlanner(config: config, countries: countries, survey: nil)
        var flagged = record(1, reviewedDaysAgo: 10, listText: countries.text)
        flagged.openFlags = ["seal breach"]
        var pending = record(2, reviewedDaysAgo: 500, listText: countries.text)
        pending.pendingInvitation = true
        let due = planner.due(partners: [partner(1), partner(2), partner(3, updated: fixedNow)],
                              records: [flagged, pending, record(3, reviewedDaysAgo: 10, listText: countries.text)], asOf: fixedNow)
        #expect(due.map { $0.partner.id } == [1, 3])
        #expect(due[0].reasons == ["officer flag: seal breach"])
        #expect(due[1].reasons.first?.hasPrefix("partner record changed") == true)
    }

    @Test func rescoringKeepsHistoryAndNonRespondersRankAsKnockoutsOnceReminded() throws {
        let setup = try ResponseIngestTests().setup(partners: "A,a@x.example.com,CA,highway-carrier,,en\nB,b@x.example.com,US,warehouse,,en\n")
        let store = setup.fixture.store
        // Only A answers.
        let summary = try setup.ingest.importPaths([setup.files[0].path])
        #expect(summary.accepted == 1)
        let (config, countries) = try catalog.scoring()
        let service = { (date: Date) in
            ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries, time: FixedTime(date))
        }
        #expect(try service(fixedNow).score(responseIDs: summary.acceptedResponseIDs) == 1)
        #expect(try service(fixedNow).rescoreAll() == 1)
        let answered = try #require(try store.responses(campaignID: nil, partnerID: nil).first?.partnerID)
        #expect(try store.scoreHistory(partnerID: answered).count == 2)
        #expect(try store.latestScores().count == 1)
        // The ranking table follows the newest score row.
        #expect(try store.latestScores().first?.id == store.scoreHistory(partnerID: answered).last?.id)
        // The campaign deadline is 2026-12-31. B never answers: before the deadline it is not ranked;
        // 31 days after it, with no reminder sent, it is overdue, not yet a knock-out.
        let partners = try store.partners(matching: PartnerFilter())
        func ranking(_ day: String) throws -> Ranking {
            Ranking.build(scores: try store.latestScores(), nonResponders: try service(DayFormat.parseDay(day)!).nonResponders(),
                          partners: partners, config: config, asOf: DayFormat.parseDay(day)!)
        }
        #expect(try ranking("2026-12-30").rows.count == 1)
        let unreminded = try #require(try ranking("2027-02-01").rows.first { $0.partner.email == "b@x.example.com" })
        #expect(!unreminded.knockout && !unreminded.nonResponse && unreminded.tierLabel == "Overdue")
        #expect(unreminded.overdue?.hasPrefix("overdue — reminder 1 of 2 due (deadline 2026-12-31") == true)
        // Two reminders delivered: 29 days after the deadline still overdue, 31 days after a non-response knock-out.
        let outbox = setup.fixture.directory.url.appendingPathComponent("outbox")
        for _ in 0..<2 {
            #expect(try store.queueReminders(campaignID: setup.fixture.campaign.id, maxReminders: 2, minDays: 0, at: fixedNow) == 1)
            _ = try setup.fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: setup.fixture.campaign.id)
        }
        #expect(try ranking("2027-01-29").rows.first { $0.partner.email == "b@x.example.com" }?.overdue?.hasPrefix("overdue — reminders sent") == true)
        let late = try ranking("2027-02-01")
        #expect(late.rows.count == 2)
        #expect(late.rows.first { $0.partner.email == "b@x.example.com" }?.headline.contains("2 reminders sent: unknown risk is high risk") == true)
        let silent = try #require(late.rows.first { $0.nonResponse })
        #expect(silent.knockout && silent.tier >= .high && silent.partner.email == "b@x.example.com")
        #expect(late.rows.first?.nonResponse == true || late.rows.first!.tier >= silent.tier)
        let json = late.listing.render(.json)
        #expect(JSONValue.parse(json)?.arrayValue?.count == 2)
        // A deactivated partner leaves the ranking (the ranking table follows partner.active).
        try store.deactivatePartner(id: answered, at: fixedNow)
        #expect(try store.latestScores().isEmpty)
    }
}

extension ReviewTests {
    @Test func aPartnerNoMessageReachedIsANonResponderWithoutReminders() throws {
        let setup = try ResponseIngestTests().setup(partners: "A,a@x.example.com,CA,highway-carrier,,en\n")
        let store = setup.fixture.store
        let (config, countries) = try catalog.scoring()
        let after = DayFormat.parseDay("2027-02-01")!
        let service = ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries, time: FixedTime(after))
        #expect(try service.nonResponders().map(\.knockout) == [false])
        // The invitation bounced for good (a 550): no reminder can reach the partner either.
        try store.pool.write { try $0.execute(sql: "UPDATE mail_message SET state = 'failed' WHERE kind = 'invitation'") }
        let missing = try service.nonResponders()
        #expect(missing.map(\.knockout) == [true] && missing.first?.undeliverable == true)
        let row = try #require(Ranking.build(scores: [], nonResponders: missing, partners: try store.partners(matching: PartnerFilter()), config: config, asOf: after).rows.first)
        #expect(row.knockout && row.nonResponse && row.headline.contains("no message reached the partner"))
    }
}

extension ReviewTests {
    @Test func aReviewOverdueByMoreThan90DaysCountsAsANonResponse() throws {
        let (config, _) = try catalog.scoring()
        let partner = partner(1)
        let reviewed = "2025-01-10T12:00:00Z"   // Low: due 12 months later, 2026-01-10
        let score = StoredScore(id: 1, partnerID: 1, overallRisk: 12, baseRisk: 12, countryMultiplier: 1, tier: .low, knockout: false,
                                nonResponse: false, categories: [], factors: [], computedAt: reviewed, reviewedAt: reviewed)
        func row(_ day: String) throws -> Ranking.Row {
            try #require(Ranking.build(scores: [score], nonResponders: [], partners: [partner], config: config, asOf: DayFormat.parseDay(day)!).rows.first)
        }
        let late = try row("2026-03-01")       // 50 days overdue: the penalty only
        #expect(late.overallRisk == 22 && !late.knockout && !late.nonResponse)
        let lapsed = try row("2026-05-01")     // 110 days after the due day (noon) overdue
        #expect(lapsed.knockout && lapsed.nonResponse && lapsed.tier == config.knockoutMinTier)
        #expect(lapsed.headline == "Review overdue by 110 days (more than 90): counts as a non-response")
    }
}

@Suite struct ReportTests {
    @Test func reportsRenderTheScoredPartnerAndEscapeText() throws {
        let setup = try ResponseIngestTests().setup(partners: "A <script>,a@x.example.com,CA,highway-carrier,,en\n")
        let summary = try setup.ingest.importPaths([setup.files[0].path])
        let store = setup.fixture.store
        let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))
        let (config, countries) = try catalog.scoring()
        try ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries,
                           time: FixedTime(fixedNow)).score(responseIDs: summary.acceptedResponseIDs)
        let templates = try TemplateLibrary(directory: ProjectRoot.url.appendingPathComponent("Templates"), required: ["reports/partner.html", "reports/program.html"])
        let reports = EvidenceReports(store: store, scoring: ScoringSource(catalog: catalog), templates: templates, officer: AppConfig.Officer(name: "Jeanne", company: "Acme"), time: FixedTime(fixedNow))
        let partner = try #require(try store.partners(matching: PartnerFilter()).first)
        let html = try reports.partnerReport(partner)
        let score = try #require(try store.latestScores().first)
        #expect(html.contains("A &lt;script&gt;") && !html.contains("A <script>"))
        #expect(html.contains(score.tier.label))
        #expect(html.contains(String(format: "%.1f", score.overallRisk)))
        let ranking = Ranking.build(scores: try store.latestScores(), nonResponders: [], partners: [partner], config: config, asOf: fixedNow)
        let program = try reports.programReport(ranking: ranking, due: [])
        #expect(program.contains("Acme") && program.contains("A &lt;script&gt;"))
    }
}

@Suite struct ReviewStartTests {
    @Test func theReReviewCampaignUsesTheAnnualUpdateOnlyWhereAFullReviewIsOnFile() throws {
        let setup = try ResponseIngestTests().setup(partners: "A,a@x.example.com,CA,highway-carrier,,en\nB,b@x.example.com,US,warehouse,,en\n")
        let store = setup.fixture.store
        let answered = try setup.ingest.importPaths([setup.files[0].path])
        let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))
        let (config, countries) = try catalog.scoring()
        try ScoringService(scores: store, responses: store, surveys: store, campaigns: store, config: config, countries: countries,
                           time: FixedTime(fixedNow)).score(responseIDs: answered.acceptedResponseIDs)
        try store.closeCampaign(id: setup.fixture.campaign.id, linksLastUntil: fixedNow.addingTimeInterval(30 * 86_400), at: fixedNow)
        let later = FixedTime(fixedNow.addingTimeInterval(400 * 86_400))
        let started = try #require(try ReviewService(store: store, catalog: catalog, time: later)
            .start(deadline: DayFormat.day(later.now().addingTimeInterval(30 * 86_400)), sender: MailAddress(address: "c@acme.example.com")))
        #expect(started.1 == 2)
        let answeredPartner = try #require(try store.responses(campaignID: nil, partnerID: nil).first?.partnerID)
        var kinds: [Int64: Survey.Kind] = [:]
        for (invitation, _) in try store.invitationSectors(campaignID: started.0.id) {
            let context = try store.invitationContext(invitationID: invitation)
            kinds[context.partner.id] = try store.survey(rowID: context.surveyVersionID).kind
        }
        #expect(kinds[answeredPartner] == .annual)
        #expect(kinds.filter { $0.key != answeredPartner }.values.allSatisfy { $0 == .full } && kinds.count == 2)
        // Everyone is now being reviewed: nobody is due until they answer.
        #expect(try ReviewService(store: store, catalog: catalog, time: later).due().isEmpty)
    }
}
