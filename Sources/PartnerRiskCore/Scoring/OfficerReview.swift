import Foundation

/// The officer's decisions a score takes into account: memberships verified, evidence found
/// falsified, red-flag explanations accepted. Everything else a score reads is the partner's word.
public struct OfficerReview: Sendable, Equatable {
    /// The partner's memberships the officer verified (the latest decision per program).
    public var memberships: [VerifiedMembership]
    /// Questions whose evidence the officer found falsified, with the officer's reason.
    public var falsified: [String: String]
    /// Red flags (by code) whose explanation the officer accepted for the response being scored.
    public var acceptedFlags: [String: FlagAcceptance]
    /// Sanctions-list hits the officer confirmed: each a knock-out.
    public var confirmedHits: [ScreeningHit]

    public init(memberships: [VerifiedMembership] = [], falsified: [String: String] = [:], acceptedFlags: [String: FlagAcceptance] = [:],
                confirmedHits: [ScreeningHit] = []) {
        self.memberships = memberships
        self.falsified = falsified
        self.acceptedFlags = acceptedFlags
        self.confirmedHits = confirmedHits
    }

    public static let none = OfficerReview()
}

/// Every officer decision that scores rest on, as a store reads them in a few queries: verified
/// memberships by partner, falsified evidence by invitation (question → reason), accepted flags by
/// response, confirmed sanctions hits by partner. `review(for:)` picks one response's.
public struct OfficerReviews: Sendable {
    public var memberships: [Int64: [VerifiedMembership]]
    public var falsified: [Int64: [String: String]]
    public var accepted: [Int64: [String: FlagAcceptance]]
    public var hits: [Int64: [ScreeningHit]]

    public init(memberships: [Int64: [VerifiedMembership]], falsified: [Int64: [String: String]], accepted: [Int64: [String: FlagAcceptance]],
                hits: [Int64: [ScreeningHit]]) {
        self.memberships = memberships
        self.falsified = falsified
        self.accepted = accepted
        self.hits = hits
    }

    public var isEmpty: Bool { memberships.isEmpty && falsified.isEmpty && accepted.isEmpty && hits.isEmpty }

    /// The decisions that concern `item`: its partner's, its invitation's and its response's.
    public func review(for item: ScoringWorkItem) -> OfficerReview {
        OfficerReview(memberships: memberships[item.partner.id] ?? [], falsified: falsified[item.invitationID] ?? [:],
                      acceptedFlags: accepted[item.responseID] ?? [:], confirmedHits: hits[item.partner.id] ?? [])
    }

    /// `items` with each one's decisions attached.
    public func attached(to items: [ScoringWorkItem]) -> [ScoringWorkItem] {
        guard !isEmpty else { return items }
        return items.map { item in
            var item = item
            item.review = review(for: item)
            return item
        }
    }
}

/// A trusted-trader membership the officer checked with the program (its portal, a certificate).
public struct VerifiedMembership: Sendable, Equatable {
    public var partnerID: Int64
    public var program: String
    public var number: String
    /// The expiry or next revalidation date (YYYY-MM-DD); a membership without one never waives.
    public var expires: String?
    public var note: String
    public var verifiedBy: String
    public var verifiedAt: String

    public init(partnerID: Int64, program: String, number: String, expires: String?, note: String, verifiedBy: String, verifiedAt: String) {
        self.partnerID = partnerID
        self.program = program
        self.number = number
        self.expires = expires
        self.note = note
        self.verifiedBy = verifiedBy
        self.verifiedAt = verifiedAt
    }
}

/// The officer's acceptance of a partner's explanation of a red flag.
public struct FlagAcceptance: Sendable, Equatable {
    public var actor: String
    public var at: String
    public var note: String

    public init(actor: String, at: String, note: String) {
        self.actor = actor
        self.at = at
        self.note = note
    }
}
