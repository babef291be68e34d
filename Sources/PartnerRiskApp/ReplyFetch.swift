import Foundation
import PartnerRiskCore

/// What one read of the reply mailbox did, for `responses fetch` and `serve`'s mailbox poller.
public struct ReplyFetch: Sendable {
    public var summary: ResponseIngest.Summary
    public var messages: Int
    public var skipped: Int
    public var receipt: SubmissionService.Receipt
    /// New or reopened sanctions-list hits the new answers brought (owners and banks are screened too).
    public var hits: [ScreeningHit]
}

extension AppEnvironment {
    /// Reads the new replies, stores their answers and documents, scores them, queues the
    /// thank-yous and screens the partners again.
    public func fetchReplies(_ fetcher: MailboxFetcher) throws -> ReplyFetch {
        let result = try fetcher.fetch()
        let receipt = try submissions.accepted(result.summary.acceptedResponseIDs, evidenceFor: result.summary.evidenceInvitations,
                                               acknowledgedIn: result.summary.acknowledgedCampaigns)
        var hits: [ScreeningHit] = []
        if !result.summary.acceptedPartners.isEmpty {
            let outcome = try screening.run(partnerIDs: result.summary.acceptedPartners)
            hits = outcome.new + outcome.reopened
        }
        return ReplyFetch(summary: result.summary, messages: result.messages, skipped: result.skipped, receipt: receipt, hits: hits)
    }

    /// The mailbox of the config's `imap:` settings (the mailbox poller's).
    public func configuredMailbox() throws -> MailboxFetcher {
        guard let url = config.imap?.url, !url.isEmpty else {
            throw PartnerRiskError.badInput("service.mailbox is enabled but imap.url is not set in the config; set it (e.g. imaps://mail.example.com/INBOX) or switch the poller off")
        }
        let tls = try config.imap?.tls.map { text in
            guard let mode = MailTLS(rawValue: text) else { throw PartnerRiskError.badInput("imap.tls \"\(text)\" must be required, optional or none") }
            return mode
        } ?? .required
        return try mailboxFetcher(url: url, tls: tls, moveTo: nil)
    }
}
