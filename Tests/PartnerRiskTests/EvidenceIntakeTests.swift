import Crypto
import Foundation
import GRDB
import Testing
@testable import PartnerRiskApp
@testable import PartnerRiskCore
@testable import PartnerRiskMail
@testable import PartnerRiskStore

/// Documents that arrive with the answers: embedded in the offline answer file (for a question,
/// covered by its checksum) or attached to a reply beside it (kept, not yet assigned), and the
/// partner scored again at once.
extension ResponseIngestTests {
    static let pdf = Data("%PDF-1.4\n".utf8) + Data((0..<3000).map { UInt8($0 % 251) }) + Data("\n%%EOF\n".utf8)

    /// The answer file with B1 (a "must" that asks for a document) answered yes, and `documents`
    /// embedded as the offline form writes them; `checksumCovers` false writes the old checksum.
    func fileWithDocuments(_ url: URL, _ documents: [(question: String, name: String, data: Data)], checksumCovers: Bool = true,
                           savedAt: String = "2026-11-20T10:00:00Z") throws -> [String: JSONValue] {
        var file = try object(url)
        var answers = file["answers"]!.objectValue!
        answers["B1_risk_assessment"] = "yes"
        file["answers"] = .object(answers)
        file["saved_at"] = .string(savedAt)
        file["evidence"] = .array(documents.map {
            .object(["question_id": .string($0.question), "name": .string($0.name), "content_type": "application/pdf",
                     "size": .number(Double($0.data.count)), "sha256": .string(CanonicalJSON.hex(SHA256.hash(data: $0.data))),
                     "data": .string($0.data.base64EncodedString())])
        })
        let manifest = JSONValue.array(documents.map {
            .object(["question_id": .string($0.question), "name": .string($0.name), "sha256": .string(CanonicalJSON.hex(SHA256.hash(data: $0.data)))])
        })
        let covered: JSONValue = checksumCovers ? .object(["answers": .object(answers), "evidence": manifest]) : .object(answers)
        file["checksum"] = .string("sha256:" + CanonicalJSON.sha256(covered))
        return file
    }

    func submissions(_ setup: Setup) -> SubmissionService {
        SubmissionService(repositories: setup.fixture.store,
                          scoring: ScoringSource(catalog: SurveyCatalog(directory: ProjectRoot.url.appendingPathComponent("Surveys"))),
                          time: FixedTime(fixedNow))
    }

