import Foundation
import PartnerRiskCore

/// A parsed MIME entity: headers (unfolded, encoded-words decoded) and a decoded body or parts.
public struct MIMEEntity: Sendable {
    public var headers: [(name: String, value: String)]
    public var body: Data
    public var parts: [MIMEEntity]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var contentType: String {
        (header("Content-Type") ?? "text/plain").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "text/plain"
    }

    /// The attachment's file name (`filename=`, RFC 2231 `filename*=`, or `name=`).
    public var fileName: String? {
        for header in [header("Content-Disposition"), header("Content-Type")].compactMap({ $0 }) {
            if let name = MIMEParser.parameter(header, "filename") ?? MIMEParser.parameter(header, "name") { return name }
        }
        return nil
    }

    /// This entity and all nested parts, depth first.
    public var allParts: [MIMEEntity] { [self] + parts.flatMap(\.allParts) }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Reads RFC 5322 / MIME messages: multipart walk, base64 and quoted-printable, RFC 2047
/// encoded-words, RFC 2231 parameters. Tolerant: bad parts are kept as raw bytes.
public enum MIMEParser {
    public static let maxDepth = 8

    public static func parse(_ data: Data) -> MIMEEntity { parse(Array(data), depth: 0) }

    static func parse(_ bytes: [UInt8], depth: Int) -> MIMEEntity {
        let (headerBytes, bodyBytes) = split(bytes)
        let headers = parseHeaders(String(decoding: headerBytes, as: UTF8.self))
        var entity = MIMEEntity(headers: headers, body: Data(), parts: [])
        let typeHeader = entity.header("Content-Type") ?? ""
        if entity.contentType.hasPrefix("multipart/"), depth < maxDepth, let boundary = parameter(typeHeader, "boundary") {
            entity.parts = splitParts(bodyBytes, boundary: boundary).map { parse($0, depth: depth + 1) }
            return entity
        }
        if entity.contentType == "message/rfc822", depth < maxDepth {
            entity.parts = [parse(bodyBytes, depth: depth + 1)]
        }
        switch (entity.header("Content-Transfer-Encoding") ?? "").lowercased().trimmingCharacters(in: .whitespaces) {
        case "base64":
            let cleaned = String(decoding: bodyBytes.filter { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }, as: UTF8.self)
            entity.body = Data(base64Encoded: cleaned, options: .ignoreUnknownCharacters) ?? Data(bodyBytes)
        case "quoted-printable":
            entity.body = decodeQuotedPrintable(bodyBytes)
        default:
            entity.body = Data(bodyBytes)
        }
        return entity
    }

    /// Splits at the first empty line (CRLF CRLF or LF LF).
    static func split(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 10 {
                if index + 1 < bytes.count && bytes[index + 1] == 10 { return (Array(bytes[..<index]), Array(bytes[(index + 2)...])) }
                if index + 2 < bytes.count && bytes[index + 1] == 13 && bytes[index + 2] == 10 {
                    return (Array(bytes[..<index]), Array(bytes[(index + 3)...]))
                }
            }
            index += 1
        }
        return (bytes, [])
    }

    static func parseHeaders(_ text: String) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in text.replacingOccurrences(of: "\r", with: "").components(separatedBy: "\n") {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return headers.map { ($0.name, decodeEncodedWords($0.value)) }
    }

    static func splitParts(_ bytes: [UInt8], boundary: String) -> [[UInt8]] {
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [[UInt8]] = []
        var current: [ArraySlice<UInt8>]?
        for rawLine in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            let line = rawLine.last == 13 ? rawLine.dropLast() : rawLine
            let isDelimiter = line.elementsEqual(delimiter)
            let isClose = !isDelimiter && line.count == delimiter.count + 2 && line.starts(with: delimiter) && line.suffix(2).elementsEqual([45, 45])
            if isDelimiter || isClose {
                if var current {
                    // The line break before a delimiter belongs to the delimiter (RFC 2046).
                    if let last = current.last, last.last == 13 { current[current.count - 1] = last.dropLast() }
                    parts.append(Array(current.joined(separator: [10])))
                }
                if isClose { return parts }
                current = []
            } else if current != nil {
                current!.append(rawLine)  // set by the boundary line that opened this part
            }
        }
        return parts
    }

    /// A parameter of a structured header, RFC 2231 (`name*=UTF-8''...`) included.
    public static func parameter(_ header: String, _ name: String) -> String? {
        let lowered = name.lowercased()
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            let key = pair[0].lowercased()
            var value = pair[1]
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            if key == lowered { return value }
            if key == lowered + "*" {
                let segments = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                return (segments.count == 3 ? String(segments[2]) : value).removingPercentEncoding ?? value
            }
        }
        return nil
    }

    static func decodeQuotedPrintable(_ bytes: [UInt8]) -> Data {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: return byte - 48
            case 65...70: return byte - 55
            case 97...102: return byte - 87
            default: return nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 1 < bytes.count && bytes[index + 1] == 10 { index += 2; continue }
                if index + 2 < bytes.count && bytes[index + 1] == 13 && bytes[index + 2] == 10 { index += 3; continue }
                if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return Data(output)
    }

    /// Decodes `=?charset?B|Q?...?=` words (UTF-8 and Latin-1); adjacent words join without space.
    public static func decodeEncodedWords(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let pattern = try! NSRegularExpression(  // a constant pattern, checked by the tests
           pattern: "=\\?([^?]+)\\?([bBqQ])\\?([^?]*)\\?=(\\s+(?==\\?))?")
        var result = ""
        var last = text.startIndex
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text), let charset = Range(match.range(at: 1), in: text),
                  let mode = Range(match.range(at: 2), in: text), let payload = Range(match.range(at: 3), in: text) else { continue }
            result += text[last..<range.lowerBound]
            let encoded = String(text[payload])
            var data: Data?
            if text[mode].lowercased() == "b" {
                data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters)
            } else {
                data = decodeQuotedPrintable(Array(encoded.replacingOccurrences(of: "_", with: " ").utf8))
            }
            let encoding: String.Encoding = text[charset].lowercased().contains("8859") || text[charset].lowercased().contains("latin") ? .isoLatin1 : .utf8
            result += data.flatMap { String(data: $0, encoding: encoding) } ?? encoded
            last = range.upperBound
        }
        return result + text[last...]
    }
}

/// Core's `MessageDecoding` over `MIMEParser`: the Message-ID and every leaf part.
public struct MIMEMessageDecoder: MessageDecoding {
    public init() {}

    public func decode(_ data: Data) -> ReceivedMessage {
        let entity = MIMEParser.parse(data)
        let leaves = entity.allParts.filter(\.parts.isEmpty)
        return ReceivedMessage(
            messageID: entity.header("Message-ID"),
            parts: leaves.map { ReceivedMessage.Part(fileName: $0.fileName, contentType: $0.contentType, body: $0.body) })
    }
}
