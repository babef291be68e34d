import Foundation

/// What an officer may do in the workspace: `officer` reads and acts, `viewer` only reads.
public enum OfficerRole: String, Sendable, Codable, CaseIterable {
    case officer
    case viewer

    public var mayAct: Bool { self == .officer }
}

/// A person who signs in to the officer workspace: a name (the one the audit trail records), a
/// role, and a bcrypt hash of the password (never the password).
public struct OfficerAccount: Sendable, Equatable {
    public var name: String
    public var role: OfficerRole
    public var passwordHash: String
    public var createdAt: String
    public var createdBy: String
    /// When the account was disabled (it can no longer sign in; its sessions ended then).
    public var disabledAt: String?

    public init(name: String, role: OfficerRole, passwordHash: String, createdAt: String, createdBy: String, disabledAt: String? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.disabledAt = disabledAt
    }

    public var active: Bool { disabledAt == nil }
}

/// A signed-in browser: the SHA-256 of its cookie's 256-bit secret (the secret itself is never
/// stored), whose it is, the token its forms must carry, and when it was last used.
public struct OfficerSession: Sendable, Equatable {
    public var tokenSHA256: String
    public var officer: String
    public var csrf: String
    public var createdAt: Date
    public var lastSeenAt: Date

    public init(tokenSHA256: String, officer: String, csrf: String, createdAt: Date, lastSeenAt: Date) {
        self.tokenSHA256 = tokenSHA256
        self.officer = officer
        self.csrf = csrf
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// Turns a password into a slow, salted hash and checks one (bcrypt in the web module).
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) -> String
    func verify(_ password: String, hash: String) -> Bool
}

/// Storage of officer accounts and their sessions. Every change is audited by the store.
public protocol OfficerAccountRepository: Sendable {
    func addOfficer(_ account: OfficerAccount) throws
    func officers() throws -> [OfficerAccount]
    /// The account of this name (names compare without case).
    func officer(named name: String) throws -> OfficerAccount?
    func setPassword(officer name: String, hash: String, actor: String, at time: Date) throws
    /// Disables the account and ends its sessions.
    func disableOfficer(named name: String, actor: String, at time: Date) throws

    func createSession(_ session: OfficerSession) throws
    func session(tokenSHA256: String) throws -> OfficerSession?
    func touchSession(tokenSHA256: String, at time: Date) throws
    /// Ends one session (logout, idle timeout); `reason` goes in the audit trail.
    func endSession(tokenSHA256: String, reason: String, at time: Date) throws
}
