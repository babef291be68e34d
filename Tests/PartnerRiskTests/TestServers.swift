import Foundation
@testable import PartnerRisk

/// Child processes through posix_spawn and waitpid (Foundation's Process can hang waiting
/// inside async tests on Linux).
enum Spawn {
    static func start(_ arguments: [String], environment: [String: String]? = nil) throws -> pid_t {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).merging(ProcessInfo.processInfo.environment) { mine, _ in mine }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let status = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard status == 0 else { throw PartnerRiskError.failed("cannot start \(arguments[0]): \(status)") }
        return pid
    }

    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Int32 {
        wait(try start(arguments, environment: environment))
    }
}

/// A server child process, stopped when released.
final class ServerProcess {
    let pid: pid_t

    init(arguments: [String]) throws {
        pid = try Spawn.start(arguments)
    }

    deinit {
        kill(pid, SIGTERM)
        Spawn.wait(pid)
    }
}

/// Debian's aiosmtpd on a free loopback port, via Tests/servers/smtp_server.py.
final class TestSMTPServer {
    let directory: TemporaryDirectory
    let server: ServerProcess
    let port: Int
    let certificate: String

    init(arguments: [String] = [], tls: Bool = true) throws {
        directory = TemporaryDirectory()
        let certDir = directory.path("cert")
        try FileManager.default.createDirectory(atPath: certDir, withIntermediateDirectories: true)
        _ = try Spawn.run(["/bin/bash", ProjectRoot.path("Tests/servers/make_cert.sh"), certDir])
        certificate = certDir + "/cert.pem"
        let portFile = directory.path("port")
        var all = ["/usr/bin/python3", ProjectRoot.path("Tests/servers/smtp_server.py"), "--host", "127.0.0.1", "--port", "0",
                   "--outdir", directory.path("out"), "--port-file", portFile]
        if tls { all += ["--tls-cert", certificate, "--tls-key", certDir + "/key.pem"] }
        server = try ServerProcess(arguments: all + arguments)
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil && Date() < deadline {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let port else { throw PartnerRiskError.failed("test SMTP server did not start") }
        self.port = port
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The accepted messages as (recipients, parsed message).
    func received() -> [(rcpt: [String], message: MIMEEntity, raw: Data)] {
        guard let log = try? String(contentsOfFile: directory.path("out/log.jsonl"), encoding: .utf8) else { return [] }
        return log.split(separator: "\n").compactMap { line in
            guard let entry = JSONValue.parse(String(line))?.objectValue, let file = entry["file"]?.stringValue else { return nil }
            let path = file.hasPrefix("/") ? file : directory.path("out/" + file)
            guard let raw = FileManager.default.contents(atPath: path) else { return nil }
            let rcpt = entry["rcpt_tos"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return (rcpt, MIMEParser.parse(raw), raw)
        }
    }
}
