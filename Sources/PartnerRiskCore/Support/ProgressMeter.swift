import Foundation
import Synchronization

/// A progress line for long work on a terminal: count, rate and time left, redrawn at most a few
/// times a second, then a last line when the work ends. The commands make one only when standard
/// error is a terminal; services take it as an optional (nil: no cost beyond a nil check).
public final class ProgressMeter: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var started = Date()
        var lastDrawn = Date.distantPast
        var drawn = false
    }

    public let label: String
    private let state = Mutex(State())
    private let write: @Sendable (String) -> Void
    private let clock: @Sendable () -> Date
    /// Seconds between redraws.
    let interval: TimeInterval

    /// `write` receives each redraw (a carriage return and the line) and the last line (with a line break).
    public init(label: String, interval: TimeInterval = 0.25, clock: @escaping @Sendable () -> Date = { Date() },
                write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.interval = interval
        self.clock = clock
        self.write = write
    }

    /// Starts counting towards `total` items.
    public func begin(total: Int) {
        let now = clock()
        state.withLock { $0 = State(total: total, done: 0, started: now, lastDrawn: now) }  // first drawn after `interval`
    }

    /// `count` more items done.
    public func advance(_ count: Int = 1) {
        let now = clock()
        let line: String? = state.withLock { state in
            state.done += count
            guard now.timeIntervalSince(state.lastDrawn) >= interval else { return nil }
            state.lastDrawn = now
            state.drawn = true
            return Self.line(label: label, done: state.done, total: state.total, elapsed: now.timeIntervalSince(state.started))
        }
        if let line { write("\r\u{1B}[K" + line) }
    }

    /// Ends the line (only if one was drawn: quick work prints nothing extra).
    public func finish() {
        let now = clock()
        let line: String? = state.withLock { state in
            guard state.drawn else { return nil }
            state.drawn = false
            return Self.line(label: label, done: state.done, total: state.total, elapsed: now.timeIntervalSince(state.started), finished: true)
        }
        if let line { write("\r\u{1B}[K" + line + "\n") }
    }

    /// "sending: 1,200 of 5,000 (24%), 600/s, about 7 s left"; when finished, the time it took.
    public static func line(label: String, done: Int, total: Int, elapsed: TimeInterval, finished: Bool = false) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "\(label): \(grouped(done))"
        if total > 0 { text += " of \(grouped(total)) (\(min(100, done * 100 / total))%)" }
        if rate > 0 { text += ", \(grouped(Int(rate.rounded())))/s" }
        if finished {
            text += ", \(duration(elapsed))"
        } else if total > done, rate > 0 {
            text += ", about \(duration(Double(total - done) / rate)) left"
        }
        return text
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded(.up))
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        if whole < 120 { return "\(whole) s" }
        return "\(whole / 60) min \(whole % 60) s"
    }
}
