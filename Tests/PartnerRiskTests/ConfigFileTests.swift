import Foundation
import Testing
@testable import PartnerRiskCore
import Yams

/// The settings file read as every command reads it: a problem is named by file, line and column.
@Suite struct ConfigFileTests {
    func load(_ text: String) throws -> (path: String, result: Result<AppConfig, Error>) {
        let directory = TemporaryDirectory()
        let path = directory.url.appendingPathComponent("partner-risk.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, Result { try AppConfig.load(explicitPath: path, databasePath: directory.url.appendingPathComponent("db.sqlite").path) })
    }

    func message(_ result: Result<AppConfig, Error>) -> String? {
        guard case .failure(let error as PartnerRiskError) = result else { return nil }
        return error.message
    }

    @Test func aValueOfTheWrongKindIsNamedAtItsLineWithItsKeys() throws {
        let (path, result) = try load("officer:\n  name: Jeanne\nmail:\n  transport: smtp\n  max_per_minute: lots\n")
        let text = try #require(message(result))
        #expect(text.hasPrefix("\(path):5:19: `mail.max_per_minute`: expected a number, not `lots`"), "\(text)")
    }

    @Test func aSyntaxErrorIsNamedAtItsPosition() throws {
        let (path, result) = try load("mail:\n  transport: smtp\n smtp: \"smtp://x\n")
        let text = try #require(message(result))
        #expect(text.hasPrefix("\(path):"), "\(text)")
        let line = Int(text.dropFirst(path.count + 1).prefix { $0.isNumber }) ?? 0
        #expect((2...4).contains(line), "\(text)")
        #expect(text.contains("YAML syntax error"))
    }

    @Test func aGoodFileLoads() throws {
        let (_, result) = try load("mail:\n  transport: drop\n  max_per_minute: 30\n")
        #expect(try result.get().mail?.maxPerMinute == 30)
    }
}

/// `config check` and `serve`: a file that loads can still be wrong in ways loading ignores.
@Suite struct ConfigCheckTests {
    func problems(_ text: String, files: [String: (String, Int)] = [:]) throws -> (path: String, problems: [String]) {
        let directory = TemporaryDirectory()
        for (name, (content, mode)) in files {
            let file = directory.path(name)
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        }
        let path = directory.path("partner-risk.yaml")
        try text.replacingOccurrences(of: "DIR", with: directory.url.path).write(toFile: path, atomically: true, encoding: .utf8)
        let check = try ConfigCheck.file(path, databasePath: directory.path("db.sqlite"))
        return (path, check.problems())
    }

    @Test func anUnknownKeyABadURLABadChoiceAndAnOpenPasswordFileAreEachNamedAtTheirLine() throws {
        let (path, found) = try problems("""
            officer:
              name: Jeanne Roy
              langauge: fr
            public_url: survey.acme.example
            mail:
              smtp: smtp://mail.acme.example:587
              tls: maybe
              password_file: DIR/secret
            imap:
              password_file: DIR/missing
            service:
              outbox: {enabled: true, interval_seconds: 0}
              review_clock: {enabled: true, digest_to: "not an address"}
              remindrs: {enabled: true}
            """, files: ["secret": ("s3cret", 0o644)])
        #expect(found.contains("\(path):3:3: `officer.langauge` is not a setting; check its spelling and place against README, “The settings file”"), "\(found)")
        #expect(found.contains("\(path):14:3: `service.remindrs` is not a setting; check its spelling and place against README, “The settings file”"))
        #expect(found.contains { $0.hasPrefix("\(path):4:13: `public_url`: `survey.acme.example` must start with http:// or https://") })
        #expect(found.contains("\(path):7:8: `mail.tls`: `maybe` is not one of required, optional, none"))
        #expect(found.contains { $0.hasPrefix("\(path):8:18: `mail.password_file`: the password file") && $0.hasSuffix("is readable by others; run `chmod 600 \(path.replacingOccurrences(of: "partner-risk.yaml", with: "secret"))`") })
        #expect(found.contains { $0.hasPrefix("\(path):10:18: `imap.password_file`: the password file") && $0.hasSuffix("does not exist") })
        #expect(found.contains { $0.hasPrefix("\(path):12:45: `service.outbox.interval_seconds`: must be more than 0") })
        #expect(found.contains { $0.contains("`service.review_clock.digest_to`: `not an address` is not an email address") })
        #expect(found.count == 8, "\(found)")
    }

