import Foundation

/// A possible match of a partner (or one of its owners or banks) with a list entry, and where the
/// officer stands on it: open until confirmed (a knock-out) or cleared as a false positive (it
/// stays cleared until that list entry changes).
public struct ScreeningHit: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case open, confirmed, cleared }

    public var id: Int64
    public var partnerID: Int64
    public var partnerName: String
    public var list: String
    public var entryKey: String
    /// The entry's primary name, kind and program, as the list gave them.
    public var entryName: String
    public var program: String
    /// The partner's name (or owner's, or bank's) that matched, and what it is.
    public var screenedName: String
    public var screenedAs: String
    public var matchedName: String
    public var score: Double
    public var status: Status
    public var foundAt: String
    public var decidedBy: String?
    public var decidedAt: String?
    public var note: String

    public init(id: Int64, partnerID: Int64, partnerName: String, list: String, entryKey: String, entryName: String, program: String,
                screenedName: String, screenedAs: String, matchedName: String, score: Double, status: Status, foundAt: String,
                decidedBy: String?, decidedAt: String?, note: String) {
        self.id = id
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.list = list
        self.entryKey = entryKey
        self.entryName = entryName
        self.program = program
        self.screenedName = screenedName
        self.screenedAs = screenedAs
        self.matchedName = matchedName
        self.score = score
        self.status = status
        self.foundAt = foundAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.note = note
    }
}

/// A match found by a screening run, before it is stored.
public struct FoundMatch: Sendable, Equatable {
    public var partnerID: Int64
    public var list: String
    public var entryKey: String
    public var screenedName: String
    /// `partner`, `alias`, `owner` or `bank`.
    public var screenedAs: String
    public var matchedName: String
    public var score: Double

    public init(partnerID: Int64, list: String, entryKey: String, screenedName: String, screenedAs: String, matchedName: String, score: Double) {
        self.partnerID = partnerID
        self.list = list
        self.entryKey = entryKey
        self.screenedName = screenedName
        self.screenedAs = screenedAs
        self.matchedName = matchedName
        self.score = score
    }
}

/// What storing a run's matches did: hits new or opened again (their entry changed).
public struct ScreeningOutcome: Sendable, Equatable {
    public var new: [ScreeningHit] = []
    public var reopened: [ScreeningHit] = []
    public var unchanged = 0

    public init(new: [ScreeningHit] = [], reopened: [ScreeningHit] = [], unchanged: Int = 0) {
        self.new = new
        self.reopened = reopened
        self.unchanged = unchanged
    }
}

/// Storage of list versions and screening hits. A list version is kept whole (every earlier one
/// too); an entry's content hash tells whether it changed since a hit was cleared.
public protocol ScreeningRepository: Sendable {
    /// Stores a list version and returns what changed against the list's latest stored version.
    func storeList(_ list: SanctionsList, sourceFile: String, sha256: String, at time: Date) throws -> SanctionsListChanges
    /// The latest stored version of every list, with its date and entry count.
    func listVersions() throws -> [(list: String, format: String, date: String?, entries: Int, importedAt: String)]
    /// The entries of the latest version of every list.
    func currentEntries() throws -> [(list: String, entry: SanctionsEntry)]
    /// Records a run's matches: new ones open, known ones kept (a cleared one opened again when
    /// its entry changed since it was cleared).
    func recordMatches(_ matches: [FoundMatch], at time: Date) throws -> ScreeningOutcome
    /// The text answers of the current responses to these questions (owners, banks), by partner.
    func answeredNames(questionIDs: [String]) throws -> [(partnerID: Int64, questionID: String, text: String)]
    func screeningHits(partnerID: Int64?, status: ScreeningHit.Status?) throws -> [ScreeningHit]
    func screeningHit(id: Int64) throws -> ScreeningHit?
    /// Confirms or clears a hit, with the officer's note; audited.
    func decideHit(id: Int64, status: ScreeningHit.Status, note: String, actor: String, at time: Date) throws
}
