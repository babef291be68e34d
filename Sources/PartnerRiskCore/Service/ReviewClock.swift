import Foundation

/// What the officer's daily digest says: what became due or worse since the last digest, and
/// what waits for the officer. Built by `ReviewClock`, rendered from `Templates/mail/digest.*`.
public struct ReviewDigest: Sendable, Equatable {
    /// One line about one partner.
    public struct Line: Sendable, Equatable {
        public var partnerID: Int64
        public var partnerName: String
        public var text: String
    }

    public var day: String
    public var since: String?
    public var newlyDue: [Line] = []
    public var highScores: [Line] = []
    public var newFlags: [Line] = []
    public var newHits: [Line] = []
    public var evidenceAwaiting = 0
    public var overdueActions: [Line] = []

    /// Nothing new and nothing waiting: no mail is sent.
    public var isEmpty: Bool {
        newlyDue.isEmpty && highScores.isEmpty && newFlags.isEmpty && newHits.isEmpty && evidenceAwaiting == 0 && overdueActions.isEmpty
    }

    /// "2 newly due, 1 new High/Critical, …": the job's status line.
    public var summary: String {
        "\(newlyDue.count) newly due, \(highScores.count) new High/Critical score(s), \(newFlags.count) new red flag(s), "
            + "\(newHits.count) new screening hit(s), \(evidenceAwaiting) document(s) awaiting review, \(overdueActions.count) overdue action(s)"
    }

    /// The values the digest templates read; each list is cut at `limit` lines with a count of the rest.
    public func values(limit: Int = 50) -> [String: Any] {
        func section(_ lines: [Line]) -> [String: Any] {
            var values: [String: Any] = ["count": lines.count, "any": !lines.isEmpty,
                                         "lines": lines.prefix(limit).map { ["id": $0.partnerID, "name": $0.partnerName, "text": $0.text] }]
            if lines.count > limit { values["more"] = lines.count - limit }  // absent, not 0: a section shows only when set
            return values
        }
        var values: [String: Any] = ["day": day, "due": section(newlyDue), "scores": section(highScores), "flags": section(newFlags),
                "hits": section(newHits), "evidence_awaiting": evidenceAwaiting, "evidence_any": evidenceAwaiting > 0,
                "actions": section(overdueActions)]
        if let since { values["since"] = since }  // absent on the first digest (an empty text would still count as set)
        return values
    }
}

/// The daily review clock: marks who is due for re-review (the due list is kept in the store)
/// and builds the digest of what changed since its last run. `digest()` reads only; `commit`
/// records the run once the digest went out, so a failed mail is sent again, whole, next time.
public struct ReviewClock: Sendable {
    public let repositories: any Repositories
    public let reviews: ReviewService
    public let time: any TimeSource
    public let language: Language

    static let lastDayKey = "review_clock.last_day", lastRunKey = "review_clock.last_run", dueKey = "review_clock.due"

    public init(repositories: any Repositories, reviews: ReviewService, time: any TimeSource, language: Language = .en) {
        self.repositories = repositories
        self.reviews = reviews
        self.time = time
        self.language = language
    }

    /// Whether the clock already ran today (UTC).
    public func ranToday() throws -> Bool {
        try repositories.serviceState(Self.lastDayKey) == DayFormat.day(time.now())
    }

    /// The digest as of now, and the partners due now (to `commit`).
    public func digest() throws -> (ReviewDigest, due: [Int64]) {
        let now = time.now(), today = DayFormat.day(now)
        let since = try repositories.serviceState(Self.lastRunKey)
        let previous = Set(try repositories.serviceState(Self.dueKey).map(Self.ids) ?? [])
        let names = Dictionary(try repositories.partners(matching: PartnerFilter()).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var digest = ReviewDigest(day: today, since: since)
        let due = try reviews.due()
        digest.newlyDue = due.filter { !previous.contains($0.partner.id) }
            .map { .init(partnerID: $0.partner.id, partnerName: $0.partner.name, text: $0.reasons.joined(separator: "; ")) }
        let fresh = try repositories.latestScoresDetailed().filter { score in since.map { score.computedAt > $0 } ?? true }
        digest.highScores = fresh.filter { $0.tier >= .high }.map { score in
            .init(partnerID: score.partnerID, partnerName: names[score.partnerID] ?? "#\(score.partnerID)",
                  text: "\(score.tier.label), risk \(Int(score.overallRisk.rounded()))\(score.knockout ? " (knock-out)" : "")")
        }
        digest.newFlags = try fresh.flatMap { try newFlags(in: $0, name: names[$0.partnerID] ?? "#\($0.partnerID)") }
        digest.newHits = try repositories.screeningHits(partnerID: nil, status: .open).filter { hit in since.map { hit.foundAt > $0 } ?? true }.map {
            .init(partnerID: $0.partnerID, partnerName: $0.partnerName,
                  text: "\($0.list) \($0.entryKey) “\($0.matchedName)” (similarity \(String(format: "%.2f", $0.score)))")
        }
        digest.evidenceAwaiting = try repositories.evidenceItems(partnerID: nil, status: .pending).count
        digest.overdueActions = try repositories.actions(partnerID: nil, openOnly: true).filter { $0.isOverdue(on: today) }.map {
            .init(partnerID: $0.partnerID, partnerName: $0.partnerName, text: "action \($0.id) due \($0.due): \($0.finding) (\($0.owner))")
        }
        return (digest, due.map(\.partner.id).sorted())
    }

    /// Records today's run: its time (the next digest reports what is newer) and the due list.
    public func commit(due: [Int64]) throws {
        let now = time.now()
        try repositories.setServiceState(Self.dueKey, due.map(String.init).joined(separator: ","), at: now)
        try repositories.setServiceState(Self.lastRunKey, DayFormat.timestamp(now), at: now)
        try repositories.setServiceState(Self.lastDayKey, DayFormat.day(now), at: now)
    }

    /// The partners due at the clock's last run.
    public func markedDue() throws -> [Int64] {
        try repositories.serviceState(Self.dueKey).map(Self.ids) ?? []
    }

    /// Knock-outs and red flags of `score` that the partner's previous score did not have.
    func newFlags(in score: StoredScore, name: String) throws -> [ReviewDigest.Line] {
        let flags = score.factors.filter { $0.kind == .redFlag || $0.kind == .knockout }
        guard !flags.isEmpty else { return [] }
        let previous = try repositories.scoreHistory(partnerID: score.partnerID).last { $0.id < score.id }
        let before = Set(previous?.factors.map(\.code) ?? [])
        return flags.filter { !before.contains($0.code) }.map {
            .init(partnerID: score.partnerID, partnerName: name, text: ($0.kind == .knockout ? "knock-out: " : "red flag: ") + $0.text.text(language))
        }
    }

    static func ids(_ text: String) -> [Int64] { text.split(separator: ",").compactMap { Int64($0) } }
}
