import Foundation
import Testing
@testable import PartnerRiskCore

@Suite struct BackgroundWorkersTests {
    /// Every index runs exactly once, `finally` runs once after all of them, and the work runs
    /// below the caller's priority (so the database writer is not starved).
    @Test func everyIndexRunsOnceBelowTheCallersPriorityThenFinallyOnce() {
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var seen: [Int] = []
            var niceValues: Set<Int32> = []
            var finals = 0
        }
        let log = Log()
        let done = DispatchSemaphore(value: 0)
        #if os(Linux)
        let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        let callerNice: Int32 = 0
        #endif
        BackgroundWorkers.run(iterations: 1_000, threads: 3, finally: {
            log.lock.withLock { log.finals += 1 }
            done.signal()
        }) { index in
            #if os(Linux)
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            #else
            let nice = callerNice + BackgroundWorkers.niceness
            #endif
            log.lock.withLock {
                log.seen.append(index)
                log.niceValues.insert(nice)
            }
        }
        done.wait()
        Thread.sleep(forTimeInterval: 0.05)
        log.lock.withLock {
            #expect(log.seen.sorted() == Array(0..<1_000))
            #expect(log.finals == 1)
            #expect(log.niceValues == [min(19, callerNice + BackgroundWorkers.niceness)])
        }
    }
}
