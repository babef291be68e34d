import Foundation

/// The append-only record of who did what and when, kept for the border agency.
public protocol AuditTrail: Sendable {
    func record(actor: String, action: String, subject: String, detail: String, at time: Date) throws
    func auditEntries(subject: String?) throws -> [AuditEntry]
}

/// One line of the audit log.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var at: String
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
}

/// Who is acting: the login name of the officer running the command, or an explicit label.
public enum Actor {
    public static var current: String {
        ProcessInfo.processInfo.environment["PARTNER_RISK_ACTOR"]
            ?? ProcessInfo.processInfo.environment["USER"] ?? "officer"
    }
}
