import Foundation

/// The officer's decisions that a score rests on, each checked, recorded with who made it, and
/// followed at once by a rescore of the partner's current answers.
public struct OfficerDecisionService: Sendable {
    public let repositories: any Repositories
    public let submissions: SubmissionService
    /// Who is deciding (`--officer`, `officer.name`, else the login name).
    public let actor: String
    public let time: any TimeSource

    public init(repositories: any Repositories, submissions: SubmissionService, actor: String, time: any TimeSource) {
        self.repositories = repositories
        self.submissions = submissions
        self.actor = actor
        self.time = time
    }

    /// What a decision came to: a line for the officer and the scores rewritten.
    public struct Outcome: Sendable, Equatable {
        public var message: String
        public var rescored: Int
    }

    /// Records a membership the officer checked with the program. An unknown program is refused;
    /// one that PIP does not recognise, or without an expiry, is recorded but waives nothing.
    public func verifyMembership(partner: Partner, program: String, number: String, expires: String?, note: String) throws -> Outcome {
        let config = try submissions.scoringService().config
        let id = program.lowercased()
        guard let known = config.program(id) else {
            throw PartnerRiskError.badInput("unknown program \"\(program)\": use one of \(config.programs.map(\.id).joined(separator: ", ")) (Surveys/scoring.yaml, trusted_trader_programs)")
        }
        var day: String?
        if let expires {
            guard let parsed = DayFormat.parseDay(expires) else { throw PartnerRiskError.badInput("--expires \"\(expires)\" is not a date: write YYYY-MM-DD") }
            day = DayFormat.day(parsed)
        }
        try repositories.verifyMembership(VerifiedMembership(partnerID: partner.id, program: id, number: number, expires: day, note: note,
                                                             verifiedBy: actor, verifiedAt: DayFormat.timestamp(time.now())))
        var message = "verified \(known.name) membership \(number) of partner \(partner.id)" + (day.map { ", expires \($0)" } ?? "")
        if !known.recognised { message += "; \(known.name) is not recognised by PIP, so it waives no evidence" } else if day == nil {
            message += "; without an expiry date it waives no evidence (give --expires)"
        } else if let day, day < DayFormat.day(time.now()) {
            message += "; it has expired, so it waives no evidence"
        }
        return Outcome(message: message, rescored: try rescore(partner.id))
    }

    public func unverifyMembership(partner: Partner, program: String, note: String) throws -> Outcome {
        guard try repositories.unverifyMembership(partnerID: partner.id, program: program.lowercased(), note: note, actor: actor, at: time.now()) else {
            throw PartnerRiskError.badInput("partner \(partner.id) has no verified \(program) membership")
        }
        return Outcome(message: "withdrew the verification of partner \(partner.id)'s \(program) membership", rescored: try rescore(partner.id))
    }

    /// Accepts, rejects or finds falsified an evidence file; rejecting or finding falsified needs a reason.
    public func reviewEvidence(id: Int64, status: EvidenceStatus, reason: String) throws -> Outcome {
        let item = try evidence(id)
        if status != .accepted && reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw PartnerRiskError.badInput("give the reason with --reason: the partner and CBSA may ask why the file was \(status.rawValue)")
        }
        if status == .falsified && item.questionID == nil {
            throw PartnerRiskError.badInput("evidence \(id) is for no question yet: assign it first (evidence assign \(id) --question Q)")
        }
        try repositories.reviewEvidence(id: id, status: status, reason: reason, actor: actor, at: time.now())
        return Outcome(message: "evidence \(id) (\(item.name)) of partner \(item.partnerID) \(status.rawValue)", rescored: try rescore(item.partnerID))
    }

    /// Assigns a reply's attachment to a question its survey asks evidence for.
    public func assignEvidence(id: Int64, questionID: String) throws -> Outcome {
        let item = try evidence(id)
        let context = try repositories.invitationContext(invitationID: item.invitationID)
        let survey = try repositories.survey(rowID: context.surveyVersionID)
        guard let question = survey.questions.first(where: { $0.id == questionID }) else {
            throw PartnerRiskError.badInput("survey \(survey.id) has no question \(questionID)")
        }
        guard question.evidence.mode != .none || question.type == .evidence else {
            throw PartnerRiskError.badInput("question \(questionID) asks for no evidence; choose one that does: "
                + survey.questions.filter { $0.evidence.mode != .none || $0.type == .evidence }.map(\.id).joined(separator: ", "))
        }
        try repositories.assignEvidence(id: id, questionID: questionID, actor: actor, at: time.now())
        return Outcome(message: "evidence \(id) (\(item.name)) assigned to \(questionID)", rescored: try rescore(item.partnerID))
    }

    /// Accepts the partner's explanation of an open red flag on its current answers.
    public func acceptFlag(partner: Partner, code: String, note: String) throws -> Outcome {
        let responses = try repositories.responses(campaignID: nil, partnerID: partner.id)
        guard let score = try repositories.scoreHistory(partnerID: partner.id).last, let responseID = score.responseID,
              let response = responses.first(where: { $0.id == responseID }) else {
            throw PartnerRiskError.badInput("partner \(partner.id) has no scored answers")
        }
        let survey = try repositories.survey(rowID: try repositories.invitationContext(invitationID: response.invitationID).surveyVersionID)
        let flagIDs = Set(survey.questions.flatMap(\.redFlags).map(\.id))
        let raised = score.factors.filter { ($0.kind == .knockout || $0.kind == .redFlag) && flagIDs.contains($0.code) }.map(\.code)
        guard raised.contains(code) else {
            throw PartnerRiskError.badInput("partner \(partner.id)'s current answers raise no red flag \(code)" + (raised.isEmpty ? "" : "; raised: \(raised.joined(separator: ", "))"))
        }
        guard try repositories.acceptFlag(partnerID: partner.id, responseID: responseID, code: code, note: note, actor: actor, at: time.now()) else {
            return Outcome(message: "partner \(partner.id)'s explanation of \(code) was already accepted on revision \(response.revision)", rescored: 0)
        }
        return Outcome(message: "accepted partner \(partner.id)'s explanation of \(code) (revision \(response.revision))", rescored: try rescore(partner.id))
    }

    private func evidence(_ id: Int64) throws -> EvidenceItem {
        guard let item = try repositories.evidenceItem(id: id) else { throw PartnerRiskError.badInput("no evidence \(id): see `partner-risk evidence list`") }
        return item
    }

    private func rescore(_ partnerID: Int64) throws -> Int {
        try submissions.score(try repositories.currentResponseIDs(partnerID: partnerID))
    }
}
