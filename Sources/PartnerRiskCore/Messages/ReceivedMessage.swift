import Foundation

/// A mail message as the answer intake needs it: its Message-ID and its leaf parts (attachments
/// and bodies), already decoded. The mail module parses the raw bytes; Core never does.
public struct ReceivedMessage: Sendable {
    /// One leaf part of the message, with its transfer encoding undone.
    public struct Part: Sendable {
        /// The part's file name (RFC 2231 and RFC 2047 decoded), when it has one.
        public var fileName: String?
        /// The media type in lower case, without parameters (`application/json`).
        public var contentType: String
        public var body: Data
        /// A picture the mail's HTML shows (it has a Content-ID and is not an attachment), like a signature's logo.
        public var embedded: Bool

        public init(fileName: String?, contentType: String, body: Data, embedded: Bool = false) {
            self.embedded = embedded
            self.fileName = fileName
            self.contentType = contentType
            self.body = body
        }
    }

    public var messageID: String?
    public var parts: [Part]
    /// Why the message was not read whole (too many parts, too large decoded), when it was not.
    public var refusal: String?

    public init(messageID: String?, parts: [Part], refusal: String? = nil) {
        self.messageID = messageID
        self.parts = parts
        self.refusal = refusal
    }
}

/// Turns the raw bytes of a received message into a `ReceivedMessage` (the mail module's MIME
/// reader implements it).
public protocol MessageDecoding: Sendable {
    func decode(_ data: Data) -> ReceivedMessage
}
