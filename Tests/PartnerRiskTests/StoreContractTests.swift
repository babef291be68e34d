import Foundation
import Synchronization
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskPostgres
@testable import PartnerRiskStore

/// The stores a contract test runs against: SQLite always, PostgreSQL when a test server is given
/// (`scripts/test-postgres.sh` starts one and sets `PARTNER_RISK_TEST_PG_PORT`; `make test` runs it).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [StoreKind] { PostgresTestServer.port == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

/// The repositories both stores implement: all of them (issue 20: no feature on one store only).
typealias ContractRepositories = Repositories

/// A fresh, empty database of one kind for one test; dropped when released.
final class ContractStore {
    let directory = TemporaryDirectory()
    let repositories: any ContractRepositories
    var partners: any PartnerRepository { repositories }
    var surveys: any SurveyRepository { repositories }
    var audit: any AuditTrail { repositories }
    var officers: any OfficerAccountRepository { repositories }
    var ledger: any MailboxLedger { repositories }
    var actions: any CorrectiveActionRepository { repositories }
    var campaigns: any CampaignRepository { repositories }
    var responses: any ResponseRepository { repositories }
    var screening: any ScreeningRepository { repositories }
    var webForm: any WebFormRepository { repositories }
    var schedule: any ScheduleRepository { repositories }
    private var cleanup: () -> Void = {}

    init(_ kind: StoreKind) throws {
        switch kind {
        case .sqlite:
            repositories = try SQLiteStore(path: directory.path("contract.sqlite"), actor: "tester")
        case .postgres:
            let (store, drop) = try PostgresTestServer.freshStore()
            repositories = store
            cleanup = drop
        }
    }

    deinit { cleanup() }

    /// Runs one statement straight on the database, past the repositories (to try what they never do).
    func execute(_ sql: String) throws {
        if let postgres = repositories as? PostgresStore { try postgres.connections.query("\(unescaped: sql)") } else {
            try SQLiteStore(path: directory.path("contract.sqlite")).pool.write { try $0.execute(sql: sql) }
        }
    }

    /// The same database opened a second time, as another process (another `serve` instance) would.
    func secondProcess() throws -> any Repositories {
        if let postgres = repositories as? PostgresStore { return try PostgresStore(settings: postgres.connections.settings, actor: "other") }
        return try SQLiteStore(path: directory.path("contract.sqlite"), actor: "other")
    }
}

/// The test server of `scripts/test-postgres.sh`: a database per test, made from the server's
/// `partnerrisk` database and dropped afterwards.
enum PostgresTestServer {
    static var port: Int? { ProcessInfo.processInfo.environment["PARTNER_RISK_TEST_PG_PORT"].flatMap(Int.init) }
    static var password: String { ProcessInfo.processInfo.environment["PARTNER_RISK_TEST_PG_PASSWORD"] ?? "test-secret" }

    static func settings(database: String) throws -> PostgresConnections.Settings {
        .init(host: "127.0.0.1", port: try #require(port), user: "partnerrisk", password: password, database: database)
    }

    static func freshStore() throws -> (PostgresStore, () -> Void) {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnections(settings: try settings(database: "partnerrisk"))
        try admin.query("CREATE DATABASE \(unescaped: name)")
        let store = try PostgresStore(settings: try settings(database: name), actor: "tester")
        return (store, {
            store.close()
            _ = try? admin.query("DROP DATABASE \(unescaped: name) WITH (FORCE)")
            admin.close()
        })
    }
}

/// What every store must do the same way, run against each store kind (issue 20: no feature on one store only).
@Suite struct StoreContractTests {
    static let csv = """
        name,email,country,sector,contact,language,tags,external_id
        Nordic Freight,Ops@Nordic.example.com,CA,highway-carrier,Ann Lee,en,cold-chain;100%_sure,N-1
        maple brokers,desk@maple.example.com,CA,customs-broker,Luc Roy,fr,,
        Zeta Warehousing,z@zeta.example.com,MX,warehouse,,en,cold-chain,Z-9
        """

