import Foundation
import Testing
@testable import PartnerRiskCore

/// Days, timestamps and month arithmetic are computed by hand; they must agree with
/// Foundation's UTC Gregorian formatter and calendar.
@Suite struct DayFormatTests {
    @Test func daysTimestampsAndMonthsAgreeWithFoundation() {
        let day = DayFormat.formatter("yyyy-MM-dd")
        let stamp = DayFormat.formatter("yyyy-MM-dd'T'HH:mm:ss'Z'")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SeededGenerator(state: 17)
        // 1600-01-01 to 2600-01-01, with fractions of a second, plus month ends and leap days.
        var dates = (0..<3_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -11_676_096_000...19_880_899_200, using: &generator)) }
        for text in ["2024-01-31", "2024-02-29", "2023-03-31", "2000-02-29", "1900-02-28", "1970-01-01", "1969-12-31", "2100-12-31"] {
            dates.append(DayFormat.parseDay(text)!)
            dates.append(DayFormat.parseDay(text)!.addingTimeInterval(86_399.75))
        }
        for date in dates {
            #expect(DayFormat.day(date) == day.string(from: date))
            #expect(DayFormat.timestamp(date) == stamp.string(from: date))
            for months in [1, 6, 12, -1, 25] {
                #expect(DayFormat.adding(months: months, to: date) == calendar.date(byAdding: .month, value: months, to: date), "\(date) + \(months)")
            }
        }
        #expect(DayFormat.day(DayFormat.adding(months: 1, to: DayFormat.parseDay("2024-01-31")!)) == "2024-02-29")
    }
}
