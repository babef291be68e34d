import Foundation

/// Storage of the partner registry. Implemented by the SQLite store; the domain only sees this.
public protocol PartnerRepository: Sendable {
    /// Upserts all drafts in one transaction (by external id, else by email) and counts the outcome.
    /// In one transaction; `progress` counts the rows written (nil: no progress line).
    func upsertPartners(_ drafts: [PartnerDraft], at time: Date, progress: ProgressMeter?) throws -> PartnerImportSummary
    func partners(matching filter: PartnerFilter) throws -> [Partner]
    /// Finds a partner by numeric id, external id or email.
    func partner(identifiedBy key: String) throws -> Partner?
    func partner(id: Int64) throws -> Partner?
    /// Marks a partner inactive: kept in history, excluded from new campaigns.
    func deactivatePartner(id: Int64, at time: Date) throws
}

extension PartnerRepository {
    public func upsertPartners(_ drafts: [PartnerDraft], at time: Date) throws -> PartnerImportSummary {
        try upsertPartners(drafts, at: time, progress: nil)
    }
}