    func imported(_ store: ContractStore) throws -> PartnerImportSummary {
        try PartnerRegistry(repository: store.partners, time: FixedTime(fixedNow)).importData(Data(Self.csv.utf8), fileName: "p.csv", strict: true)
    }

    @Test(arguments: StoreKind.available)
    func partnersAreUpsertedByExternalIDOrEmailAndAReimportChangesNothing(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        let first = try imported(store)
        #expect((first.created, first.updated, first.unchanged) == (3, 0, 0))
        let again = try imported(store)
        #expect((again.created, again.updated, again.unchanged) == (0, 0, 3))
        // The same external id with a new name and email: an update, not a new partner.
        let changed = Self.csv.replacingOccurrences(of: "Nordic Freight,Ops@Nordic.example.com", with: "Nordic Freight AB,ops2@nordic.example.com")
        let update = try PartnerRegistry(repository: store.partners, time: FixedTime(fixedNow)).importData(Data(changed.utf8), fileName: "p.csv", strict: true)
        #expect((update.created, update.updated, update.unchanged) == (0, 1, 2))
        let nordic = try #require(try store.partners.partner(identifiedBy: "N-1"))
        #expect(nordic.name == "Nordic Freight AB" && nordic.email == "ops2@nordic.example.com" && nordic.tags == ["100%_sure", "cold-chain"])
        #expect(nordic.contactName == "Ann Lee" && nordic.language == .en && nordic.active && nordic.createdAt == fixedNow)
    }

    @Test(arguments: StoreKind.available)
    func partnersAreFoundByIdEmailOrExternalIDAndListedByFilterInNameOrder(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        _ = try imported(store)
        let all = try store.partners.partners(matching: PartnerFilter())
        #expect(all.map(\.name) == ["maple brokers", "Nordic Freight", "Zeta Warehousing"])
        let maple = all[0]
        #expect(try store.partners.partner(identifiedBy: String(maple.id)) == maple)
        #expect(try store.partners.partner(identifiedBy: "DESK@maple.example.com") == maple)
        #expect(try store.partners.partner(id: maple.id) == maple)
        #expect(try store.partners.partner(identifiedBy: "nobody@example.com") == nil)
        #expect(try store.partners.partners(matching: PartnerFilter(sector: .warehouse)).map(\.name) == ["Zeta Warehousing"])
        #expect(try store.partners.partners(matching: PartnerFilter(country: "ca")).map(\.name) == ["maple brokers", "Nordic Freight"])
        #expect(try store.partners.partners(matching: PartnerFilter(tag: "cold-chain")).map(\.name) == ["Nordic Freight", "Zeta Warehousing"])
        // `%` and `_` in a tag are letters, not patterns.
        #expect(try store.partners.partners(matching: PartnerFilter(tag: "100%_sure")).map(\.name) == ["Nordic Freight"])
        #expect(try store.partners.partners(matching: PartnerFilter(tag: "100%")).isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func aDeactivatedPartnerLeavesTheListButStaysFoundAndAnUnknownOneIsRefused(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        _ = try imported(store)
        let zeta = try #require(try store.partners.partner(identifiedBy: "Z-9"))
        try store.partners.deactivatePartner(id: zeta.id, at: fixedNow.addingTimeInterval(60))
        #expect(try store.partners.partners(matching: PartnerFilter()).map(\.name) == ["maple brokers", "Nordic Freight"])
        #expect(try store.partners.partners(matching: PartnerFilter(includeInactive: true)).count == 3)
        #expect(try store.partners.partner(id: zeta.id)?.active == false)
        #expect(throws: PartnerRiskError.self) { try store.partners.deactivatePartner(id: 9_999, at: fixedNow) }
    }
}

extension StoreContractTests {
    static let catalog = SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))

    @Test(arguments: StoreKind.available)
    func aSurveyVersionIsStoredOnceAndNeverChanges(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        let survey = try Self.catalog.survey(id: "pip-partner-security")
        let first = try store.surveys.register(survey, at: fixedNow)
        #expect(first.surveyID == survey.id && first.version == survey.version && first.contentHash == survey.contentHash)
        #expect(first.title == survey.title.en && first.registeredAt == DayFormat.timestamp(fixedNow))
        // The same file again: the stored version, not a second one.
        #expect(try store.surveys.register(survey, at: fixedNow.addingTimeInterval(60)) == first)
        // The same version with other content is refused, in words that say what to do.
        let edited = survey.source.replacingOccurrences(of: survey.title.en, with: survey.title.en + " (edited)")
        let changed = try #require(SurveyParser().parse(edited, file: "edited.yaml").0)
        #expect(changed.version == survey.version && changed.contentHash != survey.contentHash)
        #expect { try store.surveys.register(changed, at: fixedNow) } throws: { error in
            (error as? PartnerRiskError)?.message.contains("give the edited file a new `version:`") == true
        }
        let annual = try store.surveys.register(try Self.catalog.survey(id: "pip-annual-update"), at: fixedNow)
        #expect(try store.surveys.storedSurveys() == [annual, first])
        #expect(try store.surveys.survey(rowID: first.rowID) == survey)
        #expect(throws: PartnerRiskError.self) { try store.surveys.survey(rowID: 9_999) }
    }
}

