import Foundation
import Hummingbird
import PartnerRiskCore

/// The workspace's actions: each form post calls the service its CLI command calls (the web adds
/// no rule of its own) and returns to the partner's page with what happened, or the refusal.
struct OfficerActions {
    enum Action: Sendable { case evidence, addAction, closeAction, hit, flag, membership, signOff }

    static let routes: [(String, Action)] = [
        ("/officer/evidence/:id/review", .evidence), ("/officer/partners/:id/actions", .addAction), ("/officer/actions/:id/close", .closeAction),
        ("/officer/hits/:id", .hit), ("/officer/partners/:id/flags", .flag), ("/officer/partners/:id/memberships", .membership),
        ("/officer/partners/:id/sign-off", .signOff),
    ]

    let officer: SignedIn
    var desk: OfficerDesk { officer.desk }

    func run(_ action: Action, fields: FormFields, parameters: Parameters) -> Response {
        let id = parameters.get("id").flatMap { Int64($0) } ?? 0
        var partnerID: Int64?
        do {
            let (partner, notice) = try perform(action, id: id, fields: fields)
            partnerID = partner
            return back(to: partner, "notice", notice)
        } catch let error as PartnerRiskError {
            return back(to: partnerID ?? (try? partnerOf(action, id: id)) ?? nil, "error", error.message)
        } catch {
            return back(to: (try? partnerOf(action, id: id)) ?? nil, "error", "That did not work: \(error)")
        }
    }

    /// Does it; returns the partner whose page to show and what to say there.
    func perform(_ action: Action, id: Int64, fields: FormFields) throws -> (Int64?, String) {
        func field(_ name: String) -> String { fields.first(name)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        switch action {
        case .evidence:
            guard let item = try desk.repositories.evidenceItem(id: id) else { throw PartnerRiskError.badInput("no evidence file \(id)") }
            let outcome: OfficerDecisionService.Outcome
            switch field("decision") {
            case "accept": outcome = try desk.decisions.reviewEvidence(id: id, status: .accepted, reason: field("reason"))
            case "reject": outcome = try desk.decisions.reviewEvidence(id: id, status: .rejected, reason: field("reason"))
            case "falsified": outcome = try desk.decisions.reviewEvidence(id: id, status: .falsified, reason: field("reason"))
            case "assign": outcome = try desk.decisions.assignEvidence(id: id, questionID: field("question"))
            default: throw PartnerRiskError.badInput("choose accept, reject, falsified or assign")
            }
            return (item.partnerID, outcome.message)
        case .addAction:
            let partner = try self.partner(id)
            let number = try desk.signOffs.addAction(partner, finding: field("finding"), due: field("due"), owner: field("owner"), note: field("note"))
            return (partner.id, "Corrective action \(number) added.")
        case .closeAction:
            guard let open = try desk.repositories.action(id: id) else { throw PartnerRiskError.badInput("no corrective action \(id)") }
            _ = try desk.signOffs.closeAction(id: id, note: field("note"), evidence: nil, vault: desk.vault)
            return (open.partnerID, "Corrective action \(id) closed.")
        case .hit:
            guard let hit = try desk.repositories.screeningHit(id: id) else { throw PartnerRiskError.badInput("no screening hit \(id)") }
            let status: ScreeningHit.Status
            switch field("decision") {
            case "confirm": status = .confirmed
            case "clear": status = .cleared
            default: throw PartnerRiskError.badInput("choose confirm or clear")
            }
            _ = try desk.screening.decide(hit: id, status: status, note: field("note"))
            return (hit.partnerID, "Hit \(id) \(status.rawValue).")
        case .flag:
            let partner = try self.partner(id)
            return (partner.id, try desk.decisions.acceptFlag(partner: partner, code: field("code"), note: field("note")).message)
        case .membership:
            let partner = try self.partner(id)
            let expires = field("expires")
            return (partner.id, try desk.decisions.verifyMembership(partner: partner, program: field("program"), number: field("number"),
                                                                     expires: expires.isEmpty ? nil : expires, note: field("note")).message)
        case .signOff:
            let partner = try self.partner(id)
            guard let decision = ReviewDecision(rawValue: field("decision")) else { throw PartnerRiskError.badInput("choose accept, action-plan or suspend") }
            let reason = field("override_reason")
            return (partner.id, try desk.signOffs.signOff(partner, decision: decision, note: field("note"), overrideReason: reason.isEmpty ? nil : reason))
        }
    }

    func partner(_ id: Int64) throws -> Partner {
        guard let partner = try desk.repositories.partner(id: id) else { throw PartnerRiskError.badInput("no partner \(id)") }
        return partner
    }

    /// The partner an action is about (for the page to return to after a refusal).
    func partnerOf(_ action: Action, id: Int64) throws -> Int64? {
        switch action {
        case .evidence: return try desk.repositories.evidenceItem(id: id)?.partnerID
        case .closeAction: return try desk.repositories.action(id: id)?.partnerID
        case .hit: return try desk.repositories.screeningHit(id: id)?.partnerID
        case .addAction, .flag, .membership, .signOff: return id
        }
    }

    func back(to partner: Int64?, _ key: String, _ text: String) -> Response {
        Self.redirect(partner.map { "/officer/partners/\($0)" } ?? "/officer/", key, text)
    }

    /// A redirect to `path` saying `text` (a notice or an error) in its query string.
    static func redirect(_ path: String, _ key: String, _ text: String) -> Response {
        let value = String(text.prefix(600)).addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
        return Response(status: .seeOther, headers: [.location: "\(path)?\(key)=\(value)"])
    }
}
