import Foundation

/// The numbers a manager asks of the program, as of a day: partners by tier, who has not
/// answered, overdue reviews and corrective actions, open sanctions hits, the response rate of
/// the campaigns, and the monthly trend of the scores. Shown by the workspace's overview page.
public struct ProgramFigures: Sendable {
    public struct TierCount: Sendable, Equatable {
        public var label: String
        /// `low` … `critical`, or `pending` (overdue or not yet scored).
        public var key: String
        public var count: Int
    }

    public var tiers: [TierCount]
    public var partners: Int
    public var ranked: Int
    public var nonResponders: Int
    public var overdueReviews: Int
    public var overdueActions: Int
    public var openHits: Int
    public var invited: Int
    public var complete: Int
    public var trend: [MonthlyRisk]

    /// Complete responses per invitation, 0–100 (0 with no invitation).
    public var responseRate: Int { invited == 0 ? 0 : complete * 100 / invited }

    public static func build(ranking: Ranking, due: [ReviewPlanner.Due], store: any Repositories, today: String) throws -> ProgramFigures {
        var tiers = RiskTier.allCases.reversed().map { tier in
            TierCount(label: tier.label, key: tier.rawValue, count: ranking.rows.filter { $0.tier == tier && !$0.isPending }.count)
        }
        tiers.insert(TierCount(label: "Overdue or unscored", key: "pending", count: ranking.rows.filter(\.isPending).count), at: 2)
        var invited = 0, complete = 0
        for campaign in try store.campaigns() {
            let counts = try store.invitationCounts(campaignID: campaign.id)
            invited += counts.invited
            complete += counts.complete
        }
        return ProgramFigures(
            tiers: tiers, partners: try store.partners(matching: PartnerFilter()).count, ranked: ranking.rows.count,
            nonResponders: ranking.rows.filter(\.nonResponse).count,
            overdueReviews: due.filter(\.intervalPassed).count,
            overdueActions: try store.actions(partnerID: nil, openOnly: true).filter { $0.isOverdue(on: today) }.count,
            openHits: try store.screeningHits(partnerID: nil, status: .open).count, invited: invited, complete: complete,
            trend: try store.monthlyRisk())
    }
}
