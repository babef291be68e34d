import Foundation
import GRDB
import PartnerRiskCore

extension SQLiteStore: ScreeningRepository {
    /// An entry's names as stored (a JSON list) and its content hash.
    static func entryJSON(_ entry: SanctionsEntry) -> (names: String, sha256: String) {
        (JSONValue.array(entry.names.map(JSONValue.string)).rendered(), entry.contentSHA256)
    }

    public func storeList(_ list: SanctionsList, sourceFile: String, sha256: String, at time: Date) throws -> SanctionsListChanges {
        try pool.write { db in
            let previous = try Int64.fetchOne(db, sql: "SELECT max(id) FROM screening_list_version WHERE list = ?", arguments: [list.name])
            let old = try previous.map { try Self.entries(db, versionID: $0) } ?? []
            let now = Self.timestamp(time)
            try db.execute(sql: """
                INSERT INTO screening_list_version (list, format, list_date, source_file, file_sha256, entries, imported_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [list.name, list.format.rawValue, list.date, sourceFile, sha256, list.entries.count, now, actor])
            let version = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO screening_entry (version_id, entry_key, kind, names, program, listed_on, details, content_sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for entry in list.entries {
                let stored = Self.entryJSON(entry)
                try insert.execute(arguments: [version, entry.key, entry.kind.rawValue, stored.names, entry.program, entry.listedOn, entry.details, stored.sha256])
            }
            let changes = SanctionsListChanges.between(old: old, new: list.entries)
            try Self.audit(db, at: now, actor: actor, action: "screening.list-import", subject: "list:\(list.name)",
                           detail: "\(list.entries.count) entries, list of \(list.date ?? "?"), sha256 \(sha256): added \(changes.added.count), changed \(changes.changed.count), removed \(changes.removed.count)")
            return changes
        }
    }

    private static func entries(_ db: Database, versionID: Int64) throws -> [SanctionsEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM screening_entry WHERE version_id = ? ORDER BY id", arguments: [versionID]).map(entry)
    }

    private static func entry(_ row: Row) -> SanctionsEntry {
        let names = JSONValue.parse(row["names"] as String)?.arrayValue?.compactMap(\.stringValue) ?? []
        return SanctionsEntry(key: row["entry_key"], kind: SanctionsEntry.Kind(rawValue: row["kind"]) ?? .entity, names: names,
                              program: row["program"], listedOn: row["listed_on"], details: row["details"])
    }

    /// The latest version of each list.
    private static let latestVersions = "SELECT max(id) FROM screening_list_version GROUP BY list"

    public func listVersions() throws -> [(list: String, format: String, date: String?, entries: Int, importedAt: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM screening_list_version WHERE id IN (\(Self.latestVersions)) ORDER BY list").map {
                ($0["list"], $0["format"], $0["list_date"], $0["entries"], $0["imported_at"])
            }
        }
    }

    public func currentEntries() throws -> [(list: String, entry: SanctionsEntry)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.*, v.list FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                WHERE e.version_id IN (\(Self.latestVersions)) ORDER BY v.list, e.id
                """).map { ($0["list"], Self.entry($0)) }
        }
    }

