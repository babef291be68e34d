import CGMime
import Foundation
import PartnerRiskCore

/// A received message (or a form body) as GMime parsed it: the top-level headers, decoded, and
/// every leaf part in order, forwarded messages (`message/rfc822`) and signed parts included.
public struct MIMEDocument: Sendable {
    /// One leaf part, its transfer encoding undone.
    public struct Part: Sendable {
        /// The file name (RFC 2231 continuations and charsets, RFC 2047 words in any charset decoded).
        public var fileName: String?
        /// Whether a `filename` parameter was given at all (an empty file field of a form has one).
        public var hasFileNameParameter: Bool
        /// The `name` parameter of Content-Disposition (the field of a form).
        public var fieldName: String?
        /// The media type in lower case, without parameters.
        public var contentType: String
        public var body: Data
        /// Shown by the mail's HTML (a Content-ID, and no `attachment` disposition): a signature's logo.
        public var embedded = false

        /// The body as UTF-8 text (invalid bytes replaced).
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Header values by their name as written, decoded (RFC 2047) and unfolded.
    public var headers: [(name: String, value: String)]
    public var parts: [Part]
    /// Set when reading stopped at a cap (`MIMEReader.maxParts`, `maxDecodedBytes`): the reason.
    public var refusal: String? = nil

    /// The first header of that name (case does not matter).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Parses MIME with GMime 3: no MIME parsing is written by hand here, because replies come in
/// every shape mail clients write (RFC 2231 parameters, any-charset encoded words, forwards,
/// S/MIME, boundaries with trailing white space, a missing closing boundary).
public enum MIMEReader {
    /// Forwards nested deeper than this are not opened.
    public static let maxDepth = 8
    /// A message with more parts than this is refused (a junk or hostile message).
    public static let maxParts = 1_000
    /// A message whose parts decode to more than this is refused.
    public static let maxDecodedBytes = 50 * 1_048_576

    /// What a walk has read so far, against the caps.
    private struct Budget {
        var parts = 0
        var bytes = 0
        var refusal: String?
    }

    private static let initialized: Bool = {
        g_mime_init()
        return true
    }()

