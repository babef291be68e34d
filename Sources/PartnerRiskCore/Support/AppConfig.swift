import Foundation
import Yams

/// The settings file (`partner-risk.yaml` next to the database, or `--config FILE`): who the
/// officer is, where partners answer, and how mail goes out. Flags override it. Secrets are
/// read from the environment or a password file, never from here unless the file is private.
public struct AppConfig: Codable, Sendable, Equatable {
    public struct Officer: Codable, Sendable, Equatable {
        public var name: String?
        public var company: String?
        public var email: String?
        /// The language explanations are shown to the officer in: `en` (default) or `fr`.
        public var language: String?

        public init(name: String? = nil, company: String? = nil, email: String? = nil, language: String? = nil) {
            self.name = name
            self.company = company
            self.email = email
            self.language = language
        }
    }

    public struct Screening: Codable, Sendable, Equatable {
        public var threshold: Double?
    }

    public struct Mail: Codable, Sendable, Equatable {
        /// `smtp` or `drop`.
        public var transport: String?
        public var smtp: String?
        public var tls: String?
        public var username: String?
        public var passwordFile: String?
        public var password: String?
        public var caFile: String?
        public var connections: Int?
        public var dropDir: String?
        public var maxPerMinute: Int?
        public var connectTimeout: Int?
        public var timeout: Int?
        /// Seconds before the first retry of a deferred message (doubles each time).
        public var retryBase: Int?
        public var maxAttempts: Int?

        enum CodingKeys: String, CodingKey {
            case transport, smtp, tls, username, password, connections, timeout
            case passwordFile = "password_file", caFile = "ca_file", dropDir = "drop_dir"
            case maxPerMinute = "max_per_minute", connectTimeout = "connect_timeout"
            case retryBase = "retry_base_seconds", maxAttempts = "max_attempts"
        }
    }

    public struct IMAP: Codable, Sendable, Equatable {
        public var url: String?
        /// TLS for `imap://`: required (default), optional or none.
        public var tls: String?
        public var username: String?
        public var passwordFile: String?
        public var caFile: String?
        public var moveTo: String?

        enum CodingKeys: String, CodingKey {
            case url, username, tls
            case passwordFile = "password_file", caFile = "ca_file", moveTo = "move_to"
        }
    }

    public var officer: Officer?
    /// `screening: {threshold: 0.9}`: the least name similarity that makes a hit.
    public var screening: Screening?
    public var publicURL: String?
    public var mail: Mail?
    public var imap: IMAP?
    public var quarantineDir: String?
    public var evidenceDir: String?
    public var evidence: Evidence?
    /// Days a closed campaign's links still show the "closed" page (default 30).
    public var linkGraceDays: Int?
    /// `workspace: {idle_minutes: 30}`: the officer workspace in `serve`.
    public var workspace: OfficerWorkspaceSettings?
    /// `service:`: the background work of `serve` (see `AppConfig.Service`).
    public var service: Service?
    /// Lets `campaign send` and `serve`'s outbox worker mail links to a loopback or private
    /// `public_url` (trials and tests).
    public var allowLocalLinks: Bool?
    /// `database:` the database when neither `--db` nor `PARTNER_RISK_DB` names one: a SQLite
    /// path or a `postgres://` URL (read from `--config` or `./partner-risk.yaml`).
    public var database: String?

    public struct OfficerWorkspaceSettings: Codable, Sendable, Equatable {
        /// A session unused this long ends (default 30 minutes).
        public var idleMinutes: Int?

        enum CodingKeys: String, CodingKey { case idleMinutes = "idle_minutes" }
    }

    /// What one invitation may send in documents, in all channels together.
    public struct Evidence: Codable, Sendable, Equatable {
        public var maxFilesPerInvitation: Int?
        public var maxMBPerInvitation: Int?

        enum CodingKeys: String, CodingKey {
            case maxFilesPerInvitation = "max_files_per_invitation", maxMBPerInvitation = "max_mb_per_invitation"
        }
    }