extension StoreContractTests {
    @Test(arguments: StoreKind.available)
    func theAuditTrailKeepsEveryEntryInOrderAndFindsThemBySubject(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        try store.audit.record(actor: "Dana Roy", action: "evidence.accept", subject: "partner:1", detail: "file 3", at: fixedNow)
        try store.audit.record(actor: "Val", action: "review.sign-off", subject: "partner:2", detail: "accept", at: fixedNow.addingTimeInterval(1))
        try store.audit.record(actor: "Dana Roy", action: "actions.add", subject: "partner:1", detail: "", at: fixedNow.addingTimeInterval(2))
        #expect(try store.audit.auditEntries(subject: "partner:1").map(\.action) == ["evidence.accept", "actions.add"])
        #expect(try store.audit.auditEntries(subject: nil).map(\.subject) == ["partner:1", "partner:2", "partner:1"])
        #expect(try store.audit.auditEntries(subject: "partner:1").first == AuditEntry(at: DayFormat.timestamp(fixedNow), actor: "Dana Roy",
                                                                                        action: "evidence.accept", subject: "partner:1", detail: "file 3"))
    }

    @Test(arguments: StoreKind.available)
    func officerAccountsCompareNamesWithoutCaseAndANewPasswordOrADisableEndsTheirSessions(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        let created = DayFormat.timestamp(fixedNow)
        try store.officers.addOfficer(OfficerAccount(name: "dana Roy", role: .officer, passwordHash: "$2b$04$a", createdAt: created, createdBy: "admin"))
        try store.officers.addOfficer(OfficerAccount(name: "Alex Viewer", role: .viewer, passwordHash: "$2b$04$b", createdAt: created, createdBy: "admin"))
        #expect(throws: (any Error).self) {
            try store.officers.addOfficer(OfficerAccount(name: "DANA ROY", role: .viewer, passwordHash: "x", createdAt: created, createdBy: "admin"))
        }
        #expect(try store.officers.officers().map(\.name) == ["Alex Viewer", "dana Roy"])
        #expect(try store.officers.officer(named: "Dana roy")?.role == .officer)
        func open(_ token: String, for officer: String) throws {
            try store.officers.createSession(OfficerSession(tokenSHA256: token, officer: officer, csrf: "c-" + token, createdAt: fixedNow, lastSeenAt: fixedNow))
        }
        try open("s1", for: "dana Roy")
        try open("s2", for: "dana Roy")
        try open("s3", for: "Alex Viewer")
        try store.officers.touchSession(tokenSHA256: "s1", at: fixedNow.addingTimeInterval(600))
        #expect(try store.officers.session(tokenSHA256: "s1")?.lastSeenAt == fixedNow.addingTimeInterval(600))
        #expect(try store.officers.session(tokenSHA256: "s1")?.csrf == "c-s1")
        try store.officers.endSession(tokenSHA256: "s2", reason: "signed out", at: fixedNow.addingTimeInterval(700))
        #expect(try store.officers.session(tokenSHA256: "s2") == nil)
        try store.officers.setPassword(officer: "DANA ROY", hash: "$2b$04$new", actor: "admin", at: fixedNow.addingTimeInterval(800))
        #expect(try store.officers.session(tokenSHA256: "s1") == nil && store.officers.officer(named: "dana roy")?.passwordHash == "$2b$04$new")
        try store.officers.disableOfficer(named: "alex viewer", actor: "admin", at: fixedNow.addingTimeInterval(900))
        #expect(try store.officers.session(tokenSHA256: "s3") == nil)
        #expect(try store.officers.officer(named: "Alex Viewer")?.disabledAt == DayFormat.timestamp(fixedNow.addingTimeInterval(900)))
        let actions = try store.audit.auditEntries(subject: nil).map(\.action)
        #expect(actions == ["officer.add", "officer.add", "officer.login", "officer.login", "officer.login", "officer.logout", "officer.passwd", "officer.disable"])
    }
}

