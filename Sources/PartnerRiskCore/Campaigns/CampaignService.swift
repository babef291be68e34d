import Foundation

/// The campaign use cases: create, list, status, remind, close. Sending lives in `CampaignSender`.
public struct CampaignService: Sendable {
    public let partners: PartnerRepository
    public let surveys: SurveyRepository
    public let campaigns: CampaignRepository
    public let time: TimeSource
    /// How long a closed campaign's links keep showing the polite "closed" page before they die
    /// (`link_grace_days` in `partner-risk.yaml`).
    public var linkGraceDays = 30

    public init(partners: PartnerRepository, surveys: SurveyRepository, campaigns: CampaignRepository, time: TimeSource = SystemTime()) {
        self.partners = partners
        self.surveys = surveys
        self.campaigns = campaigns
        self.time = time
    }

    /// Registers (pins) the survey version and creates one invitation per selected active partner.
    public func create(survey: Survey, audience: CampaignAudience, deadline: String, sender: MailAddress, name: String? = nil,
                       alternateSurvey: Survey? = nil, useAlternate: (Partner) -> Bool = { _ in false }) throws -> Campaign {
        guard let deadlineDate = DayFormat.parseDay(deadline) else {
            throw PartnerRiskError.badInput("deadline \"\(deadline)\" is not a date; write it as YYYY-MM-DD")
        }
        guard deadlineDate >= Calendar.current.startOfDay(for: time.now()).addingTimeInterval(-86_400) else {
            throw PartnerRiskError.badInput("deadline \(deadline) is in the past")
        }
        var selected = try partners.partners(matching: audience.filter)
        if case .partners(let ids) = audience { selected = selected.filter { ids.contains($0.id) } }
        guard !selected.isEmpty else {
            throw PartnerRiskError.badInput("no active partner matches \(audience); see `partner-risk partners list`")
        }
        let stored = try surveys.register(survey, at: time.now())
        let alternate = try alternateSurvey.map { try surveys.register($0, at: time.now()) }
        return try campaigns.createCampaign(
            name: name ?? "\(survey.title.en) — \(deadline)", surveyVersionID: stored.rowID, deadline: deadline,
            sender: sender.description, audience: audience.description, partners: selected,
            surveyVersionFor: { partner in alternate.map { useAlternate(partner) ? $0.rowID : stored.rowID } ?? stored.rowID },
            at: time.now())
    }

    public func campaign(_ id: Int64) throws -> Campaign {
        guard let campaign = try campaigns.campaign(id: id) else {
            throw PartnerRiskError.badInput("no campaign \(id); see `partner-risk campaign list`")
        }
        return campaign
    }

    /// Queues reminders: only partners with no complete response, before the deadline unless allowed.
    public func remind(_ id: Int64, maxReminders: Int, minDays: Int, afterDeadline: Bool) throws -> Int {
        let campaign = try campaign(id)
        guard campaign.status == "open" else { throw PartnerRiskError.badInput("campaign \(id) is closed; reminders are not sent") }
        if let deadline = DayFormat.parseDay(campaign.deadline), time.now() > deadline.addingTimeInterval(86_400), !afterDeadline {
            throw PartnerRiskError.badInput("the deadline of campaign \(id) (\(campaign.deadline)) has passed; add --after-deadline to remind anyway")
        }
        return try campaigns.queueReminders(campaignID: id, maxReminders: maxReminders, minDays: minDays, at: time.now())
    }

    public func close(_ id: Int64) throws {
        _ = try campaign(id)
        try campaigns.closeCampaign(id: id, linksLastUntil: time.now().addingTimeInterval(Double(linkGraceDays) * 86_400), at: time.now())
    }

    /// `campaign list` in any format.
    public func listing() throws -> Listing {
        let all = try campaigns.campaigns()
        var rows: [[String]] = []
        var objects: [[String: JSONValue]] = []
        for campaign in all {
            let counts = try campaigns.invitationCounts(campaignID: campaign.id)
            rows.append([String(campaign.id), campaign.name, "\(campaign.surveyID) \(campaign.surveyVersion)", campaign.deadline,
                         campaign.status, String(counts.invited), String(counts.complete)])
            objects.append([
                "id": .number(Double(campaign.id)), "name": .string(campaign.name), "survey_id": .string(campaign.surveyID),
                "survey_version": .string(campaign.surveyVersion), "deadline": .string(campaign.deadline),
                "status": .string(campaign.status), "audience": .string(campaign.selector), "sender": .string(campaign.sender),
                "created_at": .string(campaign.createdAt), "invited": .number(Double(counts.invited)),
                "responded": .number(Double(counts.responded)), "complete": .number(Double(counts.complete)),
            ])
        }
        return Listing(columns: ["id", "name", "survey", "deadline", "status", "invited", "complete"], rows: rows, objects: objects)
    }

    /// `campaign status`: counts per outbox state and every problem with the server's reply.
    public func status(_ id: Int64) throws -> String {
        let campaign = try campaign(id)
        let counts = try campaigns.stateCounts(campaignID: id)
        let invitations = try campaigns.invitationCounts(campaignID: id)
        var lines = [
            "Campaign \(campaign.id): \(campaign.name)",
            "  survey \(campaign.surveyID) \(campaign.surveyVersion), deadline \(campaign.deadline), \(campaign.status)",
            "  partners invited \(invitations.invited), answered \(invitations.responded), complete \(invitations.complete)",
            "  mail: " + MailState.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", "),
        ]
        let problems = try campaigns.problemMessages(campaignID: id)
        if !problems.isEmpty {
            lines.append("Problems:")
            lines += problems.map { "  \($0.state.rawValue)  \($0.kind)  \($0.recipient)  \($0.lastReply ?? "")" }
        }
        return lines.joined(separator: "\n")
    }
}
