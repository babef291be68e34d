import Foundation
import GRDB
import PartnerRiskCore
import Synchronization

/// The stored ids of explanation sentences, kept by a store from one score transaction to the
/// next: an import writes its scores in some twenty transactions, and reading the whole
/// `explanation_text` table again at the start of each was a tenth of the score writer's work.
/// Sound because the table only grows (no update, no delete; AUTOINCREMENT never hands out an
/// id twice): rows up to the largest id seen stay as they were, and a transaction reads only the
/// rows added since (by another process). Sentences a transaction adds join the cache once it has
/// committed (`remember`), so a rolled-back id is never used.
final class SentenceIDCache: Sendable {
    private struct Known {
        var ids: [SentenceKey: Int64] = [:]
        var largestID: Int64 = 0
    }

    private let known = Mutex(Known())

    /// The ids of every stored sentence, as `db` (inside a write transaction) sees them.
    func current(_ db: Database) throws -> [SentenceKey: Int64] {
        let largest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM explanation_text") ?? 0
        var cached = known.withLock { $0 }
        // A smaller largest id than seen: another database file (restored); read it all again.
        if largest < cached.largestID { cached = Known() }
        if largest > cached.largestID {
            let rows = try Row.fetchCursor(db, sql: "SELECT id, en, fr FROM explanation_text WHERE id > ?", arguments: [cached.largestID])
            while let row = try rows.next() { cached.ids[SentenceKey(LocalizedText(en: row[1], fr: row[2]))] = row[0] }
            cached.largestID = largest
            let read = cached
            known.withLock { if $0.largestID < read.largestID { $0 = read } }
        }
        return cached.ids
    }

    /// Sentences a committed transaction stored.
    func remember(_ added: [SentenceKey: Int64]) {
        guard let largest = added.values.max() else { return }
        known.withLock { known in
            // Only on top of what was read up to just before them; else the next read fills in.
            guard known.largestID < largest else { return }
            known.ids.merge(added) { old, _ in old }
            known.largestID = largest
        }
    }
}
