import CCurl
import Foundation
import PartnerRiskCore

/// Process-wide libcurl set-up and facts about the linked libcurl.
public enum CurlLibrary {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    /// Calls `curl_global_init` once; every libcurl user goes through this first.
    static func ensureInitialized() { _ = initialized }

    /// The libcurl version string, e.g. `7.88.1`.
    public static var version: String {
        ensureInitialized()
        guard let info = pr_curl_version_info(), let text = info.pointee.version else { return "unknown" }
        return String(cString: text)
    }

    /// The TLS library libcurl was built with, e.g. `OpenSSL/3.0.17`.
    public static var tlsBackend: String {
        ensureInitialized()
        guard let info = pr_curl_version_info(), let text = info.pointee.ssl_version else { return "none" }
        return String(cString: text)
    }

    /// The URL schemes this libcurl can speak (lower case).
    public static var protocols: [String] {
        ensureInitialized()
        guard let info = pr_curl_version_info(), var cursor = info.pointee.protocols else { return [] }
        var names: [String] = []
        while let name = cursor.pointee {
            names.append(String(cString: name))
            cursor = cursor.advanced(by: 1)
        }
        return names
    }
}