    enum CodingKeys: String, CodingKey {
        case officer, mail, imap, evidence, screening, workspace, service, linkGraceDays = "link_grace_days"
        case allowLocalLinks = "allow_local_links", database
        case publicURL = "public_url", quarantineDir = "quarantine_dir", evidenceDir = "evidence_dir"
    }

    public init(officer: Officer? = nil, publicURL: String? = nil, mail: Mail? = nil, imap: IMAP? = nil) {
        self.officer = officer
        self.publicURL = publicURL
        self.mail = mail
        self.imap = imap
    }

    /// Loads `path` if given (must exist), else `partner-risk.yaml` next to the database if present.
    public static func load(explicitPath: String?, databasePath: String) throws -> AppConfig {
        let path = explicitPath ?? defaultPath(databasePath: databasePath)
        guard FileManager.default.fileExists(atPath: path) else {
            if explicitPath != nil { throw PartnerRiskError.badInput("config file \(path) does not exist") }
            return AppConfig()
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config: AppConfig
        do {
            config = try YAMLDecoder().decode(AppConfig.self, from: text)
        } catch {
            throw PartnerRiskError.badInput(located(error, text: text, path: path))
        }
        if config.mail?.password != nil {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
            if mode & 0o077 != 0 {
                throw PartnerRiskError.badInput("config file \(path) holds a password but others can read it; run `chmod 600 \(path)` or move the password to PARTNER_RISK_SMTP_PASSWORD")
            }
        }
        return config
    }

    /// `FILE:LINE:COLUMN: what is wrong` for a config that cannot be read: a YAML syntax error at
    /// its position, a value of the wrong kind at the value (found by following the decoder's
    /// path of keys through the composed tree).
    static func located(_ error: Error, text: String, path: String) -> String {
        // A syntax error (the decoder wraps it as "not valid YAML"): its position from composing the text.
        let reader = YAMLReader(file: path)
        _ = reader.compose(text)
        if let problem = reader.problems.first {
            return "\(path):\(problem.line):\(problem.column): \(problem.message); \(problem.fix)"
        }
        guard let decoding = error as? DecodingError else { return "config file \(path) is not valid: \(error)" }
        let (keys, what): ([any CodingKey], String) = {
            switch decoding {
            case .typeMismatch(let type, let context): return (context.codingPath, "expected \(Self.kind(type))")
            case .valueNotFound(let type, let context): return (context.codingPath, "a value is missing (\(Self.kind(type)))")
            case .keyNotFound(let key, let context): return (context.codingPath, "`\(key.stringValue)` is missing here")
            case .dataCorrupted(let context): return (context.codingPath, context.debugDescription)
            @unknown default: return ([], "\(decoding)")
            }
        }()
        var node = try? Yams.compose(yaml: text)
        for key in keys {
            if let index = key.intValue, case .sequence(let items)? = node, index < items.count {
                node = items[index]
            } else if case .mapping(let mapping)? = node, let child = mapping[key.stringValue] {
                node = child
            } else {
                break
            }
        }
        let mark = node?.mark
        let found = node?.scalar.map { ", not `\($0.string)`" } ?? ""
        let name = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        return "\(path):\(mark?.line ?? 1):\(mark?.column ?? 1): \(name.isEmpty ? "" : "`\(name)`: ")\(what)\(found)"
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "text"
        default: return "\(type)"
        }
    }

    /// `partner-risk.yaml` in the workspace's folder (next to a SQLite file; the working
    /// directory for a PostgreSQL database).
    public static func defaultPath(databasePath: String) -> String {
        let folder = Workspace.folder(of: databasePath)
        return folder.isEmpty ? "partner-risk.yaml" : folder + "/partner-risk.yaml"
    }
}

/// Reads a secret from the environment, else from a file that only its owner may read.
public enum Secret {
    public static func read(environment name: String, file: String?, env: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let value = env[name], !value.isEmpty { return value }
        let fileVariable = env[name + "_FILE"]
        guard let path = file ?? fileVariable else { return nil }
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw PartnerRiskError.badInput("password file \(path) cannot be read")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        if mode & 0o077 != 0 {
            throw PartnerRiskError.badInput("password file \(path) is readable by others; run `chmod 600 \(path)`")
        }
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
