import Crypto
import Foundation

/// Documents that arrive with answers, outside the web form: embedded in an offline answer file
/// (for a question) or attached to a reply beside its answer file (not yet assigned to a
/// question). They are stored exactly like web uploads: in the vault by SHA-256, with their
/// original name, and recorded for the invitation.
public struct EvidenceIntake: Sendable {
    /// All documents of one answer file together, decoded, at most this many bytes (said on the page).
    public static let maxEmbeddedBytes = 20 * 1_048_576
    /// An answer file carrying documents may be this large (base64 makes 20 MB about 27).
    public static let maxAnswerFileBytes = 28 * 1_048_576
    /// At most this many documents in one answer file or reply.
    public static let maxDocuments = 100

    public let vault: EvidenceVault
    public let files: any EvidenceRepository

    public init(vault: EvidenceVault, files: any EvidenceRepository) {
        self.vault = vault
        self.files = files
    }

    /// One document as it arrived.
    public struct Document: Sendable {
        /// The question it supports; nil for a reply's attachment.
        public var questionID: String?
        public var name: String
        public var contentType: String
        public var data: Data
    }

    /// Stores a document for an invitation: nil when it was stored now, else why not (already on
    /// file is not a reason: it is simply not new).
    func store(_ document: Document, invitationID: Int64, channel: ResponseChannel, source: String, at time: Date) throws -> Stored {
        let name = EvidenceVault.cleanName(document.name)
        let hash: String
        do {
            try vault.admit(document.data.count, existing: files.evidence(invitationID: invitationID))
            hash = try vault.store(document.data, originalName: name)
        } catch let refusal as EvidenceVault.Refusal {
            return .refused("\(name): \(refusal.reason)")
        }
        let new = try files.addEvidence(EvidenceFile(invitationID: invitationID, questionID: document.questionID, sha256: hash,
                                                     originalName: name, contentType: DocumentKind.mediaType(forExtension: (name as NSString).pathExtension.lowercased()),
                                                     size: document.data.count,
                                                     uploadedAt: "", channel: channel.rawValue, source: source), at: time)
        return new ? .new : .known
    }

    /// What storing one document did.
    enum Stored: Equatable {
        case new, known
        case refused(String)
    }

    /// Whether a reply's part is a document to keep as evidence: a named attachment of a kind
    /// partners may send (PDF, images, office files), not the answer file, not a picture embedded
    /// in the mail's HTML (a signature's logo).
    static func isDocument(_ part: ReceivedMessage.Part) -> Bool {
        guard let name = part.fileName, !part.embedded else { return false }
        let ext = (name as NSString).pathExtension.lowercased()
        return ext != "json" && part.contentType != "application/json" && EvidenceVault.allowedExtensions.contains(ext)
    }

    /// The documents embedded in an answer file, checked against the file's checksum: `nil` when
    /// the file has none, else the documents or why they cannot be accepted. With documents the
    /// checksum covers `{"answers": …, "evidence": [{question_id, name, sha256}, …]}`, and each
    /// document's bytes must hash to its `sha256`, so the checksum covers their content too.
    static func embedded(in object: [String: JSONValue], answers: AnswerMembers) -> Result<[Document], Problem>? {
        guard let list = object["evidence"] else { return nil }
        guard let items = list.arrayValue, items.count <= maxDocuments else {
            return .failure(Problem("the file's evidence is not a list of at most \(maxDocuments) documents"))
        }
        var documents: [Document] = [], manifest: [JSONValue] = [], total = 0
        for (index, item) in items.enumerated() {
            guard let fields = item.objectValue, let question = fields["question_id"]?.stringValue, let name = fields["name"]?.stringValue,
                  let sha256 = fields["sha256"]?.stringValue, let text = fields["data"]?.stringValue else {
                return .failure(Problem("evidence document \(index + 1) lacks its question_id, name, sha256 or data"))
            }
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters),
                  CanonicalJSON.hex(SHA256.hash(data: data)) == sha256.lowercased() else {
                return .failure(Problem("evidence document \(index + 1) (\(EvidenceVault.cleanName(name))) is damaged: its content does not match its SHA-256"))
            }
            total += data.count
            guard total <= maxEmbeddedBytes else {
                return .failure(Problem("the documents in the file add up to more than \(maxEmbeddedBytes / 1_048_576) MB"))
            }
            documents.append(Document(questionID: question, name: name, contentType: fields["content_type"]?.stringValue ?? "application/octet-stream",
                                      data: data))
            manifest.append(.object(["question_id": .string(question), "name": .string(name), "sha256": .string(sha256)]))
        }
        let covered = CanonicalJSON.sha256(.object(["answers": .object(answers.dictionary), "evidence": .array(manifest)]))
        guard object["checksum"]?.stringValue == "sha256:" + covered else {
            return .failure(Problem("checksum mismatch: the file was edited outside the form or damaged"))
        }
        return .success(documents)
    }

    /// Why embedded documents were refused.
    struct Problem: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

extension EvidenceVault.Refusal: CustomStringConvertible {
    public var description: String { reason }

    /// The refusal in words for the officer's summary.
    var reason: String {
        switch self {
        case .empty: return "empty file"
        case .tooLarge(let limit): return "larger than \(limit) MB"
        case .kind(let ext): return "a .\(ext) file is not a kind of document kept as evidence"
        case .mismatch(let ext): return "its content is not a .\(ext) file (for example a web page given a document's name)"
        case .overQuota(let files, let megabytes): return "the partner has sent as many documents as one invitation may (\(files) files, \(megabytes) MB)"
        }
    }
}
