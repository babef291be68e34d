import Foundation

/// What the receiving server said about one message.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Accepted (SMTP 250): the message is the server's responsibility now.
    case accepted(reply: String)
    /// 4xx, timeout, refused or dropped connection: try again later.
    case temporaryFailure(reply: String)
    /// 5xx: the server will never take it (e.g. 550 no such user).
    case permanentFailure(reply: String)
    /// The whole message went out but no final reply came (a timeout or a dropped connection
    /// after DATA): the server may or may not have it, so it is not sent again unasked.
    case uncertain(reply: String)

    public var reply: String {
        switch self {
        case .accepted(let reply), .temporaryFailure(let reply), .permanentFailure(let reply), .uncertain(let reply): return reply
        }
    }
}

/// Sends messages over one connection (reused from one message to the next). One per worker.
public protocol MailTransport: AnyObject {
    func deliver(_ mail: OutgoingMail) -> DeliveryOutcome
}

/// Makes one transport per worker, so N workers hold N connections.
public protocol MailTransportFactory: Sendable {
    /// A short description for logs and status (never includes secrets).
    var summary: String { get }
    func makeTransport() throws -> MailTransport
}

/// The `drop` transport: writes each message as an `.eml` file into a folder (the embedded
/// default, so the demo needs no mail server).
public struct DropTransportFactory: MailTransportFactory {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var summary: String { "drop to \(directory.path)" }

    public func makeTransport() throws -> MailTransport {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return DropTransport(directory: directory)
    }
}

final class DropTransport: MailTransport {
    let directory: URL

    init(directory: URL) {
        self.directory = directory
    }

    func deliver(_ mail: OutgoingMail) -> DeliveryOutcome {
        let id = mail.messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            .replacingOccurrences(of: "@", with: "_at_").replacingOccurrences(of: "/", with: "_")
        let recipient = (mail.recipients.first ?? "unknown").replacingOccurrences(of: "/", with: "_")
        let url = directory.appendingPathComponent("\(recipient)--\(id).eml")
        do {
            try mail.data.write(to: url, options: .atomic)
            return .accepted(reply: "250 written to \(url.lastPathComponent)")
        } catch {
            return .temporaryFailure(reply: "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
