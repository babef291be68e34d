import Foundation

/// An email address with an optional display name (`Émilie Gagné <e@x.ca>`).
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name?.isEmpty == true ? nil : name
        self.address = address
    }

    /// Parses `Name <addr>` or a bare address.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard EmailAddress.isValid(address) else { return nil }
            self.init(name: name, address: address)
        } else {
            guard EmailAddress.isValid(trimmed) else { return nil }
            self.init(address: trimmed)
        }
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }
}

/// A file attached to a message.
public struct MailAttachment: Sendable, Equatable {
    public var fileName: String
    public var contentType: String
    public var data: Data
    /// `data` already in base64 lines of 76 characters joined by CRLF, when the sender made it
    /// from parts it encoded once for many messages (the offline answer file); nil: encoded when built.
    public var encoded: Data?

    public init(fileName: String, contentType: String, data: Data, encoded: Data? = nil) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
        self.encoded = encoded
    }
}

/// What a message says, before it is encoded as MIME.
public struct MailContent: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [MailAttachment]
    /// Extra headers such as `X-PartnerRisk-Campaign` (ASCII values).
    public var headers: [(String, String)]

    public init(from: MailAddress, to: MailAddress, replyTo: MailAddress? = nil, subject: String, text: String,
                html: String? = nil, attachments: [MailAttachment] = [], headers: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.headers = headers
    }

    public static func == (lhs: MailContent, rhs: MailContent) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.subject == rhs.subject && lhs.text == rhs.text
            && lhs.html == rhs.html && lhs.attachments == rhs.attachments
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }
}

/// A message ready to hand to a transport: envelope plus the exact RFC 5322 bytes (CRLF).
public struct OutgoingMail: Sendable {
    public var envelopeFrom: String
    public var recipients: [String]
    public var messageID: String
    public var data: Data

    public init(envelopeFrom: String, recipients: [String], messageID: String, data: Data) {
        self.envelopeFrom = envelopeFrom
        self.recipients = recipients
        self.messageID = messageID
        self.data = data
    }
}
