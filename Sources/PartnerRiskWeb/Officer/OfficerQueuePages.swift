import Foundation
import Hummingbird
import PartnerRiskCore

/// The review queue and the campaigns: who is due and why (one button starts their re-review
/// campaign), what awaits the officer, and each campaign's progress with send, remind and close.
/// Every action calls the service its CLI command calls.
extension OfficerController {
    func addQueueRoutes(to router: Router<WebRequestContext>) {
        router.get("/officer/review") { request, context in try await signedIn(request, context) { officer, _ in try reviewPage(request, officer) } }
        router.post("/officer/review/start") { request, context in
            try await signedIn(request, context, acting: true) { officer, fields in campaignAction { try startReview(officer, fields) } }
        }
        router.get("/officer/campaigns") { request, context in try await signedIn(request, context) { officer, _ in try campaignsPage(request, officer) } }
        router.get("/officer/program") { request, context in try await signedIn(request, context) { officer, _ in try programPage(officer) } }
        router.get("/officer/service") { request, context in try await signedIn(request, context) { officer, _ in try servicePage(officer) } }
        router.post("/officer/campaigns") { request, context in
            try await signedIn(request, context, acting: true) { officer, fields in campaignAction { try createCampaign(officer, fields) } }
        }
        router.get("/officer/campaigns/:id") { request, context in
            try await signedIn(request, context) { officer, _ in try campaignPage(request, officer, id: context.parameters.get("id").flatMap { Int64($0) } ?? 0) }
        }
        router.post("/officer/campaigns/:id/:action") { request, context in
            try await signedIn(request, context, acting: true) { officer, fields in
                let id = context.parameters.get("id").flatMap { Int64($0) } ?? 0
                return campaignAction(id) { try campaignStep(officer, id: id, action: context.parameters.get("action") ?? "", fields) }
            }
        }
    }

    // MARK: - Review queue

    func reviewPage(_ request: Request, _ officer: SignedIn) throws -> Response {
        let desk = officer.desk, today = DayFormat.day(desk.time.now())
        let due = try desk.reviews.due()
        let pending = try desk.repositories.evidenceItems(partnerID: nil, status: .pending)
        let hits = try desk.repositories.screeningHits(partnerID: nil, status: .open)
        let late = try desk.repositories.actions(partnerID: nil, openOnly: true).filter { $0.isOverdue(on: today) }
        let flagged = try desk.ranking().rows.filter { $0.flags > 0 }
        var values: [String: Any] = [
            "due": due.map { ["id": String($0.partner.id), "name": $0.partner.name, "reasons": $0.reasons, "last_review": $0.lastReview ?? "never"] as [String: Any] },
            "due_count": due.count, "has_due": !due.isEmpty,
            "evidence": pending.map { ["id": String($0.id), "partner_id": String($0.partnerID), "partner": $0.partnerName, "name": $0.name,
                                       "question": $0.questionID ?? "not yet assigned", "received": $0.receivedAt] },
            "has_evidence": !pending.isEmpty,
            "hits": hits.map { ["id": String($0.id), "partner_id": String($0.partnerID), "partner": $0.partnerName, "list": $0.list,
                                "matched": $0.matchedName, "score": String(format: "%.2f", $0.score)] },
            "has_hits": !hits.isEmpty,
            "actions": late.map { ["id": String($0.id), "partner_id": String($0.partnerID), "finding": $0.finding, "due": $0.due, "owner": $0.owner] },
            "has_actions": !late.isEmpty,
            "flagged": flagged.map { ["id": String($0.partner.id), "name": $0.partner.name, "flags": $0.flags, "tier": $0.tierLabel, "headline": $0.headline] as [String: Any] },
            "has_flagged": !flagged.isEmpty,
            "deadline": DayFormat.day(desk.time.now().addingTimeInterval(30 * 86_400)),
            "may_act": officer.account.role.mayAct,
        ]
        Self.notices(request, into: &values)
        return try page("web/officer/review.html", title: "Review queue", values, officer: officer)
    }

    func startReview(_ officer: SignedIn, _ fields: FormFields) throws -> (String, String) {
        guard let (campaign, count) = try officer.desk.reviews.start(deadline: Self.field(fields, "deadline"), sender: officer.desk.sender) else {
            return ("/officer/review", "No partner is due for re-review.")
        }
        return ("/officer/campaigns/\(campaign.id)", "Campaign \(campaign.id) created for \(count) partner(s); send it below.")
    }

    // MARK: - Campaigns

