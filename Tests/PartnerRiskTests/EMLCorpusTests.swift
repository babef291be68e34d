import Crypto
import Foundation
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskMail

/// The `.eml` corpus in `Fixtures/eml/`, read by GMime and checked against `manifest.json`.
/// Both are written by `Fixtures/eml/make_fixtures.py` with Python's standard `email` package
/// (deterministic: fixed dates, Message-IDs and boundaries); after changing it, regenerate with
/// `python3 Tests/PartnerRiskTests/Fixtures/eml/make_fixtures.py` and commit the output. The
/// manifest's hashes come from the bytes Python was given, not from parsing, so they are an
/// expectation independent of any MIME reader.
@Suite struct EMLCorpusTests {
    /// One fixture's expectations, as `manifest.json` lists them.
    struct Fixture: Decodable {
        /// A leaf part that carries a file name: its decoded name, type and body hash.
        struct Part: Decodable {
            var fileName: String?
            var contentType: String
            var sha256: String

            enum CodingKeys: String, CodingKey {
                case fileName = "file_name", contentType = "content_type", sha256
            }
        }

        var file: String
        var shape: String
        var messageID: String?
        var parts: [Part]

        enum CodingKeys: String, CodingKey {
            case file, shape, messageID = "message_id", parts
        }
    }

    enum CorpusError: Error {
        case emptyManifest(String)
        case notInManifest(String)
    }

    static let folder = ProjectRoot.url.appendingPathComponent("Tests/PartnerRiskTests/Fixtures/eml")

    /// Every fixture of the manifest; throws when it is missing, unreadable or empty.
    static func manifest() throws -> [Fixture] {
        let fixtures = try JSONDecoder().decode([Fixture].self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        guard !fixtures.isEmpty else { throw CorpusError.emptyManifest(folder.path) }
        return fixtures
    }

    /// The fixture file names, the arguments of the parameterised test.
    static func fileNames() throws -> [String] { try manifest().map(\.file) }

    static func fixture(_ file: String) throws -> Fixture {
        guard let fixture = try manifest().first(where: { $0.file == file }) else { throw CorpusError.notInManifest(file) }
        return fixture
    }

    static func decode(_ file: String) throws -> ReceivedMessage {
        MIMEMessageDecoder().decode(try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// A part as one comparable line: name, type, hash.
    static func line(_ name: String?, _ type: String, _ sha256: String) -> String { "\(name ?? "(no name)") | \(type) | \(sha256)" }

    @Test func theManifestListsEveryFixtureInTheFolder() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        #expect(!onDisk.isEmpty, "no .eml fixtures in \(Self.folder.path)")
        #expect(try Self.fileNames().sorted() == onDisk)
    }

    /// Each fixture yields exactly the manifest's named parts (name, type and decoded bytes), its Message-ID, and no refusal.
    @Test(arguments: try EMLCorpusTests.fileNames())
    func eachFixtureYieldsTheManifestsNamedParts(file: String) throws {
        let fixture = try Self.fixture(file)
        let message = try Self.decode(file)
        #expect(message.refusal == nil, "\(file): \(fixture.shape)")
        if let messageID = fixture.messageID { #expect(message.messageID == messageID, "\(file): \(fixture.shape)") }
        let expected = fixture.parts.map { Self.line($0.fileName, $0.contentType, $0.sha256) }.sorted()
        let named = message.parts.filter { $0.fileName != nil }.map { Self.line($0.fileName, $0.contentType, Self.hex($0.body)) }.sorted()
        #expect(named == expected, "\(file): \(fixture.shape)")
    }

    /// The Outlook shapes and the bare reply say why there is no answer file, in the partner's terms.
    @Test func theTNEFMsgAndBareRepliesGiveTheirNoAnswerFileReasons() throws {
        let tnef = ResponseIngest.noAnswerFileReason(try Self.decode("18-tnef-winmail-dat.eml").parts)
        #expect(tnef.contains("winmail.dat"))
        let msg = ResponseIngest.noAnswerFileReason(try Self.decode("19-outlook-msg.eml").parts)
        #expect(msg.contains(".msg"))
        let bare = ResponseIngest.noAnswerFileReason(try Self.decode("20-plain-reply-no-attachment.eml").parts)
        #expect(bare == "no answer file (.json) attached")
    }
}
