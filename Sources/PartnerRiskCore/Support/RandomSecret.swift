import Foundation

/// 256-bit random secrets as cookie and form values (URL-safe base64, 43 characters), and their
/// comparison in constant time. Used by the partner site's CSRF token and the officer sessions.
public enum RandomSecret {
    /// The length of every secret `make` returns (32 bytes in base64url, no padding).
    public static let length = 43

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        // Four 64-bit draws (one system call each), not 32 one-byte draws.
        var words = (0..<4).map { _ in generator.next() as UInt64 }
        let base64 = Data(bytes: &words, count: 32).base64EncodedString()
        // URL-safe alphabet, no padding: `+` → `-`, `/` → `_`, `=` dropped (byte by byte: Foundation's
        // replacingOccurrences was most of the cost of a form page served from the cache).
        return String(decoding: base64.utf8.compactMap { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 == UInt8(ascii: "=") ? nil : $0 },
                      as: UTF8.self)
    }

    /// Equal, compared without stopping at the first difference.
    public static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The value when it looks like one `make` returns (43 URL-safe base64 characters).
    public static func wellFormed(_ value: String?) -> String? {
        guard let value, value.utf8.count == length, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return value
    }
}
