import Crypto
import Foundation

/// A mailbox of returned answers (the IMAP client implements it).
public protocol MailboxReader: AnyObject {
    var mailbox: String { get }
    func uidValidity() throws -> Int64
    func uids() throws -> [Int64]
    func fetch(uid: Int64) throws -> Data
    func move(uid: Int64, to target: String) throws
}

/// Remembers which mailbox messages were processed (UIDVALIDITY + UID, and Message-ID with a
/// digest of the message's parts).
public protocol MailboxLedger: Sendable {
    func processedUIDs(mailbox: String, uidValidity: Int64) throws -> Set<Int64>
    /// Whether a message with this Message-ID and these parts (`contentDigest`) was ingested or
    /// quarantined before (a copy recorded before digests were kept counts when it was ingested).
    func isProcessed(messageID: String, contentDigest: String) throws -> Bool
    func recordProcessed(mailbox: String, uidValidity: Int64, uid: Int64, messageID: String?, contentDigest: String, outcome: String,
                         at time: Date) throws
}

/// Reads only new messages, hands each to the ingest pipeline, and records it, so running twice
/// ingests nothing twice. A message with no usable attachment is quarantined and reported. A
/// message is passed over as already seen only when an earlier copy with the same Message-ID and
/// the same parts was ingested or quarantined: a copy a gateway stripped and later released whole
/// is read again.
public struct MailboxFetcher {
    public let reader: MailboxReader
    public let ledger: MailboxLedger
    public let ingest: ResponseIngest
    public let moveTo: String?
    public let time: TimeSource

    public init(reader: MailboxReader, ledger: MailboxLedger, ingest: ResponseIngest, moveTo: String?, time: TimeSource = SystemTime()) {
        self.reader = reader
        self.ledger = ledger
        self.ingest = ingest
        self.moveTo = moveTo
        self.time = time
    }

    public func fetch() throws -> (summary: ResponseIngest.Summary, messages: Int, skipped: Int) {
        let validity = try reader.uidValidity()
        let seen = try ledger.processedUIDs(mailbox: reader.mailbox, uidValidity: validity)
        var summary = ResponseIngest.Summary()
        var messages = 0, skipped = 0
        for uid in try reader.uids() where !seen.contains(uid) {
            let data = try reader.fetch(uid: uid)
            let decoded = ingest.messages.decode(data)
            let (messageID, digest) = (decoded.messageID, Self.digest(decoded))
            let source = "imap:\(reader.mailbox)/\(validity)/\(uid)" + (messageID.map { " \($0)" } ?? "")
            if let messageID, try ledger.isProcessed(messageID: messageID, contentDigest: digest) {
                try ledger.recordProcessed(mailbox: reader.mailbox, uidValidity: validity, uid: uid, messageID: messageID, contentDigest: digest,
                                           outcome: "duplicate message", at: time.now())
                if let moveTo { try reader.move(uid: uid, to: moveTo) }
                skipped += 1
                continue
            }
            let before = summary.rejected.count
            try ingest.ingest(data, source: source, isMessage: true, channel: .imap, into: &summary)
            let outcome = summary.rejected.count > before ? "rejected: \(summary.rejected.last!.reason)" : "ingested"
            try ledger.recordProcessed(mailbox: reader.mailbox, uidValidity: validity, uid: uid, messageID: messageID, contentDigest: digest,
                                       outcome: outcome, at: time.now())
            if let moveTo { try reader.move(uid: uid, to: moveTo) }
            messages += 1
        }
        return (summary, messages, skipped)
    }

    /// SHA-256 of a message's parts (names, types and decoded bodies, in order), in hex: the same
    /// for two deliveries of one message whatever headers the servers on the way added.
    static func digest(_ message: ReceivedMessage) -> String {
        var hash = SHA256()
        for part in message.parts {
            for field in [Data((part.fileName ?? "").utf8), Data(part.contentType.utf8), part.body] {
                withUnsafeBytes(of: UInt64(field.count).littleEndian) { hash.update(bufferPointer: $0) }
                hash.update(data: field)
            }
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
