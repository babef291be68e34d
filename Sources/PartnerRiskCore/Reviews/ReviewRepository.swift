import Foundation

/// What the re-review planner needs to know about one partner's last review.
public struct ReviewRecord: Sendable {
    public var partnerID: Int64
    public var reviewedAt: Date?
    public var tier: RiskTier?
    public var redFlags: [String]
    /// The country list the last score used (to spot list changes).
    public var countryListText: String?
    public var answers: AnswerSet
    public var surveyVersionID: Int64?
    public var hasFullReview: Bool
    /// Invited in an open campaign after the last review, not answered yet.
    public var pendingInvitation: Bool
    public var openFlags: [String]

    public init(partnerID: Int64, reviewedAt: Date? = nil, tier: RiskTier? = nil, redFlags: [String], countryListText: String? = nil, answers: AnswerSet, surveyVersionID: Int64? = nil, hasFullReview: Bool, pendingInvitation: Bool, openFlags: [String]) {
        self.partnerID = partnerID
        self.reviewedAt = reviewedAt
        self.tier = tier
        self.redFlags = redFlags
        self.countryListText = countryListText
        self.answers = answers
        self.surveyVersionID = surveyVersionID
        self.hasFullReview = hasFullReview
        self.pendingInvitation = pendingInvitation
        self.openFlags = openFlags
    }
}

extension ReviewRecord {
    /// The review facts of every partner that has any: the records of the scored partners, each
    /// marked with whether it ever completed a full review, has an invitation pending and the
    /// officer's open flags; partners with only the latter get a record of their own.
    public static func merged(scored: [Int64: ReviewRecord], fullReview: Set<Int64>, pending: Set<Int64>, openFlags: [Int64: [String]]) -> [ReviewRecord] {
        Set(scored.keys).union(fullReview).union(pending).union(openFlags.keys).map { id in
            var record = scored[id] ?? ReviewRecord(partnerID: id, redFlags: [], answers: AnswerSet(), hasFullReview: false, pendingInvitation: false, openFlags: [])
            record.hasFullReview = fullReview.contains(id)
            record.pendingInvitation = pending.contains(id)
            record.openFlags = openFlags[id] ?? []
            return record
        }
    }
}

/// An officer's decision on a partner's review.
public enum ReviewDecision: String, CaseIterable, Sendable {
    case accept
    case actionPlan = "action-plan"
    case suspend
}

/// Storage for flags, sign-offs and the per-partner review facts.
public protocol ReviewRepository: Sendable {
    func flagPartner(id: Int64, reason: String, actor: String, at time: Date) throws
    func signOff(partnerID: Int64, decision: ReviewDecision, note: String, actor: String, at time: Date) throws
    func reviewRecords() throws -> [ReviewRecord]
    func signOffs(partnerID: Int64) throws -> [(at: String, actor: String, decision: String, note: String)]
}
