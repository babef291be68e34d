import Foundation

/// Encodes `MailContent` as an RFC 5322 / MIME message: CRLF, folded headers, RFC 2047
/// encoded-words, quoted-printable text and HTML in `multipart/alternative`, base64 attachments
/// in `multipart/mixed`, RFC 2231 file names. Never writes a Bcc header. Boundary, clock and
/// Message-ID come from the caller so output is reproducible in tests.
public struct MIMEBuilder {
    public var date: Date
    public var messageID: String
    public var boundary: (Int) -> String

    public init(date: Date, messageID: String, boundary: @escaping (Int) -> String) {
        self.date = date
        self.messageID = messageID
        self.boundary = boundary
    }

    /// A builder with a random Message-ID at `domain` and random boundaries.
    public static func random(date: Date, domain: String) -> MIMEBuilder {
        // Filtered, not replaced: Foundation's replacements cost more than the rest of the header lines.
        let token = String(UUID().uuidString.lowercased().filter { $0 != "-" })
        let seed = String(UUID().uuidString.filter { $0 != "-" })
        return MIMEBuilder(date: date, messageID: "<\(token)@\(domain)>", boundary: { "=_pr_\(seed)_\($0)" })
    }

    public func build(_ content: MailContent) -> OutgoingMail {
        var lines: [String] = []
        lines.append(Self.header("From", Self.address(content.from)))
        lines.append(Self.header("To", Self.address(content.to)))
        if let replyTo = content.replyTo { lines.append(Self.header("Reply-To", Self.address(replyTo))) }
        lines.append(Self.header("Subject", Self.encodedText(content.subject, headerName: "Subject")))
        lines.append("Date: " + Self.rfc5322Date(date))
        lines.append("Message-ID: " + messageID)
        lines.append("MIME-Version: 1.0")
        for (name, value) in content.headers where name.lowercased() != "bcc" {
            lines.append(Self.header(name, Self.encodedText(value, headerName: name)))
        }
        // One buffer for the whole message: an invitation is about 200 KB, and joining it as text
        // copied it five times over (a fifth of the time a send took).
        let attachmentBytes = content.attachments.reduce(0) { $0 + $1.data.count * 137 / 100 + 512 }
        var data = Data(capacity: 4096 + content.text.utf8.count * 2 + (content.html?.utf8.count ?? 0) * 2 + attachmentBytes)
        data.append(contentsOf: (lines.joined(separator: "\r\n") + "\r\n").utf8)
        appendBody(content, to: &data)
        return OutgoingMail(envelopeFrom: content.from.address, recipients: [content.to.address], messageID: messageID, data: data)
    }

    private func appendBody(_ content: MailContent, to data: inout Data) {
        let text = Self.textPart(content.text, subtype: "plain")
        var alternative = text
        if let html = content.html {
            let inner = boundary(1)
            alternative = "Content-Type: multipart/alternative;\r\n boundary=\"\(inner)\"\r\n\r\n"
                + "--\(inner)\r\n\(text)\r\n--\(inner)\r\n\(Self.textPart(html, subtype: "html"))\r\n--\(inner)--\r\n"
        }
        guard !content.attachments.isEmpty else {
            data.append(contentsOf: alternative.utf8)
            return
        }
        let outer = boundary(0)
        data.append(contentsOf: "Content-Type: multipart/mixed;\r\n boundary=\"\(outer)\"\r\n\r\n".utf8)
        data.append(contentsOf: "This is a multi-part message in MIME format.\r\n--\(outer)\r\n".utf8)
        data.append(contentsOf: alternative.utf8)
        for attachment in content.attachments {
            data.append(contentsOf: "\r\n--\(outer)\r\n".utf8)
            Self.appendAttachmentPart(attachment, to: &data)
        }
        data.append(contentsOf: "\r\n--\(outer)--\r\n".utf8)
    }

    static func textPart(_ text: String, subtype: String) -> String {
        "Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + quotedPrintable(text)
    }

    static func appendAttachmentPart(_ attachment: MailAttachment, to data: inout Data) {
        let name = attachment.fileName
        let isASCII = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
        let parameter = isASCII ? "filename=\"\(name)\"" : "filename*=UTF-8''" + rfc2231Encode(name)
        let typeName = isASCII ? ";\r\n name=\"\(name)\"" : ""
        data.append(contentsOf: ("Content-Type: \(attachment.contentType)\(typeName)\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment;\r\n \(parameter)\r\n\r\n").utf8)
        data.append(attachment.encoded ?? base64Lines(attachment.data))
    }

