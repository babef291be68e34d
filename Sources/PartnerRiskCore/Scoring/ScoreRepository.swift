import Foundation

/// A stored score, as the ranking and the partner sheet show it.
public struct StoredScore: Sendable, Equatable {
    public var id: Int64
    public var partnerID: Int64
    public var responseID: Int64?
    public var overallRisk: Double
    public var baseRisk: Double
    public var countryMultiplier: Double
    public var tier: RiskTier
    public var knockout: Bool
    public var nonResponse: Bool
    public var categories: [CategoryScore]
    public var factors: [ScoreFactor]
    public var computedAt: String
    public var reviewedAt: String?
    public var surveyVersion: String?
    public var configVersion: String?
    /// "seals 80, cargo 50": the two worst weighted categories (ranking only).
    public var worstSummary: String? = nil
    /// How many knock-outs and red flags the explanation holds (ranking only: `factors` is empty there).
    public var flagCount: Int? = nil
    /// The explanation's first reason, in English and in French (ranking only).
    public var topReason: String? = nil
    public var topReasonFR: String? = nil

    public init(id: Int64, partnerID: Int64, responseID: Int64? = nil, overallRisk: Double, baseRisk: Double, countryMultiplier: Double, tier: RiskTier, knockout: Bool, nonResponse: Bool, categories: [CategoryScore], factors: [ScoreFactor], computedAt: String, reviewedAt: String? = nil, surveyVersion: String? = nil, configVersion: String? = nil, worstSummary: String? = nil, flagCount: Int? = nil, topReason: String? = nil, topReasonFR: String? = nil) {
        self.id = id
        self.partnerID = partnerID
        self.responseID = responseID
        self.overallRisk = overallRisk
        self.baseRisk = baseRisk
        self.countryMultiplier = countryMultiplier
        self.tier = tier
        self.knockout = knockout
        self.nonResponse = nonResponse
        self.categories = categories
        self.factors = factors
        self.computedAt = computedAt
        self.reviewedAt = reviewedAt
        self.surveyVersion = surveyVersion
        self.configVersion = configVersion
        self.worstSummary = worstSummary
        self.flagCount = flagCount
        self.topReason = topReason
        self.topReasonFR = topReasonFR
    }
}

/// A partner invited but without a complete response after the deadline: a non-response
/// knock-out once the grace period has passed and the reminders were sent (or the partner could
/// not be reached), else overdue.
public struct NonResponder: Sendable, Equatable {
    public var partnerID: Int64
    public var invitationID: Int64
    public var campaignID: Int64
    public var deadline: String
    /// Reminders delivered to the partner's server for this invitation.
    public var remindersSent: Int
    /// No message of the invitation reached the partner and one failed for good.
    public var undeliverable: Bool
    /// Set by `ScoringService.nonResponders`: unknown risk is high risk from now on.
    public var knockout: Bool

    public init(partnerID: Int64, invitationID: Int64, campaignID: Int64, deadline: String, remindersSent: Int = 0,
                undeliverable: Bool = false, knockout: Bool = true) {
        self.partnerID = partnerID
        self.invitationID = invitationID
        self.campaignID = campaignID
        self.deadline = deadline
        self.remindersSent = remindersSent
        self.undeliverable = undeliverable
        self.knockout = knockout
    }
}

/// One month of the program's scoring: the reviews scored in it.
public struct MonthlyRisk: Sendable, Equatable {
    public var month: String
    public var partners: Int
    public var averageRisk: Double
    public var highOrCritical: Int

    public init(month: String, partners: Int, averageRisk: Double, highOrCritical: Int) {
        self.month = month
        self.partners = partners
        self.averageRisk = averageRisk
        self.highOrCritical = highOrCritical
    }
}

