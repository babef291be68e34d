import Foundation

/// How an answer reached us.
public enum ResponseChannel: String, Sendable, CaseIterable {
    case web, file, imap, demo
}

/// One stored revision of a partner's answers (never changed once stored).
public struct ResponseSummary: Sendable, Equatable {
    public var id: Int64
    public var invitationID: Int64
    public var campaignID: Int64
    public var partnerID: Int64
    public var partnerName: String
    public var revision: Int
    public var channel: String
    public var source: String?
    public var complete: Bool
    public var missing: [String]
    public var receivedAt: String

    public init(id: Int64, invitationID: Int64, campaignID: Int64, partnerID: Int64, partnerName: String, revision: Int, channel: String, source: String? = nil, complete: Bool, missing: [String], receivedAt: String) {
        self.id = id
        self.invitationID = invitationID
        self.campaignID = campaignID
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.revision = revision
        self.channel = channel
        self.source = source
        self.complete = complete
        self.missing = missing
        self.receivedAt = receivedAt
    }
}

/// An input that could not be accepted, kept in quarantine with its reason.
public struct RejectedInput: Sendable, Equatable {
    public var id: Int64
    public var channel: String
    public var source: String
    public var reason: String
    public var quarantinePath: String?
    public var receivedAt: String

    public init(id: Int64, channel: String, source: String, reason: String, quarantinePath: String? = nil, receivedAt: String) {
        self.id = id
        self.channel = channel
        self.source = source
        self.reason = reason
        self.quarantinePath = quarantinePath
        self.receivedAt = receivedAt
    }
}

/// A revision about to be stored.
public struct NewResponse: Sendable {
    public var invitationID: Int64
    public var channel: ResponseChannel
    public var source: String?
    public var complete: Bool
    public var missing: [String]
    public var checksum: String
    public var answers: AnswerSet
    public var receivedAt: Date
    /// `answers` as canonical JSON when already written (the text the checksum was taken of).
    public var canonicalAnswers: String?

    public init(invitationID: Int64, channel: ResponseChannel, source: String?, complete: Bool, missing: [String], checksum: String,
                answers: AnswerSet, receivedAt: Date, canonicalAnswers: String? = nil) {
        self.canonicalAnswers = canonicalAnswers
        self.invitationID = invitationID
        self.channel = channel
        self.source = source
        self.complete = complete
        self.missing = missing
        self.checksum = checksum
        self.answers = answers
        self.receivedAt = receivedAt
    }
}

/// Storage of responses and rejected inputs.
public protocol ResponseRepository: Sendable {
    /// The invitation a token belongs to (by its hash), nil when unknown.
    func invitation(tokenHash: String) throws -> InvitationContext?
    /// The invitations of many tokens (by hash) at once; unknown ones are left out.
    func invitations(tokenHashes: [String]) throws -> [String: InvitationContext]
    func latestRevision(invitationID: Int64) throws -> (revision: Int, checksum: String)?
    /// The latest revision of each of these invitations that has one.
    func latestRevisions(invitationIDs: [Int64]) throws -> [Int64: (revision: Int, checksum: String)]
    /// Stores a new immutable revision with its answers; returns its id and revision number.
    func storeResponse(invitationID: Int64, channel: ResponseChannel, source: String?, complete: Bool, missing: [String],
                       checksum: String, answers: AnswerSet, at time: Date) throws -> (id: Int64, revision: Int)
    /// Stores several revisions in one transaction, in order.
    func storeResponses(_ batch: [NewResponse]) throws -> [(id: Int64, revision: Int)]
    func recordRejected(channel: ResponseChannel, source: String, reason: String, quarantinePath: String?, at time: Date) throws
    func responses(campaignID: Int64?, partnerID: Int64?) throws -> [ResponseSummary]
    func rejectedInputs() throws -> [RejectedInput]
    func answers(responseID: Int64) throws -> AnswerSet
}
