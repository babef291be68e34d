import Foundation

/// A supporting document a partner uploaded for one question, stored by its SHA-256.
public struct EvidenceFile: Sendable, Equatable {
    public var invitationID: Int64
    public var questionID: String
    public var sha256: String
    public var originalName: String
    public var contentType: String
    public var size: Int
    public var uploadedAt: String

    public init(invitationID: Int64, questionID: String, sha256: String, originalName: String, contentType: String, size: Int, uploadedAt: String) {
        self.invitationID = invitationID
        self.questionID = questionID
        self.sha256 = sha256
        self.originalName = originalName
        self.contentType = contentType
        self.size = size
        self.uploadedAt = uploadedAt
    }
}

/// What the web form keeps between visits: the partner's draft and their uploaded evidence.
public protocol WebFormRepository: Sendable {
    /// The saved draft answers (nil when none).
    func draft(invitationID: Int64) throws -> [String: JSONValue]?
    /// Replaces the draft.
    func saveDraft(invitationID: Int64, answers: [String: JSONValue], at time: Date) throws
    func deleteDraft(invitationID: Int64) throws
    /// Records an upload; the same content for the same question is recorded once.
    func addEvidence(_ file: EvidenceFile, at time: Date) throws
    func evidence(invitationID: Int64) throws -> [EvidenceFile]
    /// Every evidence file a partner uploaded, over all their invitations, oldest first.
    func evidence(partnerID: Int64) throws -> [EvidenceFile]
}
