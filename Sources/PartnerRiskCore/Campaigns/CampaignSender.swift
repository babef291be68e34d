import Foundation
import Synchronization

/// Works through a campaign's outbox with N parallel connections. Crash-safe: a message is
/// marked `sending` (committed) before its bytes go out and `sent` only after the server's
/// 250, so a killed run leaves at most one `sending` message per connection, which the next
/// run reports as `uncertain` instead of sending it twice.
public struct CampaignSender: Sendable {
    public struct Options: Sendable {
        public var connections: Int
        public var maxPerMinute: Int?
        public var retryBase: TimeInterval
        public var maxAttempts: Int
        public var resendUncertain: Bool

        public init(connections: Int = 2, maxPerMinute: Int? = nil, retryBase: TimeInterval = 300, maxAttempts: Int = 8, resendUncertain: Bool = false) {
            self.connections = max(1, connections)
            self.maxPerMinute = maxPerMinute
            self.retryBase = retryBase
            self.maxAttempts = maxAttempts
            self.resendUncertain = resendUncertain
        }
    }

    /// What one run did.
    public struct Report: Sendable, Equatable {
        public var sent = 0
        public var deferred = 0
        public var failed = 0
        /// Messages found in flight from an interrupted run (now `uncertain`).
        public var uncertainFound = 0
        public var requeued = 0
        /// Messages this run sent whole without getting the server's final answer (now `uncertain`).
        public var uncertainNow = 0
        /// Messages another run claimed first (two sends at once): sent once, by that run.
        public var claimedElsewhere = 0
        public var errors: [String] = []

        public var line: String {
            var text = "sent \(sent), deferred \(deferred), failed \(failed)"
            if uncertainFound > 0 { text += ", uncertain \(uncertainFound) (interrupted earlier; see `campaign status`, resend with --resend-uncertain)" }
            if requeued > 0 { text += ", re-queued uncertain \(requeued)" }
            if uncertainNow > 0 { text += ", uncertain \(uncertainNow) (sent, but the server's answer never came; not re-sent unless --resend-uncertain)" }
            if claimedElsewhere > 0 { text += ", \(claimedElsewhere) sent by another run at the same time" }
            return text
        }
    }

    public let repository: CampaignRepository
    public let composer: MailComposer
    public let transports: MailTransportFactory
    public let time: TimeSource
    public let options: Options
    /// Derives each invitation's one link token.
    public let links: TokenKey

    public init(repository: CampaignRepository, composer: MailComposer, transports: MailTransportFactory, time: TimeSource, options: Options,
                links: TokenKey) {
        self.links = links
        self.repository = repository
        self.composer = composer
        self.transports = transports
        self.time = time
        self.options = options
    }