/// Storage of scores (history kept: rescoring adds rows).
public protocol ScoreRepository: Sendable {
    func registerScoringConfig(_ config: ScoringConfig, countries: CountryRiskList, at time: Date) throws -> Int64
    /// The newest score of every active partner.
    func latestScores() throws -> [StoredScore]
    /// The same with categories and the whole explanation (reports).
    func latestScoresDetailed() throws -> [StoredScore]
    func scoreHistory(partnerID: Int64) throws -> [StoredScore]
    /// The category risks of each partner's current score (the ranking's small bars), by partner id.
    func currentCategories(partnerIDs: [Int64]) throws -> [Int64: [CategoryScore]]
    /// Per month, the scores computed in it: how many partners, their average overall risk, and
    /// how many came out High or Critical (the program overview's trend).
    func monthlyRisk() throws -> [MonthlyRisk]
    /// Changes whenever anything the ranking rests on changes (scores, responses, partners, mail
    /// sent, hits, actions, any audited decision): the key of a cached ranking.
    func rankingInputsStamp() throws -> String
    /// Partners whose latest invitation's deadline is before `deadlineBefore` (a day) without a
    /// complete response, with the reminders sent to them.
    func nonResponders(deadlineBefore: String) throws -> [NonResponder]
    /// Everything needed to score every current response, read in a few queries.
    func currentScoringInputs() throws -> [ScoringWorkItem]
    /// The same, for the given responses only; without `readingAnswers`, the answers are left
    /// out (the caller has them: an import scoring what it has just validated and stored).
    func currentScoringInputs(responseIDs: [Int64]?, readingAnswers: Bool) throws -> [ScoringWorkItem]
    /// Current responses of active partners that have no score yet: accepted by a run that
    /// stopped (killed, disk full, `serve` stopped) before it scored them.
    func unscoredResponseIDs() throws -> [Int64]
    /// Stores the scores `next` hands out (nil when there are no more), about `perTransaction` to
    /// a transaction: few large transactions write each page of the ranking table once instead
    /// of once per small batch, while other writers (the web form) still get their turn. With
    /// `skipScored`, a response that has a score by the time it is written is left as it is (two
    /// runs scoring what neither had scored yet write it once).
    func storeScores(configVersionID: Int64, at time: Date, perTransaction: Int, skipScored: Bool,
                     from next: () throws -> [ScoreRecord]?) throws
}

extension ScoreRepository {
    public func storeScores(configVersionID: Int64, at time: Date, perTransaction: Int, from next: () throws -> [ScoreRecord]?) throws {
        try storeScores(configVersionID: configVersionID, at: time, perTransaction: perTransaction, skipScored: false, from: next)
    }
}

extension ScoreRepository {
    /// The scoring inputs of the given responses (all current ones for nil), answers included.
    public func currentScoringInputs(responseIDs: [Int64]?) throws -> [ScoringWorkItem] {
        try currentScoringInputs(responseIDs: responseIDs, readingAnswers: true)
    }
}

/// One response to score, with the partner and answers already loaded.
public struct ScoringWorkItem: Sendable {
    public var responseID: Int64
    public var invitationID: Int64
    public var partner: Partner
    public var surveyVersionID: Int64
    public var answers: AnswerSet
    /// The answers as stored JSON text, parsed by `resolvedAnswers` on a scoring thread.
    public var answersJSON: String?
    /// When the response was received (shown in the ranking as the last review).
    public var receivedAt: String?
    public var evidence: Set<String>
    /// The officer's decisions on this partner and response.
    public var review: OfficerReview
    /// The answers by position, when the caller has them (an import hands on what it validated).
    public var positioned: PositionedAnswers?

    public init(responseID: Int64, invitationID: Int64, partner: Partner, surveyVersionID: Int64, answers: AnswerSet,
                answersJSON: String? = nil, receivedAt: String? = nil, evidence: Set<String>, review: OfficerReview = .none) {
        self.responseID = responseID
        self.invitationID = invitationID
        self.partner = partner
        self.surveyVersionID = surveyVersionID
        self.answers = answers
        self.answersJSON = answersJSON
        self.receivedAt = receivedAt
        self.evidence = evidence
        self.review = review
    }

    /// `answers`, or the parsed `answersJSON` when the answers came as text.
    public var resolvedAnswers: AnswerSet {
        answersJSON.flatMap(AnswerSet.init(storedJSON:)) ?? answers
    }

    /// The answers by position in `survey`'s questions, read straight from `answersJSON` when given.
    public func positionedAnswers(in survey: Survey) -> PositionedAnswers {
        positioned ?? answersJSON.flatMap(survey.positionedAnswers(storedJSON:)) ?? survey.positionedAnswers(answers)
    }
}
