import Foundation

extension AppConfig {
    /// `service:` in `partner-risk.yaml`: the routine work `serve` does on a schedule. Each job is
    /// off unless its `enabled` is true (the outbox worker too: a trial server sends nothing on
    /// its own until the officer says so).
    public struct Service: Codable, Sendable, Equatable {
        public var outbox: Outbox?
        public var mailbox: Mailbox?
        public var reminders: Reminders?
        public var reviewClock: ReviewClock?
        public var screening: ScreeningWatch?

        enum CodingKeys: String, CodingKey {
            case outbox, mailbox, reminders, screening, reviewClock = "review_clock"
        }

        public init(outbox: Outbox? = nil, mailbox: Mailbox? = nil, reminders: Reminders? = nil, reviewClock: ReviewClock? = nil,
                    screening: ScreeningWatch? = nil) {
            self.outbox = outbox
            self.mailbox = mailbox
            self.reminders = reminders
            self.reviewClock = reviewClock
            self.screening = screening
        }

        /// Sends queued and due-for-retry messages of every campaign.
        public struct Outbox: Codable, Sendable, Equatable {
            public var enabled: Bool?
            /// Seconds between looks at the outbox (default 10).
            public var intervalSeconds: Int?

            enum CodingKeys: String, CodingKey { case enabled, intervalSeconds = "interval_seconds" }
            public init(enabled: Bool? = nil, intervalSeconds: Int? = nil) {
                self.enabled = enabled
                self.intervalSeconds = intervalSeconds
            }
        }

        /// `responses fetch` over IMAP with the `imap:` settings.
        public struct Mailbox: Codable, Sendable, Equatable {
            public var enabled: Bool?
            /// Minutes between fetches (default 5).
            public var intervalMinutes: Int?

            enum CodingKeys: String, CodingKey { case enabled, intervalMinutes = "interval_minutes" }
            public init(enabled: Bool? = nil, intervalMinutes: Int? = nil) {
                self.enabled = enabled
                self.intervalMinutes = intervalMinutes
            }
        }

        /// Reminders at days relative to each open campaign's deadline.
        public struct Reminders: Codable, Sendable, Equatable {
            public var enabled: Bool?
            /// Days relative to the deadline: -7 is a week before, 3 is three days after (default -7, -2, 3).
            public var offsetsDays: [Int]?
            /// Minutes between looks (default 60).
            public var intervalMinutes: Int?

            enum CodingKeys: String, CodingKey { case enabled, offsetsDays = "offsets_days", intervalMinutes = "interval_minutes" }
            public init(enabled: Bool? = nil, offsetsDays: [Int]? = nil, intervalMinutes: Int? = nil) {
                self.enabled = enabled
                self.offsetsDays = offsetsDays
                self.intervalMinutes = intervalMinutes
            }
        }

        /// Once a day: who is due for re-review, and the officer's digest.
        public struct ReviewClock: Codable, Sendable, Equatable {
            public var enabled: Bool?
            /// Where the digest goes (none: no mail, the due list is still kept).
            public var digestTo: String?

            enum CodingKeys: String, CodingKey { case enabled, digestTo = "digest_to" }
            public init(enabled: Bool? = nil, digestTo: String? = nil) {
                self.enabled = enabled
                self.digestTo = digestTo
            }
        }

        /// Imports a sanctions-list file dropped or changed in `folder`, and re-screens everyone.
        public struct ScreeningWatch: Codable, Sendable, Equatable {
            public var enabled: Bool?
            public var folder: String?
            /// Seconds between looks at the folder (default 60).
            public var intervalSeconds: Int?

            enum CodingKeys: String, CodingKey { case enabled, folder, intervalSeconds = "interval_seconds" }
            public init(enabled: Bool? = nil, folder: String? = nil, intervalSeconds: Int? = nil) {
                self.enabled = enabled
                self.folder = folder
                self.intervalSeconds = intervalSeconds
            }
        }

        public static let defaultOffsets = [-7, -2, 3]
    }
}
