import Foundation
import PartnerRiskCore

/// Fills a database for `make bench-score`: N partners, one campaign, and a complete, realistic
/// response for every partner (generated like the demo's), stored through the normal repository.
public struct BenchSeeder {
    public let store: any Repositories
    public let catalog: SurveyCatalog

    public init(store: any Repositories, catalog: SurveyCatalog) {
        self.store = store
        self.catalog = catalog
    }

    public func seed(partners count: Int, seed: UInt64) throws {
        let sectors = Sector.allCases
        let countries = ["CA", "US", "MX", "DE", "CN", "VN", "IN", "KE", "BG", "MM"]
        let drafts = (0..<count).map { index in
            PartnerDraft(line: index + 2, name: "Bench Partner \(index)", email: "p\(index)@bench.example.com",
                         country: countries[index % countries.count], sector: sectors[index % sectors.count])
        }
        _ = try store.upsertPartners(drafts, at: Date())
        let survey = try catalog.survey(id: "pip-partner-security")
        let campaign = try CampaignService(partners: store, surveys: store, campaigns: store)
            .create(survey: survey, audience: .all, deadline: "2099-12-31", sender: MailAddress(address: "bench@bench.example.com"))
        let responder = DemoResponder(catalog: catalog, seed: seed, today: Date())
        let invitations = try store.invitationSectors(campaignID: campaign.id)
        var batch: [NewResponse] = []
        for (index, (invitationID, sector)) in invitations.enumerated() {
            var random = DemoRandom(seed: seed &+ UInt64(index))
            let profiles: [DemoResponder.Profile] = [.strong, .average, .weakSeals, .moneyFlags]
            let answers = survey.effectiveAnswers(for: sector, answers: responder.generate(survey, sector: sector, profile: profiles[index % 4], random: &random))
            batch.append(NewResponse(invitationID: invitationID, channel: .demo, source: "bench", complete: true, missing: [],
                                     checksum: CanonicalJSON.sha256(answers.json), answers: answers, receivedAt: Date()))
            if batch.count == 1_000 { _ = try store.storeResponses(batch); batch.removeAll() }
        }
        _ = try store.storeResponses(batch)
    }
}
