import Foundation

/// Whether the links in mail would reach partners: `public_url` must be set and must not name
/// this machine or a private network (every partner would get a link they cannot open).
public enum PublicLinkCheck {
    /// The problem with `publicURL` (nil when it is fine). `publicURL` nil means not set.
    public static func problem(_ publicURL: String?) -> String? {
        guard let publicURL, !publicURL.isEmpty else {
            return "public_url is not set, so every link would point to this machine (http://127.0.0.1:8080)"
        }
        guard let host = URLComponents(string: publicURL)?.host?.lowercased(), !host.isEmpty else {
            return "public_url \(publicURL) names no host"
        }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare.hasSuffix(".local") {
            return "public_url \(publicURL) names this machine"
        }
        if let octets = ipv4(bare) {
            if octets[0] == 127 || octets[0] == 0 { return "public_url \(publicURL) is a loopback address" }
            if octets[0] == 10 || (octets[0] == 172 && (16...31).contains(octets[1])) || (octets[0] == 192 && octets[1] == 168)
                || (octets[0] == 169 && octets[1] == 254) || (octets[0] == 100 && (64...127).contains(octets[1])) {
                return "public_url \(publicURL) is a private network address"
            }
        } else if bare.contains(":") {
            if bare == "::1" || bare == "::" { return "public_url \(publicURL) is a loopback address" }
            if bare.hasPrefix("fc") || bare.hasPrefix("fd") || bare.hasPrefix("fe8") || bare.hasPrefix("fe9") || bare.hasPrefix("fea") || bare.hasPrefix("feb") {
                return "public_url \(publicURL) is a private network address"
            }
        }
        return nil
    }

    /// The refusal `campaign send` and the outbox worker give, naming the settings to fix.
    public static func refusal(_ problem: String) -> String {
        "\(problem); set public_url in partner-risk.yaml (or PARTNER_RISK_PUBLIC_URL) to the address partners reach the server at, "
            + "or pass --allow-local-links (allow_local_links: true in the config) for a trial"
    }

    static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil && (0...255).contains($0!) }) else { return nil }
        return parts.map { $0! }
    }
}
