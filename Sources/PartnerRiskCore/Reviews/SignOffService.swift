import Foundation

/// The officer's sign-off on a review and the corrective actions it rests on. Accepting a
/// partner while a knock-out or an open red flag stands needs an explicit override with its
/// reason; an action plan needs at least one open corrective action.
public struct SignOffService: Sendable {
    public let repositories: any Repositories
    /// Who decides (`--officer`, `officer.name`, else the login name).
    public let actor: String
    public let time: any TimeSource
    /// Non-responders as the ranking sees them (a non-response knock-out stands like any other).
    public let nonResponders: @Sendable () throws -> [NonResponder]

    public init(repositories: any Repositories, actor: String, time: any TimeSource, nonResponders: @escaping @Sendable () throws -> [NonResponder]) {
        self.repositories = repositories
        self.actor = actor
        self.time = time
        self.nonResponders = nonResponders
    }

    /// What stands against accepting the partner: its knock-outs and open red flags, by code.
    public func standing(_ partner: Partner) throws -> [String] {
        var reasons: [String] = []
        if let score = try repositories.scoreHistory(partnerID: partner.id).last {
            let accepted = try score.responseID.map { try repositories.acceptedFlagCodes(responseID: $0) } ?? []
            for factor in score.factors where factor.kind == .knockout { reasons.append("knock-out \(factor.code)") }
            for factor in score.factors where factor.kind == .redFlag && !accepted.contains(factor.code) {
                reasons.append("open red flag \(factor.code)")
            }
        }
        if try nonResponders().contains(where: { $0.partnerID == partner.id && $0.knockout }) { reasons.append("knock-out non-response") }
        return reasons
    }

    /// Records the decision; refuses what the rules do not allow, saying how to proceed.
    public func signOff(_ partner: Partner, decision: ReviewDecision, note: String, overrideReason: String?) throws -> String {
        var recorded = note
        switch decision {
        case .accept:
            let standing = try standing(partner)
            if !standing.isEmpty {
                guard let reason = overrideReason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
                    throw PartnerRiskError.badInput("partner \(partner.id) \(partner.name) cannot be accepted while these stand: \(standing.joined(separator: ", ")). "
                        + "Resolve them (new answers, `flags accept`), choose --decision action-plan, or accept with --override --reason \"why\"")
                }
                recorded = "OVERRIDE (\(standing.joined(separator: ", "))): \(reason)" + (note.isEmpty ? "" : " — \(note)")
            }
        case .actionPlan:
            let open = try repositories.actions(partnerID: partner.id, openOnly: true)
            guard !open.isEmpty else {
                throw PartnerRiskError.badInput("an action plan needs a corrective action: add one with `partner-risk actions add \(partner.id) --finding CODE --due YYYY-MM-DD --owner \"who\"`")
            }
            recorded = note + " (actions \(open.map { String($0.id) }.joined(separator: ", ")))"
        case .suspend:
            break
        }
        try repositories.signOff(partnerID: partner.id, decision: decision, note: recorded, actor: actor, at: time.now())
        return "signed off partner \(partner.id) \(partner.name): \(decision.rawValue)" + (recorded.hasPrefix("OVERRIDE") ? " (override recorded)" : "")
    }

    /// Adds a corrective action; the due date must be a date.
    public func addAction(_ partner: Partner, finding: String, due: String, owner: String, note: String) throws -> Int64 {
        guard let day = DayFormat.parseDay(due) else { throw PartnerRiskError.badInput("--due \"\(due)\" is not a date: write YYYY-MM-DD") }
        guard !finding.trimmingCharacters(in: .whitespaces).isEmpty, !owner.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PartnerRiskError.badInput("give the finding's code (--finding) and who owns the action (--owner)")
        }
        return try repositories.addAction(partnerID: partner.id, finding: finding, due: DayFormat.day(day), owner: owner, note: note, actor: actor, at: time.now())
    }

    /// Closes an open action with a note, and the file that shows it done when given (kept in `vault`).
    public func closeAction(id: Int64, note: String, evidence: URL?, vault: EvidenceVault) throws -> CorrectiveAction {
        guard let action = try repositories.action(id: id) else { throw PartnerRiskError.badInput("no corrective action \(id): see `partner-risk actions list`") }
        guard action.isOpen else { throw PartnerRiskError.badInput("corrective action \(id) was closed on \(action.closedAt ?? "?") by \(action.closedBy ?? "?")") }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw PartnerRiskError.badInput("say how the action was done (--note)") }
        var kept: (name: String, sha256: String)?
        if let evidence {
            let data = try FileBytes.contents(of: evidence.path)
            let name = EvidenceVault.cleanName(evidence.lastPathComponent)
            do { kept = (name, try vault.store(data, originalName: name)) } catch let refusal as EvidenceVault.Refusal {
                throw PartnerRiskError.badInput("\(evidence.path): not kept as evidence: \(refusal.reason)")
            }
        }
        try repositories.closeAction(id: id, note: note, evidence: kept, actor: actor, at: time.now())
        return try repositories.action(id: id) ?? action
    }
}
