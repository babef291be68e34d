import Crypto
import Foundation

/// Officer accounts and sign-in: the rules `officer add|passwd|disable` and the workspace's login
/// page share (name and password checks, bcrypt through `PasswordHasher`, sessions that end after
/// `idleTimeout` without use).
public struct OfficerAccounts: Sendable {
    public let repository: any OfficerAccountRepository
    public let hasher: any PasswordHasher
    public let time: any TimeSource
    /// Who runs the command (`--officer`, `officer.name`, else the login name), for the audit trail.
    public let actor: String
    /// A session unused for this long has ended (default 30 minutes).
    public let idleTimeout: TimeInterval

    public static let minimumPasswordLength = 12
    public static let defaultIdleMinutes = 30

    public init(repository: any OfficerAccountRepository, hasher: any PasswordHasher, time: any TimeSource, actor: String,
                idleTimeout: TimeInterval = TimeInterval(defaultIdleMinutes * 60)) {
        self.repository = repository
        self.hasher = hasher
        self.time = time
        self.actor = actor
        self.idleTimeout = idleTimeout
    }

    /// Creates an account; the name is what the audit trail will record for this person.
    public func add(name: String, role: OfficerRole, password: String) throws -> OfficerAccount {
        let name = try Self.checkedName(name)
        if try repository.officer(named: name) != nil {
            throw PartnerRiskError.badInput("an officer named \(name) exists; use `partner-risk officer passwd \(name)` to change the password")
        }
        try Self.check(password)
        let account = OfficerAccount(name: name, role: role, passwordHash: hasher.hash(password), createdAt: DayFormat.timestamp(time.now()), createdBy: actor)
        try repository.addOfficer(account)
        return account
    }

    public func setPassword(name: String, password: String) throws {
        let account = try existing(name)
        try Self.check(password)
        try repository.setPassword(officer: account.name, hash: hasher.hash(password), actor: actor, at: time.now())
    }

    @discardableResult
    public func disable(name: String) throws -> OfficerAccount {
        let account = try existing(name)
        guard account.active else { throw PartnerRiskError.badInput("officer \(account.name) was disabled on \(account.disabledAt ?? "")") }
        try repository.disableOfficer(named: account.name, actor: actor, at: time.now())
        return account
    }

    public func list() throws -> [OfficerAccount] { try repository.officers() }

    /// A new session for the right name and password of an active account, with its cookie secret
    /// (returned once, stored only hashed); nil otherwise (the caller says no more than that).
    public func signIn(name: String, password: String) throws -> (secret: String, session: OfficerSession, account: OfficerAccount)? {
        guard let account = try repository.officer(named: name.trimmingCharacters(in: .whitespaces)), account.active,
              hasher.verify(password, hash: account.passwordHash) else { return nil }
        let secret = RandomSecret.make(), now = time.now()
        let session = OfficerSession(tokenSHA256: Self.digest(secret), officer: account.name, csrf: RandomSecret.make(), createdAt: now, lastSeenAt: now)
        try repository.createSession(session)
        return (secret, session, account)
    }

    /// The session and account a cookie secret belongs to, if it is still live: not ended, used
    /// within the idle timeout, its account active. Using it keeps it alive.
    public func resume(secret: String) throws -> (session: OfficerSession, account: OfficerAccount)? {
        let digest = Self.digest(secret)
        guard let session = try repository.session(tokenSHA256: digest) else { return nil }
        let now = time.now()
        guard now.timeIntervalSince(session.lastSeenAt) <= idleTimeout else {
            try repository.endSession(tokenSHA256: digest, reason: "idle timeout", at: now)
            return nil
        }
        guard let account = try repository.officer(named: session.officer), account.active else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) >= 30 { try repository.touchSession(tokenSHA256: digest, at: now) }
        return (session, account)
    }

    public func signOut(secret: String) throws {
        try repository.endSession(tokenSHA256: Self.digest(secret), reason: "logout", at: time.now())
    }

    // MARK: - Rules

    private func existing(_ name: String) throws -> OfficerAccount {
        guard let account = try repository.officer(named: name) else {
            throw PartnerRiskError.badInput("no officer named \(name); see `partner-risk officer list`")
        }
        return account
    }

    /// 1–64 characters, no control characters, no leading or trailing spaces (it is printed in
    /// the audit trail and on every page).
    static func checkedName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 64, !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw PartnerRiskError.badInput("an officer's name is 1 to 64 characters without control characters, e.g. \"Dana Roy\"")
        }
        return trimmed
    }

    static func check(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw PartnerRiskError.badInput("the password must be at least \(minimumPasswordLength) characters (a few unrelated words make a good one)")
        }
        // bcrypt reads at most 72 bytes: a longer password would be cut silently.
        guard password.utf8.count <= 72 else { throw PartnerRiskError.badInput("the password must be at most 72 bytes (bcrypt reads no more)") }
    }

    public static func digest(_ secret: String) -> String { CanonicalJSON.hex(SHA256.hash(data: Data(secret.utf8))) }
}
