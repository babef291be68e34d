import Foundation
import PartnerRiskCore
import PostgresNIO

extension PostgresStore: ScreeningRepository {
    /// The latest version of each list.
    static let latestVersions = "SELECT max(id) FROM screening_list_version GROUP BY list"
    static let entryColumns = "e.entry_key, e.kind, e.names, e.program, e.listed_on, e.details"

    public func storeList(_ list: SanctionsList, sourceFile: String, sha256: String, at time: Date) throws -> SanctionsListChanges {
        try connections.transaction { session in
            // One list imported at a time: its changes are counted against the version before it.
            try session.query("SELECT pg_advisory_xact_lock(7358247, hashtext(\(list.name)))")
            let previous = try session.query("SELECT max(id) FROM screening_list_version WHERE list = \(list.name)").first?.decode(Int64?.self)
            let old = try previous.map { try Self.entries(session, versionID: $0) } ?? []
            let version = try session.query("""
                INSERT INTO screening_list_version (list, format, list_date, source_file, file_sha256, entries, imported_at, actor)
                VALUES (\(list.name), \(list.format.rawValue), \(list.date), \(sourceFile), \(sha256), \(list.entries.count), \(DayFormat.timestamp(time)), \(actor))
                RETURNING id
                """).first.orThrow("list version not stored").decode(Int64.self)
            // All entries in one statement, as one JSON document; a key listed twice keeps its last entry (as SQLite's REPLACE).
            let last = Dictionary(list.entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { $1 })
            let rows = list.entries.enumerated().filter { last[$0.element.key] == $0.offset }.map { Self.entryJSON($0.element) }
            try session.query("""
                INSERT INTO screening_entry (version_id, entry_key, kind, names, program, listed_on, details, content_sha256)
                SELECT \(version), e.entry->>'key', e.entry->>'kind', e.entry->>'names', e.entry->>'program', e.entry->>'listed_on',
                       e.entry->>'details', e.entry->>'sha256'
                FROM jsonb_array_elements(\(JSONValue.array(rows).rendered())::jsonb) WITH ORDINALITY AS e (entry, n)
                ORDER BY e.n
                """)
            let changes = SanctionsListChanges.between(old: old, new: list.entries)
            try Self.appendAudit(session, actor: actor, action: "screening.list-import", subject: "list:\(list.name)",
                                 detail: "\(list.entries.count) entries, list of \(list.date ?? "?"), sha256 \(sha256): added \(changes.added.count), "
                                    + "changed \(changes.changed.count), removed \(changes.removed.count)", at: time)
            return changes
        }
    }

    /// One entry as the JSON object the import statement reads (names as their stored JSON list).
    static func entryJSON(_ entry: SanctionsEntry) -> JSONValue {
        .object(["key": .string(entry.key), "kind": .string(entry.kind.rawValue), "names": .string(JSONValue.array(entry.names.map(JSONValue.string)).rendered()),
                 "program": .string(entry.program), "listed_on": .text(entry.listedOn), "details": .string(entry.details),
                 "sha256": .string(entry.contentSHA256)])
    }

    private static func entries(_ session: PostgresSession, versionID: Int64) throws -> [SanctionsEntry] {
        try session.query("SELECT \(unescaped: entryColumns) FROM screening_entry e WHERE e.version_id = \(versionID) ORDER BY e.id").map { try entry(Array($0)[...]) }
    }

    /// An entry from the six cells of `entryColumns`.
    private static func entry(_ cells: ArraySlice<PostgresCell>) throws -> SanctionsEntry {
        let text = { (index: Int) throws -> String in try cells[cells.startIndex + index].decode(String.self) }
        let names = JSONValue.parse(try text(2))?.arrayValue?.compactMap(\.stringValue) ?? []
        return SanctionsEntry(key: try text(0), kind: SanctionsEntry.Kind(rawValue: try text(1)) ?? .entity, names: names, program: try text(3),
                              listedOn: try cells[cells.startIndex + 4].decode(String?.self), details: try text(5))
    }

