import Foundation
import HTTPTypes

/// A block of IP addresses (`10.0.0.0/8`, `2001:db8::/32`, or one address), as given to
/// `serve --trusted-proxy`.
public struct AddressBlock: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    /// Parses `address[/prefix]`; nil when it is not an IPv4 or IPv6 block.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let bytes = parts.first.flatMap(Self.bytes) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let prefix, (0...bytes.count * 8).contains(prefix) else { return nil }
        self.bytes = bytes
        self.prefix = prefix
    }

    public func contains(_ address: String) -> Bool {
        guard let other = Self.bytes(address), other.count == bytes.count else { return false }
        for bit in 0..<prefix where (other[bit / 8] ^ bytes[bit / 8]) & UInt8(0x80 >> (bit % 8)) != 0 { return false }
        return true
    }

    /// The 4 or 16 bytes of an IP address (an IPv4-mapped IPv6 address gives its 4).
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        return bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] ? Array(bytes[12...]) : bytes
    }
}

/// Who is asking: the peer, or, when the peer is a trusted proxy, the client the proxy names in
/// `X-Forwarded-For` (the right-most address that is not itself a trusted proxy) or `Forwarded`.
/// Without trusted proxies the headers are ignored: anyone can write them.
public enum ClientAddress {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!

    public static func resolve(peer: String?, headers: HTTPFields, trusted: [AddressBlock]) -> String? {
        guard let peer, trusted.contains(where: { $0.contains(peer) }) else { return peer }
        var chain = headers[values: forwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if chain.isEmpty {
            chain = headers[values: forwarded].flatMap { $0.split(separator: ",") }.compactMap { element in
                element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.lowercased().hasPrefix("for=") }
                    .map { String($0.dropFirst(4)).trimmingCharacters(in: CharacterSet(charactersIn: "\"[]")) }
            }
        }
        for candidate in chain.reversed() where AddressBlock.bytes(candidate) != nil {
            if !trusted.contains(where: { $0.contains(candidate) }) { return candidate }
        }
        return peer
    }
}
