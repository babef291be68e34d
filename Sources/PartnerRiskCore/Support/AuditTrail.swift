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

    public init(at: String, actor: String, action: String, subject: String, detail: String) {
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// Who is acting: the login name of the officer running the command, or an explicit label.
public enum Actor {
    public static var current: String { resolved }

    /// Read once: the environment does not change while a command runs.
    private static let resolved: String = {
        let environment = ProcessInfo.processInfo.environment
        for name in ["PARTNER_RISK_ACTOR", "USER", "LOGNAME"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        // No login variables (a service, a container): the account's name, else its number.
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }()
}