    public func listVersions() throws -> [(list: String, format: String, date: String?, entries: Int, importedAt: String)] {
        try connections.query("""
            SELECT list, format, list_date, entries, imported_at FROM screening_list_version WHERE id IN (\(unescaped: Self.latestVersions)) ORDER BY list
            """).map { row in
            let (list, format, date, entries, imported) = try row.decode((String, String, String?, Int, String).self)
            return (list, format, date, entries, imported)
        }
    }

    public func currentEntries() throws -> [(list: String, entry: SanctionsEntry)] {
        try connections.query("""
            SELECT v.list, \(unescaped: Self.entryColumns) FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
            WHERE e.version_id IN (\(unescaped: Self.latestVersions)) ORDER BY v.list, e.id
            """).map { row in
            let cells = Array(row)
            return (try cells[0].decode(String.self), try Self.entry(cells[1...]))
        }
    }

    public func recordMatches(_ matches: [FoundMatch], at time: Date) throws -> ScreeningOutcome {
        let now = DayFormat.timestamp(time)
        return try connections.transaction { session in
            var outcome = ScreeningOutcome()
            for match in matches {
                let hash = try session.query("""
                    SELECT e.content_sha256 FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                    WHERE v.list = \(match.list) AND e.entry_key = \(match.entryKey) AND e.version_id IN (\(unescaped: Self.latestVersions))
                    """).first?.decode(String.self) ?? ""
                // New hits insert; a hit found before is locked and looked at (two runs at once record it once).
                let inserted = try session.query("""
                    INSERT INTO screening_hit (partner_id, list, entry_key, entry_sha256, screened_name, screened_as, matched_name, score, status, found_at, note)
                    VALUES (\(match.partnerID), \(match.list), \(match.entryKey), \(hash), \(match.screenedName), \(match.screenedAs), \(match.matchedName),
                            \(match.score), 'open', \(now), '')
                    ON CONFLICT (partner_id, list, entry_key, screened_name) DO NOTHING RETURNING id
                    """)
                if let id = try inserted.first?.decode(Int64.self) {
                    try Self.appendAudit(session, actor: actor, action: "screening.hit", subject: "partner:\(match.partnerID)",
                                         detail: "hit \(id): \(match.screenedAs) “\(match.screenedName)” ~ \(match.list) \(match.entryKey) “\(match.matchedName)” "
                                            + "(score \(String(format: "%.2f", match.score)))", at: time)
                    if let hit = try Self.hit(session, id: id) { outcome.new.append(hit) }
                    continue
                }
                let existing = try session.query("""
                    SELECT id, status, entry_sha256 FROM screening_hit WHERE partner_id = \(match.partnerID) AND list = \(match.list)
                      AND entry_key = \(match.entryKey) AND screened_name = \(match.screenedName) FOR UPDATE
                    """).first.orThrow("screening hit vanished while being recorded").decode((Int64, String, String).self)
                guard existing.1 == ScreeningHit.Status.cleared.rawValue && existing.2 != hash else {
                    outcome.unchanged += 1
                    continue
                }
                try session.query("""
                    UPDATE screening_hit SET status = 'open', entry_sha256 = \(hash), score = \(match.score), matched_name = \(match.matchedName),
                        note = 'opened again: the list entry changed after it was cleared', decided_by = NULL, decided_at = NULL
                    WHERE id = \(existing.0)
                    """)
                try Self.appendAudit(session, actor: actor, action: "screening.reopen", subject: "partner:\(match.partnerID)",
                                     detail: "hit \(existing.0): \(match.list) \(match.entryKey) changed since it was cleared", at: time)
                if let hit = try Self.hit(session, id: existing.0) { outcome.reopened.append(hit) }
            }
            return outcome
        }
    }

    /// A hit with its partner's name and the names and program of its entry's latest version.
    static let hitSQL = """
        SELECT h.id, h.partner_id, p.name, h.list, h.entry_key, h.screened_name, h.screened_as, h.matched_name, h.score, h.status, h.found_at,
               h.decided_by, h.decided_at, h.note, latest.names, latest.program
        FROM screening_hit h JOIN partner p ON p.id = h.partner_id
        LEFT JOIN LATERAL (SELECT e.names, e.program FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                           WHERE v.list = h.list AND e.entry_key = h.entry_key ORDER BY e.id DESC LIMIT 1) latest ON true
        """

