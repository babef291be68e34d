import Foundation
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore

@Suite struct PartnerImportTests {
    let header = "name,email,country,sector,contact,language,tags,external_id,trusted_trader\n"

    private func registry(_ store: SQLiteStore) -> PartnerRegistry {
        PartnerRegistry(repository: store, time: FixedTime(fixedNow))
    }

    @Test func importsTheSampleFileAndReimportChangesNothing() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let sample = ProjectRoot.path("Surveys/samples/partners.csv")
        let first = try registry(store).importFile(at: sample, strict: true)
        #expect(first.rejected.isEmpty)
        #expect(first.created >= 35)
        #expect(first.updated == 0)
        let second = try registry(store).importFile(at: sample, strict: true)
        #expect(second.created == 0 && second.updated == 0)
        #expect(second.unchanged == first.created)
        let all = try store.partners(matching: PartnerFilter())
        #expect(all.count == first.created)
        #expect(Set(all.map(\.sector)) == Set(Sector.allCases))
        #expect(all.contains { $0.language == .fr })
    }

    @Test func upsertsByExternalIDThenByEmail() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        _ = try registry(store).importData(Data((header
            + "Acme,ops@acme.example.com,CA,importer,,,,V-1,\n"
            + "Boreal,ops@boreal.example.ca,CA,highway-carrier,,fr,,,\n").utf8), fileName: "a.csv", strict: false)
        let summary = try registry(store).importData(Data((header
            + "Acme Renamed,new@acme.example.com,US,importer,,,,V-1,\n"
            + "Boréal inc.,OPS@boreal.example.ca,CA,highway-carrier,,fr,,,\n").utf8), fileName: "b.csv", strict: false)
        #expect(summary.created == 0)
        #expect(summary.updated == 2)
        let acme = try #require(try store.partner(identifiedBy: "V-1"))
        #expect(acme.name == "Acme Renamed" && acme.email == "new@acme.example.com" && acme.country == "US")
        #expect(try store.partner(identifiedBy: "ops@boreal.example.ca")?.name == "Boréal inc.")
    }

    @Test func badRowsAreReportedWithLineAndColumnAndGoodRowsStillImport() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let path = ProjectRoot.path("Surveys/samples/partners-broken.csv")
        let summary = try registry(store).importFile(at: path, strict: false)
        let expected = try String(contentsOfFile: ProjectRoot.path("Surveys/samples/partners-broken.expected.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init)
        let reported = summary.rejected.map { "\($0.line): \($0.column)" }
        #expect(reported == expected)
        #expect(summary.rejected.allSatisfy { $0.description.hasPrefix("\(path):\($0.line): \($0.column): ") })
        #expect(summary.created > 0)
        #expect(try store.partners(matching: PartnerFilter()).count == summary.created)
    }

    @Test func aMultiLineNameBecomesOneLineInTheStoreAndInEveryHeaderAStrictParserReads() throws {
        let fixture = try CampaignFixture(partnersCSV: "\"Nordic\r\nFreight\nLtd\",ops@nordic.example.com,CA,highway-carrier,\"Ann\nLee\",en\n")
        let partner = try #require(try fixture.store.partners(matching: PartnerFilter()).first)
        #expect(partner.name == "Nordic Freight Ltd" && partner.contactName == "Ann Lee")
        let outbox = fixture.directory.url.appendingPathComponent("outbox")
        #expect(try fixture.sender(DropTransportFactory(directory: outbox)).send(campaignID: fixture.campaign.id).sent == 1)
        let message = try #require(try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil).first)
        // Python's email package with its strict policy raises on any header defect.
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", """
            import email, email.policy, sys
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.strict)
            print(m['To'])
            """, message.path]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let to = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(to == "Ann Lee <ops@nordic.example.com>")
        #expect(String(decoding: try Data(contentsOf: message), as: UTF8.self).contains("Nordic Freight Ltd"))
    }

    @Test func strictRejectsTheWholeFileAndWritesNothing() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let summary = try registry(store).importFile(at: ProjectRoot.path("Surveys/samples/partners-broken.csv"), strict: true)
        #expect(!summary.rejected.isEmpty)
        #expect(summary.created == 0)
        #expect(try store.partners(matching: PartnerFilter(includeInactive: true)).isEmpty)
    }

    @Test func eachKindOfBadValueIsNamed() throws {
        let text = header
            + "Good,good@x.example.com,ca,Highway Carrier,\"Dupont, Émilie\nGagné\",FR,b;a;a,,CTPAT:123\n"
            + ",noname@x.example.com,CA,importer,,,,,\n"
            + "Bad email,not-an-email,CA,importer,,,,,\n"
            + "Bad country,c@x.example.com,XX,importer,,,,,\n"
            + "Bad sector,s@x.example.com,CA,trucking,,,,,\n"
            + "Bad language,l@x.example.com,CA,importer,,es,,,\n"
            + "Dup,GOOD@x.example.com,CA,importer,,,,,\n"
            + "Bad tt,t@x.example.com,CA,importer,,,,,12345\n"
        let result = try PartnerCSVImport(fileName: "p.csv").read(Data(text.utf8))
        #expect(result.problems.map { "\($0.line):\($0.column)" } == ["4:name", "5:email", "6:country", "7:sector", "8:language", "9:email", "10:trusted_trader"])
        #expect(result.problems[5].reason.contains("duplicate within the file (first on line 2)"))
        let good = try #require(result.drafts.first)
        #expect(good.country == "CA" && good.sector == .highwayCarrier && good.language == .fr)
        #expect(good.contactName == "Dupont, Émilie Gagné")
        #expect(good.tags == ["a", "b"])
        #expect(good.trustedTrader == "CTPAT:123")
    }

    @Test func notCSVOrMissingColumnsIsOneBadInputError() throws {
        let importer = PartnerCSVImport(fileName: "x.csv")
        #expect(throws: PartnerRiskError.self) { try importer.read(Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01])) }
        do {
            _ = try importer.read(Data("name,mail\nA,a@b.example.com\n".utf8))
            Issue.record("expected an error")
        } catch let error as PartnerRiskError {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("missing required columns email, country, sector"))
        }
        #expect(throws: PartnerRiskError.self) { try importer.read(Data()) }
    }

    @Test func deactivatedPartnersLeaveListingsButStayInHistory() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        _ = try registry(store).importData(Data((header + "Acme,ops@acme.example.com,CA,importer,,,x,,\nBeta,b@beta.example.com,MX,warehouse,,,x,,\n").utf8), fileName: "a.csv", strict: false)
        let acme = try registry(store).deactivate("ops@acme.example.com")
        #expect(try store.partners(matching: PartnerFilter()).map(\.name) == ["Beta"])
        #expect(try store.partners(matching: PartnerFilter(includeInactive: true)).count == 2)
        #expect(try store.auditEntries(subject: "partner:\(acme.id)").map(\.action) == ["partners.deactivate"])
        #expect(try store.partners(matching: PartnerFilter(tag: "x", includeInactive: true)).count == 2)
        #expect(try store.partners(matching: PartnerFilter(sector: .warehouse, country: "mx")).map(\.name) == ["Beta"])
    }
}
