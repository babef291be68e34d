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

    /// Parses `YYYY-MM-DD`; nil when it is not a real calendar date.
    public static func parseDay(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 10 else { return nil }
        let formatter = formatter("yyyy-MM-dd")
        formatter.isLenient = false
        guard let date = formatter.date(from: trimmed), formatter.string(from: date) == trimmed else { return nil }
        return date
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
