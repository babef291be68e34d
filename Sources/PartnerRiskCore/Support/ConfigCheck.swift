import Foundation
import Yams

/// The deeper check of a settings file that `config check` and `serve` make (every command
/// already refuses a file it cannot read): keys that are not settings (a typo is otherwise
/// silently ignored), URLs of the wrong kind, values outside their choices, password files that
/// are missing or readable by others. Each problem is `FILE:LINE:COLUMN: what is wrong; what to do`.
public struct ConfigCheck {
    public let path: String
    public let text: String
    public let config: AppConfig

    public init(path: String, text: String, config: AppConfig) {
        self.path = path
        self.text = text
        self.config = config
    }

    /// Reads and checks `path` (which must load).
    public static func file(_ path: String, databasePath: String) throws -> ConfigCheck {
        let config = try AppConfig.load(explicitPath: path, databasePath: databasePath)
        return ConfigCheck(path: path, text: try String(contentsOfFile: path, encoding: .utf8), config: config)
    }

    public func problems() -> [String] {
        guard let root = try? Yams.compose(yaml: text) else { return [] }
        var problems = unknownKeys(root)
        func at(_ keys: [String], _ message: String) {
            let mark = Self.node(root, keys)?.mark
            problems.append("\(path):\(mark?.line ?? 1):\(mark?.column ?? 1): `\(keys.joined(separator: "."))`: \(message)")
        }
        if let url = config.publicURL, let problem = Self.urlProblem(url, schemes: ["http", "https"]) { at(["public_url"], problem) }
        if let url = config.mail?.smtp, let problem = Self.urlProblem(url, schemes: ["smtp", "smtps"]) { at(["mail", "smtp"], problem) }
        if let url = config.imap?.url, let problem = Self.urlProblem(url, schemes: ["imap", "imaps"]) { at(["imap", "url"], problem) }
        if let database = config.database {
            do { _ = try DatabaseLocation.parse(database) } catch { at(["database"], "\(error)") }
        }
        for (keys, value, choices) in choices() where !choices.contains(value) {
            at(keys, "`\(value)` is not one of \(choices.joined(separator: ", "))")
        }
        for (keys, value) in positives() where value <= 0 { at(keys, "must be more than 0, not \(value)") }
        for (keys, file) in [(["mail", "password_file"], config.mail?.passwordFile), (["imap", "password_file"], config.imap?.passwordFile)] {
            if let file, let problem = Self.passwordFileProblem(file) { at(keys, problem) }
        }
        if let to = config.service?.reviewClock?.digestTo, MailAddress(parsing: to) == nil {
            at(["service", "review_clock", "digest_to"], "`\(to)` is not an email address")
        }
        if config.service?.screening?.enabled == true, (config.service?.screening?.folder ?? "").isEmpty {
            at(["service", "screening"], "the watcher is on but names no `folder`; add the folder the list files are put in")
        }
        return problems
    }

    /// Keys written in the file that no setting reads. Found by encoding what was decoded: a key
    /// with a value that does not come back is not a setting (kept in step with the `CodingKeys` by construction).
    func unknownKeys(_ root: Node) -> [String] {
        guard let data = try? JSONEncoder().encode(config), let known = try? JSONSerialization.jsonObject(with: data) else { return [] }
        var problems: [String] = []
        func walk(_ node: Node, _ known: Any?, _ keys: [String]) {
            guard case .mapping(let mapping) = node else { return }
            let knownKeys = known as? [String: Any] ?? [:]
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                if case .scalar(let scalar) = value, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { continue }
                if let child = knownKeys[name] {
                    walk(value, child, keys + [name])
                } else {
                    let mark = key.mark
                    problems.append("\(path):\(mark?.line ?? 1):\(mark?.column ?? 1): `\((keys + [name]).joined(separator: "."))` is not a setting; "
                                    + "check its spelling and place against README, “The settings file”")
                }
            }
        }
        walk(root, known, [])
        return problems
    }

    func choices() -> [([String], String, [String])] {
        var list: [([String], String, [String])] = []
        if let value = config.mail?.transport { list.append((["mail", "transport"], value, ["smtp", "drop"])) }
        if let value = config.mail?.tls { list.append((["mail", "tls"], value, ["required", "optional", "none"])) }
        if let value = config.imap?.tls { list.append((["imap", "tls"], value, ["required", "optional", "none"])) }
        if let value = config.officer?.language { list.append((["officer", "language"], value, ["en", "fr"])) }
        return list
    }

    func positives() -> [([String], Int)] {
        let service = config.service
        let values: [([String], Int?)] = [
            (["mail", "connections"], config.mail?.connections), (["mail", "max_per_minute"], config.mail?.maxPerMinute),
            (["mail", "timeout"], config.mail?.timeout), (["mail", "connect_timeout"], config.mail?.connectTimeout),
            (["mail", "max_attempts"], config.mail?.maxAttempts), (["mail", "retry_base_seconds"], config.mail?.retryBase),
            (["service", "outbox", "interval_seconds"], service?.outbox?.intervalSeconds),
            (["service", "mailbox", "interval_minutes"], service?.mailbox?.intervalMinutes),
            (["service", "reminders", "interval_minutes"], service?.reminders?.intervalMinutes),
            (["service", "screening", "interval_seconds"], service?.screening?.intervalSeconds),
            (["workspace", "idle_minutes"], config.workspace?.idleMinutes),
        ]
        return values.compactMap { keys, value in value.map { (keys, $0) } }
    }

    static func urlProblem(_ text: String, schemes: [String]) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme) else {
            return "`\(text)` must start with \(schemes.map { $0 + "://" }.joined(separator: " or "))"
        }
        guard let host = url.host, !host.isEmpty else { return "`\(text)` names no host" }
        if url.user != nil || url.password != nil {
            return "the URL carries a user name or password; leave them out and use the user and password settings or variables"
        }
        return nil
    }

    static func passwordFileProblem(_ file: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { return "the password file \(file) does not exist" }
        guard FileManager.default.isReadableFile(atPath: file) else { return "the password file \(file) cannot be read by this user" }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        if mode & 0o077 != 0 { return "the password file \(file) is readable by others; run `chmod 600 \(file)`" }
        return nil
    }

    static func node(_ root: Node, _ keys: [String]) -> Node? {
        var node: Node? = root
        for key in keys {
            guard case .mapping(let mapping)? = node, let child = mapping[key] else { return node }
            node = child
        }
        return node
    }
}
