import Foundation

/// An error a compliance officer can act on: what went wrong, and the process exit code
/// (2 for bad usage or bad input, 1 for an operation that failed).
public struct PartnerRiskError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Bad usage or bad input (exit code 2).
        case badInput
        /// An operation that failed: database, network, file system (exit code 1).
        case failed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func badInput(_ message: String) -> PartnerRiskError { .init(.badInput, message) }
    public static func failed(_ message: String) -> PartnerRiskError { .init(.failed, message) }

    public var exitCode: Int32 { kind == .badInput ? 2 : 1 }
    public var description: String { message }
}
