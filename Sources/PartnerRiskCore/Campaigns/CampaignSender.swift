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
        /// The quota shared with other send runs of this process (`serve`'s outbox worker and its
        /// thank-you sender); nil: this run keeps its own to `maxPerMinute`.
        public var limiter: RateLimiter?

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
        let limiter = options.limiter ?? options.maxPerMinute.map { RateLimiter(perMinute: $0) }
        let connections = min(options.connections, items.count)
        // Messages are composed a few ahead on threads of their own while the connections wait for
        // the server's replies; a composed message is claimed only just before it goes out, so one
        // composed but never sent (a stop, another run's claim) stays queued as it was.
        let composed = ComposedMessages(capacity: 2 * connections, producers: connections, consumers: connections)
        let group = DispatchGroup()
        for _ in 0..<connections {
            group.enter()
            Self.start {
                defer { group.leave(); composed.producerFinished() }
                while !composed.isAbandoned, let item = queue.next() {
                    do {
                        guard composed.put(try prepare(item)) else { break }
                    } catch {
                        tally.fail("\(error)")
                        break
                    }
                }
            }
        }
        for _ in 0..<connections {
            group.enter()
            Self.start {
                defer { group.leave() }
                do {
                    let transport = try transports.makeTransport()
                    while let message = composed.take() {
                        limiter?.wait()
                        if stop?.isSet == true { continue }  // left queued, unclaimed
                        tally.add(try deliver(message, transport: transport, run: run))
                        progress?.advance()
                    }
                } catch {
                    tally.fail("\(error)")
                    composed.consumerFailed()
                }
            }
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

    /// One message composed, not yet claimed.
    struct Prepared: @unchecked Sendable {  // OutgoingMail is plain data; it crosses one queue, once
        var item: OutboxItem
        var mail: OutgoingMail
        var tokenHash: String?
        var messageID: String
    }

    /// Composes one message with its invitation's link (a thank-you carries none).
    func prepare(_ item: OutboxItem) throws -> Prepared {
        let context = try repository.invitationContext(invitationID: item.invitationID)
        // The invitation's own link, the same in every mail of it; a thank-you carries none.
        let token = item.kind == "thank-you" ? nil : links.token(invitationID: item.invitationID, generation: context.tokenGeneration)
        let domain = composer.sender.address.split(separator: "@").last.map(String.init) ?? "partner-risk.invalid"
        let builder = MIMEBuilder.random(date: time.now(), domain: domain)
        let mail = try composer.compose(kind: item.kind, context: context, token: token, builder: builder,
                                        extra: item.revision.map { ["revision": $0] } ?? [:])
        return Prepared(item: item, mail: mail, tokenHash: token?.hash, messageID: builder.messageID)
    }

    /// Claims a composed message, sends it and records the outcome; returns the state it ended in
    /// (`queued` when another run claimed it first and this one left it alone).
    func deliver(_ message: Prepared, transport: MailTransport, run: SendRun) throws -> MailState {
        let item = message.item, mail = message.mail
        guard try repository.beginSending(messageID: item.id, invitationID: item.invitationID, tokenHash: message.tokenHash,
                                          messageIDHeader: message.messageID, run: run, at: time.now()) else { return .queued }
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

extension CampaignSender {
    /// Runs `body` on a new thread with a 1 MB stack.
    static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// The composed messages waiting for a connection: at most `capacity` at once (a composer waits
/// for room), ended when every composer has finished. If every connection fails, the composers
/// are told to stop (`isAbandoned`) and nothing more is composed.
final class ComposedMessages: Sendable {
    private let slots: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let state: Mutex<(messages: [CampaignSender.Prepared], producers: Int, consumers: Int, abandoned: Bool)>
    private let capacity: Int

    init(capacity: Int, producers: Int, consumers: Int) {
        self.capacity = capacity
        slots = DispatchSemaphore(value: capacity)
        state = Mutex(([], producers, consumers, false))
    }

    var isAbandoned: Bool { state.withLock { $0.abandoned } }

    /// Adds a message once there is room; false when no connection is left to send it.
    func put(_ message: CampaignSender.Prepared) -> Bool {
        slots.wait()
        let added = state.withLock { state -> Bool in
            guard !state.abandoned else { return false }
            state.messages.append(message)
            return true
        }
        if added { filled.signal() }
        return added
    }

    /// The next message, or nil once the composers have finished and all is taken.
    func take() -> CampaignSender.Prepared? {
        filled.wait()
        let message = state.withLock { state -> CampaignSender.Prepared? in
            state.messages.isEmpty ? nil : state.messages.removeFirst()
        }
        if message != nil { slots.signal() } else { filled.signal() }  // the end, passed on to the next connection
        return message
    }

    func producerFinished() {
        let last = state.withLock { state -> Bool in
            state.producers -= 1
            return state.producers == 0
        }
        if last { filled.signal() }
    }

    /// A connection that could not go on: when it was the last, the composers stop waiting for room.
    func consumerFailed() {
        let last = state.withLock { state -> Bool in
            state.consumers -= 1
            if state.consumers == 0 { state.abandoned = true }
            return state.consumers == 0
        }
        if last { for _ in 0..<capacity + 8 { slots.signal() } }
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

/// Spaces sends evenly to stay under a provider's per-minute quota. One may be shared by several
/// send runs at once (each message takes the next free slot), so together they keep the quota.
public final class RateLimiter: Sendable {
    let interval: TimeInterval
    private let nextSlot = Mutex(Date.distantPast)

    public init(perMinute: Int) {
        interval = 60.0 / Double(max(1, perMinute))
    }

    /// Takes the next free slot at or after `now` and returns it.
    func reserve(at now: Date) -> Date {
        nextSlot.withLock { next in
            let slot = max(now, next)
            next = slot.addingTimeInterval(interval)
            return slot
        }
    }

    func wait() {
        let now = Date()
        let delay = reserve(at: now).timeIntervalSince(now)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }
}
