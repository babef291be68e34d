import Foundation
import GRDB
import Testing
@testable import PartnerRisk

@Suite struct StoreTests {
    @Test func migratesAnEmptyFileIntoWALWithTheWholeSchema() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("fresh.sqlite")
        #expect(!FileManager.default.fileExists(atPath: path))
        let store = try SQLiteStore(path: path)
        let health = try store.health()
        #expect(health.journalMode == "wal")
        #expect(health.migrations == ["v1-foundation", "v2-ranking-summary", "v3-response-answers-json", "v4-current-score", "v5-explanation-text", "v6-ranking-order", "v7-score-categories"])
        #expect(health.integrity == "ok")
        let tables = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["partner", "survey_version", "campaign", "invitation", "invitation_token", "mail_message",
                      "mail_attempt", "response", "answer", "score", "category_score", "audit_log"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        // Opening again applies nothing twice.
        #expect(try SQLiteStore(path: path).health().migrations == ["v1-foundation", "v2-ranking-summary", "v3-response-answers-json", "v4-current-score", "v5-explanation-text", "v6-ranking-order", "v7-score-categories"])
    }

    @Test func theAuditLogIsAppendOnly() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        try store.record(actor: "test", action: "x", subject: "s", detail: "d", at: fixedNow)
        #expect(throws: (any Error).self) { try store.pool.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'evil'") } }
        #expect(throws: (any Error).self) { try store.pool.write { try $0.execute(sql: "DELETE FROM audit_log") } }
        #expect(try store.auditEntries(subject: "s").map(\.actor) == ["test"])
    }

    @Test func anUnopenableDatabaseIsAClearFailure() {
        #expect(throws: PartnerRiskError.self) { try SQLiteStore(path: "/proc/partner-risk/none.sqlite") }
    }
}