    /// A whole message (headers and body); a text with no MIME structure is one text part.
    public static func message(_ data: Data) -> MIMEDocument {
        _ = initialized
        guard let message = data.withUnsafeBytes({ cgmime_parse_message($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }) else {
            return MIMEDocument(headers: [], parts: [MIMEDocument.Part(fileName: nil, hasFileNameParameter: false, fieldName: nil,
                                                                     contentType: "text/plain", body: data)])
        }
        defer { cgmime_unref(message) }
        var parts: [MIMEDocument.Part] = []
        var budget = Budget()
        if let root = g_mime_message_get_mime_part(message) { walk(root, depth: 0, into: &parts, budget: &budget) }
        return MIMEDocument(headers: headers(of: cgmime_message_object(message)), parts: budget.refusal == nil ? parts : [],
                            refusal: budget.refusal)
    }

    /// The fields of a `multipart/form-data` body sent with `contentType` (which holds the boundary).
    public static func formData(_ body: Data, contentType: String) -> [MIMEDocument.Part] {
        _ = initialized
        let entity = Data("Content-Type: \(contentType.filter { $0 != "\r" && $0 != "\n" })\r\n\r\n".utf8) + body
        guard let root = entity.withUnsafeBytes({ cgmime_parse_entity($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }) else { return [] }
        defer { cgmime_unref(root) }
        guard cgmime_is_multipart(root) != 0 else { return [] }
        // Each field is one part, taken as sent: an uploaded message or multipart file is kept
        // whole (its bytes as written), not opened like a forward in mail.
        let multipart = cgmime_as_multipart(root)
        return (0..<max(0, g_mime_multipart_get_count(multipart))).compactMap { index in
            guard let child = g_mime_multipart_get_part(multipart, index) else { return nil }
            return cgmime_is_part(child) != 0 ? leaf(child) : whole(child)
        }
    }

    /// A non-leaf form field (an uploaded `.eml`, say) as one part holding its content's bytes.
    private static func whole(_ object: UnsafeMutablePointer<GMimeObject>) -> MIMEDocument.Part {
        var body = Data()
        let inner = cgmime_is_message_part(object) != 0
            ? g_mime_message_part_get_message(cgmime_as_message_part(object)).map(cgmime_message_object) : object
        if let inner, let text = g_mime_object_to_string(inner, nil) {
            body = Data(bytes: text, count: strlen(text))
            g_free(text)
        }
        let type = cgmime_mime_type(object)
        defer { g_free(type) }
        return MIMEDocument.Part(
            fileName: g_mime_object_get_content_disposition_parameter(object, "filename").map { String(cString: $0) },
            hasFileNameParameter: g_mime_object_get_content_disposition_parameter(object, "filename") != nil,
            fieldName: g_mime_object_get_content_disposition_parameter(object, "name").map { String(cString: $0) },
            contentType: type.map { String(cString: $0) } ?? "application/octet-stream", body: body)
    }

    /// The GMime library in use, e.g. `3.2.13` (for `doctor`).
    public static var version: String { "\(gmime_major_version).\(gmime_minor_version).\(gmime_micro_version)" }

    /// A header value with its RFC 2047 encoded words decoded.
    public static func decodeHeaderText(_ text: String) -> String {
        _ = initialized
        guard let decoded = cgmime_decode_header_text(text) else { return text }
        defer { g_free(decoded) }
        return String(cString: decoded)
    }

    private static func walk(_ object: UnsafeMutablePointer<GMimeObject>, depth: Int, into parts: inout [MIMEDocument.Part], budget: inout Budget) {
        guard depth < maxDepth, budget.refusal == nil else { return }
        budget.parts += 1
        guard budget.parts <= maxParts else {
            budget.refusal = "the message has more than \(maxParts) MIME parts; ask the partner to send the answer file in a plain reply"
            return
        }
        if cgmime_is_multipart(object) != 0 {
            let multipart = cgmime_as_multipart(object)
            for index in 0..<max(0, g_mime_multipart_get_count(multipart)) {
                if let child = g_mime_multipart_get_part(multipart, index) { walk(child, depth: depth + 1, into: &parts, budget: &budget) }
            }
        } else if cgmime_is_message_part(object) != 0 {
            if let message = g_mime_message_part_get_message(cgmime_as_message_part(object)), let root = g_mime_message_get_mime_part(message) {
                walk(root, depth: depth + 1, into: &parts, budget: &budget)
            }
        } else if cgmime_is_part(object) != 0 {
            let part = leaf(object)
            budget.bytes += part.body.count
            guard budget.bytes <= maxDecodedBytes else {
                budget.refusal = "the message decodes to more than \(maxDecodedBytes / 1_048_576) MB; ask the partner to send the answer file without large attachments"
                return
            }
            parts.append(part)
        }
    }

    private static func leaf(_ object: UnsafeMutablePointer<GMimeObject>) -> MIMEDocument.Part {
        let part = cgmime_as_part(object)
        var body = Data()
        if let bytes = cgmime_part_content(part) {
            if let data = bytes.pointee.data { body = Data(bytes: data, count: Int(bytes.pointee.len)) }
            g_byte_array_free(bytes, 1)
        }
        let type = cgmime_mime_type(object)
        defer { g_free(type) }
        return MIMEDocument.Part(
            fileName: g_mime_part_get_filename(part).map { String(cString: $0) },
            hasFileNameParameter: g_mime_object_get_content_disposition_parameter(object, "filename") != nil,
            fieldName: g_mime_object_get_content_disposition_parameter(object, "name").map { String(cString: $0) },
            contentType: type.map { String(cString: $0) } ?? "text/plain", body: body,
            embedded: g_mime_object_get_content_id(object) != nil
                && g_mime_object_get_disposition(object).map { String(cString: $0).lowercased() } != "attachment")
    }

    private static func headers(of object: UnsafeMutablePointer<GMimeObject>) -> [(name: String, value: String)] {
        guard let list = g_mime_object_get_header_list(object) else { return [] }
        return (0..<max(0, g_mime_header_list_get_count(list))).compactMap { index in
            guard let header = g_mime_header_list_get_header_at(list, index), let name = g_mime_header_get_name(header) else { return nil }
            let value = g_mime_header_get_value(header).map { String(cString: $0) } ?? ""
            return (String(cString: name), value.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// Core's `MessageDecoding` on GMime: the Message-ID and every leaf part.
public struct MIMEMessageDecoder: MessageDecoding {
    public init() {}

    public func decode(_ data: Data) -> ReceivedMessage {
        let document = MIMEReader.message(data)
        return ReceivedMessage(
            messageID: document.header("Message-ID"),
            parts: document.parts.map { ReceivedMessage.Part(fileName: $0.fileName, contentType: $0.contentType, body: $0.body, embedded: $0.embedded) },
            refusal: document.refusal)
    }
}