    func campaignsPage(_ request: Request, _ officer: SignedIn) throws -> Response {
        let desk = officer.desk
        let campaigns = try desk.repositories.campaigns().reversed().map { campaign -> [String: Any] in
            let counts = try desk.repositories.invitationCounts(campaignID: campaign.id)
            return ["id": String(campaign.id), "name": campaign.name, "survey": "\(campaign.surveyID) \(campaign.surveyVersion)", "deadline": campaign.deadline,
                    "status": campaign.status, "invited": counts.invited, "complete": counts.complete,
                    "percent": counts.invited == 0 ? 0 : counts.complete * 100 / counts.invited]
        }
        var values: [String: Any] = [
            "campaigns": campaigns, "has_campaigns": !campaigns.isEmpty, "may_act": officer.account.role.mayAct,
            "surveys": try desk.catalog.surveys().map { ["id": $0.id, "title": $0.title.en + " (\($0.version))"] },
            "sectors": Sector.allCases.map(\.rawValue), "deadline": DayFormat.day(desk.time.now().addingTimeInterval(30 * 86_400)),
        ]
        Self.notices(request, into: &values)
        return try page("web/officer/campaigns.html", title: "Campaigns", values, officer: officer)
    }

    func createCampaign(_ officer: SignedIn, _ fields: FormFields) throws -> (String, String) {
        let desk = officer.desk
        let sector = Self.field(fields, "sector"), tag = Self.field(fields, "tag"), country = Self.field(fields, "country")
        guard [sector, tag, country].filter({ !$0.isEmpty }).count <= 1 else { throw PartnerRiskError.badInput("choose one of sector, tag or country (or none: every partner)") }
        var audience = CampaignAudience.all
        if !sector.isEmpty {
            guard let parsed = Sector(name: sector) else { throw PartnerRiskError.badInput("unknown sector \(sector)") }
            audience = .sector(parsed)
        } else if !tag.isEmpty { audience = .tag(tag) } else if !country.isEmpty { audience = .country(country) }
        let survey = try desk.catalog.survey(id: Self.field(fields, "survey"))
        let name = Self.field(fields, "name")
        let campaign = try desk.campaigns.create(survey: survey, audience: audience, deadline: Self.field(fields, "deadline"), sender: desk.sender,
                                                 name: name.isEmpty ? nil : name)
        let invited = try desk.repositories.invitationCounts(campaignID: campaign.id).invited
        // As `campaign create` warns: the invited partners in countries the scoring config lists.
        let partnerIDs = try desk.repositories.invitedPartners(campaignID: campaign.id)
        let warnings = try desk.countryWarnings(try desk.repositories.partners(matching: PartnerFilter()).filter { partnerIDs.contains($0.id) })
        let listed = warnings.isEmpty ? "" : " Warning: \(warnings.count) invited partner(s) in listed countries: "
            + warnings.prefix(5).map { "\($0.partner.name) (\($0.partner.country)\($0.knockout ? ", a knock-out" : ""))" }.joined(separator: "; ")
            + (warnings.count > 5 ? "; …" : "") + "."
        return ("/officer/campaigns/\(campaign.id)", "Campaign \(campaign.id) created: \(invited) invitation(s) queued. Nothing is sent until you press Send." + listed)
    }

    func campaignPage(_ request: Request, _ officer: SignedIn, id: Int64) throws -> Response {
        let desk = officer.desk
        guard let campaign = try? desk.campaigns.campaign(id) else { return try refusal(.notFound, "No such campaign.") }
        let states = try desk.repositories.stateCounts(campaignID: id), counts = try desk.repositories.invitationCounts(campaignID: id)
        let overdue = try desk.ranking().rows.filter { $0.awaitedBy == id }.count
        var values: [String: Any] = [
            "campaign": ["id": String(campaign.id), "name": campaign.name, "survey": "\(campaign.surveyID) \(campaign.surveyVersion)", "deadline": campaign.deadline,
                         "status": campaign.status, "audience": campaign.selector, "sender": campaign.sender, "open": campaign.closedAt == nil],
            "states": MailState.allCases.map { ["state": $0.rawValue, "count": states[$0, default: 0]] as [String: Any] },
            "invited": counts.invited, "answered": counts.responded, "complete": counts.complete, "incomplete": counts.responded - counts.complete,
            "overdue": overdue, "percent": counts.invited == 0 ? 0 : counts.complete * 100 / counts.invited,
            "problems": try desk.repositories.problemMessages(campaignID: id).map { ["state": $0.state.rawValue, "kind": $0.kind, "recipient": $0.recipient, "reply": $0.lastReply ?? ""] },
            "may_act": officer.account.role.mayAct,
        ]
        values["has_problems"] = !((values["problems"] as? [Any])?.isEmpty ?? true)
        Self.notices(request, into: &values)
        return try page("web/officer/campaign.html", title: campaign.name, values, officer: officer)
    }

