import Crypto
import Foundation

/// Screening of partners against the sanctions lists the officer imported: list versions kept,
/// every partner re-screened after a list import, hits confirmed (a knock-out) or cleared.
public struct ScreeningService: Sendable {
    public let repositories: any Repositories
    public let submissions: SubmissionService
    /// Who decides (`--officer`, `officer.name`, else the login name).
    public let actor: String
    public let time: any TimeSource
    /// The least similarity (0…1) that makes a hit.
    public let threshold: Double
    /// Questions whose answers name people or companies to screen too: id → `owner` or `bank`
    /// (worked out from the questionnaires only when a screening runs against a stored list).
    public var nameQuestions: [String: String] { loadNameQuestions() }
    private let loadNameQuestions: @Sendable () -> [String: String]
    /// A progress line for screening everyone on a terminal (nil: none).
    public var progress: ProgressMeter?

    /// 0.90: the words of the two names, compared in any order, agree on nine tenths of their
    /// letters by Jaro–Winkler (see README).
    public static let defaultThreshold = 0.90

    public init(repositories: any Repositories, submissions: SubmissionService, actor: String, time: any TimeSource, threshold: Double = defaultThreshold,
                nameQuestions: @autoclosure @escaping @Sendable () -> [String: String] = [:]) {
        self.loadNameQuestions = nameQuestions
        self.repositories = repositories
        self.submissions = submissions
        self.actor = actor
        self.time = time
        self.threshold = threshold
    }

    /// What a list import did: the list stored, its changes, and the hits the re-screening found.
    public struct ListImport: Sendable {
        public var list: SanctionsList
        public var changes: SanctionsListChanges
        public var screening: ScreeningOutcome
    }

    /// Reads, stores and screens everyone against a list file; `name` overrides the list's name
    /// and `asOf` its date when the file gives none.
    public func importList(_ path: String, name: String?, asOf: String?) throws -> ListImport {
        var list = try SanctionsListReader().read(path)
        if let name, !name.isEmpty { list.name = name }
        if list.date == nil { list.date = asOf ?? DayFormat.day(time.now()) }
        var isFolder: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let file = isFolder.boolValue ? (path as NSString).appendingPathComponent("sdn.csv") : path
        let hash = CanonicalJSON.hex(SHA256.hash(data: try FileBytes.contents(of: file)))
        let changes = try repositories.storeList(list, sourceFile: file, sha256: hash, at: time.now())
        return ListImport(list: list, changes: changes, screening: try run(partnerID: nil))
    }

    /// Screens every active partner (or one) against the latest version of every list and records
    /// the matches (a hit changes a score only once the officer confirms it).
    public func run(partnerID: Int64?) throws -> ScreeningOutcome {
        try run(partnerIDs: partnerID.map { [$0] })
    }

    /// The questions of `surveys` whose answers name owners or banks (roles `screening.owners`, `screening.banks`).
    public static func nameQuestions(in surveys: [Survey]) -> [String: String] {
        var questions: [String: String] = [:]
        for question in surveys.flatMap(\.questions) {
            if question.role == "screening.owners" { questions[question.id] = "owner" }
            if question.role == "screening.banks" { questions[question.id] = "bank" }
        }
        return questions
    }

    /// The names in an answer: one per line (semicolons separate too).
    static func names(in text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Screens these partners (nil: every active partner): their names and aliases, and the owners and banks
    /// their current answers name.
    public func run(partnerIDs: Set<Int64>?) throws -> ScreeningOutcome {
        let entries = try repositories.currentEntries()
        guard !entries.isEmpty else { return ScreeningOutcome() }
        let index = ScreeningIndex(entries: entries.map(\.entry))
        let nameQuestions = self.nameQuestions
        var partners = try repositories.partners(matching: PartnerFilter())
        if let partnerIDs { partners = partners.filter { partnerIDs.contains($0.id) } }
        var screened: [Int64: [(name: String, as: String)]] = [:]
        for partner in partners { screened[partner.id] = [(partner.name, "partner")] + partner.aliases.map { ($0, "alias") } }
        for answer in try repositories.answeredNames(questionIDs: Array(nameQuestions.keys)) where screened[answer.partnerID] != nil {
            for name in Self.names(in: answer.text) { screened[answer.partnerID]?.append((name, nameQuestions[answer.questionID] ?? "name")) }
        }
        var asked: [(partnerID: Int64, name: String, kind: String)] = []
        for partner in partners {
            var seen = Set<String>()
            for (name, kind) in screened[partner.id] ?? [] where seen.insert(name.lowercased()).inserted { asked.append((partner.id, name, kind)) }
        }
        var found: [FoundMatch] = []
        for (query, matches) in zip(asked, index.matches(asked.map(\.name), threshold: threshold, progress: partnerIDs == nil ? progress : nil)) {
            for match in matches {
                let listed = entries[match.entry]
                found.append(FoundMatch(partnerID: query.partnerID, list: listed.list, entryKey: listed.entry.key, screenedName: query.name,
                                        screenedAs: query.kind, matchedName: match.matchedName, score: match.score))
            }
        }
        return try repositories.recordMatches(found, at: time.now())
    }

    /// The hits still standing (open or confirmed) of these partners, for a warning.
    public func standingHits(partnerIDs: Set<Int64>) throws -> [ScreeningHit] {
        try repositories.screeningHits(partnerID: nil, status: nil).filter { $0.status != .cleared && partnerIDs.contains($0.partnerID) }
    }

    /// One line naming a standing hit.
    public static func warning(_ hit: ScreeningHit) -> String {
        "warning: partner \(hit.partnerID) \(hit.partnerName) \(hit.status == .confirmed ? "is" : "may be") on \(hit.list): entry \(hit.entryKey) “\(hit.matchedName)” "
            + "(similarity \(String(format: "%.2f", hit.score)), hit \(hit.id) \(hit.status.rawValue)); see `partner-risk screening hits`"
    }

    /// Confirms a hit (the partner is a knock-out from now on) or clears it as a false positive.
    public func decide(hit id: Int64, status: ScreeningHit.Status, note: String) throws -> ScreeningHit {
        guard let hit = try repositories.screeningHit(id: id) else { throw PartnerRiskError.badInput("no screening hit \(id): see `partner-risk screening hits`") }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PartnerRiskError.badInput("say what you checked (--note): date of birth, address, registration number, ownership")
        }
        try repositories.decideHit(id: id, status: status, note: note, actor: actor, at: time.now())
        try submissions.score(try repositories.currentResponseIDs(partnerID: hit.partnerID))
        return try repositories.screeningHit(id: id) ?? hit
    }
}
