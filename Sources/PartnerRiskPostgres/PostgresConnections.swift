import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PartnerRiskCore
import PostgresNIO
import Synchronization

/// A few connections to one PostgreSQL database, on an event-loop group of their own, for
/// callers on ordinary threads: Core's repositories are synchronous, so each call waits for its
/// query's future. The group is private, so a caller on another group's thread (`serve` runs its
/// tasks on NIO's shared group) never waits on itself. Never call from this group's threads.
public final class PostgresConnections: Sendable {
    /// Where the database is and how to reach it. The password comes from the environment or a
    /// 0600 file (the composition root reads it), never from the URL.
    public struct Settings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// TLS required (the default for a host that is not this machine), else none.
        public var requireTLS: Bool
        /// A CA file for a server whose certificate a private authority signed (else the system's).
        public var caFile: String?

        public init(host: String, port: Int = 5432, user: String, password: String?, database: String, requireTLS: Bool? = nil, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.requireTLS = requireTLS ?? !DatabaseLocation.PostgresAddress.isLoopback(host)
            self.caFile = caFile
        }
    }

    public let settings: Settings
    private let group: MultiThreadedEventLoopGroup
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    private let closed = Atomic<Bool>(false)

    public init(settings: Settings, logger: Logger = Logger(label: "partner-risk.postgres")) throws {
        self.settings = settings
        self.logger = logger
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()  // certificate and host name checked
        if let caFile = settings.caFile { tlsConfiguration.trustRoots = .file(caFile) }
        let tls: PostgresConnection.Configuration.TLS = settings.requireTLS ? .require(try NIOSSLContext(configuration: tlsConfiguration)) : .disable
        configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                         password: settings.password, database: settings.database, tls: tls)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Runs `body` with a connection of the pool (a new one when none is free).
    public func withConnection<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try lease()
        defer { giveBack(connection) }
        return try body(PostgresSession(connection: connection, logger: logger))
    }

    /// One statement on any connection; its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try withConnection { try $0.query(query) }
    }

    /// `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withConnection { session in
            try session.query("BEGIN")
            do {
                let result = try body(session)
                try session.query("COMMIT")
                return result
            } catch {
                _ = try? session.query("ROLLBACK")
                throw error
            }
        }
    }

    /// Closes every connection and the event-loop group; once only (later calls do nothing).
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let connections = idle.withLock { all in
            defer { all = [] }
            return all
        }
        for connection in connections { try? connection.close().waitOffLoop() }
        // Not `syncShutdownGracefully()`: NIO refuses it on any event-loop thread, and `serve` closes
        // the store from one (the private group's threads are not the caller's, so waiting is safe).
        let done = DispatchSemaphore(value: 0)
        group.shutdownGracefully { _ in done.signal() }
        done.wait()
    }

    /// A command that ends without closing the store (most do) still says goodbye to the server.
    deinit { close() }

    private func lease() throws -> PostgresConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                  id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, logger: logger).waitOffLoop()
        } catch {
            throw PostgresStoreError.connect(settings, error)
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        idle.withLock { $0.append(connection) }
    }
}

/// One leased connection: statements wait for their results.
public struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement; a failure says what the server said (never the values bound).
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return try connection.query(query, logger: logger).waitOffLoop().rows
        } catch let error as PSQLError {
            throw PostgresStoreError.statement(error)
        }
    }
}

/// What went wrong with the database, said so that the officer knows what to check.
public enum PostgresStoreError: Error, CustomStringConvertible {
    case connect(PostgresConnections.Settings, Error)
    /// A statement the server refused: its SQLSTATE, message and detail (the server's words).
    case statement(PSQLError)

    public var description: String {
        switch self {
        case .connect(let settings, let error):
            return "cannot reach PostgreSQL at \(settings.host):\(settings.port) (database \(settings.database), user \(settings.user)): "
                + "\(String(reflecting: error)); check the server runs, the address, PARTNER_RISK_DB_PASSWORD and TLS"
        case .statement(let error):
            guard let info = error.serverInfo else { return "PostgreSQL: \(error.code)" }
            return "PostgreSQL refused a statement (SQLSTATE \(info[.sqlState] ?? "?")): \(info[.message] ?? "no message")"
                + (info[.detail].map { " (\($0))" } ?? "")
        }
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The future's value, the calling thread blocked until it is there. NIO's `wait()` refuses any
    /// event-loop thread, and `serve` runs its handlers on the server's event loops (where SQLite's
    /// calls block the same way). Waiting there is safe here because this future belongs to the
    /// private group of `PostgresConnections`, whose threads never call it: nothing the caller's
    /// loop must do stands between the future and its completion.
    func waitOffLoop() throws -> Value {
        precondition(!eventLoop.inEventLoop, "a PostgreSQL call on the store's own event loop would wait on itself")
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Value, any Error>?>(nil)
        whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0 }!.get()
    }
}
