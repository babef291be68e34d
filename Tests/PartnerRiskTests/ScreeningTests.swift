import Foundation
import GRDB
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskStore

/// The four list formats read from fixtures shaped like the official files (see
/// Fixtures/sanctions/README.md and manifest.json), name matching, and the life of a hit.
@Suite struct ScreeningTests {
    static let folder = ProjectRoot.url.appendingPathComponent("Tests/PartnerRiskTests/Fixtures/sanctions")
    static let manifest = JSONValue.parse(try! String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8))!.objectValue!

    func read(_ name: String) throws -> SanctionsList { try SanctionsListReader().read(Self.folder.appendingPathComponent(name).path) }

    func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }

    @Test(arguments: ["canada-sema-legacy.xml", "canada-sema-bilingual.xml"])
    func canadaListsReadInBothTagForms(file: String) throws {
        let list = try read(file)
        #expect(list.format == .canadaSEMA)
        let expected = try #require(Self.manifest[file]?.arrayValue)
        #expect(list.entries.count == expected.count)
        for (entry, item) in zip(list.entries, expected) {
            let object = try #require(item.objectValue), key = try #require(object["key"]?.objectValue)
            #expect(entry.key == "\(key["country"]!.stringValue!)/\(key["schedule"]!.stringValue!)/\(key["item"]!.stringValue!)")
            #expect(entry.names == [object["name"]!.stringValue!] + strings(object["aliases"]))
            #expect(entry.kind.rawValue == object["kind"]?.stringValue)
            #expect(entry.listedOn == object["listed"]?.stringValue)
        }
    }

    @Test func aNewVersionSaysWhatWasAddedChangedAndRemoved() throws {
        let changes = SanctionsListChanges.between(old: try read("canada-sema-legacy.xml").entries, new: try read("canada-sema-bilingual.xml").entries)
        let diff = try #require(Self.manifest["canada-diff-legacy-to-bilingual"]?.objectValue)
        func keys(_ name: String) -> [String] {
            (diff[name]?.arrayValue ?? []).compactMap(\.objectValue).map { "\($0["country"]!.stringValue!)/\($0["schedule"]!.stringValue!)/\($0["item"]!.stringValue!)" }
        }
        #expect(changes.added.map(\.key) == keys("added"))
        #expect(changes.changed.map(\.key) == keys("changed"))
        #expect(changes.removed.map(\.key) == keys("removed"))
    }

    @Test func theUNListReadsIndividualsEntitiesAndAliases() throws {
        let list = try read("un-consolidated.xml")
        let expected = try #require(Self.manifest["un-consolidated.xml"]?.objectValue)
        #expect(list.format == .unConsolidated && list.date == String(expected["dateGenerated"]!.stringValue!.prefix(10)))
        let items = (expected["individuals"]!.arrayValue! + expected["entities"]!.arrayValue!).compactMap(\.objectValue)
        #expect(list.entries.map(\.key) == items.map { $0["dataid"]!.stringValue! })
        for (entry, item) in zip(list.entries, items) {
            let aliases = (item["aliases"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
            #expect(entry.names == [item["name"]!.stringValue!] + aliases)
        }
        #expect(list.entries.filter { $0.kind == .individual }.count == expected["individuals"]!.arrayValue!.count)
    }

    @Test func ofacReadsSDNWithItsAliasesAndEmptyMarks() throws {
        let list = try read("ofac")
        let expected = try #require(Self.manifest["ofac/sdn.csv"]?.arrayValue).compactMap(\.objectValue)
        #expect(list.format == .ofacSDN && list.entries.map(\.key) == expected.map { String(Int($0["ent_num"]!.numberValue!)) })
        for (entry, item) in zip(list.entries, expected) {
            let aliases = (item["aliases"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
            #expect(entry.names == [item["name"]!.stringValue!] + aliases)
            #expect(!entry.details.contains("-0-") && !entry.program.contains("-0-"))
        }
        #expect(list.entries.contains { $0.kind == .vessel })
    }

    @Test(arguments: ["opensanctions-targets.simple.csv", "opensanctions-targets.simple-program_ids.csv"])
    func openSanctionsReadsNamesAndAliases(file: String) throws {
        let list = try read(file)
        let expected = try #require(Self.manifest[file]?.arrayValue).compactMap(\.objectValue)
        #expect(list.format == .openSanctions && list.entries.map(\.key) == expected.map { $0["id"]!.stringValue! })
        for (entry, item) in zip(list.entries, expected) { #expect(entry.names == [item["name"]!.stringValue!] + strings(item["aliases"])) }
    }

    @Test func aMalformedFileIsRefusedWithItsLine() throws {
        let cases: [(String, String)] = [("malformed/truncated.xml", "truncated.xml:24: not well-formed XML"),
                                         ("malformed/sdn-bad-row.csv", "sdn-bad-row.csv:3: 11 columns, sdn.csv has 12"),
                                         ("malformed/unknown.txt", "unknown.txt:1: not a list format PartnerRisk reads")]
        for (file, message) in cases {
            do {
                _ = try read(file)
                Issue.record("\(file) was read")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func namesMatchThroughAccentsOrderLegalFormsAndAliases() {
        let hits: [(String, String)] = [
            ("Société Minière des Grands Lacs", "SOCIETE MINIERE DES GRANDS LACS"), ("Ivanov Petr", "Petr IVANOV"),
            ("Andes Pacific Trading SA de CV", "ANDES PACIFIC TRADING S.A. DE C.V."), ("OOO Kama Pribor", "Joint Stock Company \"Kama Pribor\""),
            ("Tekhnoprom Impeks LLC", "OOO TEKHNOPROM IMPEKS"), ("Meridian Dual Use Technologies Inc.", "Meridian Dual-Use Technologies, Inc."),
            ("Severnyi Put Ltd", "OOO \"Severny Put\""), ("Sunrise Maritime Services Pvt Ltd", "SUNRISE MARITIME SERVICES PRIVATE LIMITED"),
        ]
        for (partner, listed) in hits { #expect(NameMatcher.similarity(partner, listed) >= ScreeningService.defaultThreshold, "\(partner) ~ \(listed)") }
        let misses: [(String, String)] = [("Polar Star Logistics", "Polar Vanguard"), ("Ohio Parts", "Ocean Laurel"),
                                          ("Ivanova Logistics", "Petr IVANOV"), ("Golden Gate Produce", "GOLDEN CRESCENT EXCHANGE COMPANY")]
        for (partner, listed) in misses { #expect(NameMatcher.similarity(partner, listed) < ScreeningService.defaultThreshold, "\(partner) !~ \(listed)") }
        #expect(NameMatcher.words("S.A. de C.V.") == ["sa", "de", "cv"])   // a name of legal forms only keeps them
        #expect(abs(NameMatcher.jaroWinkler("martha", "marhta") - 0.961) < 0.001)   // the textbook value
    }

    @Test func aPartnersAliasesAreReadKeptAsWrittenAndScreened() throws {
        let csv = "name,email,country,sector,aliases\nPolar Ridge Freight Inc.,p@x.example.com,CA,highway-carrier, Polar Ridge ;Severny Put;;Polar Ridge;Polar Ridge Freight Inc.\n"
        let draft = try #require(try PartnerCSVImport(fileName: "p.csv").read(Data(csv.utf8)).drafts.first)
        #expect(draft.aliases == ["Polar Ridge", "Severny Put"])   // trimmed, once each, the name itself left out
        let directory = TemporaryDirectory(), store = try directory.store()
        _ = try store.upsertPartners([draft], at: fixedNow)
        #expect(try store.upsertPartners([draft], at: fixedNow).unchanged == 1)
        var renamed = draft
        renamed.aliases = ["Polar Ridge"]
        #expect(try store.upsertPartners([renamed], at: fixedNow).updated == 1)
        _ = try store.upsertPartners([draft], at: fixedNow)
        #expect(try store.partner(identifiedBy: "p@x.example.com")?.aliases == ["Polar Ridge", "Severny Put"])
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        let screening = ScreeningService(repositories: store, submissions: submissions, actor: "Dana Officer", time: FixedTime(fixedNow))
        let found = try screening.importList(Self.folder.appendingPathComponent("canada-sema-bilingual.xml").path, name: nil, asOf: nil).screening.new
        #expect(found.count == 1 && found[0].screenedAs == "alias" && found[0].screenedName == "Severny Put", "\(found)")
    }

    @Test func theIndexFindsWhatTheFullComparisonFinds() throws {
        let entries = try read("un-consolidated.xml").entries + read("ofac").entries + read("canada-sema-bilingual.xml").entries
        let index = ScreeningIndex(entries: entries)
        for name in ["Golden Crescent Exchange", "Karimov Rustam", "Polar Vanguard Shipping", "Société minière des Grands Lacs", "Nothing Alike Ltd"] {
            let full = Set(index.names.filter { NameMatcher.similarity(NameMatcher.words(name), $0.words) >= 0.9 }.map(\.entry))
            #expect(Set(index.matches(name, threshold: 0.9).map(\.entry)) == full, "\(name)")
        }
    }
}

/// A hit's life on a real store: found, cleared (and staying cleared), opened again when its
/// entry changes, confirmed (a knock-out in the score and in the ranking, answered or not).
extension ResponseIngestTests {
    @Test func aClearedHitStaysClearedUntilItsEntryChangesAndAConfirmedOneKnocksOut() throws {
        let setup = try setup(partners: "Severnyi Put LLC,a@x.example.com,RU,highway-carrier,,en\nGolden Crescent Exchange,b@x.example.com,AE,customs-broker,,en\nOhio Parts,c@x.example.com,US,warehouse,,en\n")
        let store = setup.fixture.store
        let summary = try setup.ingest.importPaths([setup.files[0].path, setup.files[2].path])
        let submissions = SubmissionService(repositories: store, scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                                            time: FixedTime(fixedNow))
        try submissions.accepted(summary.acceptedResponseIDs)
        let screening = ScreeningService(repositories: store, submissions: submissions, actor: "Dana Officer", time: FixedTime(fixedNow))
        let folder = ScreeningTests.folder
        let first = try screening.importList(folder.appendingPathComponent("canada-sema-legacy.xml").path, name: nil, asOf: nil)
        let severny = try #require(first.screening.new.first { $0.partnerName == "Severnyi Put LLC" })
        #expect(first.screening.new.count == 1 && severny.entryKey == "Russia/1, Part 2/2291" && severny.status == .open)
        #expect(throws: PartnerRiskError.self) { try screening.decide(hit: severny.id, status: .cleared, note: " ") }
        _ = try screening.decide(hit: severny.id, status: .cleared, note: "different registration number")
        #expect(try screening.run(partnerID: nil).unchanged == 1)           // the same entry: stays cleared
        #expect(try store.screeningHit(id: severny.id)?.status == .cleared)
        // The bilingual version changed entry 2291: the cleared hit is opened again.
        let second = try screening.importList(folder.appendingPathComponent("canada-sema-bilingual.xml").path, name: nil, asOf: nil)
        #expect(second.changes.changed.map(\.key).contains("Russia/1, Part 2/2291"))
        let reopened = try store.screeningHit(id: severny.id)?.status
        #expect(second.screening.reopened.map(\.id) == [severny.id] && reopened == .open)
        // The UN list: the customs broker (who has not answered) matches an entity; confirmed, it ranks as a knock-out.
        let un = try screening.importList(folder.appendingPathComponent("un-consolidated.xml").path, name: nil, asOf: nil)
        let golden = try #require(un.screening.new.first { $0.partnerName == "Golden Crescent Exchange" })
        _ = try screening.decide(hit: golden.id, status: .confirmed, note: "same address in Sana'a and the same director")
        _ = try screening.decide(hit: severny.id, status: .confirmed, note: "the entry now names our partner's registration number")
        let severnyPartner = try #require(try store.partner(identifiedBy: "a@x.example.com"))
        let score = try #require(try store.scoreHistory(partnerID: severnyPartner.id).last)
        #expect(score.knockout && score.factors.first { $0.code.hasPrefix("sanctions.canada-sema.") }?.text.en.contains("confirmed by Dana Officer") == true)
        let hits = try store.screeningHits(partnerID: nil, status: nil).filter { $0.status != .cleared }
        let (config, countries) = try SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys")).scoring()
        _ = countries
        let ranking = Ranking.build(scores: try store.latestScores(), nonResponders: [], partners: try store.partners(matching: PartnerFilter()),
                                    config: config, asOf: fixedNow, hits: hits)
        let row = try #require(ranking.rows.first { $0.partner.email == "b@x.example.com" })
        #expect(row.knockout && row.overallRisk == nil && row.headline.hasPrefix("Knock-out: sanctions list hit confirmed by Dana Officer"))
        let actions = try store.auditEntries(subject: "partner:\(severnyPartner.id)").map(\.action)
        #expect(["screening.hit", "screening.clear", "screening.reopen", "screening.confirm"].allSatisfy(actions.contains))
        #expect(throws: DatabaseError.self) { try store.pool.write { try $0.execute(sql: "DELETE FROM screening_hit") } }
    }
}