    @Test func aDocumentInTheAnswerFileIsStoredForItsQuestionAndCounts() throws {
        let setup = try setup()
        let folder = try setup.folder("with-documents")
        try write(fileWithDocuments(setup.files[0], [("B1_risk_assessment", "risk assessment 2026.pdf", Self.pdf)]),
                  folder.appendingPathComponent("answers.json"))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 1 && summary.evidence == 1 && summary.line.hasSuffix(", evidence 1"))
        let invitation = try #require(summary.evidenceInvitations.first)
        let files = try setup.fixture.store.evidence(invitationID: invitation)
        #expect(files.map(\.questionID) == ["B1_risk_assessment"])
        #expect(files.first?.originalName == "risk assessment 2026.pdf" && files.first?.channel == "file" && files.first?.size == Self.pdf.count)
        let digest = CanonicalJSON.hex(SHA256.hash(data: Self.pdf))
        #expect(files.first?.sha256 == digest)
        #expect(try Data(contentsOf: setup.ingest.evidence.vault.path(for: digest)) == Self.pdf)
        // Scored with the document: B1 is not held at the missing-evidence credit.
        try submissions(setup).accepted(summary.acceptedResponseIDs, evidenceFor: summary.evidenceInvitations)
        let explanation = try setup.fixture.store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT s.explanation FROM score s JOIN current_score c ON c.score_id = s.id WHERE s.invitation_id = ?",
                                arguments: [invitation])
        }
        #expect(explanation?.contains("B1_risk_assessment") == false)
    }

    @Test func documentsThatDoNotMatchTheChecksumOrTheirHashOrTheirQuestionAreRefused() throws {
        let setup = try setup()
        let folder = try setup.folder("bad-documents")
        try write(fileWithDocuments(setup.files[0], [("B1_risk_assessment", "a.pdf", Self.pdf)], checksumCovers: false),
                  folder.appendingPathComponent("1-old-checksum.json"))
        var damaged = try fileWithDocuments(setup.files[0], [("B1_risk_assessment", "a.pdf", Self.pdf)])
        var item = damaged["evidence"]!.arrayValue![0].objectValue!
        item["data"] = .string((Self.pdf + Data("x".utf8)).base64EncodedString())
        damaged["evidence"] = .array([.object(item)])
        try write(damaged, folder.appendingPathComponent("2-damaged.json"))
        try write(fileWithDocuments(setup.files[0], [("A1_company_profile_not_a_question", "a.pdf", Self.pdf)]),
                  folder.appendingPathComponent("3-stray.json"))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 0 && summary.evidence == 0)
        #expect(summary.rejected.map(\.reason) == [
            "checksum mismatch: the file was edited outside the form or damaged",
            "evidence document 1 (a.pdf) is damaged: its content does not match its SHA-256",
            "a document is attached to question A1_company_profile_not_a_question, which asks for none",
        ])
        #expect(try setup.fixture.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence") } == 0)
    }

    @Test func aLargeAnswerFileIsAcceptedOnlyWhenDocumentsMakeItLarge() throws {
        let setup = try setup()
        let folder = try setup.folder("large")
        let big = Data((0..<(3 * 1_048_576)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
        try write(fileWithDocuments(setup.files[0], [("B1_risk_assessment", "scan.pdf", Self.pdf + big)]), folder.appendingPathComponent("a.json"))
        var padded = try object(setup.files[1])
        padded["note"] = .string(String(repeating: "x", count: 3 * 1_048_576))
        try write(padded, folder.appendingPathComponent("b.json"))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 1 && summary.evidence == 1)
        #expect(summary.rejected.map(\.reason) == ["file larger than 2 MB and carries no documents"])
    }

    @Test func aDocumentInALaterFileWithTheSameAnswersIsKeptAndRescoresThePartner() throws {
        let setup = try setup()
        let first = setup.fixture.directory.url.appendingPathComponent("first.json")
        let withDocument = try fileWithDocuments(setup.files[0], [("B1_risk_assessment", "a.pdf", Self.pdf)])
        var plain = withDocument
        plain["evidence"] = nil
        plain["checksum"] = .string("sha256:" + CanonicalJSON.sha256(plain["answers"]!))
        try write(plain, first)
        let service = submissions(setup)
        let one = try setup.ingest.importPaths([first.path])
        #expect(try service.accepted(one.acceptedResponseIDs, evidenceFor: one.evidenceInvitations).scored == 1)
        let later = setup.fixture.directory.url.appendingPathComponent("later.json")
        try write(withDocument, later)
        let two = try setup.ingest.importPaths([later.path])
        #expect(two.duplicates == 1 && two.evidence == 1)
        #expect(try service.accepted(two.acceptedResponseIDs, evidenceFor: two.evidenceInvitations).scored == 1)
        let scores = try setup.fixture.store.pool.read { db in
            try Double.fetchAll(db, sql: "SELECT overall_risk FROM score WHERE invitation_id = ? ORDER BY id", arguments: [two.evidenceInvitations.first!])
        }
        #expect(scores.count == 2 && scores[1] < scores[0])
    }

    @Test func aReplysOtherAttachmentsAreKeptAsUnassignedEvidenceButNotItsSignatureLogo() throws {
        let setup = try setup()
        let answers = try Data(contentsOf: setup.files[0])
        let reply = Data("""
            From: Ann Lee <a@x.example.com>\r
            Subject: RE: Questionnaire\r
            Message-ID: <evidence@x.example.com>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="m"\r
            \r
            --m\r
            Content-Type: multipart/related; boundary="r"\r
            \r
            --r\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Our answers and certificate.</p><img src="cid:logo@x">\r
            --r\r
            Content-Type: image/png; name="logo.png"\r
            Content-ID: <logo@x>\r
            Content-Disposition: inline; filename="logo.png"\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgo=\r
            --r--\r
            --m\r
            Content-Type: application/json; name="answers.json"\r
            Content-Disposition: attachment; filename="answers.json"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(answers.base64EncodedString(options: .lineLength76Characters))\r
            --m\r
            Content-Type: application/pdf; name="ISO 28000 certificate.pdf"\r
            Content-Disposition: attachment; filename="ISO 28000 certificate.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Self.pdf.base64EncodedString(options: .lineLength76Characters))\r
            --m\r
            Content-Type: application/x-msdownload; name="setup.exe"\r
            Content-Disposition: attachment; filename="setup.exe"\r
            \r
            MZ\r
            --m--\r

            """.utf8)
        let file = setup.fixture.directory.url.appendingPathComponent("reply.eml")
        try reply.write(to: file)
        let summary = try setup.ingest.importPaths([file.path])
        #expect(summary.accepted == 1 && summary.evidence == 1)
        let invitation = try #require(summary.evidenceInvitations.first)
        let files = try setup.fixture.store.evidence(invitationID: invitation)
        #expect(files.map(\.originalName) == ["ISO 28000 certificate.pdf"])
        #expect(files.first?.questionID == nil && files.first?.source == file.path)
        // Imported again: the same document is not stored twice.
        #expect(try setup.ingest.importPaths([file.path]).evidence == 0)
        #expect(try setup.fixture.store.evidence(invitationID: invitation).count == 1)
    }

    @Test func aReplyLargerThanTheReadAheadSizeIsReadByItselfAndKept() throws {
        let setup = try setup()
        let answers = try Data(contentsOf: setup.files[0])
        let scan = Self.pdf + Data((0..<(2 * 1_048_576)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let reply = Data("""
            From: a@x.example.com\r
            Message-ID: <big@x.example.com>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="m"\r
            \r
            --m\r
            Content-Type: application/json; name="answers.json"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(answers.base64EncodedString(options: .lineLength76Characters))\r
            --m\r
            Content-Type: application/pdf; name="scan.pdf"\r
            Content-Disposition: attachment; filename="scan.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(scan.base64EncodedString(options: .lineLength76Characters))\r
            --m--\r

            """.utf8)
        #expect(reply.count > ResponseIngest.readAheadBytes)
        let folder = try setup.folder("big-replies")
        try reply.write(to: folder.appendingPathComponent("a-big.eml"))
        try FileManager.default.copyItem(at: setup.files[1], to: folder.appendingPathComponent("b-small.json"))
        let summary = try setup.ingest.importPaths([folder.path])
        #expect(summary.accepted == 2 && summary.evidence == 1 && summary.rejected.isEmpty)
        #expect(try setup.fixture.store.evidence(invitationID: summary.evidenceInvitations.first!).first?.size == scan.count)
    }

    @Test func anInvitationCannotSendMoreDocumentsThanItsQuota() throws {
        let setup = try setup()
        let summary = try setup.ingest.importPaths([setup.files[0].path])
        let invitation = try #require(try setup.fixture.store.responses(campaignID: nil, partnerID: nil).first?.invitationID)
        #expect(summary.accepted == 1)
        let vault = EvidenceVault(directory: setup.fixture.directory.url.appendingPathComponent("evidence"),
                                  quota: EvidenceVault.Quota(files: 2, bytes: 2 * Self.pdf.count + 10))
        let intake = EvidenceIntake(vault: vault, files: setup.fixture.store)
        func document(_ number: Int) -> EvidenceIntake.Document {
            EvidenceIntake.Document(questionID: nil, name: "scan-\(number).pdf", contentType: "application/pdf", data: Self.pdf + Data([UInt8(number)]))
        }
        let results = try (1...3).map { try intake.store(document($0), invitationID: invitation, channel: .imap, source: "reply", at: fixedNow) }
        #expect(results[0] == .new && results[1] == .new)
        #expect(results[2] == .refused("scan-3.pdf: the partner has sent as many documents as one invitation may (2 files, 0 MB)"))
        #expect(try setup.fixture.store.evidence(invitationID: invitation).count == 2)
        // The bytes count too.
        let roomy = EvidenceIntake(vault: EvidenceVault(directory: vault.directory, quota: EvidenceVault.Quota(files: 10, bytes: 2 * Self.pdf.count + 10)), files: setup.fixture.store)
        #expect(try roomy.store(document(4), invitationID: invitation, channel: .imap, source: "reply", at: fixedNow) != .new)
    }
}
