import Foundation

/// ISO 8601 calendar dates (`2026-11-24`) and timestamps, always in UTC, for storage and output.
public enum DayFormat {
    private static let dayFormatter = formatter("yyyy-MM-dd")
    private static let timestampFormatter = formatter("yyyy-MM-dd'T'HH:mm:ss'Z'")

    /// A UTC Gregorian formatter for `format` (the fallback outside 1583–9999, and the reference
    /// the arithmetic is tested against).
    static func formatter(_ format: String) -> DateFormatter {
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
        guard day <= daysIn(month: month, year: year) else { return nil }
        return Date(timeIntervalSince1970: Double(days(year: year, month: month, day: day)) * 86_400)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A UTC date's calendar day and second of the day, by arithmetic, for years 1583 to 9999
    /// (the formatters' Gregorian calendar switches to Julian before that); nil outside them.
    static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, second: Int)? {
        let time = date.timeIntervalSince1970.rounded(.down)
        guard time.isFinite, abs(time) < 1e12 else { return nil }
        let total = Int(time)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (1583...9999).contains(year) else { return nil }
        return (year, month, day, total - days * 86_400)
    }

    /// The formatters work in whole milliseconds: 59.9996 s shows as the next second.
    private static func toMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// `value` as `digits` decimal digits, zero-padded, appended to `bytes`.
    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(48 + (value / divisor) % 10))
            divisor /= 10
        }
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

    /// `yyyy-MM-dd` in UTC (by arithmetic: a formatter was a sixth of ranking 100,000 partners).
    public static func day(_ date: Date) -> String {
        guard let civil = civil(toMilliseconds(date)) else { return dayFormatter.string(from: date) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        append(civil.year, digits: 4, to: &bytes)
        bytes.append(45)
        append(civil.month, digits: 2, to: &bytes)
        bytes.append(45)
        append(civil.day, digits: 2, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        guard let civil = civil(toMilliseconds(date)) else { return timestampFormatter.string(from: date) }
        var bytes = Array(day(date).utf8)
        bytes.append(UInt8(ascii: "T"))
        append(civil.second / 3600, digits: 2, to: &bytes)
        bytes.append(58)
        append(civil.second / 60 % 60, digits: 2, to: &bytes)
        bytes.append(58)
        append(civil.second % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whole days from `from` to `to` (negative when `to` is earlier).
    public static func daysBetween(_ from: Date, _ to: Date) -> Int {
        Int(((to.timeIntervalSince1970 - from.timeIntervalSince1970) / 86_400).rounded(.down))
    }

    /// Adds calendar months in UTC; a day past the end of the new month becomes its last day
    /// (January 31 + 1 month = February 28 or 29), as Foundation's calendar does.
    public static func adding(months: Int, to date: Date) -> Date {
        guard let civil = civil(date), abs(months) < 12_000 else {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .gmt
            return calendar.date(byAdding: .month, value: months, to: date) ?? date
        }
        let index = civil.year * 12 + (civil.month - 1) + months
        let (year, month) = (index >= 0 ? index / 12 : (index - 11) / 12, ((index % 12) + 12) % 12 + 1)
        let day = min(civil.day, daysIn(month: month, year: year))
        let fraction = date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)
        return Date(timeIntervalSince1970: Double(days(year: year, month: month, day: day) * 86_400 + civil.second) + fraction)
    }
}
