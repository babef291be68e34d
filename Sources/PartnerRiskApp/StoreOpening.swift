import Foundation
import PartnerRiskCore
import PartnerRiskPostgres
import PartnerRiskStore

extension Workspace {
    /// Opens (creating and migrating) the database of this workspace: the SQLite file, or the
    /// PostgreSQL database of a `postgres://` URL with its password from the environment.
    public func openRepositories(actor: String = Actor.current, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Repositories {
        switch try database() {
        case .sqlite(let path):
            return try SQLiteStore(path: path, actor: actor)
        case .postgres(let address):
            return try PostgresStore(settings: try Self.postgresSettings(address, environment: environment), actor: actor)
        }
    }

    /// The connection settings of `address`: the password from `PARTNER_RISK_DB_PASSWORD` or the
    /// 0600 file `PARTNER_RISK_DB_PASSWORD_FILE` names, a private CA from `PARTNER_RISK_DB_CA`.
    static func postgresSettings(_ address: DatabaseLocation.PostgresAddress, environment: [String: String]) throws -> PostgresConnections.Settings {
        let password = try Secret.read(environment: "PARTNER_RISK_DB_PASSWORD", file: nil, env: environment)
        return PostgresConnections.Settings(host: address.host, port: address.port, user: address.user, password: password,
                                            database: address.database, requireTLS: address.tls, caFile: environment["PARTNER_RISK_DB_CA"])
    }

    /// Opens the SQLite file of this workspace, for what works on the file itself (`backup`,
    /// `restore`, `check`); a PostgreSQL database is refused with what to use instead.
    public func openStore(actor: String = Actor.current) throws -> SQLiteStore {
        try SQLiteStore(path: try requireSQLite(), actor: actor)
    }

    /// The SQLite file's path; a PostgreSQL database is refused, saying what to use instead.
    public func requireSQLite() throws -> String {
        guard !isPostgres else {
            throw PartnerRiskError.badInput("this command works on a SQLite file, and the database is PostgreSQL (\(try database())); "
                + "back up and check a PostgreSQL database with the server's own tools (pg_dump, pg_amcheck) and the evidence folder with the files")
        }
        return databasePath
    }
}
