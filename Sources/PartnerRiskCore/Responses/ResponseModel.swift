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
    /// When the partner saved these answers (the answer file's time; the receipt for the web form).
    public var savedAt: String
    /// Whether this is the invitation's current revision: the one saved last (ties: received last).
    public var current: Bool

    public init(id: Int64, invitationID: Int64, campaignID: Int64, partnerID: Int64, partnerName: String, revision: Int, channel: String,
                source: String? = nil, complete: Bool, missing: [String], receivedAt: String, savedAt: String? = nil, current: Bool = true) {
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
        self.savedAt = savedAt ?? receivedAt
        self.current = current
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
    /// The answers as stored: their canonical JSON (`CanonicalJSON`), the text the checksum is taken of.
    public var answersJSON: String
    public var receivedAt: Date
    /// When the partner saved the answers (never after `receivedAt`); the receipt when nil.
    public var savedAt: Date?
    /// Queue the partner's thank-you (receipt) with the response, in the same transaction, when it
    /// is stored as current.
    public var acknowledge = false

    public init(invitationID: Int64, channel: ResponseChannel, source: String?, complete: Bool, missing: [String], checksum: String,
                answers: AnswerSet, receivedAt: Date, savedAt: Date? = nil) {
        self.init(invitationID: invitationID, channel: channel, source: source, complete: complete, missing: missing, checksum: checksum,
                  answersJSON: CanonicalJSON.text(answers.json), receivedAt: receivedAt, savedAt: savedAt)
    }

    /// `answersJSON`: the canonical text of the answers, already written (an answer file's own).
    public init(invitationID: Int64, channel: ResponseChannel, source: String?, complete: Bool, missing: [String], checksum: String,
                answersJSON: String, receivedAt: Date, savedAt: Date? = nil) {
        self.savedAt = savedAt.map { min($0, receivedAt) }
        self.invitationID = invitationID
        self.channel = channel
        self.source = source
        self.complete = complete
        self.missing = missing
        self.checksum = checksum
        self.answersJSON = answersJSON
        self.receivedAt = receivedAt
    }
}

/// What storing one revision did, decided inside the write transaction (so two imports running at
/// once cannot both store the same answers).
public enum StoredRevision: Sendable, Equatable {
    /// Stored as `revision` (numbered in order of receipt). `supersededBy` names the revision saved
    /// later that stays current, when this one arrived late (stored as history, not current).
    case stored(id: Int64, revision: Int, supersededBy: Int?)
    /// Not stored: revision `revision` holds the same answers saved at the same time, or the current
    /// revision holds the same answers.
    case duplicate(revision: Int)
}

/// Storage of responses and rejected inputs.
public protocol ResponseRepository: Sendable {
    /// The invitation a token belongs to (by its hash), nil when unknown.
    func invitation(tokenHash: String, at time: Date) throws -> InvitationContext?
    /// The invitations of many tokens (by hash) at once; unknown ones are left out.
    func invitations(tokenHashes: [String], at time: Date) throws -> [String: InvitationContext]
    /// The current complete revision of each of these invitations that has one (what is scored).
    func currentResponseIDs(invitationIDs: [Int64]) throws -> [Int64]
    /// Stores several revisions in one transaction, in order, each unless it repeats a stored one
    /// (see `StoredRevision`); one result per item.
    func storeResponses(_ batch: [NewResponse]) throws -> [StoredRevision]
    func recordRejected(channel: ResponseChannel, source: String, reason: String, quarantinePath: String?, at time: Date) throws
    func responses(campaignID: Int64?, partnerID: Int64?) throws -> [ResponseSummary]
    func rejectedInputs() throws -> [RejectedInput]
    func answers(responseID: Int64) throws -> AnswerSet
}
