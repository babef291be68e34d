import Foundation
import GRDB
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskMail
@testable import PartnerRiskStore

/// One personal link per invitation, and links that can die.
@Suite struct LinkTests {
    static let partners = "Nordic Freight,ops@nordic.example.com,CA,highway-carrier,Ann Lee,en\nMaple Brokers,desk@maple.example.com,CA,customs-broker,Luc Roy,fr"

    /// The personal links in the mails of a drop folder, by recipient, in the order written.
    func links(_ folder: URL) throws -> [(to: String, kind: String, link: String?)] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
            .sorted { $0.lastPathComponent < $1.lastPathComponent }.map { url in
                let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
                let message = MIMEReader.message(try Data(contentsOf: url))
                let link = text.firstRange(of: #/https://survey\.acme\.example/s/[A-Za-z0-9_-]{43}/#).map { String(text[$0]) }
                return (message.header("To") ?? "", message.header("X-PartnerRisk-Kind") ?? "", link)
            }
    }

    @Test func everyMailOfAnInvitationCarriesItsOneLinkAndTheThankYouNone() throws {
        let fixture = try CampaignFixture(partnersCSV: Self.partners)
        let drop = fixture.directory.url.appendingPathComponent("drop")
        _ = try fixture.sender(DropTransportFactory(directory: drop)).send(campaignID: fixture.campaign.id)
        #expect(try fixture.store.queueReminders(campaignID: fixture.campaign.id, maxReminders: 2, minDays: 0, at: fixedNow.addingTimeInterval(86_400)) == 2)
        _ = try fixture.sender(DropTransportFactory(directory: drop), time: FixedTime(fixedNow.addingTimeInterval(86_400))).send(campaignID: fixture.campaign.id)
        let mails = try links(drop)
        #expect(mails.count == 4)
        for recipient in ["ops@nordic.example.com", "desk@maple.example.com"] {
            let theirs = Set(mails.filter { $0.to.contains(recipient) }.compactMap(\.link))
            #expect(theirs.count == 1, "\(recipient): \(theirs)")
        }
        // One stored token per invitation, whatever the number of mails.
        let rows = try fixture.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM invitation_token") }
        #expect(rows == 2)
        // A thank-you: no link, no new token.
        try fixture.store.pool.write { db in
            try db.execute(sql: "INSERT INTO mail_message (invitation_id, kind, recipient, state, created_at, updated_at) VALUES (1, 'thank-you', 'ops@nordic.example.com', 'queued', 't', 't')")
        }
        let receipts = fixture.directory.url.appendingPathComponent("receipts")
        _ = try fixture.sender(DropTransportFactory(directory: receipts)).send(campaignID: fixture.campaign.id)
        let receipt = try #require(try links(receipts).first)
        #expect(receipt.kind == "thank-you" && receipt.link == nil)
        #expect(try fixture.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM invitation_token") } == 2)
    }

    @Test func linksDieWithDeactivationAnEmailChangeAReissueAndAClosedCampaignsGracePeriod() throws {
        let fixture = try CampaignFixture(partnersCSV: Self.partners)
        let drop = fixture.directory.url.appendingPathComponent("drop")
        _ = try fixture.sender(DropTransportFactory(directory: drop)).send(campaignID: fixture.campaign.id)
        let byRecipient = Dictionary(uniqueKeysWithValues: try links(drop).map { ($0.to, $0.link!.split(separator: "/").last.map(String.init)!) })
        let nordic = try #require(byRecipient.first { $0.key.contains("nordic") }?.value)
        let maple = try #require(byRecipient.first { $0.key.contains("maple") }?.value)
        let store = fixture.store
        func live(_ token: String, at time: Date = fixedNow) throws -> Bool { try store.invitation(tokenHash: InvitationToken.hash(token), at: time) != nil }
        #expect(try live(nordic))
        #expect(try live(maple))

        // Reissue: a new link, the old one dead, a new invitation queued.
        let invitation = try #require(try store.invitation(tokenHash: InvitationToken.hash(nordic), at: fixedNow)).invitationID
        #expect(try store.reissueToken(invitationID: invitation, queueInvitation: true, at: fixedNow) == 2)
        #expect(try !live(nordic))
        let again = fixture.directory.url.appendingPathComponent("again")
        _ = try fixture.sender(DropTransportFactory(directory: again)).send(campaignID: fixture.campaign.id)
        let fresh = try #require(try links(again).first?.link?.split(separator: "/").last.map(String.init))
        #expect(fresh != nordic)
        #expect(try live(fresh))

        // Deactivation kills the partner's links at once.
        try store.deactivatePartner(id: try store.invitationContext(invitationID: invitation).partner.id, at: fixedNow)
        #expect(try !live(fresh))

        // An email change kills the links mailed to the old address.
        _ = try PartnerRegistry(repository: store, time: FixedTime(fixedNow)).importData(
            Data("name,email,country,sector,contact,language,external_id\nMaple Brokers,desk@maple.example.com,CA,customs-broker,Luc Roy,fr,\n".utf8),
            fileName: "same.csv", strict: true)
        #expect(try live(maple))  // unchanged: still live
        let mapleID = try #require(try store.invitation(tokenHash: InvitationToken.hash(maple), at: fixedNow)).partner.id
        try store.pool.write { db in try db.execute(sql: "UPDATE partner SET external_id = 'MB-1' WHERE id = ?", arguments: [mapleID]) }
        _ = try PartnerRegistry(repository: store, time: FixedTime(fixedNow)).importData(
            Data("name,email,country,sector,contact,language,external_id\nMaple Brokers,security@maple.example.com,CA,customs-broker,Luc Roy,fr,MB-1\n".utf8),
            fileName: "moved.csv", strict: true)
        #expect(try !live(maple))
    }

    @Test func aClosedCampaignsLinksShowTheClosedPageDuringTheGracePeriodThenDie() throws {
        let fixture = try CampaignFixture(partnersCSV: Self.partners)
        let drop = fixture.directory.url.appendingPathComponent("drop")
        _ = try fixture.sender(DropTransportFactory(directory: drop)).send(campaignID: fixture.campaign.id)
        let token = try #require(try links(drop).first?.link?.split(separator: "/").last.map(String.init))
        var service = CampaignService(partners: fixture.store, surveys: fixture.store, campaigns: fixture.store, time: FixedTime(fixedNow))
        service.linkGraceDays = 10
        try service.close(fixture.campaign.id)
        let hash = InvitationToken.hash(token)
        #expect(try fixture.store.invitation(tokenHash: hash, at: fixedNow.addingTimeInterval(9 * 86_400))?.campaign.status == "closed")
        #expect(try fixture.store.invitation(tokenHash: hash, at: fixedNow.addingTimeInterval(11 * 86_400)) == nil)
    }
}

/// The key links are derived from.
@Suite struct TokenKeyTests {
    @Test func theKeyFileIsMadeOwnerOnlyAndALooseOneIsRefused() throws {
        let directory = TemporaryDirectory()
        let url = directory.url.appendingPathComponent("link.key")
        let key = try TokenKey.load(url)
        let mode = (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try TokenKey.load(url).token(invitationID: 4, generation: 1) == key.token(invitationID: 4, generation: 1))
        #expect(key.token(invitationID: 4, generation: 1) != key.token(invitationID: 4, generation: 2))
        #expect(key.token(invitationID: 4, generation: 1).value.count == 43)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        #expect(throws: PartnerRiskError.self) { try TokenKey.load(url) }
    }
}
