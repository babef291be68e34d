import Foundation

/// ISO 8601 calendar dates (`2026-11-24`) and timestamps, always in UTC, for storage and output.
public enum DayFormat {
    private static let dayFormatter = formatter("yyyy-MM-dd")
    private static let timestampFormatter = formatter("yyyy-MM-dd'T'HH:mm:ss'Z'")

    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = format
        return formatter
    }

    /// Parses `YYYY-MM-DD`; nil when it is not a real calendar date (no formatter: this is hot).
    public static func parseDay(_ text: String) -> Date? {
        let bytes = text.utf8.count == 10 ? Array(text.utf8) : Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        // Days from the civil calendar (Howard Hinnant's algorithm), UTC midnight.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days) * 86_400)
    }

    /// Parses the stored `yyyy-MM-ddTHH:mm:ssZ` timestamps quickly; falls back to a plain day.
    public static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z"),
              let day = parseDay(String(decoding: bytes[0..<10], as: UTF8.self)) else { return parseDay(text) }
        func two(_ at: Int) -> Int? {
            guard (48...57).contains(bytes[at]), (48...57).contains(bytes[at + 1]) else { return nil }
            return Int(bytes[at] - 48) * 10 + Int(bytes[at + 1] - 48)
        }
        guard let hour = two(11), let minute = two(14), let second = two(17) else { return nil }
        return day.addingTimeInterval(Double(hour * 3600 + minute * 60 + second))
    }

    public static func day(_ date: Date) -> String { dayFormatter.string(from: date) }

    public static func timestamp(_ date: Date) -> String {
        timestampFormatter.string(from: date)
    }

    /// Whole days from `from` to `to` (negative when `to` is earlier).
    public static func daysBetween(_ from: Date, _ to: Date) -> Int {
        Int(((to.timeIntervalSince1970 - from.timeIntervalSince1970) / 86_400).rounded(.down))
    }

    /// Adds calendar months in UTC.
    public static func adding(months: Int, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .month, value: months, to: date) ?? date
    }
}
