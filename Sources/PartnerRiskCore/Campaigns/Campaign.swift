import Crypto
import Foundation

/// A survey sent to a set of partners with a deadline.
public struct Campaign: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var surveyVersionID: Int64
    public var surveyID: String
    public var surveyVersion: String
    public var deadline: String
    public var sender: String
    public var selector: String
    public var status: String
    public var createdAt: String
    public var closedAt: String?

    public init(id: Int64, name: String, surveyVersionID: Int64, surveyID: String, surveyVersion: String, deadline: String, sender: String, selector: String, status: String, createdAt: String, closedAt: String? = nil) {
        self.id = id
        self.name = name
        self.surveyVersionID = surveyVersionID
        self.surveyID = surveyID
        self.surveyVersion = surveyVersion
        self.deadline = deadline
        self.sender = sender
        self.selector = selector
        self.status = status
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}

/// Which partners a new campaign covers.
public enum CampaignAudience: Sendable, Equatable, CustomStringConvertible {
    case all
    case sector(Sector)
    case tag(String)
    case country(String)
    case partners([Int64])

    public var filter: PartnerFilter {
        switch self {
        case .all, .partners: return PartnerFilter()
        case .sector(let sector): return PartnerFilter(sector: sector)
        case .tag(let tag): return PartnerFilter(tag: tag)
        case .country(let country): return PartnerFilter(country: country)
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .sector(let sector): return "sector=\(sector.rawValue)"
        case .tag(let tag): return "tag=\(tag)"
        case .country(let country): return "country=\(country)"
        case .partners(let ids): return "partners=\(ids.map(String.init).joined(separator: ","))"
        }
    }
}

/// The outbox states. Every change is stored with its time and the server's reply.
public enum MailState: String, CaseIterable, Sendable {
    case queued, sending, sent, deferred, failed, uncertain
}

/// A message waiting in, or gone through, the outbox.
public struct OutboxItem: Sendable, Equatable {
    public var id: Int64
    public var invitationID: Int64
    public var kind: String
    public var recipient: String
    public var state: MailState
    public var attempts: Int
    public var lastReply: String?
    /// The revision a thank-you acknowledges.
    public var revision: Int?

    public init(id: Int64, invitationID: Int64, kind: String, recipient: String, state: MailState, attempts: Int, lastReply: String? = nil,
                revision: Int? = nil) {
        self.revision = revision
        self.id = id
        self.invitationID = invitationID
        self.kind = kind
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.lastReply = lastReply
    }
}

/// What a message needs to be composed: the partner, the campaign and the survey version.
public struct InvitationContext: Sendable, Equatable {
    public var invitationID: Int64
    public var partner: Partner
    public var campaign: Campaign
    public var surveyVersionID: Int64
    public var remindersSent: Int
    /// Which of the invitation's link tokens is live (`invitations reissue` moves it on).
    public var tokenGeneration: Int

    public init(invitationID: Int64, partner: Partner, campaign: Campaign, surveyVersionID: Int64, remindersSent: Int, tokenGeneration: Int = 1) {
        self.tokenGeneration = tokenGeneration
        self.invitationID = invitationID
        self.partner = partner
        self.campaign = campaign
        self.surveyVersionID = surveyVersionID
        self.remindersSent = remindersSent
    }
}

/// A personal link token: 256 bits (derived with `TokenKey`, or random); only its SHA-256 is stored.
public struct InvitationToken: Sendable, Equatable {
    public let value: String

    public init(value: String) {
        self.value = value
    }

    /// 256 random bits from the system's secure generator, base64url without padding.
    public static func generate() -> InvitationToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return InvitationToken(value: base64url(Data(bytes)))
    }

    /// base64url without padding, byte by byte (three Foundation replacements were 3% of a send).
    static func base64url(_ data: Data) -> String {
        let url = data.base64EncodedData().compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): return UInt8(ascii: "-")
            case UInt8(ascii: "/"): return UInt8(ascii: "_")
            case UInt8(ascii: "="): return nil
            default: return byte
            }
        }
        return String(decoding: url, as: UTF8.self)
    }

    public var hash: String { Self.hash(value) }

    public static func hash(_ token: String) -> String {
        CanonicalJSON.hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Only URL-safe tokens of a plausible length are even looked up.
    public static func isWellFormed(_ token: String) -> Bool {
        // By UTF-8 byte: every allowed character is one ASCII byte, so bytes and characters agree.
        let bytes = token.utf8
        return (22...128).contains(bytes.count) && bytes.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}

/// Storage of campaigns, invitations and the outbox.
public protocol CampaignRepository: Sendable {
    /// Partner ids invited by a campaign.
    func invitedPartners(campaignID: Int64) throws -> Set<Int64>
    /// (invitation id, partner sector) of every invitation of a campaign.
    func invitationSectors(campaignID: Int64) throws -> [(Int64, Sector)]
    func createCampaign(name: String, surveyVersionID: Int64, deadline: String, sender: String, audience: String,
                        partners: [Partner], surveyVersionFor: (Partner) -> Int64, at time: Date) throws -> Campaign
    func campaigns() throws -> [Campaign]
    func campaign(id: Int64) throws -> Campaign?
    /// Closes a campaign; its links keep showing the polite "closed" page until `linksLastUntil`,
    /// then die (the neutral page, as for any unknown link).
    func closeCampaign(id: Int64, linksLastUntil: Date, at time: Date) throws
    /// Records `run` as started, and makes `uncertain` the messages left in `sending` by runs that
    /// are no longer alive (killed); returns how many. Messages another live run is sending stay.
    func markInterruptedSendsUncertain(campaignID: Int64, run: SendRun, at time: Date) throws -> Int
    func requeueUncertain(campaignID: Int64, at time: Date) throws -> Int
    func dueMessages(campaignID: Int64, at time: Date) throws -> [OutboxItem]
    /// Claims a message for `run`: moves it to `sending` only if it is still queued or deferred
    /// (checked in the `UPDATE` itself), and stores the hash of the token its body will carry
    /// (the invitation's one token, stored once; none for a mail without a link). Returns false
    /// when another run claimed or sent it first.
    func beginSending(messageID: Int64, invitationID: Int64, tokenHash: String?, messageIDHeader: String, run: SendRun, at time: Date) throws -> Bool
    /// Revokes an invitation's live link and moves it to a new token generation; returns the new
    /// generation. `queueInvitation` puts a fresh invitation mail (with the new link) in the outbox.
    func reissueToken(invitationID: Int64, queueInvitation: Bool, at time: Date) throws -> Int
    /// Revokes the live links of the given invitations (all of a partner's with `partnerID`); returns how many.
    func revokeTokens(invitationIDs: [Int64], partnerID: Int64?, reason: String, at time: Date) throws -> Int
    func finishSending(messageID: Int64, state: MailState, reply: String, nextAttempt: Date?, at time: Date) throws
    func invitationContext(invitationID: Int64) throws -> InvitationContext
    func stateCounts(campaignID: Int64) throws -> [MailState: Int]
    func problemMessages(campaignID: Int64) throws -> [OutboxItem]
    /// Queues reminders for invited partners with no response; returns how many.
    func queueReminders(campaignID: Int64, maxReminders: Int, minDays: Int, at time: Date) throws -> Int
    /// Queues one thank-you message (the partner's receipt, naming the revision) per accepted
    /// response not acknowledged before; returns the campaigns of these responses.
    func queueThankYous(responseIDs: [Int64], at time: Date) throws -> Set<Int64>
    func invitationCounts(campaignID: Int64) throws -> (invited: Int, responded: Int, complete: Int)
}