    func campaignStep(_ officer: SignedIn, id: Int64, action: String, _ fields: FormFields) throws -> (String, String) {
        let desk = officer.desk, here = "/officer/campaigns/\(id)"
        switch action {
        case "send":
            _ = try desk.campaigns.campaign(id)
            desk.dispatch(id)
            return (here, "Sending in the background: reload this page to follow it.")
        case "remind":
            let queued = try desk.campaigns.remind(id, maxReminders: 2, minDays: 7, afterDeadline: fields.first("after_deadline") == "1")
            if queued > 0 { desk.dispatch(id) }
            return (here, "\(queued) reminder(s) queued and sending.")
        case "close":
            try desk.campaigns.close(id)
            return (here, "Campaign \(id) closed: its links stop accepting answers.")
        default:
            throw PartnerRiskError.badInput("unknown campaign action \(action)")
        }
    }

    /// Runs a campaign action and returns to the page it names with its notice, or to `fallback` with the refusal.
    func campaignAction(_ id: Int64? = nil, _ work: () throws -> (String, String)) -> Response {
        do {
            let (path, notice) = try work()
            return OfficerActions.redirect(path, "notice", notice)
        } catch let error as PartnerRiskError {
            return OfficerActions.redirect(id.map { "/officer/campaigns/\($0)" } ?? "/officer/campaigns", "error", error.message)
        } catch {
            return OfficerActions.redirect(id.map { "/officer/campaigns/\($0)" } ?? "/officer/campaigns", "error", "That did not work: \(error)")
        }
    }

    static func field(_ fields: FormFields, _ name: String) -> String { fields.first(name)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    /// The `notice` and `error` of the query string (what an action said), shortened.
    static func notices(_ request: Request, into values: inout [String: Any]) {
        if let notice = request.uri.queryParameters["notice"] { values["notice"] = String(notice.prefix(700)) }
        if let error = request.uri.queryParameters["error"] { values["error"] = String(error.prefix(500)) }
    }
}

/// The program overview: the numbers a manager asks for, as charts made on the server and as a table.
extension OfficerController {
    func programPage(_ officer: SignedIn) throws -> Response {
        let desk = officer.desk
        let figures = try ProgramFigures.build(ranking: try desk.ranking(), due: try desk.reviews.due(), store: desk.repositories,
                                               today: DayFormat.day(desk.time.now()))
        let values: [String: Any] = [
            "tier_chart": RiskChart.tierBars(figures.tiers), "trend_chart": RiskChart.trend(figures.trend),
            "tiers": figures.tiers.map { ["label": $0.label, "key": $0.key, "count": $0.count] as [String: Any] },
            "trend": figures.trend.map { ["month": $0.month, "partners": $0.partners, "average": String(format: "%.1f", $0.averageRisk), "high": $0.highOrCritical] as [String: Any] },
            "has_trend": !figures.trend.isEmpty,
            "partners": figures.partners, "ranked": figures.ranked, "non_responders": figures.nonResponders, "overdue_reviews": figures.overdueReviews,
            "overdue_actions": figures.overdueActions, "open_hits": figures.openHits, "invited": figures.invited, "complete": figures.complete,
            "response_rate": figures.responseRate, "as_of": DayFormat.day(desk.time.now()),
        ]
        return try page("web/officer/program.html", title: "Program overview", values, officer: officer)
    }
}

/// The server's background jobs: what each did last, when it runs next, and its last error.
extension OfficerController {
    func servicePage(_ officer: SignedIn) throws -> Response {
        let jobs = workspace.jobs.statuses.map { job -> [String: Any] in
            var values: [String: Any] = ["name": job.name, "running": job.running,
                                         "last_run": job.lastRun.map(DayFormat.timestamp) ?? "not yet",
                                         "next_run": job.running ? "running now" : job.nextRun.map(DayFormat.timestamp) ?? "at start"]
            if let result = job.lastResult { values["last_result"] = result.isEmpty ? "nothing to do" : result }
            if let error = job.lastError { values["last_error"] = error }
            return values
        }
        return try page("web/officer/service.html", title: "Background work",
                        ["jobs": jobs, "has_jobs": !jobs.isEmpty, "as_of": DayFormat.timestamp(officer.desk.time.now())], officer: officer)
    }
}