    @Test func aFileWithEverySettingRightHasNoProblem() throws {
        let (_, found) = try problems("""
            officer: {name: Jeanne Roy, company: Acme Imports, email: compliance@acme.example.com, language: fr}
            public_url: https://survey.acme.example
            allow_local_links: false
            link_grace_days: 30
            mail: {transport: smtp, smtp: "smtps://mail.acme.example:465", tls: required, username: survey, password_file: DIR/secret,
                   connections: 2, max_per_minute: 60, timeout: 60, connect_timeout: 10, retry_base_seconds: 300, max_attempts: 8}
            imap: {url: "imaps://mail.acme.example/INBOX", tls: required, username: survey, move_to: Done}
            screening: {threshold: 0.9}
            evidence: {max_files_per_invitation: 40, max_mb_per_invitation: 100}
            workspace: {idle_minutes: 30}
            service:
              outbox: {enabled: true, interval_seconds: 10}
              mailbox: {enabled: false, interval_minutes: 5}
              reminders: {enabled: true, offsets_days: [-7, -2, 3], interval_minutes: 60}
              review_clock: {enabled: true, digest_to: "compliance@acme.example.com"}
              screening: {enabled: true, folder: lists, interval_seconds: 60}
            """, files: ["secret": ("s3cret", 0o600)])
        #expect(found.isEmpty, "\(found)")
    }
}

/// README's settings section: its example passes `config check`, and it names every key the table lists.
@Suite struct ReadmeSettingsTests {
    static func section() throws -> String {
        let readme = try String(contentsOfFile: ProjectRoot.path("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "### The settings file"))
        let end = try #require(readme.range(of: "### Deployment", range: start.upperBound..<readme.endIndex))
        return String(readme[start.upperBound..<end.lowerBound])
    }

    @Test func theExampleWithEveryKeyPassesConfigCheckAndCoversTheTable() throws {
        let section = try Self.section()
        let yamlStart = try #require(section.range(of: "```yaml\n"))
        let yamlEnd = try #require(section.range(of: "```", range: yamlStart.upperBound..<section.endIndex))
        let directory = TemporaryDirectory()
        let secret = directory.write("secret", "s3cret")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
        let example = String(section[yamlStart.upperBound..<yamlEnd.lowerBound])
            .replacingOccurrences(of: "/etc/partner-risk/smtp-password", with: secret).replacingOccurrences(of: "/etc/partner-risk/imap-password", with: secret)
        let path = directory.write("partner-risk.yaml", example)
        let problems = try ConfigCheck.file(path, databasePath: directory.path("db.sqlite")).problems()
        #expect(problems.isEmpty, "\(problems)")
        // Every key of the table (`a.b`, then `.c` siblings) appears in the example.
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `") && !$0.contains("not in the example") }
        var keys: [String] = []
        for row in rows {
            let cell = row.split(separator: "|")[0]
            var parent = ""
            for match in cell.matches(of: /`([a-z_.]+)`/) {
                let key = String(match.1)
                if key.hasPrefix(".") { keys.append(parent + key) } else {
                    keys.append(key)
                    parent = key.split(separator: ".").dropLast().joined(separator: ".")
                }
            }
        }
        #expect(keys.count >= 44, "\(keys)")
        let root = try #require(try Yams.compose(yaml: example))
        for key in keys {
            let present = Self.has(root, key)
            #expect(present, "\(key) is in the table but not in the example")
        }
        // And the other way: every setting of the example has its row.
        for leaf in Self.leaves(root, "") { #expect(keys.contains(leaf), "\(leaf) is in the example but not in the table") }
    }

    static func leaves(_ node: Node, _ prefix: String) -> [String] {
        guard case .mapping(let mapping) = node else { return [prefix] }
        return mapping.flatMap { key, value in leaves(value, prefix.isEmpty ? key.string ?? "" : prefix + "." + (key.string ?? "")) }
    }

    static func has(_ root: Node, _ key: String) -> Bool {
        var node: Node? = root
        for part in key.split(separator: ".") {
            guard case .mapping(let mapping)? = node, let child = mapping[String(part)] else { return false }
            node = child
        }
        return true
    }
}
