import Foundation

/// A mailbox of returned answers (the IMAP client implements it).
public protocol MailboxReader: AnyObject {
    var mailbox: String { get }
    func uidValidity() throws -> Int64
    func uids() throws -> [Int64]
    func fetch(uid: Int64) throws -> Data
    func move(uid: Int64, to target: String) throws
}

/// Remembers which mailbox messages were processed (UIDVALIDITY + UID, and Message-ID).
public protocol MailboxLedger: Sendable {
    func processedUIDs(mailbox: String, uidValidity: Int64) throws -> Set<Int64>
    func isProcessed(messageID: String) throws -> Bool
    func recordProcessed(mailbox: String, uidValidity: Int64, uid: Int64, messageID: String?, outcome: String, at time: Date) throws
}

/// Reads only new messages, hands each to the ingest pipeline, and records it, so running twice
/// ingests nothing twice. A message with no usable attachment is quarantined and reported.
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
            let messageID = ingest.messages.decode(data).messageID
            let source = "imap:\(reader.mailbox)/\(validity)/\(uid)" + (messageID.map { " \($0)" } ?? "")
            if let messageID, try ledger.isProcessed(messageID: messageID) {
                try ledger.recordProcessed(mailbox: reader.mailbox, uidValidity: validity, uid: uid, messageID: messageID, outcome: "duplicate message", at: time.now())
                if let moveTo { try reader.move(uid: uid, to: moveTo) }
                skipped += 1
                continue
            }
            let before = summary.rejected.count
            try ingest.ingest(data, source: source, isMessage: true, channel: .imap, into: &summary)
            let outcome = summary.rejected.count > before ? "rejected: \(summary.rejected.last!.reason)" : "ingested"
            try ledger.recordProcessed(mailbox: reader.mailbox, uidValidity: validity, uid: uid, messageID: messageID, outcome: outcome, at: time.now())
            if let moveTo { try reader.move(uid: uid, to: moveTo) }
            messages += 1
        }
        return (summary, messages, skipped)
    }
}
