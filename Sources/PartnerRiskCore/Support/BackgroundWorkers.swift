import Foundation
import Synchronization

/// Threads for background work that yield to the calling thread: each runs at a lower priority
/// (a higher nice value, per thread on Linux), so the single database writer, which bounds a
/// rescore, is never starved by the scoring threads that feed it.
enum BackgroundWorkers {
    /// How far below the caller the threads run (nice values run from -20 to 19).
    static let niceness: Int32 = 5

    /// Runs `body` for every index in `0..<iterations` on `threads` new threads, then `finally`
    /// once, on the last thread to finish. Returns at once.
    static func run(iterations: Int, threads: Int, niceness: Int32 = niceness, finally: @escaping @Sendable () -> Void,
                    _ body: @escaping @Sendable (Int) -> Void) {
        let next = Counter()
        let running = Counter(threads)
        #if os(Linux)
        let lowered = min(19, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) + niceness)
        #endif
        for _ in 0..<threads {
            let thread = Thread {
                #if os(Linux)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, lowered)
                #endif
                while case let index = next.increment(), index < iterations { body(index) }
                if running.decrement() == 0 { finally() }
            }
            thread.start()
        }
    }

    private final class Counter: Sendable {
        private let value: Mutex<Int>
        init(_ value: Int = 0) { self.value = Mutex(value) }
        /// The value before adding one.
        func increment() -> Int { value.withLock { value in defer { value += 1 }; return value } }
        /// The value after taking one away.
        func decrement() -> Int { value.withLock { value in value -= 1; return value } }
    }
}
