import Foundation
import GRDB
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore

@Suite struct StoreTests {
    static let allMigrations = ["v1-foundation", "v2-ranking-summary", "v3-response-answers-json", "v4-current-score", "v5-explanation-text",
                                "v6-ranking-order", "v7-score-categories", "v8-one-copy-of-answers-and-flags", "v9-revisions-by-save-time",
                                "v10-imap-content-digest", "v11-evidence-from-every-channel",
                                "v12-thank-you-names-its-response", "v13-outbox-claims",
                                "v14-one-link-per-invitation", "v15-officer-decisions", "v16-corrective-actions",
                                "v17-sanctions-screening", "v18-partner-aliases", "v19-officer-accounts",
                                "v20-audit-by-subject", "v21-service-schedule", "v22-failed-attempts"]

    @Test func migratesAnEmptyFileIntoWALWithTheWholeSchema() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("fresh.sqlite")
        #expect(!FileManager.default.fileExists(atPath: path))
        let store = try SQLiteStore(path: path)
        let health = try store.health()
        #expect(health.journalMode == "wal")
        #expect(health.migrations == Self.allMigrations)
        #expect(health.integrity == "ok")
        let tables = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["partner", "survey_version", "campaign", "invitation", "invitation_token", "mail_message",
                      "mail_attempt", "response", "score", "category_score", "audit_log"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let views = try store.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name") }
        #expect(views == ["answer", "score_flag"])
        // Opening again applies nothing twice.
        #expect(try SQLiteStore(path: path).health().migrations == Self.allMigrations)
    }

    @Test func aNewDatabaseHasSixteenKilobytePagesAndAnOldOneKeepsItsOwn() throws {
        let directory = TemporaryDirectory()
        func pragma(_ store: SQLiteStore, _ name: String) throws -> Int? { try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA \(name)") } }
        let fresh = try SQLiteStore(path: directory.path("fresh.sqlite"))
        #expect(try pragma(fresh, "page_size") == 16384)
        #expect(try pragma(fresh, "wal_autocheckpoint") == 2048)  // 32 MB of WAL between checkpoints
        // A database made with SQLite's default 4 KB pages opens as it is (a page size is changed
        // only by rewriting the file), with the same 32 MB between checkpoints.
        let oldPath = directory.path("old.sqlite")
        let queue = try DatabaseQueue(path: oldPath)
        try queue.write { try $0.execute(sql: "PRAGMA page_size = 4096; CREATE TABLE t (x)") }
        try queue.close()
        let old = try SQLiteStore(path: oldPath)
        #expect(try pragma(old, "page_size") == 4096)
        #expect(try pragma(old, "wal_autocheckpoint") == 8192)
        #expect(try old.health().integrity == "ok")
    }

    @Test func migrationV8KeepsOlderAnswerRowsAndFlagsReadable() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("old.sqlite")
        // A database as version 7 left it: answers only as rows, flags in their own table.
        let old = try DatabasePool(path: path)
        try Schema.migrator().migrate(old, upTo: "v7-score-categories")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO partner (id, name, email, country, sector, created_at, updated_at) VALUES (1, 'A', 'a@x.example.com', 'CA', 'importer', 't', 't');
                INSERT INTO survey_version (id, survey_id, version, title, content_hash, content, registered_at) VALUES (1, 's', '1', 'S', 'h', '', 't');
                INSERT INTO campaign (id, name, survey_version_id, deadline, sender, selector, created_at) VALUES (1, 'c', 1, '2026-12-31', 'x', '', 't');
                INSERT INTO invitation (id, campaign_id, partner_id, survey_version_id, created_at) VALUES (1, 1, 1, 1, 't');
                INSERT INTO response (id, invitation_id, revision, channel, complete, checksum, received_at) VALUES (1, 1, 1, 'file', 1, 'c', 't');
                INSERT INTO answer VALUES (1, 'Q1', '"yes"'), (1, 'Q2', '["CA","MX"]'), (1, 'Q3', '4.5'), (1, 'Q4', '{"na":"no sites"}'), (1, 'Q5', 'true');
                INSERT INTO explanation_text (id, en, fr) VALUES (7, 'Red flag one', 'Signal un');
                INSERT INTO score (id, partner_id, overall_risk, base_risk, country_multiplier, tier, knockout, explanation, computed_at)
                    VALUES (1, 1, 50, 50, 1, 'medium', 0, '[{"code":"rf.one","kind":"red_flag","points":0,"t":7},{"code":"Q1","kind":"loss","points":3,"t":7},{"code":"rf.old","kind":"knockout","points":0,"text":{"en":"Inline","fr":"En ligne"}}]', 't');
                """)
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        #expect(try store.health().migrations.last == Self.allMigrations.last)
        let expected = AnswerSet(["Q1": .value("yes"), "Q2": .value(.array([.string("CA"), .string("MX")])), "Q3": .value(.number(4.5)),
                                  "Q4": .notApplicable(reason: "no sites"), "Q5": .value(.bool(true))])
        #expect(try store.answers(responseID: 1) == expected)
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT question_id, value FROM answer WHERE response_id = 1 ORDER BY question_id").map { "\($0[0] as String)=\($0[1] as String)" }
        }
        #expect(rows == ["Q1=\"yes\"", "Q2=[\"CA\",\"MX\"]", "Q3=4.5", "Q4={\"na\":\"no sites\"}", "Q5=true"])
        let flags = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, code, message FROM score_flag WHERE score_id = 1 ORDER BY code").map { "\($0[0] as String) \($0[1] as String) \($0[2] as String)" }
        }
        #expect(flags == ["knockout rf.old Inline", "red_flag rf.one Red flag one"])
        #expect(throws: (any Error).self) { try store.pool.write { db in try db.execute(sql: "UPDATE response SET source = 'x' WHERE id = 1") } }
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
