import Foundation
import PartnerRiskCore
import Yams

/// The partner-facing words of the web form in each language, read from
/// `Templates/web/strings.<lang>.yaml` so an officer can change them without a rebuild.
public struct WebStrings: Sendable {
    private let byLanguage: [Language: [String: String]]

    /// Keys the code itself uses (error messages); the templates use the rest.
    public static let requiredKeys = [
        "error_required", "error_number", "error_range", "error_date", "error_choice", "error_country", "error_too_long",
        "error_na_reason", "error_invalid", "error_upload_size", "error_upload_kind", "error_upload_content", "error_upload_quota", "error_upload_empty", "language_name",
    ]

    public init(directory: URL) throws {
        var byLanguage: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let url = directory.appendingPathComponent("web/strings.\(language.rawValue).yaml")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw PartnerRiskError.failed("missing \(url.path): the web form's words in \(language.rawValue)")
            }
            guard let map = (try? Yams.load(yaml: text)) as? [String: Any] else {
                throw PartnerRiskError.failed("\(url.path) is not a YAML map of key: text")
            }
            let strings = map.mapValues { "\($0)" }
            let missing = Self.requiredKeys.filter { strings[$0] == nil }
            guard missing.isEmpty else { throw PartnerRiskError.failed("\(url.path) lacks \(missing.joined(separator: ", "))") }
            byLanguage[language] = strings
        }
        self.byLanguage = byLanguage
    }

    public func table(_ language: Language) -> [String: String] { byLanguage[language] ?? [:] }

    public func text(_ key: String, _ language: Language) -> String { byLanguage[language]?[key] ?? key }
}
