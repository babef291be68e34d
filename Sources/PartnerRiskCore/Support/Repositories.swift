import Foundation

/// Every repository the domain talks to, as one value: what a store module (SQLite today)
/// implements in full, and what the composition root hands to the services.
public typealias Repositories = PartnerRepository & SurveyRepository & CampaignRepository & ResponseRepository
    & ScoreRepository & ReviewRepository & WebFormRepository & MailboxLedger & AuditTrail & OfficerDecisionRepository & CorrectiveActionRepository & ScreeningRepository
