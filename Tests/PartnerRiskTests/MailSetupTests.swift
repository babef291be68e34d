import Foundation
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore

/// Mail server URLs never carry credentials.
@Suite struct MailSetupTests {
    func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as PartnerRiskError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func aUserOrPasswordInTheSMTPOrIMAPURLIsRefusedWithoutEchoingIt() throws {
        let directory = TemporaryDirectory()
        let app = try AppEnvironment.open(database: directory.path("db.sqlite"), time: FixedTime(fixedNow))
        for url in ["smtp://ops:s3cret@127.0.0.1:2525", "smtps://ops%40acme:s3cret@mail.acme.example.com", "smtp://ops@127.0.0.1:2525"] {
            let message = try #require(refusal { _ = try app.mail.transportFactory(MailSetup.Overrides(smtp: url)) }, "\(url) accepted")
            #expect(!message.contains("s3cret") && !message.contains(url))
            #expect(message.contains("PARTNER_RISK_SMTP_USER") && message.contains("PARTNER_RISK_SMTP_PASSWORD"))
        }
        let imap = try #require(refusal { _ = try app.mailboxFetcher(url: "imaps://ops:s3cret@127.0.0.1/INBOX", tls: .required, moveTo: nil) })
        #expect(!imap.contains("s3cret") && imap.contains("PARTNER_RISK_IMAP_PASSWORD"))
        // Without credentials the URL is taken.
        #expect(refusal { _ = try app.mail.transportFactory(MailSetup.Overrides(smtp: "smtp://127.0.0.1:2525")) } == nil)
    }

    @Test func theEvidenceQuotaAndTheLinkGracePeriodComeFromTheConfig() throws {
        let directory = TemporaryDirectory()
        let config = directory.write("partner-risk.yaml", "evidence:\n  max_files_per_invitation: 7\n  max_mb_per_invitation: 3\nlink_grace_days: 12\n")
        let app = try AppEnvironment.open(database: directory.path("db.sqlite"), config: config, time: FixedTime(fixedNow))
        #expect(app.evidence.quota == EvidenceVault.Quota(files: 7, bytes: 3 * 1_048_576))
        #expect(app.campaigns.linkGraceDays == 12)
        let elsewhere = TemporaryDirectory()  // no partner-risk.yaml beside this database
        let defaults = try AppEnvironment.open(database: elsewhere.path("db.sqlite"), time: FixedTime(fixedNow))
        #expect(defaults.evidence.quota == EvidenceVault.Quota(files: 50, bytes: 100 * 1_048_576) && defaults.campaigns.linkGraceDays == 30)
    }
}
