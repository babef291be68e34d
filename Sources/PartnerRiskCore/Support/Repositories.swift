import Foundation

/// Every repository the domain talks to, as one value: what a store module (SQLite
/// and PostgreSQL) implements in full, and what the composition root hands to the services.
public typealias Repositories = PartnerRepository & SurveyRepository & CampaignRepository & ResponseRepository
    & ScoreRepository & ReviewRepository & WebFormRepository & MailboxLedger & AuditTrail & OfficerDecisionRepository & CorrectiveActionRepository & ScreeningRepository
    & OfficerAccountRepository & ScheduleRepository & AttemptLedger & ActingStore

/// A store that can record another person as who acts, sharing its connections (the officer
/// workspace: one store, each request on behalf of the officer signed in).
public protocol ActingStore: Sendable {
    func acting(as actor: String) -> any Repositories
}
