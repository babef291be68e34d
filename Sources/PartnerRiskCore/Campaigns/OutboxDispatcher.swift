import Foundation

/// Sends a campaign's due messages in the background, one run at a time, for the web server:
/// a thank-you mail queued by a submission goes out without waiting for `campaign send`.
/// Failures stay in the outbox with their reason, as with any send.
public final class OutboxDispatcher: Sendable {
    private let queue = DispatchQueue(label: "partner-risk.outbox")
    private let makeSender: @Sendable (Int64) throws -> CampaignSender
    private let stop: StopFlag?
    private let report: @Sendable (_ campaignID: Int64, _ line: String, _ failed: Bool) -> Void

    /// `makeSender` builds a sender for a campaign (its From address may differ per campaign);
    /// once `stop` is set (the server is stopping) no further message is claimed.
    public init(makeSender: @escaping @Sendable (Int64) throws -> CampaignSender, stop: StopFlag? = nil,
                report: @escaping @Sendable (_ campaignID: Int64, _ line: String, _ failed: Bool) -> Void) {
        self.makeSender = makeSender
        self.stop = stop
        self.report = report
    }

    public func dispatch(campaignID: Int64) {
        queue.async { [self] in
            guard stop?.isSet != true else { return }
            do {
                let result = try makeSender(campaignID).send(campaignID: campaignID, stop: stop)
                report(campaignID, result.line, false)
            } catch {
                report(campaignID, "sending failed: \(error); the messages stay queued", true)
            }
        }
    }

    /// Runs `work` on the same background queue (after any send already waiting).
    public func run(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }

    /// Waits until everything queued so far has run.
    public func drain() { queue.sync {} }
}