extension StoreContractTests {
    @Test(arguments: StoreKind.available)
    func theMailboxLedgerKnowsEachUIDAndAMessageOnlyByItsSameContent(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        try store.ledger.recordProcessed(mailbox: "INBOX", uidValidity: 7, uid: 1, messageID: "<a@x>", contentDigest: "d1", outcome: "ingested", at: fixedNow)
        try store.ledger.recordProcessed(mailbox: "INBOX", uidValidity: 7, uid: 2, messageID: "<b@x>", contentDigest: "d2", outcome: "quarantined", at: fixedNow)
        try store.ledger.recordProcessed(mailbox: "INBOX", uidValidity: 8, uid: 9, messageID: nil, contentDigest: "d3", outcome: "ingested", at: fixedNow)
        #expect(try store.ledger.processedUIDs(mailbox: "INBOX", uidValidity: 7) == [1, 2])
        #expect(try store.ledger.processedUIDs(mailbox: "Other", uidValidity: 7).isEmpty)
        #expect(try store.ledger.isProcessed(messageID: "<a@x>", contentDigest: "d1"))
        // The same Message-ID with other parts (a copy a gateway stripped, released whole) is new.
        #expect(try !store.ledger.isProcessed(messageID: "<a@x>", contentDigest: "other"))
        // Recording a UID again replaces its line.
        try store.ledger.recordProcessed(mailbox: "INBOX", uidValidity: 7, uid: 2, messageID: "<b@x>", contentDigest: "d2b", outcome: "ingested", at: fixedNow)
        #expect(try store.ledger.isProcessed(messageID: "<b@x>", contentDigest: "d2b") && !store.ledger.isProcessed(messageID: "<b@x>", contentDigest: "d2"))
    }

    @Test(arguments: StoreKind.available)
    func aCorrectiveActionIsAddedListedAndClosedOnceWithItsEvidence(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        _ = try imported(store)
        let nordic = try #require(try store.partners.partner(identifiedBy: "N-1")), zeta = try #require(try store.partners.partner(identifiedBy: "Z-9"))
        let first = try store.actions.addAction(partnerID: nordic.id, finding: "F6_seal_audits", due: "2026-12-31", owner: "Yard", note: "quarterly",
                                                actor: "Dana Roy", at: fixedNow)
        let second = try store.actions.addAction(partnerID: zeta.id, finding: "C1_access", due: "2026-11-30", owner: "Gate", note: "", actor: "Dana Roy", at: fixedNow)
        #expect(try store.actions.actions(partnerID: nil, openOnly: true).map(\.id) == [first, second])
        #expect(try store.actions.actions(partnerID: zeta.id, openOnly: false).map(\.partnerName) == ["Zeta Warehousing"])
        try store.actions.closeAction(id: first, note: "audit log received", evidence: (name: "log.pdf", sha256: "ab12"), actor: "Val", at: fixedNow.addingTimeInterval(60))
        let closed = try #require(try store.actions.action(id: first))
        #expect(closed.closedBy == "Val" && closed.closeNote == "audit log received" && closed.closeEvidence == "log.pdf" && closed.closeEvidenceSHA256 == "ab12")
        #expect(closed.closedAt == DayFormat.timestamp(fixedNow.addingTimeInterval(60)) && closed.note == "quarterly" && closed.createdBy == "Dana Roy")
        #expect(try store.actions.actions(partnerID: nil, openOnly: true).map(\.id) == [second])
        // A closed action is history: closing it again is refused by the store itself.
        #expect(throws: (any Error).self) { try store.actions.closeAction(id: first, note: "again", evidence: nil, actor: "Val", at: fixedNow) }
        #expect(try store.actions.action(id: 9_999) == nil)
        #expect(try store.audit.auditEntries(subject: "partner:\(nordic.id)").map(\.action) == ["action.add", "action.close"])
    }
}

