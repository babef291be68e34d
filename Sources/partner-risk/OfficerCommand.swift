import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

struct OfficerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer",
        abstract: "Accounts of the officer workspace in `serve` (/officer/): add, list, disable, passwd.",
        discussion: """
            Passwords are asked on the terminal (not shown, typed twice) or read from the first line of \
            standard input when it is not a terminal; never given as an argument. They are stored as bcrypt hashes.
            """,
        subcommands: [OfficerAddCommand.self, OfficerListCommand.self, OfficerDisableCommand.self, OfficerPasswdCommand.self])
}

struct OfficerAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an officer account (asks for its password).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The officer's name, as the audit trail will record it (quote it: \"Dana Roy\").", valueName: "name"))
    var name: String

    @Option(help: "officer (reads and acts) or viewer (reads only).")
    var role: OfficerRole = .officer

    func run() throws {
        let app = try global.environment()
        let account = try app.officerAccounts.add(name: name, role: role, password: try PasswordPrompt.read(for: name))
        say("officer \(account.name) added (\(account.role.rawValue))")
    }
}

struct OfficerListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List officer accounts: name, role, created, disabled.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let accounts = try global.environment().officerAccounts.list()
        let listing = Listing(
            columns: ["name", "role", "created_at", "created_by", "disabled_at"],
            rows: accounts.map { [$0.name, $0.role.rawValue, $0.createdAt, $0.createdBy, $0.disabledAt ?? ""] },
            objects: accounts.map {
                ["name": .string($0.name), "role": .string($0.role.rawValue), "created_at": .string($0.createdAt),
                 "created_by": .string($0.createdBy), "disabled_at": .text($0.disabledAt), "active": .bool($0.active)]
            })
        say(listing.render(format))
    }
}

struct OfficerDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account: it can no longer sign in, and its sessions end now.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The officer's name.", valueName: "name"))
    var name: String

    func run() throws {
        let account = try global.environment().officerAccounts.disable(name: name)
        say("officer \(account.name) disabled; their sessions have ended")
    }
}

struct OfficerPasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a new password (asks for it); the account's open sessions end.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The officer's name.", valueName: "name"))
    var name: String

    func run() throws {
        let app = try global.environment()
        try app.officerAccounts.setPassword(name: name, password: try PasswordPrompt.read(for: name))
        say("password of \(name) changed; their sessions have ended")
    }
}

/// Reads a new password: on a terminal without echo, twice; otherwise the first line of standard input.
enum PasswordPrompt {
    static func read(for name: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw PartnerRiskError.badInput("no password on standard input: pipe one line, or run on a terminal to be asked")
            }
            return line
        }
        let first = try hidden("Password for \(name): "), second = try hidden("Again: ")
        guard first == second else { throw PartnerRiskError.badInput("the two passwords differ; nothing was changed") }
        return first
    }

    /// One line typed with the terminal's echo off (restored afterwards, whatever happens).
    static func hidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw PartnerRiskError.badInput("no password typed; nothing was changed") }
        return line
    }
}

extension OfficerRole: ExpressibleByArgument {}