    static func hit(_ row: PostgresRow) throws -> ScreeningHit {
        let cells = Array(row)
        let text = { (index: Int) throws -> String in try cells[index].decode(String.self) }
        let optional = { (index: Int) throws -> String? in try cells[index].decode(String?.self) }
        let names = try optional(14).flatMap { JSONValue.parse($0)?.arrayValue?.compactMap(\.stringValue) } ?? []
        let key = try text(4)
        return ScreeningHit(id: try cells[0].decode(Int64.self), partnerID: try cells[1].decode(Int64.self), partnerName: try text(2), list: try text(3),
                            entryKey: key, entryName: names.first ?? key, program: try optional(15) ?? "", screenedName: try text(5),
                            screenedAs: try text(6), matchedName: try text(7), score: try cells[8].decode(Double.self),
                            status: ScreeningHit.Status(rawValue: try text(9)) ?? .open, foundAt: try text(10), decidedBy: try optional(11),
                            decidedAt: try optional(12), note: try text(13))
    }

    private static func hit(_ session: PostgresSession, id: Int64) throws -> ScreeningHit? {
        try session.query("\(unescaped: hitSQL) WHERE h.id = \(id)").first.map(hit)
    }

    /// Text answers only: a JSON string (`jsonb_typeof` 'string'), as SQLite's `json_each` type 'text'.
    public func answeredNames(questionIDs: [String]) throws -> [(partnerID: Int64, questionID: String, text: String)] {
        guard !questionIDs.isEmpty else { return [] }
        return try connections.query("""
            SELECT i.partner_id, a.key, a.value #>> '{}' FROM response r
            JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
            CROSS JOIN LATERAL jsonb_each(r.answers_json::jsonb) a
            WHERE r.complete AND p.active AND \(unescaped: Self.isCurrent(complete: true))
              AND jsonb_typeof(a.value) = 'string' AND a.key = ANY(\(questionIDs))
            ORDER BY i.partner_id, r.id, a.key COLLATE "C"
            """).map { row in
            let (partner, question, text) = try row.decode((Int64, String, String).self)
            return (partner, question, text)
        }
    }

    public func screeningHits(partnerID: Int64?, status: ScreeningHit.Status?) throws -> [ScreeningHit] {
        try connections.query("""
            \(unescaped: Self.hitSQL) WHERE (\(partnerID)::bigint IS NULL OR h.partner_id = \(partnerID))
              AND (\(status?.rawValue)::text IS NULL OR h.status = \(status?.rawValue))
            ORDER BY h.id
            """).map(Self.hit)
    }

    public func screeningHit(id: Int64) throws -> ScreeningHit? {
        try connections.withConnection { try Self.hit($0, id: id) }
    }

    public func decideHit(id: Int64, status: ScreeningHit.Status, note: String, actor: String, at time: Date) throws {
        try connections.transaction { session in
            // The decision is about the entry as it reads now: a later change of it opens a cleared hit again.
            let partner = try session.query("""
                UPDATE screening_hit h SET status = \(status.rawValue), note = \(note), decided_by = \(actor), decided_at = \(DayFormat.timestamp(time)),
                       entry_sha256 = COALESCE((SELECT e.content_sha256 FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                                                WHERE v.list = h.list AND e.entry_key = h.entry_key
                                                  AND e.version_id IN (\(unescaped: Self.latestVersions))), h.entry_sha256)
                WHERE h.id = \(id) RETURNING h.partner_id
                """).first?.decode(Int64.self) ?? 0
            try Self.appendAudit(session, actor: actor, action: "screening.\(status == .confirmed ? "confirm" : "clear")", subject: "partner:\(partner)",
                                 detail: "hit \(id): \(note)", at: time)
        }
    }

    /// Confirmed hits by partner, for scoring and the ranking.
    static func confirmedHits(_ session: PostgresSession) throws -> [Int64: [ScreeningHit]] {
        Dictionary(grouping: try session.query("\(unescaped: hitSQL) WHERE h.status = 'confirmed' ORDER BY h.id").map(hit), by: \.partnerID)
    }
}
