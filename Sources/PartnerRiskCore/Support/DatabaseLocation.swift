import Foundation

/// Where the data lives, from `--db`, `PARTNER_RISK_DB` or the config's `database:`: a plain path
/// is a SQLite file; `postgres://user@host:port/name` (or `postgresql://`) is a PostgreSQL
/// database shared by several officers or `serve` instances. A password never comes from the URL
/// (it would show in `ps` and in shell history): `PARTNER_RISK_DB_PASSWORD` or a 0600 file named
/// by `PARTNER_RISK_DB_PASSWORD_FILE`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// A PostgreSQL server and database, without the password.
    public struct PostgresAddress: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var database: String
        /// TLS for the connection: required (certificate and host name checked) unless
        /// `?sslmode=disable`; by default required for every host but this machine.
        public var tls: Bool

        public init(host: String, port: Int = 5432, user: String, database: String, tls: Bool? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.database = database
            self.tls = tls ?? !Self.isLoopback(host)
        }

        /// This machine: `localhost`, 127.0.0.0/8 or `::1` (where TLS is off by default).
        public static func isLoopback(_ host: String) -> Bool {
            ["localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
        }
    }

    /// Reads a `--db` value. `login` is the user when the URL names none (as `psql` does).
    public static func parse(_ text: String, login: String = Actor.current) throws -> DatabaseLocation {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else { return .sqlite(path: text) }
        let usage = "write it as postgres://USER@HOST:PORT/DATABASE (the password from PARTNER_RISK_DB_PASSWORD or PARTNER_RISK_DB_PASSWORD_FILE)"
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw PartnerRiskError.badInput("the database URL cannot be read; \(usage)")
        }
        if components.password != nil {
            throw PartnerRiskError.badInput("the database URL holds a password, which would show in the process list and shell history; "
                + "remove it and set PARTNER_RISK_DB_PASSWORD (or PARTNER_RISK_DB_PASSWORD_FILE, a file only its owner can read)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PartnerRiskError.badInput("the database URL names no database; \(usage)") }
        var tls: Bool?
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"): tls = false
            case ("sslmode", "require"), ("sslmode", "verify-full"): tls = true
            default:
                throw PartnerRiskError.badInput("the database URL has an unknown setting `\(item.name)`; only sslmode=require (the default "
                    + "for another machine) or sslmode=disable are understood")
            }
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? login
        return .postgres(PostgresAddress(host: host, port: components.port ?? 5432, user: user, database: database, tls: tls))
    }

    /// The location as the officer may see it (never a password: the URL holds none).
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let address):
            let host = address.host.contains(":") && !address.host.hasPrefix("[") ? "[\(address.host)]" : address.host
            // sslmode only where it differs from the host's default.
            let mode = address.tls == !PostgresAddress.isLoopback(address.host) ? "" : (address.tls ? "?sslmode=require" : "?sslmode=disable")
            return "postgres://\(address.user)@\(host):\(address.port)/\(address.database)" + mode
        }
    }

    /// The folder beside which the files of the workspace go (config, outbox, quarantine,
    /// evidence, link key): the SQLite file's folder; the working directory for PostgreSQL.
    public var folder: String {
        switch self {
        case .sqlite(let path): return (path as NSString).deletingLastPathComponent
        case .postgres: return ""
        }
    }
}
