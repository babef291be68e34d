import Foundation
import Yams

/// Where PartnerRisk finds its database and the officer-editable folders (`Surveys/`,
/// `Templates/`). Resolved once per command from flags and environment, then passed down.
public struct Workspace: Sendable {
    /// The database file when neither `--db` nor `PARTNER_RISK_DB` names one.
    public static let defaultDatabasePath = "partner-risk.sqlite"

    public var databasePath: String
    public var surveysDirectory: URL
    public var templatesDirectory: URL

    /// Resolves the database from `--db`, then `PARTNER_RISK_DB`, then `database:` in the settings
    /// file (`config`, else `./partner-risk.yaml`), then `./partner-risk.sqlite`;
    /// the folders from `PARTNER_RISK_HOME`, then the working directory, then the folders
    /// around the executable (so a built binary finds the project's own `Surveys/`).
    public static func resolve(databaseFlag: String?, config: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> Workspace {
        let database = databaseFlag ?? environment["PARTNER_RISK_DB"] ?? configuredDatabase(config) ?? Workspace.defaultDatabasePath
        let home = homeDirectory(environment: environment)
        return Workspace(
            databasePath: database,
            surveysDirectory: home.appendingPathComponent("Surveys", isDirectory: true),
            templatesDirectory: home.appendingPathComponent("Templates", isDirectory: true))
    }

    /// The settings file to read: `config`, else the one whose `database:` named the database
    /// (`./partner-risk.yaml`, not a file beside that database), else nil (the one beside it).
    public static func settingsFile(databaseFlag: String?, config: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config { return config }
        guard databaseFlag == nil, environment["PARTNER_RISK_DB"] == nil, configuredDatabase(nil) != nil else { return nil }
        return AppConfig.defaultPath(databasePath: defaultDatabasePath)
    }

    /// `database:` of the settings file `config` (else `./partner-risk.yaml`), when it names one.
    static func configuredDatabase(_ config: String?) -> String? {
        let path = config ?? AppConfig.defaultPath(databasePath: defaultDatabasePath)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              case .mapping(let root)? = try? Yams.compose(yaml: text), let value = root["database"]?.string else { return nil }
        return value.isEmpty ? nil : value
    }

    /// The database named by `databasePath`: a SQLite file or a PostgreSQL URL.
    public func database() throws -> DatabaseLocation { try DatabaseLocation.parse(databasePath) }

    /// Whether the database is a PostgreSQL server rather than a SQLite file.
    public var isPostgres: Bool { Self.isPostgres(databasePath) }

    static func isPostgres(_ database: String) -> Bool {
        let lowered = database.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// `folder` of a workspace whose database is `database`.
    public static func folder(of database: String) -> String {
        isPostgres(database) ? "" : (database as NSString).deletingLastPathComponent
    }

    /// The folder the workspace's files go in when the config names no other (`outbox/`,
    /// `quarantine/`, `evidence/`, `link.key`, `partner-risk.yaml`): the SQLite file's folder, or
    /// the working directory when the database is a PostgreSQL server ("" for the working directory).
    public var folder: String { Self.folder(of: databasePath) }

    /// `name` in `folder`.
    public func beside(_ name: String) -> String { folder.isEmpty ? name : folder + "/" + name }

    static func homeDirectory(environment: [String: String]) -> URL {
        if let home = environment["PARTNER_RISK_HOME"] { return URL(fileURLWithPath: home, isDirectory: true) }
        let fileManager = FileManager.default
        let cwd = URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true)
        if fileManager.fileExists(atPath: cwd.appendingPathComponent("Surveys").path) { return cwd }
        var candidate = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("Surveys").path)
                && fileManager.fileExists(atPath: candidate.appendingPathComponent("Templates").path) {
                return candidate
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return cwd
    }

    /// Where refused inputs are copied: the config's `quarantine_dir`, else `quarantine/` next to the database.
    public func quarantineDirectory(_ config: AppConfig) -> URL {
        if let directory = config.quarantineDir { return URL(fileURLWithPath: directory) }
        return URL(fileURLWithPath: beside("quarantine"))
    }

    /// The secret the invitation links are derived from (`TokenKey`): `link.key` next to the database.
    public var linkKeyFile: URL { URL(fileURLWithPath: beside("link.key")) }

    /// Where uploaded evidence is kept: the config's `evidence_dir`, else `evidence/` next to the database.
    public func evidenceDirectory(_ config: AppConfig) -> URL {
        if let directory = config.evidenceDir { return URL(fileURLWithPath: directory) }
        return URL(fileURLWithPath: beside("evidence"))
    }
}
