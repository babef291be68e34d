import Foundation

/// A supporting document a partner sent (web upload, inside an answer file, or attached to a
/// reply), stored by its SHA-256, for one question or not yet assigned to one.
public struct EvidenceFile: Sendable, Equatable {
    public var invitationID: Int64
    /// The question it supports; nil for a document attached to a reply, until the officer assigns it.
    public var questionID: String?
    public var sha256: String
    public var originalName: String
    public var contentType: String
    public var size: Int
    public var uploadedAt: String
    /// How it arrived: `web`, `file` (inside an answer file) or `imap`/`file` for a reply's attachment.
    public var channel: String
    /// Where it came from (the answer file or message), when not the web form.
    public var source: String?

    public init(invitationID: Int64, questionID: String?, sha256: String, originalName: String, contentType: String, size: Int,
                uploadedAt: String, channel: String = "web", source: String? = nil) {
        self.channel = channel
        self.source = source
        self.invitationID = invitationID
        self.questionID = questionID
        self.sha256 = sha256
        self.originalName = originalName
        self.contentType = contentType
        self.size = size
        self.uploadedAt = uploadedAt
    }
}

/// The evidence documents partners sent, whatever way they came.
public protocol EvidenceRepository: Sendable {
    /// Records a document; the same content for the same question (or unassigned) of an invitation
    /// is recorded once. Returns whether it was new.
    @discardableResult
    func addEvidence(_ file: EvidenceFile, at time: Date) throws -> Bool
    func evidence(invitationID: Int64) throws -> [EvidenceFile]
    /// Every evidence file a partner sent, over all their invitations, oldest first.
    func evidence(partnerID: Int64) throws -> [EvidenceFile]
}

/// What the web form keeps between visits: the partner's draft and their uploaded evidence.
public protocol WebFormRepository: EvidenceRepository {
    /// The saved draft answers (nil when none).
    func draft(invitationID: Int64) throws -> [String: JSONValue]?
    /// Replaces the draft.
    func saveDraft(invitationID: Int64, answers: [String: JSONValue], at time: Date) throws
    func deleteDraft(invitationID: Int64) throws
    /// A visit of a personal link in one read: the invitation the token names (as
    /// `ResponseRepository.invitation(tokenHash:at:)`) with its draft, current revision and
    /// uploaded evidence; nil for no live token.
    func formVisit(tokenHash: String, at time: Date) throws -> (invitation: InvitationContext, state: WebFormState)?
}

/// What the partner's form page shows besides the survey, read together: the draft as stored
/// (decoded only when the page is made), the current revision on file, and the uploaded evidence.
/// Equal states make equal pages, so a page made once can be served again while its state holds.
public struct WebFormState: Sendable, Equatable {
    public var draftJSON: String?
    public var current: ResponseSummary?
    public var evidence: [EvidenceFile]

    public init(draftJSON: String?, current: ResponseSummary?, evidence: [EvidenceFile]) {
        self.draftJSON = draftJSON
        self.current = current
        self.evidence = evidence
    }

    /// The saved draft's answers (nil when there is none).
    public var draft: [String: JSONValue]? { draftJSON.flatMap { JSONValue.parse($0)?.objectValue } }
}
