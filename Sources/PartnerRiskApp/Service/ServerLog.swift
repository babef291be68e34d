import Foundation
import Logging

/// The format of `serve`'s log lines: readable text, or one JSON object per line for log collectors.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// One line per event on standard output, written at once (scripts and journald read it while
/// the server runs), with the event's ids (`campaign`, `partner`, `job`, …) as metadata. Nothing
/// logged carries a token, a password or an answer: the callers log ids and counts only.
///
/// Hand-written because swift-log ships only `StreamLogHandler`, whose text layout cannot be
/// changed and which has no JSON form.
public struct ServerLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    public let format: LogFormat
    let clock: @Sendable () -> Date

    public init(label: String, format: LogFormat, level: Logger.Level = .info, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let line = Self.line(time: clock(), level: event.level, message: "\(event.message)", metadata: all, format: format)
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The text or JSON line of one event.
    static func line(time: Date, level: Logger.Level, message: String, metadata: Logger.Metadata, format: LogFormat) -> String {
        let stamp = time.formatted(.iso8601)
        let fields = metadata.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
        switch format {
        case .text:
            let tags = fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            return "\(stamp) \(level) \(tags.isEmpty ? "" : "[\(tags)] ")\(Self.oneLine(message))"
        case .json:
            var object: [String: String] = ["time": stamp, "level": "\(level)", "message": message]
            for (key, value) in fields where object[key] == nil { object[key] = value }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// A message on one line: a line break in it (an error text from a server) becomes a space.
    static func oneLine(_ text: String) -> String {
        text.contains(where: \.isNewline) ? text.split(whereSeparator: \.isNewline).joined(separator: " ") : text
    }
}

extension Logger {
    /// `serve`'s logger in `format` at `level`.
    public static func server(format: LogFormat, level: Logger.Level = .info) -> Logger {
        Logger(label: "partner-risk") { ServerLogHandler(label: $0, format: format, level: level) }
    }
}
