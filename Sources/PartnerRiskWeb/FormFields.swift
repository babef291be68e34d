import Foundation
import PartnerRiskCore
import PartnerRiskMail

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded` or
/// `multipart/form-data`): text values by name, in order, and uploaded files.
public struct FormFields: Sendable {
    /// One uploaded file.
    public struct Upload: Sendable {
        public var field: String
        public var fileName: String
        public var contentType: String
        public var data: Data
    }

    public private(set) var values: [String: [String]] = [:]
    public private(set) var uploads: [Upload] = []

    public init(values: [String: [String]] = [:], uploads: [Upload] = []) {
        self.values = values
        self.uploads = uploads
    }

    public func first(_ name: String) -> String? { values[name]?.first }
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Parses a request body by its Content-Type; an unknown type gives no fields.
    public static func parse(_ body: Data, contentType: String?) -> FormFields {
        let type = (contentType ?? "").lowercased()
        if type.hasPrefix("multipart/form-data") { return multipart(body, contentType: contentType ?? "") }
        if type.hasPrefix("application/x-www-form-urlencoded") { return urlEncoded(String(decoding: body, as: UTF8.self)) }
        return FormFields()
    }

    static func urlEncoded(_ text: String) -> FormFields {
        var fields = FormFields()
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            fields.values[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// A form-data body is a multipart entity without its header: GMime reads it like mail.
    static func multipart(_ body: Data, contentType: String) -> FormFields {
        var fields = FormFields()
        for part in MIMEReader.formData(body, contentType: contentType) {
            guard let name = part.fieldName else { continue }
            if part.hasFileNameParameter {
                let fileName = part.fileName ?? ""
                guard !fileName.isEmpty || !part.body.isEmpty else { continue }
                fields.uploads.append(Upload(field: name, fileName: fileName, contentType: part.contentType, data: part.body))
            } else {
                fields.values[name, default: []].append(part.text)
            }
        }
        return fields
    }
}
