import Foundation

/// One run of the outbox sender (`campaign send`, or `serve`'s background sender), recorded so
/// that several can work at once: each claims the messages it sends, and a claim is called
/// interrupted (`uncertain`) only when the run that made it is no longer alive.
public struct SendRun: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var host: String

    public init(id: String = UUID().uuidString, pid: Int32 = ProcessInfo.processInfo.processIdentifier,
                host: String = ProcessInfo.processInfo.hostName) {
        self.id = id
        self.pid = pid
        self.host = host
    }

    /// Whether the run is still going: its process exists on this machine. A run recorded on
    /// another machine is taken as alive (its claims are left alone).
    public var isAlive: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
