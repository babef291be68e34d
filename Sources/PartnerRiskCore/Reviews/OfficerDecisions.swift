import Foundation

/// Where the officer stands on one evidence file. Pending counts as provided (half credit rule
/// unchanged), rejected as missing, falsified is a knock-out.
public enum EvidenceStatus: String, Sendable, CaseIterable {
    case pending, accepted, rejected, falsified
}

/// One evidence file as the officer reviews it.
public struct EvidenceItem: Sendable, Equatable {
    public var id: Int64
    public var partnerID: Int64
    public var partnerName: String
    public var invitationID: Int64
    /// Nil for a document that came with a reply but not with a question (assign it).
    public var questionID: String?
    public var name: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var channel: String
    public var receivedAt: String
    public var status: EvidenceStatus
    public var reason: String
    public var reviewedBy: String?
    public var reviewedAt: String?

    public init(id: Int64, partnerID: Int64, partnerName: String, invitationID: Int64, questionID: String?, name: String, contentType: String,
                size: Int, sha256: String, channel: String, receivedAt: String, status: EvidenceStatus, reason: String,
                reviewedBy: String?, reviewedAt: String?) {
        self.id = id
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.invitationID = invitationID
        self.questionID = questionID
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.channel = channel
        self.receivedAt = receivedAt
        self.status = status
        self.reason = reason
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
    }
}

/// Storage of the officer's decisions that scores rest on: verified memberships, evidence
/// reviews, accepted red-flag explanations. Every decision is kept (append-only) with who and when.
public protocol OfficerDecisionRepository: Sendable {
    /// Records a verification (replacing the partner's earlier one for the same program).
    func verifyMembership(_ membership: VerifiedMembership) throws
    /// Withdraws the verification of a program's membership; false when none was verified.
    func unverifyMembership(partnerID: Int64, program: String, note: String, actor: String, at time: Date) throws -> Bool
    /// The memberships currently verified, of one partner or of all.
    func verifiedMemberships(partnerID: Int64?) throws -> [VerifiedMembership]
    /// Evidence files with their review status, of one partner or of all, oldest first.
    func evidenceItems(partnerID: Int64?, status: EvidenceStatus?) throws -> [EvidenceItem]
    func evidenceItem(id: Int64) throws -> EvidenceItem?
    /// Records the officer's review of a file (accepted, rejected, falsified) with the reason.
    func reviewEvidence(id: Int64, status: EvidenceStatus, reason: String, actor: String, at time: Date) throws
    /// Assigns a file that came without a question (a reply's attachment) to a question.
    func assignEvidence(id: Int64, questionID: String, actor: String, at time: Date) throws
    /// Accepts the partner's explanation of red flag `code` on response `responseID`; false when
    /// it was accepted before. A new revision of the answers needs its own acceptance.
    func acceptFlag(partnerID: Int64, responseID: Int64, code: String, note: String, actor: String, at time: Date) throws -> Bool
    /// The red flags whose explanation the officer accepted on this response.
    func acceptedFlagCodes(responseID: Int64) throws -> Set<String>
    /// The current complete response of each of the partner's invitations.
    func currentResponseIDs(partnerID: Int64) throws -> [Int64]
}
