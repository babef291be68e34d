import Foundation

/// A corrective action the officer asked of a partner for a finding (a question answered badly,
/// a red flag, an expired certificate): who owns it, when it is due, and how it was closed.
public struct CorrectiveAction: Sendable, Equatable {
    public var id: Int64
    public var partnerID: Int64
    public var partnerName: String
    /// The finding's code: a question id, a red flag's code, or the officer's own.
    public var finding: String
    /// YYYY-MM-DD.
    public var due: String
    public var owner: String
    public var note: String
    public var createdBy: String
    public var createdAt: String
    public var closedBy: String?
    public var closedAt: String?
    public var closeNote: String?
    /// The file that shows the action done, kept in the evidence vault (name and SHA-256).
    public var closeEvidence: String?
    public var closeEvidenceSHA256: String?

    public init(id: Int64, partnerID: Int64, partnerName: String, finding: String, due: String, owner: String, note: String, createdBy: String,
                createdAt: String, closedBy: String? = nil, closedAt: String? = nil, closeNote: String? = nil, closeEvidence: String? = nil,
                closeEvidenceSHA256: String? = nil) {
        self.id = id
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.finding = finding
        self.due = due
        self.owner = owner
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.closedBy = closedBy
        self.closedAt = closedAt
        self.closeNote = closeNote
        self.closeEvidence = closeEvidence
        self.closeEvidenceSHA256 = closeEvidenceSHA256
    }

    public var isOpen: Bool { closedAt == nil }

    /// Open and due before `day` (YYYY-MM-DD).
    public func isOverdue(on day: String) -> Bool { isOpen && due < day }
}

/// Storage of corrective actions (closing one records who, when and how; nothing is deleted).
public protocol CorrectiveActionRepository: Sendable {
    func addAction(partnerID: Int64, finding: String, due: String, owner: String, note: String, actor: String, at time: Date) throws -> Int64
    /// Every action, of one partner or of all, oldest first; `openOnly` leaves out the closed ones.
    func actions(partnerID: Int64?, openOnly: Bool) throws -> [CorrectiveAction]
    func action(id: Int64) throws -> CorrectiveAction?
    func closeAction(id: Int64, note: String, evidence: (name: String, sha256: String)?, actor: String, at time: Date) throws
}