extension StoreContractTests {
    @Test(arguments: StoreKind.available)
    func failedAttemptsAreCountedInTheWindowByEveryProcessOnTheDatabaseAndClearedBySuccess(kind: StoreKind) throws {
        let store = try ContractStore(kind)
        let one = store.repositories, other = try store.secondProcess()
        let window: TimeInterval = 600
        func record(_ ledger: any Repositories, _ key: String, _ offset: TimeInterval) throws -> Int {
            let now = fixedNow.addingTimeInterval(offset)
            return try ledger.recordFailure(key: key, at: now, since: now.addingTimeInterval(-window))
        }
        #expect(try record(one, "link:203.0.113.9", 0) == 1)
        #expect(try record(other, "link:203.0.113.9", 10) == 2)    // the other instance sees the first miss
        #expect(try record(one, "link:198.51.100.1", 20) == 1)     // another address counts apart
        #expect(try other.failures(key: "link:203.0.113.9", since: fixedNow) == 2)
        // Past the window the old misses no longer count (and are forgotten).
        #expect(try record(other, "link:203.0.113.9", 700) == 1)
        #expect(try one.failures(key: "link:203.0.113.9", since: fixedNow.addingTimeInterval(100)) == 1)
        try one.clearFailures(key: "link:203.0.113.9")
        #expect(try other.failures(key: "link:203.0.113.9", since: fixedNow) == 0)
    }
}

/// The PostgreSQL store's own migrations: applied once, in order, by any number of processes.
@Suite(.enabled(if: PostgresTestServer.port != nil, "needs the test PostgreSQL server of scripts/test-postgres.sh"))
struct PostgresMigrationTests {
    @Test func openingTheDatabaseAgainAppliesNothingTwiceAndTheAuditTrailIsAppendOnly() throws {
        let (store, drop) = try PostgresTestServer.freshStore()
        defer { drop() }
        let applied = try store.migrations()
        #expect(applied == PostgresSchema.migrations.map(\.name))
        let again = try PostgresStore(settings: store.connections.settings, actor: "tester")
        defer { again.close() }
        #expect(try again.migrations() == applied)
        try store.connections.query("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ('t', 'a', 'x', 's', '')")
        #expect(throws: (any Error).self) { try store.connections.query("UPDATE audit_log SET detail = 'changed'") }
        #expect(throws: (any Error).self) { try store.connections.query("DELETE FROM audit_log") }
    }

    @Test func fourProcessesOpeningAnEmptyDatabaseAtOnceApplyEachMigrationOnce() throws {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnections(settings: try PostgresTestServer.settings(database: "partnerrisk"))
        defer { _ = try? admin.query("DROP DATABASE \(unescaped: name) WITH (FORCE)"); admin.close() }
        try admin.query("CREATE DATABASE \(unescaped: name)")
        let settings = try PostgresTestServer.settings(database: name)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { try PostgresStore(settings: settings, actor: "tester").close() } catch { failures.withLock { $0.append("\(error)") } }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let store = try PostgresStore(settings: settings, actor: "tester")
        defer { store.close() }
        #expect(try store.migrations() == PostgresSchema.migrations.map(\.name))
        #expect(try store.connections.query("SELECT count(*) FROM schema_migration").first?.decode(Int64.self) == Int64(PostgresSchema.migrations.count))
    }
}