    /// Sends the campaign's due messages. Once `stop` is set (the server is shutting down) no
    /// further message is claimed; those already on the wire are finished.
    public func send(campaignID: Int64, stop: StopFlag? = nil, progress: ProgressMeter? = nil) throws -> Report {
        var report = Report()
        let run = SendRun()
        report.uncertainFound = try repository.markInterruptedSendsUncertain(campaignID: campaignID, run: run, at: time.now())
        if options.resendUncertain {
            report.requeued = try repository.requeueUncertain(campaignID: campaignID, at: time.now())
            report.uncertainFound = 0
        }
        let items = try repository.dueMessages(campaignID: campaignID, at: time.now())
        guard !items.isEmpty else { return report }
        let queue = WorkQueue(items, stop: stop)
        progress?.begin(total: items.count)
        defer { progress?.finish() }
        let tally = Tally()
        let limiter = options.maxPerMinute.map { RateLimiter(perMinute: $0) }
        let group = DispatchGroup()
        for _ in 0..<min(options.connections, items.count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let transport = try transports.makeTransport()
                    while let item = queue.next() {
                        limiter?.wait()
                        if stop?.isSet == true { break }  // left queued, unclaimed
                        tally.add(try process(item, transport: transport, run: run))
                        progress?.advance()
                    }
                } catch {
                    tally.fail("\(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        report.sent = tally.counts[.sent, default: 0]
        report.deferred = tally.counts[.deferred, default: 0]
        report.failed = tally.counts[.failed, default: 0]
        report.claimedElsewhere = tally.counts[.queued, default: 0]
        report.uncertainNow = tally.counts[.uncertain, default: 0]
        report.errors = tally.errors
        if let first = report.errors.first { throw PartnerRiskError.failed("sending stopped: \(first); \(report.line)") }
        return report
    }

    /// Sends one message and records the outcome; returns the state it ended in (`queued` when
    /// another run claimed it first and this one left it alone).
    func process(_ item: OutboxItem, transport: MailTransport, run: SendRun) throws -> MailState {
        let context = try repository.invitationContext(invitationID: item.invitationID)
        // The invitation's own link, the same in every mail of it; a thank-you carries none.
        let token = item.kind == "thank-you" ? nil : links.token(invitationID: item.invitationID, generation: context.tokenGeneration)
        let domain = composer.sender.address.split(separator: "@").last.map(String.init) ?? "partner-risk.invalid"
        let builder = MIMEBuilder.random(date: time.now(), domain: domain)
        let mail = try composer.compose(kind: item.kind, context: context, token: token, builder: builder,
                                        extra: item.revision.map { ["revision": $0] } ?? [:])
        guard try repository.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: token?.hash,
                                          messageIDHeader: builder.messageID, run: run, at: time.now()) else { return .queued }
        let outcome = transport.deliver(mail)
        let attempts = item.attempts + 1
        let state: MailState
        var next: Date?
        switch outcome {
        case .accepted: state = .sent
        case .permanentFailure: state = .failed
        case .uncertain: state = .uncertain
        case .temporaryFailure:
            if attempts >= options.maxAttempts {
                state = .failed
            } else {
                state = .deferred
                next = time.now().addingTimeInterval(min(options.retryBase * pow(2, Double(attempts - 1)), 6 * 3600))
            }
        }
        try repository.finishSending(messageID: item.id, state: state, reply: outcome.reply, nextAttempt: next, at: time.now())
        return state
    }
}

/// A thread-safe queue of outbox items shared by the workers.
final class WorkQueue: Sendable {
    private let state: Mutex<(items: [OutboxItem], index: Int)>
    private let stop: StopFlag?

    init(_ items: [OutboxItem], stop: StopFlag? = nil) {
        state = Mutex((items, 0))
        self.stop = stop
    }

    /// The next item, or nil when all are taken or a stop was asked for.
    func next() -> OutboxItem? {
        if stop?.isSet == true { return nil }
        return state.withLock { state in
            guard state.index < state.items.count else { return nil }
            defer { state.index += 1 }
            return state.items[state.index]
        }
    }
}

/// Counts outcomes across worker threads.
final class Tally: Sendable {
    private let state = Mutex<(counts: [MailState: Int], errors: [String])>(([:], []))

    var counts: [MailState: Int] { state.withLock { $0.counts } }
    var errors: [String] { state.withLock { $0.errors } }

    func add(_ outcome: MailState) {
        state.withLock { $0.counts[outcome, default: 0] += 1 }
    }

    func fail(_ error: String) {
        state.withLock { $0.errors.append(error) }
    }
}

/// Spaces sends evenly to stay under a provider's per-minute quota.
final class RateLimiter: Sendable {
    private let interval: TimeInterval
    private let nextSlot = Mutex(Date.distantPast)

    init(perMinute: Int) {
        interval = 60.0 / Double(max(1, perMinute))
    }

    func wait() {
        let now = Date()
        let slot = nextSlot.withLock { next in
            let slot = max(now, next)
            next = slot.addingTimeInterval(interval)
            return slot
        }
        let delay = slot.timeIntervalSince(now)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }
}