    public func recordMatches(_ matches: [FoundMatch], at time: Date) throws -> ScreeningOutcome {
        try pool.write { db in
            let now = Self.timestamp(time)
            var outcome = ScreeningOutcome()
            let current = try db.cachedStatement(sql: """
                SELECT e.content_sha256 FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                WHERE v.list = ? AND e.entry_key = ? AND e.version_id IN (\(Self.latestVersions))
                """)
            let existing = try db.cachedStatement(sql: "SELECT id, status, entry_sha256 FROM screening_hit WHERE partner_id = ? AND list = ? AND entry_key = ? AND screened_name = ?")
            for match in matches {
                let hash = try String.fetchOne(current, arguments: [match.list, match.entryKey]) ?? ""
                if let row = try Row.fetchOne(existing, arguments: [match.partnerID, match.list, match.entryKey, match.screenedName]) {
                    let id: Int64 = row["id"]
                    if row["status"] as String == ScreeningHit.Status.cleared.rawValue && row["entry_sha256"] as String != hash {
                        try db.execute(sql: "UPDATE screening_hit SET status = 'open', entry_sha256 = ?, score = ?, matched_name = ?, note = ?, decided_by = NULL, decided_at = NULL WHERE id = ?",
                                       arguments: [hash, match.score, match.matchedName, "opened again: the list entry changed after it was cleared", id])
                        try Self.audit(db, at: now, actor: actor, action: "screening.reopen", subject: "partner:\(match.partnerID)",
                                       detail: "hit \(id): \(match.list) \(match.entryKey) changed since it was cleared")
                        if let hit = try Self.hit(db, id: id) { outcome.reopened.append(hit) }
                    } else {
                        outcome.unchanged += 1
                    }
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO screening_hit (partner_id, list, entry_key, entry_sha256, screened_name, screened_as, matched_name, score, status, found_at, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, '')
                    """, arguments: [match.partnerID, match.list, match.entryKey, hash, match.screenedName, match.screenedAs, match.matchedName, match.score, now])
                let id = db.lastInsertedRowID
                try Self.audit(db, at: now, actor: actor, action: "screening.hit", subject: "partner:\(match.partnerID)",
                               detail: "hit \(id): \(match.screenedAs) “\(match.screenedName)” ~ \(match.list) \(match.entryKey) “\(match.matchedName)” (score \(String(format: "%.2f", match.score)))")
                if let hit = try Self.hit(db, id: id) { outcome.new.append(hit) }
            }
            return outcome
        }
    }

    private static let hitSQL = """
        SELECT h.*, p.name AS partner_name,
               (SELECT e.names FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                WHERE v.list = h.list AND e.entry_key = h.entry_key ORDER BY e.id DESC LIMIT 1) AS entry_names,
               (SELECT e.program FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                WHERE v.list = h.list AND e.entry_key = h.entry_key ORDER BY e.id DESC LIMIT 1) AS entry_program
        FROM screening_hit h JOIN partner p ON p.id = h.partner_id
        """

    private static func hit(_ row: Row) -> ScreeningHit {
        let names = (row["entry_names"] as String?).flatMap { JSONValue.parse($0)?.arrayValue?.compactMap(\.stringValue) } ?? []
        return ScreeningHit(id: row["id"], partnerID: row["partner_id"], partnerName: row["partner_name"], list: row["list"], entryKey: row["entry_key"],
                            entryName: names.first ?? row["entry_key"], program: row["entry_program"] ?? "", screenedName: row["screened_name"],
                            screenedAs: row["screened_as"], matchedName: row["matched_name"], score: row["score"],
                            status: ScreeningHit.Status(rawValue: row["status"]) ?? .open, foundAt: row["found_at"], decidedBy: row["decided_by"],
                            decidedAt: row["decided_at"], note: row["note"])
    }

    private static func hit(_ db: Database, id: Int64) throws -> ScreeningHit? {
        try Row.fetchOne(db, sql: hitSQL + " WHERE h.id = ?", arguments: [id]).map(hit)
    }

    public func answeredNames(questionIDs: [String]) throws -> [(partnerID: Int64, questionID: String, text: String)] {
        guard !questionIDs.isEmpty else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.partner_id, a.key, a.value FROM response r
                JOIN invitation i ON i.id = r.invitation_id JOIN partner p ON p.id = i.partner_id
                JOIN json_each(r.answers_json) a
                WHERE r.complete = 1 AND p.active = 1 AND \(Self.isCurrent(complete: true))
                  AND a.type = 'text' AND a.key IN (\(Self.placeholders(questionIDs.count)))
                ORDER BY i.partner_id, r.id
                """, arguments: StatementArguments(questionIDs)).map { ($0[0], $0[1], $0[2]) }
        }
    }

    public func screeningHits(partnerID: Int64?, status: ScreeningHit.Status?) throws -> [ScreeningHit] {
        let filter = Self.filter(["h.partner_id": partnerID, "h.status": status?.rawValue])
        return try pool.read { db in
            try Row.fetchAll(db, sql: Self.hitSQL + " WHERE \(filter.sql) ORDER BY h.id", arguments: filter.arguments).map(Self.hit)
        }
    }

    public func screeningHit(id: Int64) throws -> ScreeningHit? {
        try pool.read { db in try Self.hit(db, id: id) }
    }

    public func decideHit(id: Int64, status: ScreeningHit.Status, note: String, actor: String, at time: Date) throws {
        try pool.write { db in
            let now = Self.timestamp(time)
            // The decision is about the entry as it reads now: a later change of it opens a cleared hit again.
            try db.execute(sql: """
                UPDATE screening_hit SET status = ?, note = ?, decided_by = ?, decided_at = ?,
                       entry_sha256 = COALESCE((SELECT e.content_sha256 FROM screening_entry e JOIN screening_list_version v ON v.id = e.version_id
                                                WHERE v.list = screening_hit.list AND e.entry_key = screening_hit.entry_key
                                                  AND e.version_id IN (\(Self.latestVersions))), entry_sha256)
                WHERE id = ?
                """, arguments: [status.rawValue, note, actor, now, id])
            let partner = try Int64.fetchOne(db, sql: "SELECT partner_id FROM screening_hit WHERE id = ?", arguments: [id]) ?? 0
            try Self.audit(db, at: now, actor: actor, action: "screening.\(status == .confirmed ? "confirm" : "clear")", subject: "partner:\(partner)",
                           detail: "hit \(id): \(note)")
        }
    }

    /// Confirmed hits by partner, for scoring and the ranking.
    static func confirmedHits(_ db: Database) throws -> [Int64: [ScreeningHit]] {
        Dictionary(grouping: try Row.fetchAll(db, sql: Self.hitSQL + " WHERE h.status = 'confirmed' ORDER BY h.id").map(hit), by: \.partnerID)
    }
}
