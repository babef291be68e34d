import Foundation
import Logging
import PartnerRiskCore
import ServiceLifecycle
import Synchronization

/// One background job as a swift-service-lifecycle service beside the HTTP server: runs it when
/// due (on a thread of its own: the work blocks on the database and mail servers), sleeps until
/// its next run, and on graceful shutdown stops taking work (the shared `StopFlag`), lets the
/// run in progress finish its message in flight, and returns.
struct JobService: Service {
    let runner: JobRunner
    let stop: StopFlag

    func run() async throws {
        await withGracefulShutdownHandler {
            // The group shuts its services down one at a time, in reverse order, and counts a service
            // that ends before its turn as a failure: once stopped, a job waits for its turn.
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if stop.isSet {
                    try? await gracefulShutdown()
                    break
                }
                let next = await Self.onThread { runner.tick(stop: stop) }
                let wait = next.timeIntervalSince(runner.time.now())
                guard wait > 0 else { continue }
                // Woken early by a shutdown (the sleep is cancelled then).
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
            }
        } onGracefulShutdown: {
            stop.set()
        }
    }

    /// Runs blocking `work` on a new thread and waits for it without holding a task thread.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

/// SIGTERM and SIGINT for `serve`: the first starts the graceful shutdown (the service group
/// hears it too) and says so; a second exits at once. Messages then on the wire stay `sending`
/// and are reported `uncertain` at the next start, by the campaign rules.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopFlag, logger: Logger) {
        let count = Counter()
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)  // delivered to the dispatch sources, not the default handler
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.increment() == 1 {
                    stop.set()
                    logger.notice("stopping: no new work is taken; messages in flight are finished (a second signal exits at once)")
                } else {
                    logger.warning("second signal: exiting now; messages in flight are reported uncertain at the next start")
                    exit(130)
                }
            }
            source.resume()
            return source
        }
    }

    /// A thread-safe count of the signals received.
    final class Counter: Sendable {
        private let value = Atomic(0)
        func increment() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
    }
}