    /// `Name <address>` with the name as quoted text or encoded-words when not plain ASCII.
    static func address(_ address: MailAddress) -> String {
        guard let name = address.name else { return address.address }
        if name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) {
            let needsQuotes = name.contains { "()<>[]:;@\\,.\"".contains($0) }
            let quoted = needsQuotes ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : name
            return "\(quoted) <\(address.address)>"
        }
        return encodedWords(name).joined(separator: "\r\n ") + " <\(address.address)>"
    }

    /// Header text: as is when ASCII, else RFC 2047 `=?UTF-8?B?...?=` words of at most 75 chars.
    static func encodedText(_ text: String, headerName: String) -> String {
        let breaks = text.utf8.contains { $0 == 13 || $0 == 10 }
        let flat = breaks ? text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") : text
        if flat.unicodeScalars.allSatisfy({ $0.isASCII }) && !flat.contains("=?") { return flat }
        return encodedWords(flat).joined(separator: "\r\n ")
    }

    /// Splits on character boundaries so no multi-byte character is cut between words.
    static func encodedWords(_ text: String) -> [String] {
        // At most 39 bytes a word (52 base64 characters: a folded line stays within 78), never splitting a
        // character, and ending where the byte count is a multiple of three when one is near: a word
        // then needs no "=" padding. Decoders that join adjacent words before decoding (GMime, so
        // Evolution and others) stop at the first padding and would cut the text short.
        let maxBytes = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        var lastWhole = 0  // the longest prefix of `chunk` whose length is a multiple of three
        for character in text {
            let bytes = Array(String(character).utf8)
            while chunk.count + bytes.count > maxBytes {
                let cut = lastWhole > 0 ? lastWhole : chunk.count
                words.append("=?UTF-8?B?\(Data(chunk[..<cut]).base64EncodedString())?=")
                chunk.removeFirst(cut)
                lastWhole = chunk.count % 3 == 0 ? chunk.count : 0
            }
            chunk += bytes
            if chunk.count % 3 == 0 { lastWhole = chunk.count }
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// `Name: value`, folded at spaces so lines stay within 78 characters where possible.
    static func header(_ name: String, _ value: String) -> String {
        var output = ""
        var line = name + ":"
        for (index, segment) in value.components(separatedBy: "\r\n ").enumerated() {
            if index > 0 {
                output += line + "\r\n"
                line = ""
            }
            for word in segment.split(separator: " ", omittingEmptySubsequences: false) {
                if line.count + 1 + word.count > 78 && !line.trimmingCharacters(in: .whitespaces).isEmpty && line != name + ":" {
                    output += line + "\r\n"
                    line = " " + word
                } else {
                    line += " " + word
                }
            }
        }
        return output + line
    }

    /// RFC 2045 quoted-printable: CRLF line ends, 76-character lines with soft breaks.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output = [UInt8]()
        let input = Array(text.utf8)
        output.reserveCapacity(input.count + input.count / 8)
        var column = 0
        var index = 0
        // Appends byte by byte (no array per character: this runs over every mail's bodies).
        func room(_ count: Int) {
            if column + count > 75 {
                output.append(61); output.append(13); output.append(10)
                column = 0
            }
            column += count
        }
        func encoded(_ byte: UInt8) {
            room(3)
            output.append(61); output.append(hex[Int(byte >> 4)]); output.append(hex[Int(byte & 15)])
        }
        while index < input.count {
            let byte = input[index]
            if byte == 13 || byte == 10 {
                output.append(13); output.append(10)
                column = 0
                index += (byte == 13 && index + 1 < input.count && input[index + 1] == 10) ? 2 : 1
                continue
            }
            let atLineEnd = index + 1 == input.count || input[index + 1] == 10 || input[index + 1] == 13
            if (byte == 32 || byte == 9) && atLineEnd {
                encoded(byte)
            } else if byte == UInt8(ascii: ".") && column == 0 {
                encoded(byte)
            } else if (byte >= 33 && byte <= 126 && byte != 61) || byte == 32 || byte == 9 {
                room(1)
                output.append(byte)
            } else {
                encoded(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base64 in lines of 76 characters ending in CRLF.
    public static func base64Lines(_ data: Data) -> Data {
        // As bytes: the text form would be checked as UTF-8 and copied again.
        data.base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    static func rfc2231Encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter
    }()
    private static let dateLock = NSLock()

    static func rfc5322Date(_ date: Date) -> String {
        dateLock.lock()
        defer { dateLock.unlock() }
        return dateFormatter.string(from: date)
    }
}
