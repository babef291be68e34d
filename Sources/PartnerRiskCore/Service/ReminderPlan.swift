import Foundation

/// An invitation the reminder scheduler may act on: its campaign is open, its partner active,
/// it has no complete answer, and it was mailed at least once.
public struct ReminderCandidate: Sendable, Equatable {
    public var invitationID: Int64
    public var campaignID: Int64
    /// The campaign's deadline, YYYY-MM-DD (the last day to answer).
    public var deadline: String
    /// When the last mail of the invitation went out.
    public var lastMailedAt: Date
    /// A message of the invitation waits in the outbox (queued, being sent or deferred).
    public var pending: Bool
    /// The offsets already handled for this invitation (recorded in the store, so a restart
    /// never sends one twice).
    public var offsetsDone: Set<Int>

    public init(invitationID: Int64, campaignID: Int64, deadline: String, lastMailedAt: Date, pending: Bool, offsetsDone: Set<Int>) {
        self.invitationID = invitationID
        self.campaignID = campaignID
        self.deadline = deadline
        self.lastMailedAt = lastMailedAt
        self.pending = pending
        self.offsetsDone = offsetsDone
    }
}

/// Which reminders fall due, from the offsets (days relative to the deadline: -7 a week before,
/// 3 three days after). Pure: the clock is an argument.
///
/// An offset is due from the start of its day (UTC). When several are due at once (the server
/// was off for a week) the partner gets one reminder, and all of them are recorded as handled.
/// An offset whose day came no later than the last mail (the invitation went out late, or an
/// officer reminded by hand) is recorded without a reminder. While a message of the invitation
/// waits in the outbox nothing is decided.
public struct ReminderPlan: Sendable {
    /// What to do for one invitation.
    public struct Step: Sendable, Equatable {
        public var invitationID: Int64
        /// The offsets to record as handled.
        public var offsets: [Int]
        /// Whether to queue a reminder (else the offsets are only recorded).
        public var remind: Bool
    }

    public let offsets: [Int]

    public init(offsets: [Int]) {
        self.offsets = Array(Set(offsets)).sorted()
    }

    public func steps(for candidates: [ReminderCandidate], at now: Date) -> [Step] {
        candidates.compactMap { step(for: $0, at: now) }
    }

    public func step(for candidate: ReminderCandidate, at now: Date) -> Step? {
        guard !candidate.pending, let deadline = DayFormat.parseDay(candidate.deadline) else { return nil }
        let today = Self.dayNumber(now), deadlineDay = Self.dayNumber(deadline)
        let due = offsets.filter { !candidate.offsetsDone.contains($0) && deadlineDay + $0 <= today }
        guard let latest = due.last else { return nil }
        // Mailed on or after the latest due offset's day: that mail was the reminder.
        let remind = Self.dayNumber(candidate.lastMailedAt) < deadlineDay + latest
        return Step(invitationID: candidate.invitationID, offsets: due, remind: remind)
    }

    /// The day (UTC) a moment falls on, as a number of days since 1970.
    static func dayNumber(_ date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }
}
