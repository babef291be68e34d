import Foundation

/// What the background jobs of `serve` keep in the store, so that a restart neither repeats nor
/// forgets work: small named values (the review clock's last run and due list, the screening
/// watcher's file fingerprints) and the reminder offsets already handled per invitation.
public protocol ScheduleRepository: Sendable {
    func serviceState(_ key: String) throws -> String?
    func setServiceState(_ key: String, _ value: String, at time: Date) throws
    /// Invitations of open campaigns, mailed at least once, whose active partner has not answered in full.
    func reminderCandidates() throws -> [ReminderCandidate]
    /// Records the step's offsets and, if it says so, queues one reminder, in one transaction.
    /// Returns whether a reminder was queued (false when another process recorded the offsets first,
    /// the partner answered meanwhile, or a message is already waiting).
    func applyReminderStep(_ step: ReminderPlan.Step, at time: Date) throws -> Bool
    /// Campaigns with queued messages or deferred ones due for a retry.
    func campaignsWithDueMessages(at time: Date) throws -> [Int64]
    /// Campaigns with messages marked `sending` (a run claimed them): checked at start-up.
    func campaignsWithClaims() throws -> [Int64]
}
